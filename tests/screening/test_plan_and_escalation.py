"""The visit plan and the escalation job at their boundaries, with the clock moved (never slept)."""

from datetime import date

import pytest

from cases.models import Alert, MinorStatus, Notification
from screening.escalation.services import age_rules_apply, escalate
from screening.grading.services import assessment_record, emergency_response_record, grade_set, helper_assign
from screening.models import VisitPlan
from screening.visits.selectors import visit_worklist
from screening.visits.services.plan import visit_plan_refresh
from screening.visits.services.visits import visit_log
from tests.factories import at, make_user, register_minor
from tiers.errors import ActionNotAllowed
from tiers.roles import Role


@pytest.fixture
def child(town_officer, tree):
    """Register 张三 in village A1 at the (travelled) current time."""
    return lambda: register_minor(actor=town_officer, region=tree.village_a1, name="张三")


def _grade(actor, minor, codes):
    assessment_record(actor=actor, minor=minor, kind="RISK_LEVEL", indicator_codes=codes)


def _plan(minor) -> VisitPlan:
    visit_plan_refresh()
    return VisitPlan.objects.get(minor=minor)


def _open(rule, minor=None):
    alerts = Alert.objects.filter(rule=rule, resolved_at__isnull=True)
    return alerts.filter(minor=minor) if minor else alerts


def _bucket(user, minor) -> str:
    for name, plans in visit_worklist(user=user).items():
        if plans.filter(minor=minor).exists():
            return name
    return "none"


@pytest.mark.parametrize(
    ("day", "bucket"), [("2026-03-30", "due_this_week"), ("2026-03-31", "due_this_week"), ("2026-04-01", "overdue")]
)
def test_yellow_is_due_thirty_days_after_grading(clock, town_officer, child_director, child, day, bucket):
    clock("2026-03-01")
    minor_a1 = child()
    _grade(town_officer, minor_a1, ["LEFT_BEHIND"])
    assert _plan(minor_a1).next_due_on == date(2026, 3, 31)
    clock(day)
    assert _bucket(child_director, minor_a1) == bucket


def test_a_visit_moves_the_due_date_by_one_interval(clock, town_officer, child_director, child):
    clock("2026-03-01")
    minor_a1 = child()
    _grade(town_officer, minor_a1, ["LEFT_BEHIND"])
    _plan(minor_a1)
    clock("2026-03-20")
    visit = visit_log(actor=child_director, minor=minor_a1, kind="HOME")
    assert visit.due_on == date(2026, 3, 31) and visit.on_time
    assert _plan(minor_a1).next_due_on == date(2026, 4, 19)


@pytest.mark.parametrize(("day", "alerted"), [("2026-04-29", False), ("2026-04-30", False), ("2026-05-01", True)])
def test_yellow_overdue_by_more_than_one_interval_alerts_supervisor_and_office(
    clock, town_officer, supervisor, child, day, alerted
):
    clock("2026-03-01")
    minor_a1 = child()
    _grade(town_officer, minor_a1, ["LEFT_BEHIND"])
    _plan(minor_a1)
    clock(day)
    escalate()
    assert _open("VISIT_OVERDUE", minor_a1).exists() is alerted
    if alerted:
        told = set(Notification.objects.filter(alert__rule="VISIT_OVERDUE").values_list("user__username", flat=True))
        assert told == {"town_officer", "supervisor"}


def test_overdue_by_two_intervals_goes_to_the_town_leader_once(clock, town_officer, town_leader, child):
    clock("2026-03-01")
    minor_a1 = child()
    _grade(town_officer, minor_a1, ["LEFT_BEHIND"])
    _plan(minor_a1)
    clock("2026-05-30")
    escalate()
    assert not _open("VISIT_OVERDUE_2X").exists()
    clock("2026-05-31")
    escalate()
    escalate()
    assert _open("VISIT_OVERDUE_2X", minor_a1).count() == 1
    assert Notification.objects.filter(user=town_leader, alert__rule="VISIT_OVERDUE_2X").count() == 1


