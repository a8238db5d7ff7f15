"""The patrol and sentinel-point demo (issue 12 §4): 青溪镇 gets one patrol group with two patrols (one finding
in the intake queue with channel PATROL) and two sentinel points (one report, channel SENTINEL); a second run
adds nothing."""

from __future__ import annotations

import pytest

from demo import district as demo
from demo.discovery import TOWN_SLUG, seed_discovery
from referrals.discovery.models import PatrolGroup, PatrolLog, SentinelPoint
from referrals.intake.models import Report
from tests.factories import make_user
from tiers.roles import Level, Role
from tiers.services import region_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def qingxi():
    town = next(t for t in demo.DISTRICT if t.slug == TOWN_SLUG)
    county = region_create(code=demo.COUNTY_CODE, name=demo.COUNTY_NAME, level=Level.COUNTY)
    region = region_create(code=town.code, name=town.name, level=Level.TOWN, parent=county)
    make_user(Role.TOWN_OFFICE, region, username=f"{town.slug}_office")
    for village in town.villages:
        place = region_create(code=village.code, name=village.name, level=Level.VILLAGE, parent=region)
        make_user(Role.CHILD_DIRECTOR, place, username=f"{village.slug}_director")
    return region


def test_one_group_two_patrols_two_points_and_a_second_run_adds_nothing(qingxi):
    assert seed_discovery()
    assert PatrolGroup.objects.filter(town=qingxi).count() == 1
    assert PatrolLog.objects.count() == 2
    assert SentinelPoint.objects.count() == 2
    assert sorted(Report.objects.filter(town=qingxi).values_list("channel", flat=True)) == ["PATROL", "SENTINEL"]
    assert seed_discovery() == ""
    assert (PatrolLog.objects.count(), SentinelPoint.objects.count(), Report.objects.count()) == (2, 2, 2)
