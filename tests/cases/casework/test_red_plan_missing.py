"""One definition of "a red case without a plan" (cases.casework.selectors.red_plan_missing_q): the case
board, the case page and the RED_PLAN_MISSING alert job name the same cases, set up through the services a
user's clicks call, in two towns (the outsider's board shows only its own town's)."""

from __future__ import annotations

import pytest
from django.db.models import CheckConstraint
from django.urls import reverse
from django.utils import timezone

from cases.casework import rules
from cases.casework import services as cw
from cases.casework.services.alerts import casework_escalate
from cases.models import Alert, Case, GuardianshipIntervention
from screening.grading.services import assessment_record, grade_set
from tests.factories import register_minor


def _grade(actor, minor, codes):
    assessment_record(actor=actor, minor=minor, kind="RISK_LEVEL", indicator_codes=codes)


def _red_case(actor, region, name):
    minor = register_minor(actor=actor, region=region, name=name)
    _grade(actor, minor, ["ONGOING_VIOLENCE"])
    return Case.objects.get(minor=minor)


def _board(client, user) -> dict[int, tuple[bool, bool]]:
    client.force_login(user)
    response = client.get(reverse("case_board"))
    assert response.status_code == 200
    return {case.pk: (bool(case.plan_missing), bool(case.plan_late)) for case in response.context["page"].object_list}


def _page(client, user, case) -> tuple[bool, bool]:
    client.force_login(user)
    response = client.get(reverse("case_detail", args=[case.pk]))
    assert response.status_code == 200
    return bool(response.context["plan_missing"]), bool(response.context["plan_late"])


def _alerted() -> set[int]:
    casework_escalate(now=timezone.now())
    keys = Alert.objects.filter(rule="RED_PLAN_MISSING", resolved_at__isnull=True).values_list("subject_key", flat=True)
    return {int(key.removeprefix("case:")) for key in keys}


@pytest.mark.django_db
def test_the_board_the_page_and_the_alert_agree_on_red_cases_without_a_plan(
    client, clock, tree, town_officer, outsider
):
    clock("2026-03-01", 10)
    late = _red_case(town_officer, tree.village_a1, "张一")
    elsewhere_late = _red_case(outsider, tree.village_b1, "李一")
    # A plan carried out (its only measure done) is a plan: the board used to count open measures only.
    done = _red_case(town_officer, tree.village_a1, "张二")
    measure = cw.measure_add(
        actor=town_officer, case=done, track="RESCUE_PROTECTION", title="安排临时照料", due_on=timezone.localdate()
    )
    cw.measure_update(actor=town_officer, measure=measure, status="DONE", outcome="已安排")
    # Lowered to orange before the deadline: no longer a red case (the alert used to ignore the grade).
    lowered = _red_case(town_officer, tree.village_a2, "张三")
    grade_set(actor=town_officer, minor=lowered.minor, grade="ORANGE", reason="已转移至亲属家")
    # Opened by hand for a yellow child: no plan deadline at all.
    yellow = register_minor(actor=town_officer, region=tree.village_a1, name="张四")
    _grade(town_officer, yellow, ["LEFT_BEHIND"])
    manual = cw.case_open(actor=town_officer, minor=yellow, note="学校报告")

    clock("2026-03-02", 9)
    recent = _red_case(town_officer, tree.village_a1, "张五")  # missing, but its deadline is still ahead
    clock("2026-03-02", 11)  # 25 hours after the first cases opened

    expected_missing = {late.pk, elsewhere_late.pk, recent.pk}
    expected_late = {late.pk, elsewhere_late.pk}
    board = {**_board(client, town_officer), **_board(client, outsider)}
    assert set(board) == {late.pk, elsewhere_late.pk, done.pk, lowered.pk, manual.pk, recent.pk}
    assert {pk for pk, (missing, _) in board.items() if missing} == expected_missing
    assert {pk for pk, (_, is_late) in board.items() if is_late} == expected_late

    officer_of = {elsewhere_late.pk: outsider}
    pages = {pk: _page(client, officer_of.get(pk, town_officer), Case.objects.get(pk=pk)) for pk in board}
    assert pages == board

    assert _alerted() == expected_late


def test_the_database_refuses_an_untaken_high_level_at_the_rules_approval_level():
    """The check constraint on interventions and rules.APPROVAL_LEVEL name the same level."""
    constraint = next(
        c
        for c in GuardianshipIntervention._meta.constraints
        if isinstance(c, CheckConstraint) and c.name == "intervention_high_level_approved"
    )
    assert ("level__lt", rules.APPROVAL_LEVEL) in constraint.condition.children