def test_a_visit_resolves_the_overdue_alerts(clock, town_officer, child_director, child):
    clock("2026-03-01")
    minor_a1 = child()
    _grade(town_officer, minor_a1, ["LEFT_BEHIND"])
    _plan(minor_a1)
    clock("2026-05-02")
    escalate()
    assert _open("VISIT_OVERDUE", minor_a1).exists()
    visit = visit_log(actor=child_director, minor=minor_a1, kind="HOME")
    assert not visit.on_time
    visit_plan_refresh()
    escalate()
    assert not _open("VISIT_OVERDUE", minor_a1).exists()
    assert Alert.objects.filter(rule="VISIT_OVERDUE", minor=minor_a1, resolved_at__isnull=False).count() == 1


@pytest.mark.parametrize(("hours", "late"), [(23, False), (24, True), (25, True)])
def test_red_without_response_escalates_to_leader_and_district_after_24_hours(
    clock, town_officer, town_leader, county_officer, child, hours, late
):
    clock("2026-03-01", 8)
    minor_a1 = child()
    _grade(town_officer, minor_a1, ["ONGOING_VIOLENCE"])
    _plan(minor_a1)
    escalate()
    assert _open("RED_RESPONSE_MISSING", minor_a1).exists()
    assert not _open("RED_RESPONSE_LATE").exists()
    clock("2026-03-02" if hours >= 16 else "2026-03-01", (8 + hours) % 24)
    escalate()
    assert _open("RED_RESPONSE_LATE", minor_a1).exists() is late
    if late:
        told = set(
            Notification.objects.filter(alert__rule="RED_RESPONSE_LATE").values_list("user__username", flat=True)
        )
        assert told == {"town_leader", "county_officer"}


def test_a_recorded_response_resolves_red_alerts_and_daily_contact_becomes_weekly(clock, town_officer, child):
    clock("2026-03-01", 8)
    minor_a1 = child()
    _grade(town_officer, minor_a1, ["ONGOING_VIOLENCE"])
    assert _plan(minor_a1).interval_days == 1
    clock("2026-03-02", 9)
    escalate()
    assert _open("RED_RESPONSE_LATE", minor_a1).exists()
    response = emergency_response_record(
        actor=town_officer,
        minor=minor_a1,
        acted_at=at("2026-03-02", 8),
        acted_by="派出所 王警官",
        measures=["ADMINISTRATIVE_JUDICIAL", "PSYCHOLOGICAL"],
        description="将儿童转移至亲属家，训诫监护人",
    )
    escalate()
    assert not _open("RED_RESPONSE_MISSING", minor_a1).exists()
    assert not _open("RED_RESPONSE_LATE", minor_a1).exists()
    assert _plan(minor_a1).interval_days == 1  # response recorded but not yet in place
    from screening.grading.services import emergency_response_mark_in_place

    emergency_response_mark_in_place(actor=town_officer, response=response)
    assert _plan(minor_a1).interval_days == 7


def test_orange_without_a_helper_is_an_alert_until_one_is_named(clock, town_officer, child):
    clock("2026-03-01")
    minor_a1 = child()
    _grade(town_officer, minor_a1, ["GUARDIAN_INCAPABLE"])
    _plan(minor_a1)
    escalate()
    assert _open("HELPER_MISSING", minor_a1).exists()
    helper_assign(actor=town_officer, minor=minor_a1, name="李娟", phone="13700137000", organisation="镇妇联")
    escalate()
    assert not _open("HELPER_MISSING", minor_a1).exists()


def test_running_the_jobs_twice_yields_exactly_the_same_rows(clock, town_officer, tree):
    clock("2026-01-05")
    minors = [register_minor(actor=town_officer, region=tree.village_a1) for _ in range(4)]
    _grade(town_officer, minors[0], ["LEFT_BEHIND"])
    _grade(town_officer, minors[1], ["GUARDIAN_INCAPABLE"])
    _grade(town_officer, minors[2], ["ONGOING_VIOLENCE"])
    clock("2026-06-01")

    def snapshot():
        plans = list(
            VisitPlan.objects.order_by("minor_id").values_list("minor_id", "grade", "interval_days", "next_due_on")
        )
        alerts = list(Alert.objects.order_by("id").values_list("rule", "subject_key", "period_key", "resolved_at"))
        notes = Notification.objects.count()
        return plans, alerts, notes

    visit_plan_refresh()
    escalate()
    first = snapshot()
    visit_plan_refresh()
    escalate()
    assert snapshot() == first
    assert len(first[0]) == 4 and first[1]


