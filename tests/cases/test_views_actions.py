"""Move, close and reopen a record, and the record's access-log page (issue 2 §3, §4, §5)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cases.accesslog.services import access_log_record
from cases.models import AccessLog, MinorEvent, MinorStatus
from cases.registry.services import minor_close


def _post(client, name, minor, data):
    return client.post(reverse(name, args=[minor.pk]), data)


# --- move ----------------------------------------------------------------------------------------


def test_town_officer_moves_a_minor_to_another_village_and_keeps_the_history(client, tree, town_officer, minor_a1):
    client.force_login(town_officer)

    response = _post(client, "minor_move", minor_a1, {"region": tree.village_a2.pk, "note": "随祖母迁居"})

    assert response.status_code == 302
    assert response["Location"] == reverse("minor_detail", args=[minor_a1.pk])
    minor_a1.refresh_from_db()
    assert minor_a1.region == tree.village_a2
    kinds = set(MinorEvent.objects.filter(minor=minor_a1).values_list("kind", flat=True))
    assert {MinorEvent.Kind.REGISTERED, MinorEvent.Kind.MOVED} <= kinds


def test_move_destinations_are_the_villages_and_grids_of_the_whole_county(client, tree, town_officer, minor_a1):
    client.force_login(town_officer)

    choices = set(client.get(reverse("minor_move", args=[minor_a1.pk])).context["form"].fields["region"].queryset)

    assert choices == {tree.grid_a1, tree.village_a2, tree.village_b1}


def test_moved_record_is_handed_to_the_new_villages_staff(client, tree, child_director, neighbour_director, minor_a1):
    client.force_login(child_director)

    response = _post(client, "minor_move", minor_a1, {"region": tree.village_a2.pk})

    assert response.status_code == 302
    assert response["Location"] == reverse("registry_list")
    assert client.get(reverse("minor_detail", args=[minor_a1.pk])).status_code == 404
    client.force_login(neighbour_director)
    assert client.get(reverse("minor_detail", args=[minor_a1.pk])).status_code == 200


def test_moving_to_the_current_village_is_refused(client, tree, town_officer, minor_a1):
    client.force_login(town_officer)

    response = _post(client, "minor_move", minor_a1, {"region": tree.village_a1.pk})

    assert response.status_code == 200
    assert "有效的选项" in " ".join(response.context["form"].errors["region"])
    assert not MinorEvent.objects.filter(minor=minor_a1, kind=MinorEvent.Kind.MOVED).exists()


# --- close and reopen ----------------------------------------------------------------------------


def test_town_officer_closes_a_record_with_a_reason(client, town_officer, minor_a1):
    client.force_login(town_officer)

    response = _post(client, "minor_close", minor_a1, {"reason": "NO_LONGER_AT_RISK", "note": "父母返乡"})

    assert response.status_code == 302
    minor_a1.refresh_from_db()
    assert (minor_a1.status, minor_a1.closed_reason) == (MinorStatus.CLOSED, "NO_LONGER_AT_RISK")


def test_closing_without_a_reason_is_refused_in_chinese(client, town_officer, minor_a1):
    client.force_login(town_officer)

    response = _post(client, "minor_close", minor_a1, {"reason": ""})

    assert response.status_code == 200
    assert "必填" in " ".join(response.context["form"].errors["reason"])
    minor_a1.refresh_from_db()
    assert minor_a1.status == MinorStatus.ACTIVE


def test_closed_record_is_reopened_with_a_reason(client, town_officer, minor_a1):
    minor_close(actor=town_officer, minor=minor_a1, reason="MOVED_AWAY")
    client.force_login(town_officer)

    response = _post(client, "minor_reopen", minor_a1, {"note": "又迁回本村"})

    assert response.status_code == 302
    minor_a1.refresh_from_db()
    assert minor_a1.status == MinorStatus.ACTIVE


def test_reopening_an_active_record_shows_the_services_message(client, town_officer, minor_a1):
    client.force_login(town_officer)

    response = _post(client, "minor_reopen", minor_a1, {"note": "误操作"})

    assert response.status_code == 200
    assert "该档案在册，无需恢复" in response.content.decode()


@pytest.mark.parametrize("persona", ["town_leader", "county_officer", "leadership_viewer"])
@pytest.mark.parametrize(
    ("page", "data"),
    [("minor_move", "village_a2"), ("minor_close", {"reason": "DECEASED"}), ("minor_reopen", {"note": "恢复"})],
)
def test_users_who_may_not_change_the_record_get_403_on_move_close_and_reopen(
    client, tree, minor_a1, request, persona, page, data
):
    client.force_login(request.getfixturevalue(persona))
    if data == "village_a2":
        data = {"region": tree.village_a2.pk}

    assert client.get(reverse(page, args=[minor_a1.pk])).status_code == 403
    assert _post(client, page, minor_a1, data).status_code == 403
    minor_a1.refresh_from_db()
    assert (minor_a1.region, minor_a1.status) == (tree.village_a1, MinorStatus.ACTIVE)


@pytest.mark.parametrize("persona", ["outsider", "neighbour_director"])
@pytest.mark.parametrize("page", ["minor_move", "minor_close", "minor_reopen", "minor_access_log"])
def test_users_outside_the_village_get_404_on_the_record_actions(client, tree, minor_a1, request, persona, page):
    client.force_login(request.getfixturevalue(persona))

    assert client.get(reverse(page, args=[minor_a1.pk])).status_code == 404
    if page != "minor_access_log":
        assert _post(client, page, minor_a1, {"region": tree.village_b1.pk, "reason": "DECEASED"}).status_code == 404
    minor_a1.refresh_from_db()
    assert (minor_a1.region, minor_a1.status) == (tree.village_a1, MinorStatus.ACTIVE)


# --- access log page -----------------------------------------------------------------------------


def test_access_log_page_lists_who_read_the_record(client, town_officer, town_leader, minor_a1):
    access_log_record(user=town_leader, action=AccessLog.Action.VIEW, channel=AccessLog.Channel.API, minor=minor_a1)
    client.force_login(town_officer)

    response = client.get(reverse("minor_access_log", args=[minor_a1.pk]))

    entries = list(response.context["page"].object_list)
    assert [(e.user, e.channel) for e in entries] == [(town_leader, AccessLog.Channel.API)]
    assert "接口" in response.content.decode()


def test_child_director_of_the_village_may_see_the_access_log(client, child_director, minor_a1):
    client.force_login(child_director)

    assert client.get(reverse("minor_access_log", args=[minor_a1.pk])).status_code == 200


@pytest.mark.parametrize("persona", ["town_leader", "county_officer", "leadership_viewer", "partner_user"])
def test_users_who_may_not_change_the_record_get_403_on_the_access_log(client, minor_a1, request, persona):
    client.force_login(request.getfixturevalue(persona))

    assert client.get(reverse("minor_access_log", args=[minor_a1.pk])).status_code == 403
