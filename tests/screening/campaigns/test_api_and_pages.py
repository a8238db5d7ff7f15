"""Screening campaigns through the API and the pages (issue 12 §3): scoped like the registry (404 outside)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import AccessLog, MinorStatus
from screening.campaigns.models import CampaignItem
from screening.campaigns.services import campaign_open
from tests.factories import register_minor

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(tree, town_officer, minor_a1, minor_b1):
    register_minor(actor=town_officer, region=tree.village_a2, name="王小军")
    today = timezone.localdate()
    return campaign_open(
        actor=town_officer,
        region=tree.town_a,
        name="2026年第四季度摸底排查",
        starts_on=today,
        deadline=today + timedelta(days=20),
    )


def test_api_lists_and_hides_campaigns_by_area(api_client_for, campaign, town_officer, outsider):
    assert [row["id"] for row in api_client_for(town_officer).get("/api/v1/campaigns/").json()["results"]] == [
        campaign.pk
    ]
    outside = api_client_for(outsider)
    assert outside.get("/api/v1/campaigns/").json()["results"] == []
    assert outside.get(f"/api/v1/campaigns/{campaign.pk}/").status_code == 404
    item = campaign.items.first()
    assert outside.get(f"/api/v1/campaign-items/{item.pk}/").status_code == 404
    assert outside.post(f"/api/v1/campaign-items/{item.pk}/confirm/", {"outcome": "UNCHANGED"}).status_code == 404
    # Opening for a town outside the caller's reach answers 404 as well (the town is absent for them).
    today = timezone.localdate().isoformat()
    payload = {"name": "外镇排查", "starts_on": today, "deadline": today}
    assert outside.post("/api/v1/campaigns/open/", {**payload, "region": campaign.region_id}).status_code == 404
    assert (
        api_client_for(town_officer).get(f"/api/v1/campaign-items/?campaign={campaign.pk}&pending=true").json()["count"]
        == campaign.items.count()
    )


def test_api_open_and_close_a_county_campaign(api_client_for, tree, county_officer, child_director):
    county = api_client_for(county_officer)
    today = timezone.localdate()
    bad = county.post(
        "/api/v1/campaigns/open/",
        {"region": tree.town_a.pk, "name": "第四季度", "starts_on": today, "deadline": today - timedelta(days=1)},
        format="json",
    )
    assert bad.status_code == 400
    assert [(e["attr"], e["code"]) for e in bad.json()["errors"]] == [("deadline", "before_start")]
    opened = county.post(
        "/api/v1/campaigns/open/",
        {"region": tree.county.pk, "name": "2026年第四季度摸底排查", "starts_on": today, "deadline": today},
        format="json",
    )
    assert opened.status_code == 201, opened.content
    pk = opened.json()["id"]
    director = api_client_for(child_director)
    assert director.post(f"/api/v1/campaigns/{pk}/close/").status_code == 403
    closed = county.post(f"/api/v1/campaigns/{pk}/close/")
    assert closed.status_code == 200
    assert closed.json()["result"]["total"] == 0


def test_api_confirm_deceased_closes_the_record(api_client_for, campaign, child_director, minor_a1):
    item = CampaignItem.objects.get(campaign=campaign, minor=minor_a1)
    response = api_client_for(child_director).post(
        f"/api/v1/campaign-items/{item.pk}/confirm/", {"outcome": "DECEASED"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["outcome"] == "DECEASED"
    minor_a1.refresh_from_db()
    assert minor_a1.status == MinorStatus.CLOSED


def test_village_page_lists_its_children_one_tap_each_and_logs_them(client, campaign, child_director, tree, minor_a1):
    client.force_login(child_director)
    page = client.get(reverse("campaign_village", args=[campaign.pk, tree.village_a1.pk]))
    assert page.status_code == 200
    assert minor_a1.name in page.content.decode()
    assert AccessLog.objects.filter(user=child_director, minor=minor_a1).exists()
    item = CampaignItem.objects.get(campaign=campaign, minor=minor_a1)
    done = client.post(reverse("campaign_item_confirm", args=[item.pk]), {"outcome": "CHANGED"})
    assert done.status_code == 302 and done["Location"] == reverse("minor_edit", args=[minor_a1.pk])
    item.refresh_from_db()
    assert item.outcome == "CHANGED"
    # A child the director registers now is "new this period" on the village's page, and logged.
    newcomer = register_minor(actor=child_director, region=tree.village_a1, name="新发现儿童")
    page = client.get(reverse("campaign_village", args=[campaign.pk, tree.village_a1.pk]))
    assert "新发现儿童" in page.content.decode()
    assert AccessLog.objects.filter(user=child_director, minor=newcomer).exists()
    # The neighbouring village's list shows none of its children to this director.
    other = client.get(reverse("campaign_village", args=[campaign.pk, tree.village_a2.pk]))
    assert other.status_code == 404


def test_campaign_page_shows_progress_and_outsider_gets_404(client, campaign, town_officer, outsider):
    client.force_login(town_officer)
    page = client.get(reverse("campaign_detail", args=[campaign.pk]))
    assert page.status_code == 200 and "0 / 2" in page.content.decode()
    client.force_login(outsider)
    assert client.get(reverse("campaign_detail", args=[campaign.pk])).status_code == 404


def test_a_grid_head_reports_but_does_not_close_records(client, campaign, tree, town_officer):
    from tests.factories import make_user
    from tiers.roles import Role

    grid_head = make_user(Role.GRID_HEAD, tree.grid_a1, username="grid_head")
    child = register_minor(actor=town_officer, region=tree.grid_a1, name="网格儿童")
    campaign.items.create(minor=child, village=tree.village_a1)  # registered after opening: add to the list
    client.force_login(grid_head)
    page = client.get(reverse("campaign_village", args=[campaign.pk, tree.village_a1.pk])).content.decode()
    assert "网格儿童" in page and 'value="UNCHANGED"' in page and 'value="DECEASED"' not in page
    item = CampaignItem.objects.get(campaign=campaign, minor=child)
    changed = client.post(reverse("campaign_item_confirm", args=[item.pk]), {"outcome": "CHANGED"})
    assert changed["Location"] == reverse("campaign_village", args=[campaign.pk, tree.village_a1.pk])
    refused = client.post(reverse("campaign_item_confirm", args=[item.pk]), {"outcome": "DECEASED"})
    assert refused.status_code == 403
    child.refresh_from_db()
    assert child.status == MinorStatus.ACTIVE


def test_a_closed_campaigns_page_shows_its_figures_by_category(
    client, campaign, town_officer, child_director, minor_a1
):
    from screening.campaigns.services import campaign_close, campaign_item_confirm

    item = CampaignItem.objects.get(campaign=campaign, minor=minor_a1)
    campaign_item_confirm(actor=child_director, item=item, outcome="CHANGED")
    campaign_close(actor=town_officer, campaign=campaign)
    client.force_login(town_officer)
    page = client.get(reverse("campaign_detail", args=[campaign.pk])).content.decode()
    assert "本期变化 1 人（农村留守儿童 1）" in page
    assert "结束本次排查" not in page
