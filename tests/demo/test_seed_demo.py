"""`manage.py seed_demo`: the demo district the README's first command shows to a new user."""

from __future__ import annotations

from collections import Counter
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.management import call_command
from django.core.management.base import CommandError

from cases.models import BaselinePopulation, Guardian, Minor, MinorCategory, MinorEvent, MinorStatus, NoIdReason
from demo import district as demo
from demo.registry import DemoPlanner
from tiers.models import Region, StaffPost
from tiers.roles import Level, Role

User = get_user_model()
README = Path(__file__).resolve().parents[2] / "README.md"


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", allow_without_debug=True, stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def seeded_once(django_db_setup, django_db_blocker):
    """The demo seeded once for the tests that only read it (seeding takes seconds); rolled back after."""
    from django.db import transaction

    with django_db_blocker.unblock(), transaction.atomic():
        seed()
        yield
        transaction.set_rollback(True)


def counts() -> dict[str, int]:
    from cases.models import (
        BenefitEnrolment,
        BenefitRate,
        Case,
        CaseClosure,
        CaseEvent,
        GuardianshipIntervention,
        Measure,
        Placement,
        WorkingGroup,
    )
    from tiers.models import Organisation

    casework = (Organisation, WorkingGroup, BenefitRate, Case, CaseEvent, CaseClosure, Measure)
    casework += (GuardianshipIntervention, Placement, BenefitEnrolment)
    from referrals.models import Referral, ReferralEvent, ReferralSuggestion, Report, ReportEvent
    from tiers.models import ApiToken

    referrals = (Referral, ReferralEvent, ReferralSuggestion, Report, ReportEvent, ApiToken)
    models = (Region, User, StaffPost, Minor, Guardian, MinorCategory, MinorEvent, BaselinePopulation, *casework)
    models += referrals
    return {model.__name__: model.objects.count() for model in models}


@pytest.mark.django_db
def test_a_second_run_creates_nothing_and_says_so():
    seed()
    before = counts()

    output = seed()

    assert counts() == before
    assert "nothing changed" in output


@pytest.mark.django_db
def test_a_run_after_a_partial_one_completes_the_demo_without_duplicates(monkeypatch):
    full_plan = DemoPlanner.minors
    monkeypatch.setattr(DemoPlanner, "minors", lambda self: full_plan(self)[:80])
    seed()
    assert Minor.objects.count() == 80
    monkeypatch.setattr(DemoPlanner, "minors", full_plan)

    seed()

    assert Minor.objects.count() == demo.DEMO_MINOR_COUNT
    assert Minor.objects.values("name").distinct().count() == demo.DEMO_MINOR_COUNT


@pytest.mark.django_db
def test_every_role_has_a_demo_login_that_signs_in_with_the_shared_password(seeded_once):
    for role in Role.values:
        post = StaffPost.objects.filter(role=role).select_related("user").first()
        assert post is not None, f"no demo login holds the role {role}"
        assert authenticate(username=post.user.username, password=demo.DEMO_PASSWORD) == post.user
    admin = authenticate(username="admin", password=demo.DEMO_PASSWORD)
    assert admin is not None and admin.is_superuser


@pytest.mark.django_db
def test_each_town_has_an_office_a_leader_and_a_supervisor_and_each_village_a_child_director(seeded_once):
    for town in Region.objects.filter(level=Level.TOWN):
        held = set(StaffPost.objects.filter(region=town).values_list("role", flat=True))
        assert {Role.TOWN_OFFICE, Role.TOWN_LEADER, Role.CHILD_SUPERVISOR} <= held
    for village in Region.objects.filter(level=Level.VILLAGE):
        assert StaffPost.objects.filter(region=village, role=Role.CHILD_DIRECTOR).exists()


@pytest.mark.django_db
def test_the_demo_registry_looks_like_a_real_district(seeded_once):
    minors = Minor.objects.all()
    assert minors.count() == demo.DEMO_MINOR_COUNT
    category_counts = Counter(MinorCategory.objects.values_list("category__code", flat=True))
    assert category_counts.most_common(1)[0][0] == "LEFT_BEHIND"
    assert {"ORPHAN", "DE_FACTO_UNSUPPORTED", "DISABILITY", "LOW_INCOME_FAMILY", "UNREGISTERED"} <= set(category_counts)
    unregistered = minors.filter(id_number__isnull=True)
    assert unregistered.count() == demo.DEMO_UNREGISTERED_COUNT
    assert set(unregistered.values_list("no_id_reason", flat=True)) == {NoIdReason.UNREGISTERED}
    assert minors.filter(status=MinorStatus.CLOSED).count() == demo.DEMO_CLOSED_COUNT
    assert not minors.filter(guardians__isnull=True).exists()
    assert Guardian.objects.filter(works_away=True).exists() and Guardian.objects.filter(is_imprisoned=True).exists()
    assert minors.filter(region__level=Level.GRID).exists()