def test_a_closed_record_leaves_the_plan(town_officer, minor_a1):
    from cases.registry.services import minor_close

    _plan(minor_a1)
    minor_close(actor=town_officer, minor=minor_a1, reason="MOVED_AWAY")
    visit_plan_refresh()
    assert not VisitPlan.objects.filter(minor=minor_a1).exists()


def test_at_eighteen_the_record_closes_and_no_visit_is_scheduled(clock, town_officer, tree):
    clock("2026-03-01")
    minor = register_minor(
        actor=town_officer,
        region=tree.village_a1,
        birth_date=date(2008, 3, 3),
        id_number=None,
        no_id_reason="UNREGISTERED",
    )
    _grade(town_officer, minor, ["LEFT_BEHIND"])
    _plan(minor)
    clock("2026-03-02")
    assert age_rules_apply()["aged_out"] == 0
    clock("2026-03-03")
    assert age_rules_apply()["aged_out"] == 1
    minor.refresh_from_db()
    assert minor.status == MinorStatus.CLOSED and minor.closed_reason == "AGED_OUT"
    assert minor.events.filter(kind="CLOSED").exists()
    assert not VisitPlan.objects.filter(minor=minor).exists()
    visit_plan_refresh()
    assert not VisitPlan.objects.filter(minor=minor).exists()


def test_at_sixteen_the_town_office_hears_of_employment_support_once(clock, town_officer, tree):
    clock("2026-03-01")
    minor = register_minor(
        actor=town_officer,
        region=tree.village_a1,
        birth_date=date(2010, 3, 2),
        id_number=None,
        no_id_reason="UNREGISTERED",
    )
    age_rules_apply()
    assert not _open("AGE_16").exists()
    clock("2026-03-02")
    age_rules_apply()
    age_rules_apply()
    assert _open("AGE_16", minor).count() == 1
    assert Notification.objects.filter(user=town_officer, alert__rule="AGE_16").count() == 1


def test_a_new_risk_on_a_visit_notifies_the_office_until_reassessed(town_officer, child_director, minor_a1):
    visit_log(actor=child_director, minor=minor_a1, kind="HOME", new_risk_found=True, concerns="父亲酗酒后打骂孩子")
    alert = _open("NEW_RISK_FOUND", minor_a1).get()
    assert Notification.objects.filter(user=town_officer, alert=alert).exists()
    escalate()
    assert _open("NEW_RISK_FOUND", minor_a1).exists()
    _grade(town_officer, minor_a1, ["ONGOING_VIOLENCE"])
    escalate()
    assert not _open("NEW_RISK_FOUND", minor_a1).exists()


def test_a_child_director_cannot_log_a_visit_in_another_village(neighbour_director, minor_a1):
    with pytest.raises(ActionNotAllowed):
        visit_log(actor=neighbour_director, minor=minor_a1, kind="HOME")


def test_a_named_helper_with_an_account_may_log_visits_for_that_child(town_officer, tree, minor_a1):
    volunteer = make_user(Role.PARTNER_STAFF, tree.town_b)
    helper_assign(actor=town_officer, minor=minor_a1, name="周敏", user=volunteer)
    assert visit_log(actor=volunteer, minor=minor_a1, kind="PHONE").pk


def test_grade_policy_of_a_county_overrides_the_default(clock, town_officer, tree, child):
    from screening.models import GradePolicy

    GradePolicy.objects.create(county=tree.county, grade="YELLOW", visit_interval_days=14)
    clock("2026-03-01")
    minor_a1 = child()
    _grade(town_officer, minor_a1, ["LEFT_BEHIND"])
    assert _plan(minor_a1).next_due_on == date(2026, 3, 15)


def test_regrading_sets_a_new_anchor(clock, town_officer, child):
    clock("2026-03-01")
    minor_a1 = child()
    _grade(town_officer, minor_a1, ["STABLE_UNDER_WATCH"])
    assert _plan(minor_a1).next_due_on == date(2026, 5, 30)
    clock("2026-04-10")
    grade_set(actor=town_officer, minor=minor_a1, grade="ORANGE", reason="监护人重病住院")
    assert _plan(minor_a1).next_due_on == date(2026, 4, 17)
