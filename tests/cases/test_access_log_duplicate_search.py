"""A duplicate ID number refused at registration reveals that the record exists — by name to someone who may
see it, as "registered elsewhere" to anyone else: the access log has it as a search of that record by the
person who typed the number, from the page and from the API, though the registration was refused
(issue 10 §11; domain.md §13 "audit logs")."""

from __future__ import annotations

import pytest

from cases.models import AccessLog, Minor
from cases.registry.services import DuplicateIdNumber
from tests.cases.test_api_minors import payload
from tests.cases.test_views_forms import _create, register_data
from tests.factories import register_minor


def _rows(user, minor):
    return list(AccessLog.objects.filter(user=user, minor=minor).values_list("action", "channel"))


@pytest.mark.parametrize("persona", ["town_officer", "outsider"])
def test_the_register_page_logs_a_duplicate_id_number_as_a_search(request, client, tree, persona, minor_a1):
    user = request.getfixturevalue(persona)
    region = tree.village_a1 if persona == "town_officer" else tree.village_b1
    client.force_login(user)

    response = _create(
        client,
        register_data(region, name="另一个孩子", gender="F", birth=minor_a1.birth_date, id_number=minor_a1.id_number),
    )

    assert response.status_code == 200 and "该身份证号码已" in response.content.decode()
    assert _rows(user, minor_a1) == [(AccessLog.Action.SEARCH, AccessLog.Channel.WEB)]
    assert Minor.objects.count() == 1


@pytest.mark.parametrize("persona", ["town_officer", "outsider"])
def test_the_register_api_logs_a_duplicate_id_number_as_a_search(request, api_client_for, tree, persona, minor_a1):
    user = request.getfixturevalue(persona)
    region = tree.village_a1 if persona == "town_officer" else tree.village_b1

    response = api_client_for(user).post(
        "/api/v1/minors/",
        payload(region, name="另一个孩子", birth_date=minor_a1.birth_date, id_number=minor_a1.id_number),
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "duplicate_id_number"
    assert _rows(user, minor_a1) == [(AccessLog.Action.SEARCH, AccessLog.Channel.API)]


def test_a_registration_that_finds_no_duplicate_logs_no_search(client, tree, town_officer, minor_a1, outsider):
    client.force_login(outsider)
    _create(client, register_data(tree.village_b1, name="另一个孩子"))

    assert not AccessLog.objects.filter(minor=minor_a1, user=outsider).exists()


def test_outside_a_request_the_service_writes_the_search_itself(tree, outsider, minor_a1):
    with pytest.raises(DuplicateIdNumber):
        register_minor(
            actor=outsider,
            region=tree.village_b1,
            name="另一个孩子",
            birth_date=minor_a1.birth_date,
            id_number=minor_a1.id_number,
        )

    assert _rows(outsider, minor_a1) == [(AccessLog.Action.SEARCH, AccessLog.Channel.SYSTEM)]


def test_a_possible_duplicate_by_name_and_birth_date_is_logged_as_a_search(client, tree, outsider, minor_a1):
    client.force_login(outsider)

    response = _create(client, register_data(tree.village_b1, name=minor_a1.name, birth=minor_a1.birth_date))

    assert response.status_code == 200 and "其他地区已有同名且出生日期相同的登记" in response.content.decode()
    assert _rows(outsider, minor_a1) == [(AccessLog.Action.SEARCH, AccessLog.Channel.WEB)]


def test_a_sealed_records_duplicate_id_number_is_not_named_to_a_child_director(
    client, tree, town_officer, child_director, minor_a1
):
    from cases.privacy.sealing.services import minor_seal
    from tests.factories import make_user
    from tiers.roles import Role

    head = make_user(Role.TOWN_OFFICE_HEAD, tree.town_a, username="head_dup")
    minor_seal(actor=head, minor=minor_a1, reason="法院通知封存犯罪记录")
    client.force_login(child_director)

    response = _create(
        client,
        register_data(
            tree.village_a1, name="另一个孩子", gender="F", birth=minor_a1.birth_date, id_number=minor_a1.id_number
        ),
    )

    page = response.content.decode()
    assert "该身份证号码已在其他地区登记" in page
    assert minor_a1.name not in page
