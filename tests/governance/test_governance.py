"""Governance records (issue 6 §5; domain.md §4 mechanism 1, §1.3 T-9): a town records its
leadership-group and liaison meetings with their follow-up items in one transaction, refusals save
nothing and speak Chinese, nobody outside the town sees them, and the compliance flags follow
"≥ 2 leadership meetings a year" and "one liaison meeting per ended quarter"."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from governance.models import ActionItem, Meeting, MeetingKind
from governance.selectors import governance_compliance, governance_summary
from governance.services import action_item_update, meeting_record, meeting_update
from tiers.errors import ActionNotAllowed
from tiers.roles import ROLE_POLICIES, Capability, Role

MEETINGS_API = "/api/v1/meetings/"
LEADERSHIP = MeetingKind.LEADERSHIP_GROUP
LIAISON = MeetingKind.LIAISON


def today() -> date:
    return timezone.localdate()


def last_year() -> int:
    return today().year - 1


def record(actor, region, *, kind=LEADERSHIP, held_on=None, items=None, **fields) -> Meeting:
    data = {
        "title": "领导小组会议",
        "chair": "镇长",
        "attendees": "组长、副组长、成员单位负责人",
        "minutes": "分析本季度困境未成年人情况。",
        "decisions": "落实走访。",
    }
    data.update(fields)
    return meeting_record(
        actor=actor,
        region=region,
        kind=kind,
        held_on=held_on or today() - timedelta(days=3),
        action_items=items or [],
        **data,
    )


def form_payload(region, *, items=(), **overrides) -> dict[str, str]:
    data = {
        "region": str(region.pk),
        "kind": LEADERSHIP,
        "held_on": (today() - timedelta(days=2)).isoformat(),
        "title": "2026年第一次领导小组会议",
        "chair": "镇长",
        "attendees": "组长、副组长",
        "minutes": "传达上级要求。",
        "decisions": "",
        "items-TOTAL_FORMS": "3",
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "1000",
    }
    for index, item in enumerate(items):
        for key, value in item.items():
            data[f"items-{index}-{key}"] = value
    data.update(overrides)
    return data


@pytest.fixture
def town_meeting(tree, town_officer):
    """A leadership meeting of town A with one open follow-up item."""
    return record(
        town_officer,
        tree.town_a,
        title="青山镇未保领导小组第一次会议",
        items=[{"description": "更新台账", "responsible": "民政办", "due_on": today() + timedelta(days=10)}],
    )


# --- permissions ---------------------------------------------------------------------------------


def test_the_leadership_groups_offices_may_record_meetings_and_others_may_not():
    recorders = {role for role, policy in ROLE_POLICIES.items() if Capability.MANAGE_GOVERNANCE in policy.capabilities}
    assert recorders == {Role.TOWN_LEADER, Role.TOWN_OFFICE, Role.TOWN_OFFICE_HEAD, Role.COUNTY_CIVIL_AFFAIRS}


# --- recording -----------------------------------------------------------------------------------


def test_recording_saves_the_meeting_and_its_items_together(tree, town_officer):
    meeting = record(
        town_officer,
        tree.town_a,
        items=[
            {"description": "完成动态排查", "responsible": "民政办", "due_on": today() + timedelta(days=30)},
            {"description": "培训儿童主任", "responsible": "儿童督导员", "due_on": None},
        ],
    )
    assert meeting.recorded_by == town_officer and meeting.region == tree.town_a
    assert [item.description for item in meeting.action_items.order_by("pk")] == ["完成动态排查", "培训儿童主任"]
    assert set(meeting.action_items.values_list("status", flat=True)) == {ActionItem.Status.OPEN}


def test_a_failure_while_saving_items_leaves_no_meeting(tree, town_officer, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(ActionItem.objects, "create", broken)
    with pytest.raises(RuntimeError):
        record(town_officer, tree.town_a, items=[{"description": "事项", "responsible": "民政办"}])
    assert not Meeting.objects.exists()


def test_a_meeting_in_the_future_is_refused_in_chinese(tree, town_officer):
    with pytest.raises(ValidationError) as refused:
        record(town_officer, tree.town_a, held_on=today() + timedelta(days=1))
    assert refused.value.message_dict == {"held_on": ["召开日期不能晚于今天：只记录已经召开的会议。"]}
    assert not Meeting.objects.exists()


def test_missing_texts_and_a_bad_item_are_refused_by_field(tree, town_officer):
    with pytest.raises(ValidationError) as refused:
        record(
            town_officer,
            tree.town_a,
            title="  ",
            minutes="",
            items=[{"description": "事项", "responsible": ""}],
        )
    errors = refused.value.message_dict
    assert errors["title"] == ["请填写会议名称。"]
    assert errors["minutes"] == ["请填写会议纪要。"]
    assert errors["action_items"] == ["第 1 项督办事项：请填写责任单位/人。"]
    assert not Meeting.objects.exists() and not ActionItem.objects.exists()


def test_a_village_holds_no_governance_meeting(tree, town_officer):
    with pytest.raises(ValidationError) as refused:
        record(town_officer, tree.village_a1)
    assert list(refused.value.message_dict) == ["region"]


def test_an_officer_cannot_record_for_another_town(tree, outsider):
    with pytest.raises(ValidationError) as refused:
        record(outsider, tree.town_a)
    assert refused.value.message_dict == {"region": ["您无权为该区划记录工作会议。"]}


def test_a_child_director_cannot_record_meetings(tree, child_director):
    with pytest.raises(ActionNotAllowed):
        record(child_director, tree.town_a)


def test_the_county_records_its_own_leadership_meeting(tree, county_officer):
    assert record(county_officer, tree.county).region == tree.county


# --- follow-up items -----------------------------------------------------------------------------


def test_an_item_marked_done_needs_the_date(town_meeting, town_officer):
    item = town_meeting.action_items.get()
    with pytest.raises(ValidationError) as refused:
        action_item_update(actor=town_officer, item=item, status=ActionItem.Status.DONE, done_on=None)
    assert refused.value.message_dict == {"done_on": ["标记为已完成时请填写完成日期。"]}
    item.refresh_from_db()
    assert item.status == ActionItem.Status.OPEN


def test_an_item_done_on_a_date_is_done(town_meeting, town_officer):
    item = town_meeting.action_items.get()
    action_item_update(actor=town_officer, item=item, status=ActionItem.Status.DONE, done_on=today(), note="已完成")
    item.refresh_from_db()
    assert (item.status, item.done_on, item.note) == (ActionItem.Status.DONE, today(), "已完成")


def test_dropping_an_item_needs_a_reason(town_meeting, town_officer):
    item = town_meeting.action_items.get()
    with pytest.raises(ValidationError) as refused:
        action_item_update(actor=town_officer, item=item, status=ActionItem.Status.DROPPED)
    assert list(refused.value.message_dict) == ["note"]


def test_another_towns_officer_cannot_close_an_item(town_meeting, outsider):
    with pytest.raises(ActionNotAllowed):
        action_item_update(
            actor=outsider, item=town_meeting.action_items.get(), status=ActionItem.Status.DONE, done_on=today()
        )


def test_the_item_form_shows_the_missing_date_and_saves_nothing(client, town_meeting, town_officer):
    item = town_meeting.action_items.get()
    client.force_login(town_officer)
    response = client.post(
        reverse("governance_item_update", args=[town_meeting.pk, item.pk]),
        {f"item{item.pk}-status": ActionItem.Status.DONE, f"item{item.pk}-done_on": "", f"item{item.pk}-note": ""},
    )
    assert response.status_code == 200
    assert "标记为已完成时请填写完成日期。" in response.content.decode()
    item.refresh_from_db()
    assert item.status == ActionItem.Status.OPEN


def test_the_item_form_marks_an_item_done(client, town_meeting, town_officer):
    item = town_meeting.action_items.get()
    client.force_login(town_officer)
    response = client.post(
        reverse("governance_item_update", args=[town_meeting.pk, item.pk]),
        {f"item{item.pk}-status": ActionItem.Status.DONE, f"item{item.pk}-done_on": today().isoformat()},
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == ActionItem.Status.DONE


# --- pages ---------------------------------------------------------------------------------------


def test_the_form_records_a_meeting_with_its_items(client, tree, town_officer):
    client.force_login(town_officer)
    response = client.post(
        reverse("governance_new"),
        form_payload(
            tree.town_a,
            items=[
                {"description": "完成动态排查", "responsible": "民政办", "due_on": ""},
                {"description": "培训儿童主任", "responsible": "儿童督导员", "due_on": ""},
            ],
        ),
    )
    meeting = Meeting.objects.get()
    assert response.status_code == 302 and response.url == reverse("governance_detail", args=[meeting.pk])
    assert meeting.action_items.count() == 2  # the third, blank row is ignored


def test_an_invalid_form_saves_nothing_and_names_the_fields_in_chinese(client, tree, town_officer):
    client.force_login(town_officer)
    response = client.post(
        reverse("governance_new"),
        form_payload(tree.town_a, minutes="", items=[{"description": "完成动态排查", "responsible": ""}]),
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert "未保存：请修正标出的错误后再提交。" in content
    assert "请填写会议纪要。" in content
    assert "请填写责任单位/人。" in content
    assert not Meeting.objects.exists() and not ActionItem.objects.exists()


def test_a_future_date_is_shown_on_the_form_and_nothing_is_saved(client, tree, town_officer):
    client.force_login(town_officer)
    response = client.post(
        reverse("governance_new"),
        form_payload(
            tree.town_a,
            held_on=(today() + timedelta(days=5)).isoformat(),
            items=[{"description": "完成动态排查", "responsible": "民政办"}],
        ),
    )
    assert "召开日期不能晚于今天：只记录已经召开的会议。" in response.content.decode()
    assert not Meeting.objects.exists() and not ActionItem.objects.exists()


def test_the_form_offers_only_the_users_own_town(client, tree, town_officer):
    client.force_login(town_officer)
    response = client.post(reverse("governance_new"), form_payload(tree.town_b))
    assert response.status_code == 200
    assert not Meeting.objects.exists()


def test_editing_rewords_an_item_and_adds_one(client, town_meeting, town_officer):
    item = town_meeting.action_items.get()
    client.force_login(town_officer)
    data = form_payload(
        town_meeting.region,
        title="更正后的会议名称",
        items=[
            {"id": str(item.pk), "description": "更新台账并上报", "responsible": "民政办", "due_on": ""},
            {"description": "新增事项", "responsible": "派出所"},
        ],
    )
    data.update({"items-INITIAL_FORMS": "1", "items-TOTAL_FORMS": "4"})
    response = client.post(reverse("governance_edit", args=[town_meeting.pk]), data)
    assert response.status_code == 302
    town_meeting.refresh_from_db()
    assert town_meeting.title == "更正后的会议名称"
    assert sorted(town_meeting.action_items.values_list("description", flat=True)) == ["新增事项", "更新台账并上报"]


@pytest.mark.parametrize("name", ["governance_detail", "governance_edit"])
def test_another_towns_meeting_is_not_found(client, town_meeting, outsider, name):
    client.force_login(outsider)
    assert client.get(reverse(name, args=[town_meeting.pk])).status_code == 404


def test_another_towns_item_cannot_be_posted_to(client, town_meeting, outsider):
    item = town_meeting.action_items.get()
    client.force_login(outsider)
    response = client.post(
        reverse("governance_item_update", args=[town_meeting.pk, item.pk]),
        {f"item{item.pk}-status": ActionItem.Status.DONE, f"item{item.pk}-done_on": today().isoformat()},
    )
    assert response.status_code == 404


def test_the_outsiders_list_shows_no_meeting_of_another_town(client, town_meeting, outsider):
    client.force_login(outsider)
    response = client.get(reverse("governance_list"))
    assert response.status_code == 200
    assert f'data-testid="meeting-row-{town_meeting.pk}"' not in response.content.decode()
    assert town_meeting.title not in response.content.decode()


def test_a_child_director_may_not_open_the_recording_form(client, child_director):
    client.force_login(child_director)
    assert client.get(reverse("governance_new")).status_code == 403


def test_a_child_director_does_not_see_the_towns_meetings(client, town_meeting, child_director):
    client.force_login(child_director)
    assert client.get(reverse("governance_detail", args=[town_meeting.pk])).status_code == 404


def test_a_leadership_viewer_reads_a_meeting_but_may_not_change_it(client, town_meeting, leadership_viewer):
    client.force_login(leadership_viewer)
    detail = client.get(reverse("governance_detail", args=[town_meeting.pk]))
    assert detail.status_code == 200 and town_meeting.title in detail.content.decode()
    assert 'data-testid="meeting-edit"' not in detail.content.decode()
    assert client.get(reverse("governance_edit", args=[town_meeting.pk])).status_code == 403


def test_the_town_leader_sees_the_meeting_and_the_nav_entry(client, town_meeting, town_leader):
    client.force_login(town_leader)
    content = client.get(reverse("governance_list")).content.decode()
    assert f'data-testid="meeting-row-{town_meeting.pk}"' in content
    assert 'data-testid="nav-governance"' in content


def test_the_list_filters_by_kind(client, tree, town_officer, town_meeting):
    liaison = record(town_officer, tree.town_a, kind=LIAISON, title="季度联席会议")
    client.force_login(town_officer)
    content = client.get(reverse("governance_list"), {"kind": LIAISON, "year": today().year}).content.decode()
    assert f'data-testid="meeting-row-{liaison.pk}"' in content
    assert f'data-testid="meeting-row-{town_meeting.pk}"' not in content


def test_the_list_page_makes_a_bounded_number_of_queries(client, tree, town_officer, django_assert_max_num_queries):
    for number in range(8):
        record(
            town_officer,
            tree.town_a,
            kind=LIAISON if number % 2 else LEADERSHIP,
            items=[{"description": f"事项{number}", "responsible": "民政办"}],
        )
    client.force_login(town_officer)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("governance_list"))
    assert response.content.decode().count('data-testid="meeting-row-') == 8


# --- compliance ----------------------------------------------------------------------------------


def _row(rows, region):
    return next(row for row in rows if row["region"] == region)


def test_one_leadership_meeting_in_a_year_is_flagged(client, tree, town_officer):
    record(town_officer, tree.town_a, held_on=date(last_year(), 5, 10))
    row = _row(governance_compliance(user=town_officer, year=last_year()), tree.town_a)
    assert (row["leadership_held"], row["leadership_required"], row["leadership_compliant"]) == (1, 2, False)
    client.force_login(town_officer)
    page = client.get(reverse("governance_list"), {"year": last_year()}).content.decode()
    assert 'data-testid="leadership-noncompliant"' in page and "未达标" in page


def test_two_leadership_meetings_in_a_year_are_compliant(tree, town_officer):
    record(town_officer, tree.town_a, held_on=date(last_year(), 5, 10))
    record(town_officer, tree.town_a, held_on=date(last_year(), 11, 2))
    row = _row(governance_compliance(user=town_officer, year=last_year()), tree.town_a)
    assert row["leadership_compliant"] is True


def test_a_meeting_of_another_year_does_not_count(tree, town_officer):
    record(town_officer, tree.town_a, held_on=date(last_year(), 5, 10))
    record(town_officer, tree.town_a, held_on=date(last_year() - 1, 11, 2))
    row = _row(governance_compliance(user=town_officer, year=last_year()), tree.town_a)
    assert row["leadership_held"] == 1 and not row["leadership_compliant"]


def test_the_required_number_is_a_setting(tree, town_officer, settings):
    settings.MINORPROT_LEADERSHIP_MEETINGS_PER_YEAR = 1
    record(town_officer, tree.town_a, held_on=date(last_year(), 5, 10))
    assert _row(governance_compliance(user=town_officer, year=last_year()), tree.town_a)["leadership_compliant"]


def test_liaison_is_required_in_each_quarter_that_has_ended(tree, town_officer):
    year = last_year()
    record(town_officer, tree.town_a, kind=LIAISON, held_on=date(year, 2, 20))
    record(town_officer, tree.town_a, kind=LIAISON, held_on=date(year, 3, 20))
    record(town_officer, tree.town_a, kind=LIAISON, held_on=date(year, 7, 20))  # in the quarter in progress
    row = _row(governance_compliance(user=town_officer, year=year, today=date(year, 8, 15)), tree.town_a)
    assert row["liaison_by_quarter"] == [2, 0, 1, 0]
    assert row["liaison_quarters_due"] == [1, 2]
    assert row["liaison_missing_quarters"] == [2]
    assert (row["liaison_held"], row["liaison_required"], row["liaison_compliant"]) == (3, 2, False)


def test_liaison_in_every_ended_quarter_is_compliant(tree, town_officer):
    year = last_year()
    record(town_officer, tree.town_a, kind=LIAISON, held_on=date(year, 2, 20))
    record(town_officer, tree.town_a, kind=LIAISON, held_on=date(year, 6, 20))
    row = _row(governance_compliance(user=town_officer, year=year, today=date(year, 8, 15)), tree.town_a)
    assert row["liaison_compliant"] is True and row["liaison_required"] == 2


def test_a_past_year_requires_four_liaison_meetings(tree, town_officer):
    year = last_year()
    for month in (2, 5, 8):
        record(town_officer, tree.town_a, kind=LIAISON, held_on=date(year, month, 20))
    row = _row(governance_compliance(user=town_officer, year=year), tree.town_a)
    assert row["liaison_required"] == 4 and row["liaison_missing_quarters"] == [4]


def test_compliance_rows_are_the_users_units_only(tree, town_officer, county_officer, child_director):
    assert [row["region"] for row in governance_compliance(user=town_officer, year=last_year())] == [tree.town_a]
    county_rows = governance_compliance(user=county_officer, year=last_year())
    assert {row["region"] for row in county_rows} == {tree.county, tree.town_a, tree.town_b}
    assert governance_compliance(user=child_director, year=last_year()) == []


def test_open_and_overdue_items_are_counted(tree, town_officer):
    meeting = record(
        town_officer,
        tree.town_a,
        held_on=today() - timedelta(days=40),
        items=[
            {"description": "逾期事项", "responsible": "民政办", "due_on": today() - timedelta(days=1)},
            {"description": "未到期事项", "responsible": "民政办", "due_on": today() + timedelta(days=1)},
            {"description": "已完成事项", "responsible": "民政办", "due_on": today() - timedelta(days=5)},
        ],
    )
    done = meeting.action_items.get(description="已完成事项")
    action_item_update(actor=town_officer, item=done, status=ActionItem.Status.DONE, done_on=today())
    row = _row(governance_compliance(user=town_officer, year=today().year), tree.town_a)
    assert (row["action_items_open"], row["action_items_overdue"]) == (2, 1)


def test_the_summary_of_a_county_counts_every_unit(tree, town_officer, outsider, county_officer):
    year = last_year()
    for day in (date(year, 3, 1), date(year, 9, 1)):
        record(town_officer, tree.town_a, held_on=day, items=[{"description": "事项", "responsible": "民政办"}])
    record(outsider, tree.town_b, held_on=date(year, 3, 1))
    record(county_officer, tree.county, held_on=date(year, 3, 1))
    record(county_officer, tree.county, held_on=date(year, 6, 1))
    for quarter_month in (2, 5, 8, 11):
        record(town_officer, tree.town_a, kind=LIAISON, held_on=date(year, quarter_month, 15))
    summary = governance_summary(region=tree.county, year=year)
    assert summary == {
        "units": 3,
        "leadership_held": 5,
        "leadership_required": 6,
        "leadership_compliant": False,
        "liaison_held": 4,
        "liaison_required": 12,
        "liaison_compliant": False,
        "units_noncompliant": 2,
        "action_items_open": 2,
        "action_items_overdue": 0,
    }
    town = governance_summary(region=tree.town_a, year=year)
    assert (town["units"], town["leadership_compliant"], town["liaison_compliant"]) == (1, True, True)
    assert town["units_noncompliant"] == 0


def test_the_summary_of_a_village_has_no_unit(tree):
    summary = governance_summary(region=tree.village_a1, year=last_year())
    assert summary["units"] == 0 and summary["leadership_compliant"] is None


# --- API -----------------------------------------------------------------------------------------


def ids(response) -> set[int]:
    assert response.status_code == 200, response.json()
    return {row["id"] for row in response.json()["results"]}


def test_the_api_lists_the_towns_meetings_with_their_items(api_client_for, town_meeting, town_officer):
    response = api_client_for(town_officer).get(MEETINGS_API)
    assert ids(response) == {town_meeting.pk}
    row = response.json()["results"][0]
    assert row["region_code"] == town_meeting.region.code and row["kind"] == LEADERSHIP
    assert [item["description"] for item in row["action_items"]] == ["更新台账"]


@pytest.mark.parametrize("persona", ["outsider", "child_director", "partner_user"])
def test_the_api_shows_outsiders_no_meeting(request, api_client_for, town_meeting, persona):
    api = api_client_for(request.getfixturevalue(persona))
    assert ids(api.get(MEETINGS_API)) == set()
    assert api.get(f"{MEETINGS_API}{town_meeting.pk}/").status_code == 404


def test_the_api_filters_by_year_kind_and_region(api_client_for, tree, town_meeting, outsider, county_officer):
    town_b = record(outsider, tree.town_b, kind=LIAISON)
    old = record(outsider, tree.town_b, held_on=date(last_year(), 4, 1))
    api = api_client_for(county_officer)
    assert ids(api.get(MEETINGS_API)) == {town_meeting.pk, town_b.pk, old.pk}
    assert ids(api.get(MEETINGS_API, {"region": tree.town_b.code})) == {town_b.pk, old.pk}
    assert ids(api.get(MEETINGS_API, {"kind": LIAISON})) == {town_b.pk}
    assert ids(api.get(MEETINGS_API, {"year": last_year()})) == {old.pk}
    assert ids(api.get(MEETINGS_API, {"region": "999999999999"})) == set()


def test_the_api_list_makes_a_bounded_number_of_queries(
    api_client_for, tree, town_officer, django_assert_max_num_queries
):
    for number in range(6):
        record(town_officer, tree.town_a, items=[{"description": f"事项{number}", "responsible": "民政办"}])
    api = api_client_for(town_officer)
    with django_assert_max_num_queries(8):
        assert len(ids(api.get(MEETINGS_API))) == 6


def test_the_towns_office_opens_the_recording_and_edit_forms(client, town_meeting, town_officer):
    client.force_login(town_officer)
    new = client.get(reverse("governance_new"))
    assert new.status_code == 200 and 'name="items-TOTAL_FORMS"' in new.content.decode()
    edit = client.get(reverse("governance_edit", args=[town_meeting.pk]))
    assert edit.status_code == 200 and "更新台账" in edit.content.decode()


def test_another_towns_officer_cannot_correct_a_meeting(town_meeting, outsider):
    with pytest.raises(ActionNotAllowed):
        meeting_update(
            actor=outsider,
            meeting=town_meeting,
            kind=LEADERSHIP,
            held_on=town_meeting.held_on,
            title="改名",
            attendees="x",
            minutes="y",
        )
    town_meeting.refresh_from_db()
    assert town_meeting.title == "青山镇未保领导小组第一次会议"


# --- history -------------------------------------------------------------------------------------


def test_every_change_to_a_meeting_is_in_its_history(client, town_meeting, town_officer, town_leader):
    from governance.models import MeetingEvent

    item = town_meeting.action_items.get()
    meeting_update(
        actor=town_leader,
        meeting=town_meeting,
        kind=LEADERSHIP,
        held_on=town_meeting.held_on,
        title="青山镇未保领导小组2026年第一次会议",
        chair=town_meeting.chair,
        attendees=town_meeting.attendees,
        minutes=town_meeting.minutes,
        decisions=town_meeting.decisions,
    )
    action_item_update(actor=town_officer, item=item, status=ActionItem.Status.DONE, done_on=today())

    kinds = list(
        MeetingEvent.objects.filter(meeting=town_meeting).order_by("id").values_list("kind", "actor__username")
    )
    assert kinds == [
        (MeetingEvent.Kind.RECORDED, "town_officer"),
        (MeetingEvent.Kind.ITEM_ADDED, "town_officer"),
        (MeetingEvent.Kind.UPDATED, "town_leader"),
        (MeetingEvent.Kind.ITEM_STATUS, "town_officer"),
    ]
    renamed = MeetingEvent.objects.get(meeting=town_meeting, kind=MeetingEvent.Kind.UPDATED)
    assert renamed.changes == [
        {
            "field": "title",
            "label": "会议名称",
            "from": "青山镇未保领导小组第一次会议",
            "to": "青山镇未保领导小组2026年第一次会议",
        }
    ]
    client.force_login(town_officer)
    page = client.get(reverse("governance_detail", args=[town_meeting.pk])).content.decode()
    assert "青山镇未保领导小组第一次会议 → 青山镇未保领导小组2026年第一次会议" in page


def test_saving_a_meeting_unchanged_writes_no_history(town_meeting, town_officer):
    from governance.models import MeetingEvent

    before = MeetingEvent.objects.count()
    meeting_update(
        actor=town_officer,
        meeting=town_meeting,
        kind=town_meeting.kind,
        held_on=town_meeting.held_on,
        title=town_meeting.title,
        chair=town_meeting.chair,
        attendees=town_meeting.attendees,
        minutes=town_meeting.minutes,
        decisions=town_meeting.decisions,
    )
    assert MeetingEvent.objects.count() == before


# --- supervision of follow-up items --------------------------------------------------------------


def test_an_overdue_follow_up_item_raises_one_alert_to_the_town_and_resolves_when_done(
    client, town_meeting, town_officer, town_leader, county_officer, outsider
):
    from cases.models import Alert, Notification
    from governance.services import meeting_items_escalate

    item = town_meeting.action_items.get()
    later = item.due_on + timedelta(days=1)

    assert meeting_items_escalate(today=later) == {"TOWN": 1, "COUNTY": 0}
    assert meeting_items_escalate(today=later) == {"TOWN": 0, "COUNTY": 0}

    alert = Alert.objects.get(subject_key=f"action_item:{item.pk}")
    assert alert.resolved_at is None and alert.region == town_meeting.region
    assert Notification.objects.filter(user=town_leader, alert=alert).exists()
    assert not Notification.objects.filter(user__in=[county_officer, outsider], alert=alert).exists()
    client.force_login(town_leader)
    assert "会议督办事项逾期：更新台账（民政办" in client.get(reverse("alert_list")).content.decode()

    action_item_update(actor=town_officer, item=item, status=ActionItem.Status.DONE, done_on=today())
    meeting_items_escalate(today=later)
    alert.refresh_from_db()
    assert alert.resolved_at is not None


def test_an_item_within_its_deadline_raises_nothing(town_meeting):
    from cases.models import Alert
    from governance.services import meeting_items_escalate

    assert meeting_items_escalate() == {"TOWN": 0, "COUNTY": 0}
    assert not Alert.objects.filter(subject_key__startswith="action_item:").exists()
