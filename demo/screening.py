"""Demo grades and visits, the builder seed_demo runs after the registry (demo/registry.py).

Each active demo minor gets a risk-level assessment whose indicators follow from its categories and
guardians (the same pre-fill the form uses), so grades of all four colours appear for the reasons a
town office would give. Visits are logged through the visit service at past dates; some children are
left overdue on purpose so the worklists and alerts have something to show. Grades are backdated
after the service has written them (dates only), because a demo needs a history that a fresh
database does not have (demo/backdating.py). Idempotent: only the demo's own minors (demo_minors()) without
any assessment are graded, by the demo's own logins.
"""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta

from django.utils import timezone

from cases.models import Minor, MinorStatus
from demo.backdating import demo_backdating
from demo.district import DEMO_LOGINS
from demo.registry import demo_minors
from screening.escalation.services import age_rules_apply, escalate
from screening.grading.services import (
    assessment_record,
    emergency_response_record,
    helper_assign,
    indicator_prefill,
)
from screening.models import Assessment, GradeChange, VisitKind, VisitPlan
from screening.rules import policy_for
from screening.visits.services.plan import visit_plan_refresh
from screening.visits.services.visits import visit_log
from tiers.models import Region, StaffPost
from tiers.roles import Role

SEED = 20230215
# The summary of the demo's own grading: the casework demo works only the cases these assessments opened.
GRADING_SUMMARY = "入户评估，核实困境类型与监护情况"
RED_SHARE = 0.03  # a few children in immediate danger
STABLE_SHARE = 0.4  # of children whose only risks are yellow ones, those found stable
YELLOW_CODES = {"LEFT_BEHIND", "POVERTY", "DIVORCE_SINGLE_PARENT", "DROPOUT_RISK", "BEHAVIOUR"}
LIVING = ("住房安全，生活用品齐全", "祖辈照料，饮食正常", "住房较旧，已申请危房改造", "家中整洁，有基本生活保障")
HEALTH = ("身体健康", "患感冒，已就医", "体重偏低，建议加强营养", "按时复查，病情稳定")
SCHOOLING = ("按时上学，成绩中等", "在校表现良好", "偶有缺课，已与班主任沟通", "学前儿童，在家照料")
GUARDIAN = ("祖母照料尽责", "父母在外务工，每周视频联系", "监护人身体欠佳", "监护人配合走访")


