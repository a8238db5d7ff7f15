"""The screening-campaign demo (issue 12 §3): 青溪镇 gets one closed campaign (every child confirmed, figures
recorded) and one open campaign (about half of its villages done); a second run adds nothing."""

from __future__ import annotations

from datetime import date

import pytest

from demo import district as demo
from demo.screening_campaigns import TOWN_SLUG, seed_screening_campaigns
from screening.campaigns.models import Campaign, CampaignItem, CampaignStatus
from tests.factories import make_user, register_minor
from tiers.roles import Level, Role
from tiers.services import region_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def qingxi(clock):
    """Three children per village registered before last quarter (2026Q3), one during it (new that period),
    one this quarter (new to the open campaign only); the demo runs on 2026-10-20."""
    town = next(t for t in demo.DISTRICT if t.slug == TOWN_SLUG)
    clock("2026-06-10")
    county = region_create(code=demo.COUNTY_CODE, name=demo.COUNTY_NAME, level=Level.COUNTY)
    region = region_create(code=town.code, name=town.name, level=Level.TOWN, parent=county)
    office = make_user(Role.TOWN_OFFICE, region, username=f"{town.slug}_office")
    places = []
    for village in town.villages:
        place = region_create(code=village.code, name=village.name, level=Level.VILLAGE, parent=region)
        make_user(Role.CHILD_DIRECTOR, place, username=f"{village.slug}_director")
        places.append(place)
        for _ in range(3):
            register_minor(actor=office, region=place)
    clock("2026-08-10")
    for place in places:
        register_minor(actor=office, region=place, categories=("ORPHAN",))
    clock("2026-10-05")
    for place in places:
        register_minor(actor=office, region=place)
    clock("2026-10-20")
    return region, town


def test_one_closed_and_one_open_campaign_and_a_second_run_adds_nothing(qingxi):
    region, town = qingxi
    assert seed_screening_campaigns()
    closed = Campaign.objects.get(region=region, status=CampaignStatus.CLOSED)
    opened = Campaign.objects.get(region=region, status=CampaignStatus.OPEN)
    assert closed.result.total == closed.result.confirmed == 5 * len(town.villages)  # everyone on the ledger now
    # new that period: the children registered in 2026Q3 between its opening and its closing, not later ones
    assert (closed.opened_at.date(), closed.closed_at.date()) == (date(2026, 7, 1), date(2026, 9, 18))
    assert closed.result.new_count == len(town.villages)
    assert closed.result.new_by_category == {"ORPHAN": len(town.villages)}
    assert closed.result.changed_count == CampaignItem.objects.filter(campaign=closed, outcome="CHANGED").count()
    assert closed.closed_at < opened.opened_at
    pending_villages = set(
        CampaignItem.objects.filter(campaign=opened, outcome="").values_list("village_id", flat=True)
    )
    assert 0 < len(pending_villages) < len(town.villages)

    assert seed_screening_campaigns() == ""
    assert Campaign.objects.filter(region=region).count() == 2
