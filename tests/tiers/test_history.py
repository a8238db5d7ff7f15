"""Access grants and rule changes are audited (issue 10 §7): PostgreSQL triggers (django-pghistory) write an
event for every insert, update and delete of a grant or a rule — also from the Django admin and a queryset
.update() — with who did it; every event table is append-only."""

import pytest
from django.apps import apps
from django.db import DatabaseError, connection, transaction
from django.test import RequestFactory
from django.urls import reverse
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.casework.services import working_groups_ensure
from screening.grading.services import assessment_record
from screening.models import GradePolicy, IndicatorOverride
from screening.policy.services import grade_policy_set, indicator_set
from tests.factories import make_user
from tiers.audit import HistoryMiddleware, history_rows
from tiers.models import StaffPost
from tiers.roles import Role
from tiers.services import token_issue

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="trigger-written history is PostgreSQL's")


def _events(label: str):
    return apps.get_model(*label.split(".")).objects.order_by("-pgh_created_at", "-pgh_id")


def test_a_grade_policy_edited_in_the_admin_is_an_event_with_who_and_from_to(
    admin_client, admin_user, county_officer, tree
):
    policy = grade_policy_set(
        actor=county_officer, county=tree.county, grade="YELLOW", visit_interval_days=21, requires_helper=False
    )

    response = admin_client.post(
        f"/admin/screening/gradepolicy/{policy.pk}/change/",
        {"county": tree.county.pk, "grade": "YELLOW", "visit_interval_days": "25"},
    )

    assert response.status_code == 302
    latest = history_rows(_events("screening.GradePolicyEvent")[:1], fields=["visit_interval_days"])[0]
    assert latest.action == "update"
    assert latest.actor == admin_user
    assert latest.changes == [{"field": "visit_interval_days", "label": "走访间隔（天）", "from": 21, "to": 25}]


def test_a_queryset_update_is_an_event_with_from_to(county_officer, tree):
    indicator_set(actor=county_officer, county=tree.county, code="POVERTY", min_grade="ORANGE")

    IndicatorOverride.objects.filter(county=tree.county).update(min_grade="RED")

    rows = history_rows(_events("screening.IndicatorOverrideEvent"), fields=["min_grade"])
    assert [row.action for row in rows] == ["update", "insert"]
    assert rows[0].changes[0]["from"] == "橙色" and rows[0].changes[0]["to"] == "红色"


def test_a_post_assigned_and_removed_in_the_admin_names_the_administrator(admin_client, admin_user, tree):
    user = make_user(username="new_director")

    admin_client.post(
        "/admin/tiers/staffpost/add/", {"user": user.pk, "region": tree.village_a1.pk, "role": Role.CHILD_DIRECTOR}
    )
    post = StaffPost.objects.get(user=user)
    admin_client.post(f"/admin/tiers/staffpost/{post.pk}/delete/", {"post": "yes"})

    rows = history_rows(_events("tiers.StaffPostEvent").filter(user_id=user.pk), fields=["role", "region"])
    assert [(row.action, row.actor) for row in rows] == [("delete", admin_user), ("insert", admin_user)]


def test_working_group_membership_added_and_removed_is_recorded(town_officer, tree):
    group = working_groups_ensure(region=tree.town_a)[0]

    group.members.add(town_officer)
    group.members.remove(town_officer)

    labels = list(
        _events("cases.WorkingGroupMemberEvent").filter(user_id=town_officer.pk).values_list("pgh_label", flat=True)
    )
    assert labels == ["member.remove", "member.add"]


def test_a_token_issued_is_recorded_without_the_key(town_officer):
    token, key = token_issue(user=town_officer, name="手机")

    event = _events("tiers.ApiTokenEvent").get(pgh_obj_id=token.pk)
    assert event.pgh_label == "insert"
    assert key not in str(event.__dict__.values())


