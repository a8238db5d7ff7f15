"""Who read what (issue 10 §2): the town office head and the county civil-affairs post read the access
log of the children in their area — per child, per user, by date, kind and channel — and export it;
reading the log is itself logged. Two counties; an outsider town head; a town officer who may not read it."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from cases.models import AccessLog
from tests.factories import make_user, register_minor
from tiers.roles import Level, Role
from tiers.services import region_create


@pytest.fixture
def office_head(tree):
    return make_user(Role.TOWN_OFFICE_HEAD, tree.town_a, username="office_head")


@pytest.fixture
def outsider_head(tree):
    """The head of the office of town B (same county)."""
    return make_user(Role.TOWN_OFFICE_HEAD, tree.town_b, username="outsider_head")


@pytest.fixture
def second_county(db):
    county = region_create(code="330522000000", name="邻县", level=Level.COUNTY)
    town = region_create(code="330522100000", name="南湖镇", level=Level.TOWN, parent=county)
    village = region_create(code="330522100201", name="湖滨村", level=Level.VILLAGE, parent=town)
    return county, town, village


@pytest.fixture
def other_county_officer(second_county):
    return make_user(Role.COUNTY_CIVIL_AFFAIRS, second_county[0], username="other_county_officer")


def _read_record(client, user, minor):
    client.force_login(user)
    assert client.get(reverse("minor_detail", args=[minor.pk])).status_code == 200
    client.logout()


def _log_page(client, reader, name="privacy_accesslog_list", args=(), **params):
    client.force_login(reader)
    return client.get(reverse(name, args=args), params)


def test_office_head_sees_who_read_the_records_of_her_town_only(
    client, town_officer, outsider, office_head, minor_a1, minor_b1
):
    _read_record(client, town_officer, minor_a1)
    _read_record(client, outsider, minor_b1)

    response = _log_page(client, office_head)

    rows = list(response.context["page"].object_list)
    assert {row.minor_id for row in rows} == {minor_a1.pk}
    assert any(row.user == town_officer and row.action == AccessLog.Action.VIEW for row in rows)
    assert "李四" not in response.content.decode()


def test_county_post_reads_the_log_of_every_town_of_its_county_not_of_another(
    client, county_officer, other_county_officer, town_officer, outsider, minor_a1, minor_b1
):
    _read_record(client, town_officer, minor_a1)
    _read_record(client, outsider, minor_b1)

    ours = {row.minor_id for row in _log_page(client, county_officer).context["page"].object_list}
    theirs = list(_log_page(client, other_county_officer).context["page"].object_list)

    assert ours == {minor_a1.pk, minor_b1.pk}
    assert theirs == []


def test_per_child_page_lists_only_that_childs_readers(client, town_officer, office_head, minor_a1, tree):
    sibling = register_minor(actor=town_officer, region=tree.village_a2, name="张四")
    _read_record(client, town_officer, minor_a1)
    _read_record(client, town_officer, sibling)

    response = _log_page(client, office_head, "privacy_accesslog_minor", args=[minor_a1.pk])

    assert response.status_code == 200
    assert {row.minor_id for row in response.context["page"].object_list} == {minor_a1.pk}


def test_per_child_page_of_a_child_of_another_town_is_404(client, outsider_head, minor_a1):
    response = _log_page(client, outsider_head, "privacy_accesslog_minor", args=[minor_a1.pk])

    assert response.status_code == 404


def test_per_user_page_lists_what_a_user_of_her_town_has_seen(client, town_officer, office_head, minor_a1, tree):
    colleague = make_user(Role.TOWN_OFFICE, tree.town_a, username="colleague")
    _read_record(client, town_officer, minor_a1)

    response = _log_page(client, office_head, "privacy_accesslog_user", args=[town_officer.pk])
    quiet = _log_page(client, office_head, "privacy_accesslog_user", args=[colleague.pk])

    assert [row.user_id for row in response.context["page"].object_list] == [town_officer.pk]
    assert quiet.status_code == 200 and list(quiet.context["page"].object_list) == []


def test_per_user_page_shows_a_user_of_elsewhere_only_through_the_children_in_reach(
    client, outsider, outsider_head, office_head, other_county_officer, minor_a1, minor_b1
):
    _read_record(client, outsider, minor_b1)  # town B's officer reads a town B child: not in town A's reach

    stranger = _log_page(client, office_head, "privacy_accesslog_user", args=[outsider.pk])
    other_county = _log_page(client, office_head, "privacy_accesslog_user", args=[other_county_officer.pk])
    own = _log_page(client, outsider_head, "privacy_accesslog_user", args=[outsider.pk])

    assert stranger.status_code == 404
    assert other_county.status_code == 404
    assert [row.minor_id for row in own.context["page"].object_list] == [minor_b1.pk]


def test_filters_by_date_range_and_kind(client, clock, town_officer, office_head, minor_a1):
    clock("2026-03-02", 9)
    _read_record(client, town_officer, minor_a1)
    clock("2026-03-05", 9)
    client.force_login(town_officer)
    client.get(reverse("registry_list"), {"q": "张三"})
    client.logout()
    clock("2026-03-06", 9)

    march_2 = _log_page(client, office_head, date_from="2026-03-01", date_to="2026-03-02")
    searches = _log_page(client, office_head, action=AccessLog.Action.SEARCH)

    assert [row.at.date().isoformat() for row in march_2.context["page"].object_list] == ["2026-03-02"]
    assert [row.action for row in searches.context["page"].object_list] == [AccessLog.Action.SEARCH]


def test_a_reversed_date_range_is_refused_with_a_chinese_error(client, office_head, minor_a1):
    response = _log_page(client, office_head, date_from="2026-03-05", date_to="2026-03-01")

    assert "截止日期不能早于起始日期" in response.content.decode()
    assert list(response.context["page"].object_list) == []


def test_reading_the_log_is_itself_logged(client, town_officer, office_head, minor_a1):
    _read_record(client, town_officer, minor_a1)

    _log_page(client, office_head)

    assert AccessLog.objects.filter(user=office_head, minor=minor_a1).exists()


def test_export_is_an_excel_of_the_filtered_rows_and_logs_each_child_as_exported(
    client, town_officer, office_head, minor_a1, minor_b1, outsider
):
    _read_record(client, town_officer, minor_a1)
    _read_record(client, outsider, minor_b1)

    response = _log_page(client, office_head, export="xlsx")

    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert cells[0][3] == "未成年人"
    assert [row[3] for row in cells[1:]] == ["张三"]
    exported = AccessLog.objects.filter(user=office_head, action=AccessLog.Action.EXPORT)
    assert list(exported.values_list("minor_id", flat=True)) == [minor_a1.pk]
    assert not AccessLog.objects.filter(user=office_head, minor=minor_b1).exists()


def test_a_town_officer_without_the_capability_may_not_read_the_log(client, town_officer, minor_a1):
    client.force_login(town_officer)

    assert client.get(reverse("privacy_accesslog_list")).status_code == 403
    assert reverse("privacy_accesslog_list") not in client.get(reverse("home")).content.decode()


def test_the_navigation_offers_the_log_to_its_readers(client, office_head):
    client.force_login(office_head)

    assert reverse("privacy_accesslog_list") in client.get(reverse("home")).content.decode()


def test_log_page_queries_do_not_grow_with_the_rows(
    client, town_officer, office_head, tree, django_assert_max_num_queries
):
    for index in range(8):
        minor = register_minor(actor=town_officer, region=tree.village_a1, name=f"儿童{index}")
        _read_record(client, town_officer, minor)
    client.force_login(office_head)

    with django_assert_max_num_queries(14):
        assert client.get(reverse("privacy_accesslog_list")).status_code == 200
