"""Small cells (issue 10 §4; domain.md §13): to a figures-only login, a village's counts drawn from the sensitive
categories — the categories themselves, the children a working-group track whose categories include one is
likely to serve, and the key-attention total — read "<5" below MINORPROT_SMALL_CELL; staff see the numbers,
and a track without a sensitive category is never suppressed. Two towns."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import register_minor


@pytest.fixture
def village_children(tree, town_officer, outsider, settings):
    settings.MINORPROT_DASHBOARD_CACHE_SECONDS = 0
    register_minor(actor=town_officer, region=tree.village_a1, name="张小明", categories=("CRIME_VICTIM",))
    register_minor(actor=town_officer, region=tree.village_a1, name="张小华", categories=("DROPOUT",))
    register_minor(actor=outsider, region=tree.village_b1, name="李小红", categories=("JUSTICE_INVOLVED",))


def _figures(api_client_for, user, region):
    response = api_client_for(user).get(f"/api/v1/figures/{region.code}/")
    assert response.status_code == 200, response.content
    return response.json()


def test_track_needs_and_key_attention_of_a_village_read_below_threshold_to_leadership(
    api_client_for, tree, village_children, leadership_viewer
):
    body = _figures(api_client_for, leadership_viewer, tree.village_a1)

    assert body["registry"]["key_attention"] == "<5"
    for section in ("cases", "resources"):
        tracks = body[section]["tracks"]
        assert tracks["JUDICIAL_PROTECTION"]["children"] == "<5"
        assert tracks["SPIRITUAL_CARE"]["children"] == "<5"
        assert tracks["EDUCATION_SUPPORT"]["children"] == 1  # dropout: no sensitive category in the track
        assert tracks["JUDICIAL_PROTECTION"]["open"] == 0  # measures are not category counts
    other = _figures(api_client_for, leadership_viewer, tree.village_b1)
    assert other["cases"]["tracks"]["JUDICIAL_PROTECTION"]["children"] == "<5"


def test_staff_and_town_level_figures_keep_the_numbers(
    api_client_for, tree, village_children, leadership_viewer, town_officer
):
    staff = _figures(api_client_for, town_officer, tree.village_a1)
    town = _figures(api_client_for, leadership_viewer, tree.town_a)

    assert staff["registry"]["key_attention"] == 1
    assert staff["cases"]["tracks"]["JUDICIAL_PROTECTION"]["children"] == 1
    assert town["registry"]["key_attention"] == 1
    assert town["resources"]["tracks"]["JUDICIAL_PROTECTION"]["children"] == 1


def test_the_dashboard_tables_show_the_suppressed_cells_to_leadership(
    client, tree, village_children, leadership_viewer
):
    client.force_login(leadership_viewer)

    tables = client.get(reverse("dashboard", args=[tree.village_a1.pk])).context["tables"]

    cells = [str(cell) for table in tables.values() for row in table["rows"] for cell in row]
    assert "<5" in cells
    resources = {str(row[0]): row[1] for row in tables["resources"]["rows"]}
    assert "<5" in {str(value) for value in resources.values()}