def test_the_token_user_of_an_api_request_is_named_in_the_event(county_officer, tree):
    """DRF authenticates inside the view, after the middleware opened the history context."""
    _token, key = token_issue(user=county_officer, name="api")

    class ChangePolicy(APIView):
        def post(self, request):
            GradePolicy.objects.filter(county=None, grade="BLUE").update(visit_interval_days=77)
            return Response({})

    middleware = HistoryMiddleware(lambda request: ChangePolicy.as_view()(request))
    request = RequestFactory().post("/api/v1/x/", HTTP_AUTHORIZATION=f"Token {key}")
    assert middleware(request).status_code == 200

    event = _events("screening.GradePolicyEvent").first()
    assert event.visit_interval_days == 77
    assert event.pgh_context["user"] == county_officer.pk


@pytest.mark.parametrize("operation", ["update", "delete"])
def test_a_history_event_cannot_be_changed_or_removed(county_officer, tree, operation):
    indicator_set(actor=county_officer, county=tree.county, code="POVERTY", min_grade="ORANGE")
    events = _events("screening.IndicatorOverrideEvent")

    with pytest.raises(DatabaseError), transaction.atomic():
        events.update(min_grade="BLUE") if operation == "update" else events.delete()

    assert events.get().min_grade == "ORANGE"


@pytest.mark.parametrize("operation", ["UPDATE cases_caseevent SET note = 'x'", "DELETE FROM cases_caseevent"])
def test_a_case_event_cannot_be_changed_or_removed(town_officer, minor_a1, operation):
    assessment_record(actor=town_officer, minor=minor_a1, kind="RISK_LEVEL", indicator_codes=["ONGOING_VIOLENCE"])
    assert apps.get_model("cases", "CaseEvent").objects.exists()

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(operation)


# --- the grants page -------------------------------------------------------------------------------------


@pytest.fixture
def office_head(tree):
    return make_user(Role.TOWN_OFFICE_HEAD, tree.town_a, username="office_head")


def test_the_town_office_head_reads_who_was_given_a_post_in_the_town_and_not_elsewhere(client, office_head, tree):
    from tiers.services import post_assign

    post_assign(user=make_user(username="director_a"), region=tree.village_a1, role=Role.CHILD_DIRECTOR)
    post_assign(user=make_user(username="director_b"), region=tree.village_b1, role=Role.CHILD_DIRECTOR)
    client.force_login(office_head)

    response = client.get(reverse("grant_history"))

    assert response.status_code == 200
    people = {
        row.event.user.username for row in response.context["rows"] if row.event._meta.model_name == "staffpostevent"
    }
    assert "director_a" in people and "director_b" not in people
    assert "授权记录" in response.content.decode()


def test_the_grants_page_filters_by_user(client, county_officer, tree):
    from tiers.services import post_assign

    post_assign(user=make_user(username="director_a"), region=tree.village_a1, role=Role.CHILD_DIRECTOR)
    post_assign(user=make_user(username="director_b"), region=tree.village_b1, role=Role.CHILD_DIRECTOR)
    client.force_login(county_officer)

    rows = client.get(reverse("grant_history"), {"username": "director_b"}).context["rows"]

    assert {row.event.user.username for row in rows} == {"director_b"}


@pytest.mark.parametrize("persona", ["town_officer", "child_director", "partner_user", "leadership_viewer"])
def test_others_may_not_open_the_grants_page(request, client, persona):
    client.force_login(request.getfixturevalue(persona))

    assert client.get(reverse("grant_history")).status_code == 403


def test_the_policy_page_shows_who_changed_an_indicator_from_what_to_what(client, county_officer, tree):
    client.force_login(county_officer)
    client.post(
        reverse("indicator_update", args=["POVERTY"]),
        {"county": tree.county.pk, "POVERTY-min_grade": "ORANGE", "POVERTY-is_active": "on"},
    )
    client.post(
        reverse("indicator_update", args=["POVERTY"]),
        {"county": tree.county.pk, "POVERTY-min_grade": "RED", "POVERTY-is_active": "on"},
    )

    history = client.get(reverse("policy")).context["history"]

    latest = history[0]
    assert latest.actor == county_officer
    assert latest.changes == [{"field": "min_grade", "label": "对应最低等级", "from": "橙色", "to": "红色"}]
