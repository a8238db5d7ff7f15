"""Screening campaigns (摸底排查, issue 12 §3) through the services a user's click calls, with two towns."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone

from cases.models import Alert, ClosedReason, Minor, MinorCategory, MinorStatus
from screening.campaigns import selectors
from screening.campaigns.models import CampaignItem, ItemOutcome
from screening.campaigns.services import (
    campaign_alerts_sync,
    campaign_close,
    campaign_item_confirm,
    campaign_open,
)
from tests.factories import make_user, register_minor
from tiers.errors import ActionNotAllowed
from tiers.roles import Role

pytestmark = pytest.mark.django_db

TODAY = date(2026, 10, 8)


@pytest.fixture
def children(tree, town_officer, outsider):
    """Town A: two children in 东岭村 (one in its grid), one in 西岭村; town B: one in 河口村."""
    return {
        "a1": register_minor(actor=town_officer, region=tree.village_a1, name="张小明"),
        "grid": register_minor(actor=town_officer, region=tree.grid_a1, name="张小红", categories=("ORPHAN",)),
        "a2": register_minor(actor=town_officer, region=tree.village_a2, name="王小军"),
        "b1": register_minor(actor=outsider, region=tree.village_b1, name="李小花"),
    }


def _open(actor, region, name="2026年第四季度摸底排查"):
    today = timezone.localdate()
    return campaign_open(actor=actor, region=region, name=name, starts_on=today, deadline=today + timedelta(days=20))


def _item(campaign, minor) -> CampaignItem:
    return CampaignItem.objects.get(campaign=campaign, minor=minor)


def test_opening_lists_every_active_child_of_the_town_by_village(tree, town_officer, children):
    campaign = _open(town_officer, tree.town_a)

    items = {item.minor_id: item.village_id for item in campaign.items.all()}
    assert items == {
        children["a1"].pk: tree.village_a1.pk,
        children["grid"].pk: tree.village_a1.pk,  # a grid's child is in its village's list
        children["a2"].pk: tree.village_a2.pk,
    }


def test_only_the_town_office_or_county_opens_and_not_twice(tree, town_officer, child_director, county_officer):
    with pytest.raises(ActionNotAllowed):
        _open(child_director, tree.town_a)
    with pytest.raises(ActionNotAllowed):
        _open(town_officer, tree.town_b)  # another town
    _open(town_officer, tree.town_a)
    with pytest.raises(ValidationError) as refused:
        _open(county_officer, tree.county)  # overlaps the town's open campaign
    assert refused.value.error_dict["region"][0].code == "overlap"


def test_an_outsider_sees_neither_the_campaign_nor_its_items(tree, town_officer, outsider, children):
    campaign = _open(town_officer, tree.town_a)
    item = _item(campaign, children["a1"])

    with pytest.raises(Http404):
        selectors.campaign_get(user=outsider, pk=campaign.pk)
    with pytest.raises(Http404):
        selectors.campaign_item_get(user=outsider, pk=item.pk)
    assert selectors.campaign_get(user=town_officer, pk=campaign.pk) == campaign


def test_a_child_director_confirms_only_their_villages_items(
    tree, town_officer, child_director, neighbour_director, children
):
    campaign = _open(town_officer, tree.town_a)
    mine, theirs = _item(campaign, children["a1"]), _item(campaign, children["a2"])

    assert {i.minor_id for i in selectors.campaign_item_list(user=child_director, campaign=campaign)} == {
        children["a1"].pk,
        children["grid"].pk,
    }
    with pytest.raises(Http404):
        selectors.campaign_item_get(user=child_director, pk=theirs.pk)
    with pytest.raises(ActionNotAllowed):
        campaign_item_confirm(actor=child_director, item=theirs, outcome=ItemOutcome.UNCHANGED)

    confirmed = campaign_item_confirm(actor=child_director, item=mine, outcome=ItemOutcome.UNCHANGED)
    assert confirmed.outcome == ItemOutcome.UNCHANGED and confirmed.confirmed_by == child_director
    assert _item(campaign, children["a2"]).outcome == ""
    assert neighbour_director  # the neighbour's village is untouched


def test_a_grid_head_confirms_a_child_of_their_grid(tree, town_officer, children):
    grid_head = make_user(Role.GRID_HEAD, tree.grid_a1, username="grid_head")
    campaign = _open(town_officer, tree.town_a)

    item = campaign_item_confirm(actor=grid_head, item=_item(campaign, children["grid"]), outcome="UNCHANGED")
    assert item.outcome == ItemOutcome.UNCHANGED
    with pytest.raises(Http404):
        selectors.campaign_item_get(user=grid_head, pk=_item(campaign, children["a2"]).pk)


@pytest.mark.parametrize(
    ("outcome", "reason"),
    [
        (ItemOutcome.LEFT_AREA, ClosedReason.MOVED_AWAY),
        (ItemOutcome.AGED_OUT, ClosedReason.AGED_OUT),
        (ItemOutcome.DECEASED, ClosedReason.DECEASED),
    ],
)
def test_closing_outcomes_close_the_record_through_the_registry(
    tree, town_officer, child_director, children, outcome, reason
):
    campaign = _open(town_officer, tree.town_a)
    campaign_item_confirm(actor=child_director, item=_item(campaign, children["a1"]), outcome=outcome)

    minor = Minor.objects.get(pk=children["a1"].pk)
    assert (minor.status, minor.closed_reason) == (MinorStatus.CLOSED, reason)
    assert minor.events.filter(kind="CLOSED").count() == 1
    with pytest.raises(ValidationError):
        campaign_item_confirm(actor=child_director, item=_item(campaign, children["a1"]), outcome=ItemOutcome.UNCHANGED)


def test_bad_outcome_and_closed_campaign_are_refused(tree, town_officer, child_director, children):
    campaign = _open(town_officer, tree.town_a)
    item = _item(campaign, children["a1"])
    with pytest.raises(ValidationError):
        campaign_item_confirm(actor=child_director, item=item, outcome="MAYBE")
    campaign_close(actor=town_officer, campaign=campaign)
    with pytest.raises(ValidationError):
        campaign_item_confirm(actor=child_director, item=item, outcome=ItemOutcome.UNCHANGED)
    with pytest.raises(ActionNotAllowed):
        campaign_close(actor=child_director, campaign=_open(town_officer, tree.town_a, name="第二次"))


def test_progress_and_closing_figures_equal_direct_counts(tree, town_officer, child_director, outsider, children):
    campaign = _open(town_officer, tree.town_a)
    campaign_item_confirm(actor=child_director, item=_item(campaign, children["a1"]), outcome=ItemOutcome.CHANGED)
    campaign_item_confirm(actor=child_director, item=_item(campaign, children["grid"]), outcome="UNCHANGED")
    campaign_item_confirm(actor=town_officer, item=_item(campaign, children["a2"]), outcome=ItemOutcome.DECEASED)
    # Registered during the campaign: new this period in town A; town B's newcomer is not.
    new = register_minor(actor=child_director, region=tree.village_a1, name="新登记", categories=("MIGRANT",))
    register_minor(actor=outsider, region=tree.village_b1, name="外镇新登记")

    progress = {row.village.pk: row for row in selectors.campaign_progress(user=town_officer, campaign=campaign)}
    a1 = progress[tree.village_a1.pk]
    assert (a1.total, a1.confirmed, a1.changed, a1.new) == (2, 2, 1, 1)
    a2 = progress[tree.village_a2.pk]
    assert (a2.total, a2.confirmed, a2.changed, a2.new) == (1, 1, 1, 0)

    result = campaign_close(actor=town_officer, campaign=campaign)

    items = CampaignItem.objects.filter(campaign=campaign)
    assert result.total == items.count() == 3
    assert result.confirmed == items.exclude(outcome="").count()
    new_ids = set(
        Minor.objects.filter(region__path__startswith=tree.town_a.path, created_at__gte=campaign.opened_at).values_list(
            "pk", flat=True
        )
    )
    assert new_ids == {new.pk}
    assert result.new_count == len(new_ids)
    changed_ids = set(items.exclude(outcome__in=["", "UNCHANGED"]).values_list("minor_id", flat=True))
    assert result.changed_count == len(changed_ids) == 2
    assert result.by_outcome == {"CHANGED": 1, "UNCHANGED": 1, "DECEASED": 1}
    assert result.new_by_category == {"MIGRANT": 1}
    expected_changed = {}
    for code in MinorCategory.objects.filter(minor_id__in=changed_ids).values_list("category__code", flat=True):
        expected_changed[code] = expected_changed.get(code, 0) + 1
    assert result.changed_by_category == expected_changed == {"LEFT_BEHIND": 2}
    campaign.refresh_from_db()
    assert campaign.status == "CLOSED" and campaign.closed_by == town_officer


def test_the_daily_job_alerts_villages_behind_the_deadline_once(tree, town_officer, child_director, children, clock):
    clock("2026-10-01")
    campaign = campaign_open(
        actor=town_officer,
        region=tree.town_a,
        name="2026年第四季度摸底排查",
        starts_on=date(2026, 10, 1),
        deadline=date(2026, 10, 7),
    )
    campaign_item_confirm(actor=town_officer, item=_item(campaign, children["a2"]), outcome="UNCHANGED")
    assert campaign_alerts_sync(today=date(2026, 10, 3)) == {
        "behind": {"created": 0, "resolved": 0, "notified": 0},
        "near": {"created": 0, "resolved": 0, "notified": 0},
    }
    reminded = campaign_alerts_sync(today=date(2026, 10, 4))  # three days before: a reminder for 东岭村 only
    assert reminded["near"]["created"] == 1 and reminded["behind"]["created"] == 0
    reminder = Alert.objects.get(rule="CAMPAIGN_DEADLINE_NEAR")
    assert reminder.region == tree.village_a1 and reminder.severity == "NOTICE"
    assert campaign_alerts_sync(today=date(2026, 10, 7))["behind"]["created"] == 0  # the deadline day itself

    late = campaign_alerts_sync(today=TODAY)
    assert late["behind"]["created"] == 1 and late["near"]["resolved"] == 1
    assert campaign_alerts_sync(today=TODAY)["behind"]["created"] == 0  # once
    alert = Alert.objects.get(rule="CAMPAIGN_VILLAGE_BEHIND")
    assert alert.region == tree.village_a1 and alert.resolved_at is None
    assert child_director.notifications.filter(alert=alert).exists()

    for minor in (children["a1"], children["grid"]):
        campaign_item_confirm(actor=child_director, item=_item(campaign, minor), outcome="UNCHANGED")
    assert campaign_alerts_sync(today=TODAY)["behind"]["resolved"] == 1


def test_a_closing_recorded_afterwards_counts_new_children_up_to_its_day(clock, tree, town_officer, children):
    clock("2026-07-01")
    campaign = _open(town_officer, tree.town_a, name="三季度排查")
    clock("2026-07-20")
    during = register_minor(actor=town_officer, region=tree.village_a2, name="期内新登记")
    clock("2026-08-20")
    register_minor(actor=town_officer, region=tree.village_a2, name="期后新登记")
    clock("2026-09-01")
    with pytest.raises(ValidationError) as refused:
        campaign_close(actor=town_officer, campaign=campaign, closed_at=timezone.now() + timedelta(days=1))
    assert refused.value.error_dict["closed_at"][0].code == "out_of_period"
    with pytest.raises(ValidationError):
        campaign_close(actor=town_officer, campaign=campaign, closed_at=campaign.opened_at - timedelta(days=1))

    ended = campaign.opened_at + timedelta(days=30)
    result = campaign_close(actor=town_officer, campaign=campaign, closed_at=ended)

    assert result.new_count == 1 and during.created_at < ended
    campaign.refresh_from_db()
    assert campaign.closed_at == ended and not campaign.is_open
