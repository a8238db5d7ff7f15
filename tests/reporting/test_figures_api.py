"""GET /api/v1/figures/<division code>/: the dashboard's figures for other systems, scoped like the page."""

from __future__ import annotations

import pytest

from reporting.figures import figures_compute
from reporting.quarters import Quarter

pytestmark = pytest.mark.django_db


def test_a_town_leader_reads_their_towns_figures(api_client_for, tree, town_leader, minor_a1, minor_b1):
    response = api_client_for(town_leader).get(f"/api/v1/figures/{tree.town_a.code}/")

    assert response.status_code == 200
    body = response.json()
    assert body["registry"]["active"] == 1
    assert body == figures_compute(region=tree.town_a, quarter=Quarter.current()) | {"as_of": body["as_of"]}
    assert [child["code"] for child in body["children"]] == [tree.village_a1.code, tree.village_a2.code]


def test_another_towns_figures_answer_404(api_client_for, tree, town_leader):
    client = api_client_for(town_leader)

    assert client.get(f"/api/v1/figures/{tree.town_b.code}/").status_code == 404
    assert client.get(f"/api/v1/figures/{tree.village_b1.code}/").status_code == 404
    assert client.get("/api/v1/figures/999999999999/").status_code == 404


def test_a_partner_user_reads_no_figures(api_client_for, tree, partner_user):
    assert api_client_for(partner_user).get(f"/api/v1/figures/{tree.town_a.code}/").status_code == 404


def test_a_bad_quarter_is_a_field_error(api_client_for, tree, county_officer):
    client = api_client_for(county_officer)

    for quarter, code in (("2026Q7", "invalid"), ("2999Q1", "future")):
        response = client.get(f"/api/v1/figures/{tree.county.code}/", {"quarter": quarter})
        assert response.status_code == 400
        error = response.json()["errors"][0]
        assert (error["attr"], error["code"]) == ("quarter", code)


def test_the_trend_comes_with_the_figures_when_asked(api_client_for, tree, county_officer, minor_a1):
    response = api_client_for(county_officer).get(f"/api/v1/figures/{tree.county.code}/", {"trend": 4})

    trend = response.json()["trend"]
    assert [point["quarter"] for point in trend] == [str(q) for q in Quarter.current().recent(4)]
    assert trend[-1]["summary"]["active"] == 1
