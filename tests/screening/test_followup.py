"""After a commit, the children touched get their plan and alerts updated: one pair of tasks per
transaction, however many children it touched."""

from unittest import mock

from django.db import transaction

from cases.models import Alert
from screening.grading.services import assessment_record
from screening.models import VisitPlan
from tests.factories import register_minor


def test_grading_updates_the_plan_and_alerts_right_after_commit(
    django_capture_on_commit_callbacks, town_officer, minor_a1
):
    from screening.visits.services.followup import _Followup

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assessment_record(actor=town_officer, minor=minor_a1, kind="RISK_LEVEL", indicator_codes=["ONGOING_VIOLENCE"])
    assert sum(isinstance(callback, _Followup) for callback in callbacks) == 1
    assert VisitPlan.objects.get(minor=minor_a1).grade == "RED"
    assert Alert.objects.filter(rule="RED_RESPONSE_MISSING", minor=minor_a1).exists()


def test_many_children_in_one_transaction_send_one_pair_of_tasks(
    django_capture_on_commit_callbacks, town_officer, tree
):
    minors = [register_minor(actor=town_officer, region=tree.village_a1) for _ in range(3)]
    with (
        mock.patch("screening.tasks.refresh_visit_plan.delay") as refresh,
        mock.patch("screening.tasks.escalate_minors.delay") as escalate,
        django_capture_on_commit_callbacks(execute=True),
    ):
        with transaction.atomic():
            for minor in minors:
                assessment_record(actor=town_officer, minor=minor, kind="RISK_LEVEL", indicator_codes=["POVERTY"])
    refresh.assert_called_once_with(minor_ids=sorted(m.pk for m in minors))
    escalate.assert_called_once_with(minor_ids=sorted(m.pk for m in minors))


def test_a_rolled_back_grading_sends_nothing(django_capture_on_commit_callbacks, town_officer, minor_a1):
    with (
        mock.patch("screening.tasks.refresh_visit_plan.delay") as refresh,
        django_capture_on_commit_callbacks(execute=True),
    ):
        try:
            with transaction.atomic():
                assessment_record(actor=town_officer, minor=minor_a1, kind="RISK_LEVEL", indicator_codes=["POVERTY"])
                raise RuntimeError("abort")
        except RuntimeError:
            pass
    refresh.assert_not_called()
