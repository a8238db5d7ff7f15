"""The access log says what kind of read each row was (issue 10 §1): a record page is a record view, a
form page that shows the child is a form, a filtered list is a search, a list a list — one row per child
shown. Personas from tests/conftest.py: the town officer of town A and the child of village A1."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cases.models import AccessLog


def _kinds(user, minor):
    return list(AccessLog.objects.filter(user=user, minor=minor).values_list("action", flat=True))


@pytest.mark.parametrize(
    "url_name",
    ["visit_create", "assessment_create", "helper_assign", "emergency_response_create", "minor_move", "minor_close"],
)
def test_a_form_page_that_shows_the_child_is_logged_as_a_form(client, town_officer, minor_a1, url_name):
    client.force_login(town_officer)

    response = client.get(reverse(url_name, args=[minor_a1.pk]))

    assert response.status_code == 200
    assert _kinds(town_officer, minor_a1) == [AccessLog.Action.FORM]


def test_the_record_page_is_a_record_view(client, town_officer, minor_a1):
    client.force_login(town_officer)

    client.get(reverse("minor_detail", args=[minor_a1.pk]))

    assert _kinds(town_officer, minor_a1) == [AccessLog.Action.VIEW]


def test_the_registry_list_is_a_list_and_a_name_query_a_search(client, town_officer, minor_a1):
    client.force_login(town_officer)

    client.get(reverse("registry_list"))
    client.get(reverse("registry_list"), {"q": minor_a1.name})

    assert _kinds(town_officer, minor_a1) == [AccessLog.Action.SEARCH, AccessLog.Action.LIST]


def test_a_page_the_user_may_not_see_logs_nothing(client, outsider, minor_a1):
    client.force_login(outsider)

    assert client.get(reverse("minor_detail", args=[minor_a1.pk])).status_code == 404
    assert _kinds(outsider, minor_a1) == []
