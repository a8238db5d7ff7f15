"""The dashboard's scope and the quarterly freeze (issue 6 §1–2), with the shared personas."""

from __future__ import annotations

from datetime import date
from io import BytesIO, StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from cases.models import AccessLog
from cases.registry.services import minor_move
from reporting.dashboard.selectors import figures_for
from reporting.models import QuarterSnapshot
from reporting.quarters import Quarter
from reporting.tasks import freeze_ended_quarter
from tests.factories import register_minor

pytestmark = pytest.mark.django_db


def dashboard(client, user, region, **params):
    client.force_login(user)
    return client.get(reverse("dashboard", args=[region.pk]), params)


def test_a_town_leader_opens_their_own_town(client, tree, town_leader):
    client.force_login(town_leader)

    response = client.get(reverse("dashboard_home"))

    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard", args=[tree.town_a.pk])


def test_a_town_leader_cannot_open_another_town_or_its_villages(client, tree, town_leader):
    assert dashboard(client, town_leader, tree.town_b).status_code == 404
    assert dashboard(client, town_leader, tree.village_b1).status_code == 404
    assert dashboard(client, town_leader, tree.county).status_code == 404


def test_a_village_figure_never_appears_to_another_town(client, tree, town_leader, outsider, minor_a1, minor_b1):
    page = dashboard(client, town_leader, tree.town_a).content.decode()

    assert tree.village_a1.name in page and tree.village_a2.name in page
    assert tree.village_b1.name not in page
    assert 'data-testid="headline-active">1<' in page  # only 张三 of town A, not 李四 of town B


def test_the_county_drills_down_to_a_town_and_a_village(client, tree, county_officer, minor_a1, minor_b1):
    county_page = dashboard(client, county_officer, tree.county).content.decode()
    assert reverse("dashboard", args=[tree.town_a.pk]) in county_page
    assert 'data-testid="headline-active">2<' in county_page

    town_page = dashboard(client, county_officer, tree.town_a).content.decode()
    assert reverse("dashboard", args=[tree.village_a1.pk]) in town_page

    village_page = dashboard(client, county_officer, tree.village_a1)
    assert village_page.status_code == 200
    assert 'data-testid="headline-active">1<' in village_page.content.decode()


def test_the_dashboard_shows_no_child_by_name(client, tree, county_officer, minor_a1):
    page = dashboard(client, county_officer, tree.county).content.decode()

    assert minor_a1.name not in page
    assert minor_a1.id_number not in page


def test_a_partner_user_has_no_dashboard(client, tree, partner_user):
    client.force_login(partner_user)

    assert client.get(reverse("dashboard_home")).status_code == 403
    assert client.get(reverse("dashboard", args=[tree.town_a.pk])).status_code == 404


def test_an_unknown_quarter_falls_back_to_the_current_one_with_a_message(client, tree, town_leader):
    response = dashboard(client, town_leader, tree.town_a, quarter="2026Q9")

    assert response.status_code == 200
    assert response.context["quarter"] == Quarter.current()
    assert "2026Q3" in response.content.decode()  # the choice of quarters is still offered


def test_the_tables_download_as_excel_and_the_export_is_logged(client, tree, town_leader, minor_a1):
    client.force_login(town_leader)

    response = client.get(reverse("dashboard_export", args=[tree.town_a.pk]))

    assert response.status_code == 200
    workbook = load_workbook(BytesIO(response.content))
    assert len(workbook.sheetnames) > 5
    log = AccessLog.objects.get(user=town_leader, action=AccessLog.Action.EXPORT)
    assert log.detail["export"] == "dashboard" and log.detail["region"] == tree.town_a.code


def test_a_leadership_viewer_reads_the_dashboard_but_may_not_export(client, tree, leadership_viewer):
    assert dashboard(client, leadership_viewer, tree.county).status_code == 200
    assert client.get(reverse("dashboard_export", args=[tree.county.pk])).status_code == 403
    assert not AccessLog.objects.filter(user=leadership_viewer).exists()


# --- the quarterly freeze ---------------------------------------------------------------------


def test_a_frozen_quarter_does_not_change_when_records_change_afterwards(clock, tree, town_officer):
    clock("2026-08-10")
    moved = register_minor(actor=town_officer, region=tree.village_a1, name="王五")
    register_minor(actor=town_officer, region=tree.village_a2, name="赵六")
    clock("2026-10-01", 0, 50)
    freeze_ended_quarter()
    q3 = Quarter.parse("2026Q3")
    before = figures_for(region=tree.town_a, quarter=q3)
    assert before["registry"]["active"] == 2

    clock("2026-10-20")
    minor_move(actor=town_officer, minor=moved, region=tree.village_b1)
    register_minor(actor=town_officer, region=tree.village_a1, name="孙七")

    after = figures_for(region=tree.town_a, quarter=q3)
    assert after == before
    assert figures_for(region=tree.town_a, quarter=Quarter.parse("2026Q4"))["registry"]["active"] == 2


def test_the_quarter_end_job_is_idempotent(clock, tree, town_officer):
    clock("2026-09-10")
    register_minor(actor=town_officer, region=tree.village_a1, name="王五")
    clock("2026-10-01", 0, 40)

    written = freeze_ended_quarter()
    first = {s.pk: (s.frozen_at, s.figures) for s in QuarterSnapshot.objects.all()}
    again = freeze_ended_quarter()

    assert written == 6  # the county, two towns, three villages
    assert again == 0
    assert {s.pk: (s.frozen_at, s.figures) for s in QuarterSnapshot.objects.all()} == first


