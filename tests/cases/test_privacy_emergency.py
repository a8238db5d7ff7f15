"""Break the glass (issue 10 §10): a county civil-affairs user opens a record outside their reach with a
written reason; the access lasts MINORPROT_EMERGENCY_ACCESS_HOURS, every read is logged EMERGENCY, the
child's town office head is told, and nobody else may do it. Two counties."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cases.models import AccessLog, EmergencyAccess, MinorEvent, Notification
from cases.privacy.accesslog.services import emergency_access_open
from tests.factories import make_user
from tiers.errors import ActionNotAllowed
from tiers.roles import Level, Role
from tiers.services import region_create

REASON = "接公安机关通报，该儿童在本县走失，需立即核实监护人联系方式"


@pytest.fixture
def office_head(tree):
    return make_user(Role.TOWN_OFFICE_HEAD, tree.town_a, username="office_head")


@pytest.fixture
def other_county_officer(db):
    county = region_create(code="330522000000", name="邻县", level=Level.COUNTY)
    return make_user(Role.COUNTY_CIVIL_AFFAIRS, county, username="other_county_officer")


def _open(client, user, reference, reason=REASON):
    client.force_login(user)
    return client.post(reverse("privacy_accesslog_emergency"), {"reference": reference, "reason": reason})


def _record(client, minor):
    return client.get(reverse("minor_detail", args=[minor.pk]))


def test_a_county_user_reads_a_record_of_another_county_for_the_hours_granted_then_404(
    client, clock, other_county_officer, office_head, minor_a1
):
    clock("2026-03-02", 9)
    client.force_login(other_county_officer)
    assert _record(client, minor_a1).status_code == 404

    response = _open(client, other_county_officer, minor_a1.id_number)

    assert response.status_code == 302 and response["Location"] == reverse("minor_detail", args=[minor_a1.pk])
    clock("2026-03-02", 12, 59)
    assert _record(client, minor_a1).status_code == 200
    clock("2026-03-02", 13, 1)
    assert _record(client, minor_a1).status_code == 404


def test_reads_during_the_grant_are_logged_as_emergency(client, other_county_officer, office_head, minor_a1):
    _open(client, other_county_officer, str(minor_a1.pk))

    _record(client, minor_a1)

    rows = AccessLog.objects.filter(user=other_county_officer, minor=minor_a1)
    assert rows.exists()
    assert set(rows.values_list("action", flat=True)) == {AccessLog.Action.EMERGENCY}


def test_the_childs_town_office_head_is_notified_and_the_history_keeps_the_reason(
    client, other_county_officer, office_head, outsider, minor_a1
):
    _open(client, other_county_officer, minor_a1.id_number)

    notice = Notification.objects.get(user=office_head)
    assert "张三" in notice.title and notice.body == REASON
    assert not Notification.objects.filter(user=outsider).exists()
    event = MinorEvent.objects.get(minor=minor_a1, kind=MinorEvent.Kind.EMERGENCY_ACCESS)
    assert event.actor == other_county_officer and event.note == REASON


def test_the_office_head_sees_the_emergency_reads_in_the_access_log(
    client, other_county_officer, office_head, minor_a1
):
    _open(client, other_county_officer, minor_a1.id_number)
    _record(client, minor_a1)
    client.force_login(office_head)

    rows = client.get(reverse("privacy_accesslog_minor", args=[minor_a1.pk])).context["page"].object_list

    assert any(row.user == other_county_officer and row.action == AccessLog.Action.EMERGENCY for row in rows)


def test_a_short_reason_is_refused_and_nothing_is_granted(client, other_county_officer, minor_a1):
    response = _open(client, other_county_officer, minor_a1.id_number, reason="紧急")

    assert response.status_code == 200
    assert "至少10个字" in response.content.decode()
    assert not EmergencyAccess.objects.exists()


def test_an_unknown_reference_is_a_clear_error(client, other_county_officer, minor_a1):
    response = _open(client, other_county_officer, "999999")

    assert "未找到该档案" in response.content.decode()
    assert not EmergencyAccess.objects.exists()


def test_a_record_already_in_reach_needs_no_breaking_the_glass(county_officer, minor_a1):
    with pytest.raises(ValidationError) as error:
        emergency_access_open(actor=county_officer, minor=minor_a1, reason=REASON)

    assert error.value.error_dict["reference"][0].code == "in_reach"


def test_a_user_without_a_county_post_cannot_break_the_glass(client, outsider, office_head, minor_a1):
    client.force_login(outsider)

    assert client.get(reverse("privacy_accesslog_emergency")).status_code == 403
    assert _open(client, outsider, minor_a1.id_number).status_code == 403
    with pytest.raises(ActionNotAllowed):
        emergency_access_open(actor=outsider, minor=minor_a1, reason=REASON)
    assert not EmergencyAccess.objects.exists()
    assert _record(client, minor_a1).status_code == 404


def test_the_grant_is_read_only(client, other_county_officer, minor_a1):
    _open(client, other_county_officer, minor_a1.id_number)

    response = client.get(reverse("minor_edit", args=[minor_a1.pk]))

    assert response.status_code in (403, 404)
