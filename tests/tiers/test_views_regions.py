"""The region tree, region pages and baseline recording (issue 2 §5, §3 baseline population)."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from cases.models import BaselinePopulation
from cases.registry.services import baseline_record
from tests.factories import register_minor


def _tree_codes(response) -> list[str]:
    return [row["region"].code for row in response.context["rows"]]


def test_town_officer_sees_their_town_villages_and_grids_but_not_another_town(client, tree, town_officer):
    client.force_login(town_officer)

    codes = _tree_codes(client.get(reverse("region_tree")))

    assert codes == [tree.town_a.code, tree.village_a1.code, tree.grid_a1.code, tree.village_a2.code]


def test_child_director_sees_only_their_village_and_its_grid(client, tree, child_director):
    client.force_login(child_director)

    codes = _tree_codes(client.get(reverse("region_tree")))

    assert codes == [tree.village_a1.code, tree.grid_a1.code]


def test_outsider_tree_never_includes_another_town(client, tree, outsider):
    client.force_login(outsider)

    response = client.get(reverse("region_tree"))

    assert tree.town_a.code not in _tree_codes(response)
    assert "青山镇" not in response.content.decode()


def test_tree_shows_active_minors_baseline_and_at_risk_rate(client, tree, town_officer):
    register_minor(actor=town_officer, region=tree.village_a1)
    register_minor(actor=town_officer, region=tree.grid_a1)
    baseline_record(actor=town_officer, region=tree.village_a1, as_of=timezone.localdate(), minor_count=40)
    client.force_login(town_officer)

    response = client.get(reverse("region_tree"))

    rows = {row["region"].code: row for row in response.context["rows"]}
    assert rows[tree.village_a1.code]["active_count"] == 2
    assert rows[tree.village_a1.code]["baseline"].minor_count == 40
    assert rows[tree.town_a.code]["active_count"] == 2
    assert "5.0%" in response.content.decode()


def test_leadership_viewer_sees_the_tree_with_counts_only(client, tree, leadership_viewer, town_officer):
    register_minor(actor=town_officer, region=tree.village_a1, name="赵六")
    client.force_login(leadership_viewer)

    response = client.get(reverse("region_tree"))

    rows = {row["region"].code: row for row in response.context["rows"]}
    assert rows[tree.county.code]["active_count"] == 1
    assert "赵六" not in response.content.decode()


def test_partner_user_gets_403_on_the_tree(client, partner_user):
    client.force_login(partner_user)

    assert client.get(reverse("region_tree")).status_code == 403


def test_outsider_gets_404_on_a_village_of_another_town(client, tree, outsider):
    client.force_login(outsider)

    assert client.get(reverse("region_detail", args=[tree.village_a1.pk])).status_code == 404


def test_neighbour_director_gets_404_on_the_next_village(client, tree, neighbour_director):
    client.force_login(neighbour_director)

    assert client.get(reverse("region_detail", args=[tree.village_a1.pk])).status_code == 404


def test_region_page_shows_breadcrumb_children_and_links_only_units_in_reach(client, tree, town_officer):
    client.force_login(town_officer)

    response = client.get(reverse("region_detail", args=[tree.village_a1.pk]))

    content = response.content.decode()
    assert [item["region"].name for item in response.context["breadcrumb"]] == ["示范县", "青山镇"]
    assert reverse("region_detail", args=[tree.town_a.pk]) in content
    assert reverse("region_detail", args=[tree.county.pk]) not in content
    assert [row["region"] for row in response.context["children"]] == [tree.grid_a1]


def test_child_director_records_the_baseline_of_their_village(client, tree, child_director):
    client.force_login(child_director)
    today = timezone.localdate()

    response = client.post(
        reverse("region_detail", args=[tree.village_a1.pk]),
        {"as_of": today.isoformat(), "minor_count": "312", "note": "2024年摸底"},
    )

    assert response.status_code == 302
    baseline = BaselinePopulation.objects.get(region=tree.village_a1)
    assert (baseline.as_of, baseline.minor_count, baseline.recorded_by) == (today, 312, child_director)


def test_baseline_history_is_shown_on_the_village_page(client, tree, child_director):
    baseline_record(actor=child_director, region=tree.village_a1, as_of=timezone.localdate(), minor_count=298)
    client.force_login(child_director)

    response = client.get(reverse("region_detail", args=[tree.village_a1.pk]))

    assert [b.minor_count for b in response.context["baselines"]] == [298]
    assert "298" in response.content.decode()


def test_baseline_for_a_future_date_is_refused_in_chinese_and_nothing_saved(client, tree, child_director):
    client.force_login(child_director)
    tomorrow = timezone.localdate() + timedelta(days=1)

    response = client.post(
        reverse("region_detail", args=[tree.village_a1.pk]), {"as_of": tomorrow.isoformat(), "minor_count": "10"}
    )

    assert response.status_code == 200
    assert "统计日期不能晚于今天" in response.content.decode()
    assert not BaselinePopulation.objects.exists()


def test_town_leader_is_not_offered_and_cannot_post_a_baseline(client, tree, town_leader):
    client.force_login(town_leader)
    url = reverse("region_detail", args=[tree.village_a1.pk])

    assert client.get(url).context["form"] is None
    response = client.post(url, {"as_of": timezone.localdate().isoformat(), "minor_count": "10"})

    assert response.status_code == 403
    assert not BaselinePopulation.objects.exists()


def test_neighbour_director_cannot_record_the_baseline_of_another_village(client, tree, neighbour_director):
    client.force_login(neighbour_director)

    response = client.post(
        reverse("region_detail", args=[tree.village_a1.pk]),
        {"as_of": timezone.localdate().isoformat(), "minor_count": "10"},
    )

    assert response.status_code == 404
    assert not BaselinePopulation.objects.exists()
