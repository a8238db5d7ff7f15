import pytest
from django.db import DatabaseError, transaction

from cases.accesslog.services import access_log_record
from cases.models import AccessLog, MinorEvent


def test_history_rows_cannot_be_changed_or_deleted(minor_a1):
    event = MinorEvent.objects.filter(minor=minor_a1).first()
    with pytest.raises(DatabaseError), transaction.atomic():
        MinorEvent.objects.filter(pk=event.pk).update(note="tampered")
    with pytest.raises(DatabaseError), transaction.atomic():
        MinorEvent.objects.filter(pk=event.pk).delete()
    assert MinorEvent.objects.get(pk=event.pk).note == event.note


def test_access_log_rows_cannot_be_changed_or_deleted(minor_a1, town_officer):
    row = access_log_record(user=town_officer, action=AccessLog.Action.VIEW, channel=AccessLog.Channel.WEB, minor=minor_a1)
    with pytest.raises(DatabaseError), transaction.atomic():
        AccessLog.objects.filter(pk=row.pk).update(user_agent="tampered")
    with pytest.raises(DatabaseError), transaction.atomic():
        AccessLog.objects.filter(pk=row.pk).delete()
    assert AccessLog.objects.filter(pk=row.pk).exists()


def test_admin_offers_no_way_to_edit_the_access_log(admin_client):
    response = admin_client.get("/admin/cases/accesslog/add/")
    assert response.status_code == 403


def test_grade_changes_cannot_be_changed_or_deleted(minor_a1, town_officer):
    from screening.grading.services import assessment_record
    from screening.models import GradeChange

    assessment_record(
        actor=town_officer, minor=minor_a1, kind="RISK_LEVEL", final_grade="YELLOW", override_reason="入户核实"
    )
    change = GradeChange.objects.get(minor=minor_a1)
    with pytest.raises(DatabaseError), transaction.atomic():
        GradeChange.objects.filter(pk=change.pk).update(reason="tampered")
    with pytest.raises(DatabaseError), transaction.atomic():
        GradeChange.objects.filter(pk=change.pk).delete()
    assert GradeChange.objects.get(pk=change.pk).reason == change.reason
