"""Demo screening campaigns (摸底排查, issue 12 §3) in 青溪镇, recorded through screening.campaigns.services by
the town office and each village's child director: last quarter's campaign, every child confirmed (a few
"changed"), its opening and confirmations dated back to that quarter, then closed on its day there with its
figures (so "new this period" counts the children registered in that period); and this quarter's campaign, open,
with about half of the villages done so the progress page shows villages behind and ahead.

No record is closed or moved by the demo campaigns (only unchanged / changed), so the registry's figures stay
those of demo/registry.py. Idempotent: a town that already has a campaign is left alone."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from demo import district as demo
from reporting.quarters import Quarter
from screening.campaigns.models import Campaign, CampaignEvent, CampaignItem, ItemOutcome
from screening.campaigns.services import campaign_close, campaign_item_confirm, campaign_open
from tiers.models import Region

User = get_user_model()
TOWN_SLUG = "qingxi"
CHANGED_EVERY = 7  # every seventh child of the closed campaign is confirmed "changed"


def _town():
    return next(town for town in demo.DISTRICT if town.slug == TOWN_SLUG)


def _confirm_village(campaign: Campaign, village_code: str, director, *, changed_every: int | None) -> int:
    items = CampaignItem.objects.filter(campaign=campaign, village__code=village_code, outcome="").order_by("id")
    for number, item in enumerate(items, start=1):
        changed = changed_every is not None and number % changed_every == 0
        campaign_item_confirm(
            actor=director, item=item, outcome=ItemOutcome.CHANGED if changed else ItemOutcome.UNCHANGED
        )
    return len(items)


def _at(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(10, 0)))


def _date_back(campaign: Campaign, *, opened, confirmed) -> None:
    """Move the closed campaign's opening and confirmations to last quarter before it is closed (the services
    write "now"; these tables keep no append-only trigger), so that closing counts what its period holds."""
    Campaign.objects.filter(pk=campaign.pk).update(opened_at=_at(opened))
    CampaignItem.objects.filter(campaign=campaign).update(confirmed_at=_at(confirmed))
    CampaignEvent.objects.filter(campaign=campaign, kind=CampaignEvent.Kind.OPENED).update(at=_at(opened))
    CampaignEvent.objects.filter(campaign=campaign, kind=CampaignEvent.Kind.CONFIRMED).update(at=_at(confirmed))
    campaign.refresh_from_db()


def seed_screening_campaigns() -> str:
    town = _town()
    region = Region.objects.get(code=town.code)
    if Campaign.objects.filter(region=region).exists():
        return ""
    office = User.objects.get(username=f"{town.slug}_office")
    directors = {v.code: User.objects.get(username=f"{v.slug}_director") for v in town.villages}
    current = Quarter.current()
    last = current.previous()

    closed = campaign_open(
        actor=office,
        region=region,
        name=f"{last.label}摸底排查",
        starts_on=last.first_day,
        deadline=last.last_day - timedelta(days=10),
    )
    for code, director in directors.items():
        _confirm_village(closed, code, director, changed_every=CHANGED_EVERY)
    closed_on = last.last_day - timedelta(days=12)
    _date_back(closed, opened=last.first_day, confirmed=closed_on - timedelta(days=3))
    # Closed on its day: "new this period" counts the children registered between its opening and then.
    campaign_close(actor=office, campaign=closed, closed_at=_at(closed_on))

    today = timezone.localdate()
    open_campaign = campaign_open(
        actor=office,
        region=region,
        name=f"{current.label}摸底排查",
        starts_on=max(current.first_day, today - timedelta(days=14)),
        deadline=today + timedelta(days=14),
    )
    done = list(directors.items())[: (len(directors) + 1) // 2]
    for code, director in done:
        _confirm_village(open_campaign, code, director, changed_every=None)
    return (
        f"{town.name}：{closed.name}（已结束），{open_campaign.name}（进行中，{len(done)}/{len(directors)}个村已完成）"
    )
