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

from cases import demo
from cases.management.commands.seed_demo import DemoPlanner
from cases.models import BaselinePopulation, Guardian, Minor, MinorCategory, MinorEvent, MinorStatus, NoIdReason
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
    models = (Region, User, StaffPost, Minor, Guardian, MinorCategory, MinorEvent, BaselinePopulation)
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