def test_a_rebuild_on_request_recomputes_a_frozen_quarter(clock, tree, town_officer):
    clock("2026-09-10")
    moved = register_minor(actor=town_officer, region=tree.village_a1, name="王五")
    clock("2026-10-01", 1)
    freeze_ended_quarter()
    clock("2026-10-02")
    minor_move(actor=town_officer, minor=moved, region=tree.village_b1)

    out = StringIO()
    call_command("rebuild_quarter", "2026Q3", "--region", tree.county.code, stdout=out)

    snapshot = QuarterSnapshot.objects.get(region=tree.town_a, quarter="2026Q3")
    assert snapshot.rebuilt
    assert snapshot.figures["registry"]["active"] == 0  # the record now lives in town B
    assert "6 regional snapshots" in out.getvalue()


def test_a_quarter_that_has_not_ended_cannot_be_rebuilt(clock, tree):
    from django.core.management.base import CommandError

    clock("2026-09-10")
    with pytest.raises(CommandError, match="has not ended"):
        call_command("rebuild_quarter", "2026Q3", stdout=StringIO())


def test_a_past_quarter_counts_each_childs_grade_as_it_was_at_the_quarters_end(clock, tree, town_officer):
    from screening.grading.services import grade_set

    clock("2026-07-10")
    regraded = register_minor(actor=town_officer, region=tree.village_a1, name="王五")
    steady = register_minor(actor=town_officer, region=tree.village_a2, name="赵六")
    ungraded = register_minor(actor=town_officer, region=tree.village_a2, name="孙七")
    grade_set(actor=town_officer, minor=regraded, grade="BLUE", reason="初评")
    clock("2026-08-20")
    grade_set(actor=town_officer, minor=regraded, grade="YELLOW", reason="复评")
    grade_set(actor=town_officer, minor=steady, grade="ORANGE", reason="初评")
    clock("2026-10-08")
    grade_set(actor=town_officer, minor=regraded, grade="RED", reason="新情况")

    q3 = figures_for(region=tree.town_a, quarter=Quarter.parse("2026Q3"))["registry"]["grades"]
    q4 = figures_for(region=tree.town_a, quarter=Quarter.parse("2026Q4"))["registry"]["grades"]

    assert q3 == {"RED": 0, "ORANGE": 1, "YELLOW": 1, "BLUE": 0, "UNGRADED": 1}
    assert q4 == {"RED": 1, "ORANGE": 1, "YELLOW": 0, "BLUE": 0, "UNGRADED": 1}
    assert ungraded.risk_grade == ""


def _campaign_closed_with_figures(clock, tree, town_officer, child_director):
    """Town A's campaign: 张三 confirmed changed, 王五 unchanged, 赵六 registered while it runs (new); closed.
    Then a second campaign opened with one of its three children confirmed."""
    from screening.campaigns.models import CampaignItem, ItemOutcome
    from screening.campaigns.services import campaign_close, campaign_item_confirm, campaign_open

    clock("2026-07-01")
    changed = register_minor(actor=town_officer, region=tree.village_a1, name="张三")
    steady = register_minor(actor=town_officer, region=tree.village_a1, name="王五")
    clock("2026-07-02")
    campaign = campaign_open(
        actor=town_officer, region=tree.town_a, name="三季度排查", starts_on=date(2026, 7, 2), deadline=date(2026, 8, 1)
    )
    clock("2026-07-10")
    campaign_item_confirm(
        actor=child_director,
        item=CampaignItem.objects.get(campaign=campaign, minor=changed),
        outcome=ItemOutcome.CHANGED,
    )
    campaign_item_confirm(
        actor=child_director,
        item=CampaignItem.objects.get(campaign=campaign, minor=steady),
        outcome=ItemOutcome.UNCHANGED,
    )
    register_minor(actor=town_officer, region=tree.village_a2, name="赵六", categories=("ORPHAN",))
    clock("2026-08-01")
    result = campaign_close(actor=town_officer, campaign=campaign)
    clock("2026-10-08")
    running = campaign_open(
        actor=town_officer,
        region=tree.town_a,
        name="四季度排查",
        starts_on=date(2026, 10, 8),
        deadline=date(2026, 11, 8),
    )
    campaign_item_confirm(
        actor=child_director,
        item=CampaignItem.objects.get(campaign=running, minor=steady),
        outcome=ItemOutcome.UNCHANGED,
    )
    return result


def test_the_dashboard_shows_the_last_closed_campaigns_figures_and_the_open_ones_progress_without_names(
    client, clock, tree, town_officer, child_director, leadership_viewer, outsider
):
    result = _campaign_closed_with_figures(clock, tree, town_officer, child_director)
    assert (result.total, result.confirmed, result.new_count, result.changed_count) == (2, 2, 1, 1)

    page = dashboard(client, leadership_viewer, tree.town_a).content.decode()

    assert f'data-testid="campaign-total">{result.total}<' in page
    assert f'data-testid="campaign-confirmed">{result.confirmed}<' in page
    assert f'data-testid="campaign-new">{result.new_count}<' in page
    assert f'data-testid="campaign-changed">{result.changed_count}<' in page
    card = page.split('data-testid="campaigns"', 1)[1]
    assert "三季度排查" in card
    assert "<td>孤儿</td><td>1</td><td>—</td>" in card  # 赵六, new, by category name
    assert "<td>农村留守儿童</td><td>—</td><td>1</td>" in card  # 张三, changed
    assert "已确认 1/3" in page  # the open campaign: 张三, 王五, 赵六 to confirm, one done
    assert not [name for name in ("张三", "王五", "赵六") if name in page]
    # the county's page sums its subtree; another town's page shows no campaign
    assert 'data-testid="campaign-new">1<' in dashboard(client, leadership_viewer, tree.county).content.decode()
    assert 'data-testid="campaigns"' not in dashboard(client, outsider, tree.town_b).content.decode()