def _local(day, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def _staff(role: str) -> dict[str, object]:
    """The first demo login holding `role` at each region path."""
    logins = [login.username for login in DEMO_LOGINS]
    posts = (
        StaffPost.objects.filter(role=role, user__username__in=logins)
        .select_related("region", "user")
        .order_by("user_id")
    )
    found: dict[str, object] = {}
    for post in posts:
        found.setdefault(post.region.path, post.user)
    return found


def _responsible(staff: dict[str, object], path: str):
    """The staff member at `path` or at the nearest unit above it."""
    for unit in (path, *reversed(Region.path_ancestor_paths(path))):
        if unit in staff:
            return staff[unit]
    return None


def seed_screening() -> str:
    rng = random.Random(SEED)
    today = timezone.localdate()
    offices = _staff(Role.TOWN_OFFICE)
    directors = _staff(Role.CHILD_DIRECTOR)
    minors = list(
        demo_minors()
        .filter(status=MinorStatus.ACTIVE, assessments__isnull=True)
        .select_related("region")
        .order_by("pk")
    )
    if not minors:
        return "grading and visits already present"
    graded = {"BLUE": 0, "YELLOW": 0, "ORANGE": 0, "RED": 0}
    visits = 0
    for minor in minors:
        office = _responsible(offices, minor.region.path)
        director = _responsible(directors, minor.region.path) or office
        if office is None:
            continue
        codes = set(indicator_prefill(minor=minor))
        yellow_only = codes and all(code in YELLOW_CODES for code in codes)
        if yellow_only and rng.random() < STABLE_SHARE:
            codes = {"STABLE_UNDER_WATCH"}  # the assessor finds the care effective
        if rng.random() < RED_SHARE:
            codes.add(rng.choice(["ONGOING_VIOLENCE", "NO_CAREGIVER", "SEVERE_INJURY"]))
            codes.discard("STABLE_UNDER_WATCH")
        if not codes:
            codes = {"STABLE_UNDER_WATCH"}
        graded_on = today - timedelta(days=rng.randint(3, 150))
        assessment = assessment_record(
            actor=office,
            minor=minor,
            kind="RISK_LEVEL",
            indicator_codes=sorted(codes),
            summary=GRADING_SUMMARY,
            assessed_on=graded_on,
        )
        at = _local(graded_on, 10)
        Assessment.objects.filter(pk=assessment.pk).update(created_at=at)
        with demo_backdating("screening_gradechange"):
            GradeChange.objects.filter(assessment=assessment).update(at=at)
        Minor.objects.filter(pk=minor.pk).update(
            risk_grade_since=at, created_at=at - timedelta(days=rng.randint(10, 60))
        )
        minor.refresh_from_db()
        graded[minor.risk_grade] += 1
        policy = policy_for(region=minor.region, grade=minor.risk_grade)
        if policy and policy.requires_helper and rng.random() < 0.85:
            helper_assign(
                actor=office,
                minor=minor,
                name=rng.choice(["李娟", "王敏", "陈静", "刘芳", "周丽"]),
                organisation=rng.choice(["镇妇联", "村委会", "镇中心小学", "团镇委"]),
                since=graded_on,
            )
        if minor.risk_grade == "RED" and rng.random() < 0.7:
            emergency_response_record(
                actor=office,
                minor=minor,
                acted_at=at + timedelta(hours=rng.randint(2, 20)),
                acted_by="镇民政办、派出所",
                measures=["ADMINISTRATIVE_JUDICIAL", "PSYCHOLOGICAL", "LIVING_ASSISTANCE"],
                description="联合派出所上门处置，训诫监护人，安排临时照料并开展心理疏导",
                in_place=rng.random() < 0.6,
            )
        visits += _visit_history(rng, minor, director, graded_on, today)
    visit_plan_refresh()
    escalate()
    age_rules_apply()
    summary = ", ".join(f"{grade} {n}" for grade, n in graded.items())
    return f"graded {sum(graded.values())} minors ({summary}), {visits} visits"


def closing_reassessment(*, actor, minor: Minor):
    """Asked by the casework demo before it closes the case of an orange or red child: the plan is done,
    the office reassesses and finds only yellow risks left (or none), which lowers the grade, the step the
    product requires before a closure (issue 10 item 12). Written through the assessment service now;
    returns `backdate(at)`, which the casework demo calls once it knows when the closure was requested."""
    codes = sorted(code for code in indicator_prefill(minor=minor) if code in YELLOW_CODES) or ["STABLE_UNDER_WATCH"]
    assessment = assessment_record(
        actor=actor,
        minor=minor,
        kind="RISK_LEVEL",
        indicator_codes=codes,
        summary="结案前重新评估：帮扶措施已落实，监护到位，困境明显缓解",
    )

    def backdate(at: datetime) -> None:
        Assessment.objects.filter(pk=assessment.pk).update(created_at=at, assessed_on=timezone.localdate(at))
        with demo_backdating("screening_gradechange"):
            GradeChange.objects.filter(assessment=assessment).update(at=at)
        Minor.objects.filter(pk=minor.pk).update(risk_grade_since=at)

    return backdate


def _visit_history(rng: random.Random, minor: Minor, visitor, graded_on, today) -> int:
    """Visits every interval since grading, give or take; about one child in six falls behind."""
    if visitor is None:
        return 0
    visit_plan_refresh(minor_ids=[minor.pk])
    # The interval the plan demands now: daily contact for a red child whose response is not yet in place.
    interval = VisitPlan.objects.get(minor=minor).interval_days or 30
    falls_behind = rng.random() < 0.17
    stop = today - timedelta(days=interval * 2 + 3) if falls_behind else today
    # Only the last eight weeks (two for daily contact) are logged: enough to show, quick to seed.
    window = 56 if interval >= 7 else 14
    jitter = 3 if interval >= 7 else 0
    day = max(graded_on + timedelta(days=max(1, interval - rng.randint(0, jitter))), today - timedelta(days=window))
    count = 0
    while day <= stop and day < today:
        visit_log(
            actor=visitor,
            minor=minor,
            visited_at=_local(day, rng.randint(9, 17)),
            kind=rng.choice([VisitKind.HOME, VisitKind.HOME, VisitKind.HOME, VisitKind.PHONE, VisitKind.SCHOOL]),
            seen_in_person=rng.random() > 0.1,
            new_risk_found=rng.random() < 0.01,
            living_conditions=rng.choice(LIVING),
            health=rng.choice(HEALTH),
            schooling=rng.choice(SCHOOLING),
            guardian_situation=rng.choice(GUARDIAN),
            next_step="继续按期走访",
        )
        visit_plan_refresh(minor_ids=[minor.pk])
        count += 1
        # Mostly on or before the due date, sometimes a day or two late.
        slip = rng.choice((-3, -2, -1, -1, 0, 0, 0, 0, 1, 2)) if jitter else 0
        day += timedelta(days=max(1, interval + slip))
    return count


__all__ = ["closing_reassessment", "seed_screening"]
