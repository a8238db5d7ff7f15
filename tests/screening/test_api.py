"""/api/v1/assessments/, /visits/, /alerts/ and the registry's risk_grade filter."""

import pytest

from cases.models import Alert
from screening.escalation.services import escalate
from screening.grading.services import assessment_record
from screening.models import Visit
from screening.visits.services.plan import visit_plan_refresh


def test_a_risk_assessment_through_the_api_grades_the_child(api_client_for, town_officer, minor_a1):
    response = api_client_for(town_officer).post(
        "/api/v1/assessments/",
        {"minor": minor_a1.pk, "kind": "RISK_LEVEL", "indicators": ["LEFT_BEHIND", "GUARDIAN_INCAPABLE"]},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["computed_grade"] == "ORANGE"
    detail = api_client_for(town_officer).get(f"/api/v1/minors/{minor_a1.pk}/").json()
    assert detail["risk_grade"] == "ORANGE"


def test_an_override_without_reason_is_a_field_error(api_client_for, town_officer, minor_a1):
    response = api_client_for(town_officer).post(
        "/api/v1/assessments/",
        {"minor": minor_a1.pk, "kind": "RISK_LEVEL", "indicators": ["LEFT_BEHIND"], "final_grade": "RED"},
        format="json",
    )
    assert response.status_code == 400
    assert [e["attr"] for e in response.json()["errors"]] == ["override_reason"]


def test_registry_can_be_filtered_by_risk_grade(api_client_for, town_officer, tree, minor_a1):
    from tests.factories import register_minor

    other = register_minor(actor=town_officer, region=tree.village_a1)
    assessment_record(actor=town_officer, minor=other, kind="RISK_LEVEL", indicator_codes=["ONGOING_VIOLENCE"])
    rows = api_client_for(town_officer).get("/api/v1/minors/?risk_grade=RED").json()["results"]
    assert [row["id"] for row in rows] == [other.pk]


def test_a_child_director_logs_a_visit_with_a_photo(api_client_for, child_director, minor_a1):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(buffer, format="PNG")
    png = buffer.getvalue()
    response = api_client_for(child_director).post(
        "/api/v1/visits/",
        {
            "minor": minor_a1.pk,
            "kind": "HOME",
            "living_conditions": "住房干净，有米面",
            "photos": [SimpleUploadedFile("room.png", png, content_type="image/png")],
        },
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    visit = Visit.objects.get()
    assert visit.visitor == child_director and visit.photos.count() == 1


def test_a_child_director_cannot_log_a_visit_in_another_village(api_client_for, neighbour_director, minor_a1):
    response = api_client_for(neighbour_director).post(
        "/api/v1/visits/", {"minor": minor_a1.pk, "kind": "HOME"}, format="json"
    )
    assert response.status_code == 404
    assert not Visit.objects.exists()


def test_a_visit_in_the_future_is_rejected(api_client_for, child_director, minor_a1):
    response = api_client_for(child_director).post(
        "/api/v1/visits/",
        {"minor": minor_a1.pk, "kind": "HOME", "visited_at": "2099-01-01T10:00:00+08:00"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "visited_at"


@pytest.fixture
def red_alert(town_officer, minor_a1):
    assessment_record(actor=town_officer, minor=minor_a1, kind="RISK_LEVEL", indicator_codes=["ONGOING_VIOLENCE"])
    visit_plan_refresh()
    escalate()
    return Alert.objects.get(rule="RED_RESPONSE_MISSING")


def test_alerts_are_listed_and_acknowledged_within_reach(api_client_for, town_officer, red_alert):
    api = api_client_for(town_officer)
    rules = {row["rule"] for row in api.get("/api/v1/alerts/?is_open=true").json()["results"]}
    assert "RED_RESPONSE_MISSING" in rules
    response = api.post(f"/api/v1/alerts/{red_alert.pk}/acknowledge/")
    assert response.status_code == 200 and response.json()["acknowledged_at"]
    assert api.post(f"/api/v1/alerts/{red_alert.pk}/acknowledge/").status_code == 400


@pytest.mark.parametrize("persona", ["neighbour_director", "outsider"])
def test_alerts_of_another_area_are_invisible(request, api_client_for, persona, red_alert):
    api = api_client_for(request.getfixturevalue(persona))
    assert api.get("/api/v1/alerts/").json()["results"] == []
    assert api.get(f"/api/v1/alerts/{red_alert.pk}/").status_code == 404
    assert api.post(f"/api/v1/alerts/{red_alert.pk}/acknowledge/").status_code == 404


def test_indicators_are_listed_for_client_systems(api_client_for, child_director):
    codes = [row["code"] for row in api_client_for(child_director).get("/api/v1/indicators/").json()]
    assert codes[0] == "ONGOING_VIOLENCE" and "STABLE_UNDER_WATCH" in codes


def test_notifications_are_the_callers_own_and_can_be_marked_read(
    api_client_for, town_officer, child_director, red_alert
):
    api = api_client_for(town_officer)
    rows = api.get("/api/v1/notifications/").json()["results"]
    assert rows and all(row["read_at"] is None for row in rows)
    assert api_client_for(child_director).get("/api/v1/notifications/").json()["results"] == []
    assert api.post("/api/v1/notifications/mark-read/", {}, format="json").json()["marked"] == len(rows)
    assert all(row["read_at"] for row in api.get("/api/v1/notifications/").json()["results"])


def test_only_a_recipient_may_acknowledge_an_alert(api_client_for, child_director, red_alert):
    """The child director sees the red child's alert (their village) but it is the town office's to answer."""
    api = api_client_for(child_director)
    assert api.get(f"/api/v1/alerts/{red_alert.pk}/").status_code == 200
    assert api.post(f"/api/v1/alerts/{red_alert.pk}/acknowledge/").status_code == 403
    red_alert.refresh_from_db()
    assert red_alert.acknowledged_at is None
