"""The scheduled jobs run safely side by side (two workers, or a retry overlapping a run)."""

import threading

import pytest
from django.db import connection

from cases.models import Alert, Notification
from screening.escalation.services import escalate
from screening.grading.services import assessment_record
from screening.models import VisitPlan
from screening.visits.services.plan import visit_plan_refresh
from tests.factories import make_tree, make_user, register_minor
from tiers.roles import Role


def _in_threads(target, count: int = 2) -> list[BaseException]:
    errors: list[BaseException] = []
    barrier = threading.Barrier(count)

    def run():
        try:
            barrier.wait()
            target()
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_refreshes_and_escalations_leave_one_plan_and_one_alert_per_child():
    tree = make_tree()
    officer = make_user(Role.TOWN_OFFICE, tree.town_a)
    minors = [register_minor(actor=officer, region=tree.village_a1) for _ in range(6)]
    for minor in minors:
        assessment_record(actor=officer, minor=minor, kind="RISK_LEVEL", indicator_codes=["ONGOING_VIOLENCE"])

    assert _in_threads(visit_plan_refresh) == []
    assert _in_threads(escalate) == []

    assert VisitPlan.objects.count() == len(minors)
    assert Alert.objects.filter(rule="RED_RESPONSE_MISSING").count() == len(minors)
    assert (
        Notification.objects.filter(user=officer).count()
        == Alert.objects.filter(recipient_roles__contains=[Role.TOWN_OFFICE]).count()
    )