@pytest.mark.django_db
def test_every_demo_minor_was_registered_through_the_service_with_its_history(seeded_once):
    registered = MinorEvent.objects.filter(kind=MinorEvent.Kind.REGISTERED).values_list("minor_id", flat=True)
    assert set(registered) == set(Minor.objects.values_list("pk", flat=True))


@pytest.mark.django_db
def test_every_village_has_a_baseline_population(seeded_once):
    villages = Region.objects.filter(level=Level.VILLAGE)
    assert villages.count() == sum(len(town.villages) for town in demo.DISTRICT)
    assert set(BaselinePopulation.objects.values_list("region_id", flat=True)) == set(
        villages.values_list("pk", flat=True)
    )


@pytest.mark.django_db
def test_seed_demo_refuses_to_run_with_debug_off_unless_told_to():
    before = counts()
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo", stdout=StringIO())

    assert counts() == before


def test_the_readme_lists_every_demo_login_and_the_password():
    readme = README.read_text(encoding="utf-8")

    assert demo.DEMO_PASSWORD in readme
    for login in demo.DEMO_LOGINS:
        assert f"`{login.username}`" in readme, f"README.md does not list the demo login {login.username}"


def test_the_demo_password_passes_the_password_rules():
    validate_password(demo.DEMO_PASSWORD)


@pytest.mark.django_db
def test_the_demo_grades_children_in_all_four_colours_and_leaves_some_visits_overdue(seeded_once):
    from cases.models import Alert
    from screening.models import Visit, VisitPlan

    grades = set(Minor.objects.filter(status=MinorStatus.ACTIVE).values_list("risk_grade", flat=True))
    assert grades == {"BLUE", "YELLOW", "ORANGE", "RED"}
    assert Visit.objects.exists()
    assert VisitPlan.objects.count() == Minor.objects.filter(status=MinorStatus.ACTIVE).count()
    rules = set(Alert.objects.filter(resolved_at__isnull=True).values_list("rule", flat=True))
    assert {"VISIT_OVERDUE", "HELPER_MISSING"} <= rules


@pytest.mark.django_db
def test_the_demo_has_cases_in_every_stage_with_measures_on_all_six_tracks(seeded_once):
    from django.utils import timezone

    from cases.models import OPEN_MEASURE_STATUSES, Alert, Case, CaseClosure, CaseStage, Measure, Track

    assert set(Case.objects.values_list("stage", flat=True)) == set(CaseStage.values)
    assert set(Measure.objects.values_list("track", flat=True)) == set(Track.values)
    assert {"PLANNED", "IN_PROGRESS", "DONE", "CANCELLED"} == set(Measure.objects.values_list("status", flat=True))
    overdue = Measure.objects.filter(status__in=OPEN_MEASURE_STATUSES, due_on__lt=timezone.localdate())
    assert overdue.exists()
    assert Alert.objects.filter(rule="MEASURE_OVERDUE", resolved_at__isnull=True).count() == overdue.count()
    approvers = set(
        StaffPost.objects.filter(
            user__in=CaseClosure.objects.filter(status="APPROVED").values("decided_by")
        ).values_list("role", flat=True)
    )
    assert approvers == {Role.TOWN_LEADER, Role.TOWN_OFFICE_HEAD}
    assert CaseClosure.objects.filter(status="PENDING").exists()
    assert Case.objects.filter(events__kind="REOPENED").exists()


@pytest.mark.django_db
def test_the_demo_has_groups_departments_interventions_placements_and_benefits(seeded_once):
    from cases.models import BenefitEnrolment, BenefitRate, GuardianshipIntervention, Placement, WorkingGroup
    from tiers.models import Organisation

    for region in Region.objects.filter(level__in=[Level.COUNTY, Level.TOWN]):
        assert WorkingGroup.objects.filter(region=region, lead_organisation__isnull=False).count() == 6, region
        assert Organisation.objects.filter(region=region).count() >= 10, region
    assert WorkingGroup.objects.filter(members__isnull=False).exists()
    assert set(BenefitRate.objects.values_list("note", flat=True)) == {"演示数据：虚构金额，非真实标准"}

    ladder = set(GuardianshipIntervention.objects.values_list("level", "status"))
    assert {(0, "SUCCEEDED"), (3, "PENDING_APPROVAL"), (4, "APPROVED")} <= ladder
    assert not GuardianshipIntervention.objects.filter(level__gte=3, approved_at__isnull=True, status="TAKEN").exists()
    level_4 = GuardianshipIntervention.objects.filter(level=4, status="APPROVED").select_related("approved_by").first()
    assert StaffPost.objects.filter(user=level_4.approved_by, role=Role.TOWN_LEADER).exists()

    routed = Placement.objects.get(type="ORIGIN_GOVERNMENT")
    assert routed.case.minor.hukou_in_district is False and routed.end_on is None
    assert Placement.objects.filter(end_on__isnull=False).exists()
    statuses = set(BenefitEnrolment.objects.values_list("status", flat=True))
    assert statuses == {"APPLIED", "APPROVED", "REJECTED", "ENDED"}
    assert not BenefitEnrolment.objects.filter(
        status="APPROVED", programme__has_amount=True, monthly_amount=None
    ).exists()


