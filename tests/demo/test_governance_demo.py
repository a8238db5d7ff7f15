"""The governance demo (issue 6 §5): the district and each demo town record their meetings through the
services, 石门镇 stays short of leadership meetings, and a second run records nothing.
Moved from tests/governance/test_governance.py."""

from __future__ import annotations

import pytest
from django.utils import timezone

from demo import district as demo
from demo.governance import seed_governance_demo
from governance.models import Meeting
from governance.selectors import governance_compliance
from tests.factories import make_user
from tiers.roles import Level, Role
from tiers.services import region_create


def today():
    return timezone.localdate()


@pytest.fixture
def demo_units(db):
    """The demo district's county and towns with their office logins (no villages or minors needed)."""
    county = region_create(code=demo.COUNTY_CODE, name=demo.COUNTY_NAME, level=Level.COUNTY)
    make_user(Role.COUNTY_CIVIL_AFFAIRS, county, username="county_civil")
    towns = {}
    for town in demo.DISTRICT:
        towns[town.slug] = region_create(code=town.code, name=town.name, level=Level.TOWN, parent=county)
        make_user(Role.TOWN_OFFICE, towns[town.slug], username=f"{town.slug}_office")
    viewer = make_user(Role.LEADERSHIP_VIEWER, county, username="leadership")
    return towns, viewer


def test_the_demo_leaves_one_town_short_of_leadership_meetings_and_runs_once(demo_units):
    towns, viewer = demo_units
    seed_governance_demo()
    count = Meeting.objects.count()
    seed_governance_demo()
    assert Meeting.objects.count() == count
    rows = governance_compliance(user=viewer, year=today().year)
    short = [row["region"] for row in rows if not row["leadership_compliant"]]
    assert short == [towns["shimen"]]
    assert all(row["liaison_compliant"] for row in rows)