@pytest.mark.django_db
def test_the_demo_has_referrals_in_every_state_and_reports_in_the_intake_queue(seeded_once):
    from django.utils import timezone

    from cases.models import Alert
    from referrals.models import Referral, ReferralStatus, ReferralSuggestion, Report, ReportStatus
    from tiers.models import ApiToken

    partner_logins = [login for login in demo.DEMO_LOGINS if login.role == Role.PARTNER_STAFF]
    assert len(partner_logins) >= 4
    for login in partner_logins:
        post = StaffPost.objects.get(user__username=login.username, role=Role.PARTNER_STAFF)
        assert post.organisation is not None and post.organisation.region_id == post.region_id, login.username
        assert ApiToken.objects.filter(user=post.user, revoked_at__isnull=True).exists(), login.username

    assert set(Referral.objects.values_list("status", flat=True)) == set(ReferralStatus.values)
    rerouted = Referral.objects.filter(rerouted_from__isnull=False).select_related("rerouted_from").first()
    assert rerouted is not None and rerouted.rerouted_from.status == ReferralStatus.REJECTED
    late = Referral.objects.filter(status=ReferralStatus.SENT, accept_due_at__lt=timezone.now())
    assert late.count() >= 2
    assert Alert.objects.filter(rule="REFERRAL_NOT_ACCEPTED", resolved_at__isnull=True).count() == late.count()
    assert ReferralSuggestion.objects.exists()

    reports = Report.objects.all()
    assert {"HOTLINE", "PUBLIC", "PARTNER_API", "PATROL"} <= set(reports.values_list("channel", flat=True))
    untriaged = reports.filter(triaged_at__isnull=True, status=ReportStatus.INTAKE)
    assert untriaged.count() >= 2
    assert untriaged.filter(triage_due_at__lt=timezone.now()).exists()
    assert reports.filter(minor__isnull=False).count() >= 2
    assert reports.get(status=ReportStatus.DISMISSED).dismiss_reason
    assert reports.get(status=ReportStatus.CLOSED).handling_record
    assert reports.filter(reporter_organisation__kind="SCHOOL").exists()


@pytest.mark.django_db
def test_every_active_orange_or_red_demo_child_has_exactly_one_open_case(seeded_once):
    """Issue 10 item 12: the demo obeys the rule the services enforce; its closed cases are of children a
    reassessment lowered first."""
    from cases.models import Case, CaseStage
    from screening.models import GradeChange

    children = Minor.objects.filter(status=MinorStatus.ACTIVE, risk_grade__in=["ORANGE", "RED"])
    assert children.exists()
    open_cases = Counter(
        Case.objects.filter(minor__in=children).exclude(stage=CaseStage.CLOSED).values_list("minor_id", flat=True)
    )
    assert {pk: open_cases[pk] for pk in children.values_list("pk", flat=True) if open_cases[pk] != 1} == {}

    closed = Case.objects.filter(stage=CaseStage.CLOSED, minor__status=MinorStatus.ACTIVE).select_related("minor")
    assert closed.exists()
    for case in closed:
        lowered = GradeChange.objects.filter(
            minor=case.minor, from_grade__in=["ORANGE", "RED"], to_grade__in=["BLUE", "YELLOW"], at__lt=case.closed_at
        )
        assert lowered.exists(), f"case {case.pk} closed without a reassessment lowering the grade first"


@pytest.mark.django_db
def test_a_second_run_leaves_what_users_did_in_between_alone():
    """The builders key on the demo's own rows (demo_minors(), the demo's logins and texts), not on what is in
    the database: a child a director registers in the demo district between two runs is not graded, visited or
    given rule suggestions, and the case a child graded red by the town office opens gets no demo story."""
    from screening.grading.services import assessment_record
    from screening.models import Assessment, GradeChange, Visit
    from tests.factories import register_minor

    seed()
    director = User.objects.get(username="baishu_director")
    office = User.objects.get(username="qingxi_office")
    village = Region.objects.get(code="500199101201")  # 柏树村
    register_minor(actor=director, region=village, categories=("LEFT_BEHIND", "POVERTY"))
    in_danger = register_minor(actor=director, region=village, categories=("LEFT_BEHIND",))
    assessment_record(
        actor=office, minor=in_danger, kind="RISK_LEVEL", indicator_codes=["ONGOING_VIOLENCE"], summary="入户核实"
    )
    before = {**counts(), **{m.__name__: m.objects.count() for m in (Assessment, GradeChange, Visit)}}

    output = seed()

    assert {**counts(), **{m.__name__: m.objects.count() for m in (Assessment, GradeChange, Visit)}} == before
    assert "nothing changed" in output
