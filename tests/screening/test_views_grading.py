"""Assessment form, one-to-one helper and emergency response pages, and what the record page shows
about the grade (issue 3 §1, §2): scope (404), rights (403), refusals with nothing saved."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from cases.models import AccessLog
from screening.grading.services import assessment_record, emergency_response_record, grade_set
from screening.models import Assessment, EmergencyResponse, GradeChange, PairedHelper
from tests.factories import guardian_payload, register_minor


def _assess(minor):
    return reverse("assessment_create", args=[minor.pk])


def _record(client, minor) -> str:
    return client.get(reverse("minor_detail", args=[minor.pk])).content.decode()


def _red(minor, actor):
    assessment_record(actor=actor, minor=minor, kind="RISK_LEVEL", indicator_codes=["ONGOING_VIOLENCE"])
    minor.refresh_from_db()
    return minor


# --- the assessment form -------------------------------------------------------------------------


def test_assessment_form_pre_ticks_indicators_from_categories_and_guardian_flags(client, tree, town_officer):
    minor = register_minor(
        actor=town_officer,
        region=tree.village_a1,
        categories=("POVERTY",),
        guardians=[guardian_payload(relation="FATHER", is_imprisoned=True)],
    )
    client.force_login(town_officer)

    form = client.get(_assess(minor)).context["form"]

    assert form.checked_codes() == {"POVERTY", "GUARDIANSHIP_ABSENT"}
    assert form.computed_grade() == "ORANGE"
    assert [group["grade"] for group in form.indicator_groups()] == ["RED", "ORANGE", "YELLOW", "BLUE"]


def test_a_risk_assessment_grades_the_child_and_the_record_says_why(client, town_officer, minor_a1):
    client.force_login(town_officer)

    response = client.post(
        _assess(minor_a1),
        {"kind": "RISK_LEVEL", "assessed_on": timezone.localdate().isoformat(), "indicators": ["LEFT_BEHIND"]},
        follow=True,
    )

    assert response.redirect_chain == [(reverse("minor_detail", args=[minor_a1.pk]), 302)]
    minor_a1.refresh_from_db()
    assert minor_a1.risk_grade == "YELLOW"
    content = response.content.decode()
    assert "已记录评估，风险等级：黄色。" in content
    assert "评估指标：留守，缺乏有效照护" in content


def test_an_override_without_a_reason_is_refused_and_nothing_is_saved(client, town_officer, minor_a1):
    client.force_login(town_officer)

    response = client.post(
        _assess(minor_a1),
        {
            "kind": "RISK_LEVEL",
            "assessed_on": timezone.localdate().isoformat(),
            "indicators": ["LEFT_BEHIND"],
            "final_grade": "RED",
        },
    )

    assert response.status_code == 200
    assert "确定等级与计算等级不同，请写明理由。" in response.content.decode()
    assert not Assessment.objects.exists()
    minor_a1.refresh_from_db()
    assert minor_a1.risk_grade == ""


def test_an_override_with_a_reason_sets_the_chosen_grade(client, town_officer, minor_a1):
    client.force_login(town_officer)

    client.post(
        _assess(minor_a1),
        {
            "kind": "RISK_LEVEL",
            "assessed_on": timezone.localdate().isoformat(),
            "indicators": ["LEFT_BEHIND"],
            "final_grade": "ORANGE",
            "override_reason": "祖母近期住院",
        },
    )

    minor_a1.refresh_from_db()
    assert minor_a1.risk_grade == "ORANGE"
    assert "祖母近期住院" in GradeChange.objects.get(minor=minor_a1).reason


def test_a_needs_assessment_ignores_ticked_indicators_and_leaves_the_grade(client, town_officer, minor_a1):
    client.force_login(town_officer)

    response = client.post(
        _assess(minor_a1),
        {
            "kind": "NEEDS",
            "assessed_on": timezone.localdate().isoformat(),
            "indicators": ["ONGOING_VIOLENCE"],
            "final_grade": "RED",
            "summary": "需要课业辅导",
        },
    )

    assert response.status_code == 302
    assessment = Assessment.objects.get()
    assert (assessment.kind, assessment.final_grade, list(assessment.indicators.all())) == ("NEEDS", "", [])
    minor_a1.refresh_from_db()
    assert minor_a1.risk_grade == ""


def test_child_director_may_read_the_record_but_gets_403_on_the_assessment_form(client, child_director, minor_a1):
    client.force_login(child_director)

    assert reverse("assessment_create", args=[minor_a1.pk]) not in _record(client, minor_a1)
    assert client.get(_assess(minor_a1)).status_code == 403
    assert client.post(_assess(minor_a1), {"kind": "RISK_LEVEL"}).status_code == 403
    assert not Assessment.objects.exists()


def test_supervisor_sees_the_assessment_button(client, supervisor, minor_a1):
    client.force_login(supervisor)

    assert _assess(minor_a1) in _record(client, minor_a1)


def test_outsider_and_neighbouring_director_get_404_on_the_assessment_form(
    client, outsider, neighbour_director, minor_a1
):
    for user in (outsider, neighbour_director):
        client.force_login(user)
        assert client.get(_assess(minor_a1)).status_code == 404
        assert client.post(_assess(minor_a1), {"kind": "RISK_LEVEL"}).status_code == 404
    assert not Assessment.objects.exists()


# --- the record page -----------------------------------------------------------------------------


def test_record_page_shows_the_grade_timeline_assessments_and_why(client, town_officer, minor_a1):
    assessment_record(actor=town_officer, minor=minor_a1, kind="RISK_LEVEL", indicator_codes=["LEFT_BEHIND"])
    grade_set(actor=town_officer, minor=minor_a1, grade="ORANGE", reason="父亲失联")
    client.force_login(town_officer)

    response = client.get(reverse("minor_detail", args=[minor_a1.pk]))

    content = response.content.decode()
    assert 'data-testid="grade-why"' in content
    why = content.split('data-testid="grade-why"', 1)[1].split("</p>", 1)[0]
    assert "父亲失联" in why
    timeline = content.split('data-testid="grade-timeline"', 1)[1].split("</ol>", 1)[0]
    assert timeline.count("grade-timeline-entry") == 2
    assert timeline.index("父亲失联") < timeline.index("评估指标：留守，缺乏有效照护")
    assert "风险等级评估" in content
    assert "橙色等级须指定一对一帮扶人" in content


def test_the_record_page_still_logs_one_read_per_view(client, town_officer, minor_a1):
    assessment_record(actor=town_officer, minor=minor_a1, kind="RISK_LEVEL", indicator_codes=["LEFT_BEHIND"])
    client.force_login(town_officer)

    _record(client, minor_a1)

    assert AccessLog.objects.filter(minor=minor_a1, user=town_officer).count() == 1


# --- the one-to-one helper -----------------------------------------------------------------------


def test_town_officer_assigns_a_helper_shown_on_the_record(client, town_officer, minor_a1):
    client.force_login(town_officer)

    response = client.post(
        reverse("helper_assign", args=[minor_a1.pk]),
        {"name": "王老师", "phone": "13700000000", "organisation": "青山镇中心小学", "since": "2026-01-05"},
        follow=True,
    )

    assert "已指定一对一帮扶人：王老师。" in response.content.decode()
    assert 'data-testid="current-helper"' in response.content.decode()
    assert PairedHelper.objects.get(minor=minor_a1, until__isnull=True).name == "王老师"


def test_a_helper_without_a_name_is_refused(client, town_officer, minor_a1):
    client.force_login(town_officer)

    response = client.post(reverse("helper_assign", args=[minor_a1.pk]), {"name": "", "since": "2026-01-05"})

    assert response.status_code == 200
    assert response.context["form"].errors["name"]
    assert not PairedHelper.objects.exists()


def test_read_only_town_leader_gets_403_assigning_a_helper(client, town_leader, minor_a1):
    client.force_login(town_leader)

    response = client.post(reverse("helper_assign", args=[minor_a1.pk]), {"name": "王老师", "since": "2026-01-05"})

    assert response.status_code == 403
    assert not PairedHelper.objects.exists()


def test_outsider_gets_404_assigning_a_helper(client, outsider, minor_a1):
    client.force_login(outsider)

    response = client.post(reverse("helper_assign", args=[minor_a1.pk]), {"name": "王老师", "since": "2026-01-05"})

    assert response.status_code == 404
    assert not PairedHelper.objects.exists()


# --- the emergency response of a red child -------------------------------------------------------


def _response_data(**overrides):
    data = {
        "acted_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M:%S"),
        "acted_by": "青山镇派出所、镇民政办",
        "measures": ["ADMINISTRATIVE_JUDICIAL", "PSYCHOLOGICAL"],
        "description": "已将儿童转移至亲属家临时照料",
    }
    data.update(overrides)
    return data


def test_a_red_childs_record_asks_for_an_emergency_response(client, town_officer, minor_a1):
    _red(minor_a1, town_officer)
    client.force_login(town_officer)

    content = _record(client, minor_a1)

    assert 'data-testid="response-missing"' in content
    assert reverse("emergency_response_create", args=[minor_a1.pk]) in content


def test_town_officer_records_an_emergency_response_and_marks_it_in_place(client, clock, town_officer, minor_a1):
    clock("2026-03-02", 9)
    _red(minor_a1, town_officer)
    clock("2026-03-02", 11)
    client.force_login(town_officer)

    response = client.post(reverse("emergency_response_create", args=[minor_a1.pk]), _response_data(), follow=True)

    content = response.content.decode()
    assert "已记录应急处置。" in content
    assert "行政和司法手段" in content and "心理干预" in content
    assert 'data-testid="response-missing"' not in content
    recorded = EmergencyResponse.objects.get()
    assert recorded.in_place_at is None

    client.post(reverse("emergency_response_in_place", args=[minor_a1.pk, recorded.pk]))

    recorded.refresh_from_db()
    assert recorded.in_place_at is not None


def test_an_emergency_response_without_measures_is_refused(client, town_officer, minor_a1):
    _red(minor_a1, town_officer)
    client.force_login(town_officer)

    response = client.post(reverse("emergency_response_create", args=[minor_a1.pk]), _response_data(measures=[]))

    assert response.status_code == 200
    assert response.context["form"].errors["measures"]
    assert not EmergencyResponse.objects.exists()


def test_child_director_gets_403_on_emergency_responses(client, town_officer, child_director, minor_a1):
    _red(minor_a1, town_officer)
    recorded = emergency_response_record(
        actor=town_officer,
        minor=minor_a1,
        acted_at=timezone.now(),
        acted_by="镇民政办",
        measures=["LIVING_ASSISTANCE"],
        description="送去生活用品",
    )
    client.force_login(child_director)

    assert client.post(reverse("emergency_response_create", args=[minor_a1.pk]), _response_data()).status_code == 403
    assert client.post(reverse("emergency_response_in_place", args=[minor_a1.pk, recorded.pk])).status_code == 403
    assert EmergencyResponse.objects.count() == 1
    recorded.refresh_from_db()
    assert recorded.in_place_at is None


def test_outsider_gets_404_on_emergency_responses(client, town_officer, outsider, minor_a1):
    _red(minor_a1, town_officer)
    recorded = emergency_response_record(
        actor=town_officer,
        minor=minor_a1,
        acted_at=timezone.now(),
        acted_by="镇民政办",
        measures=["LIVING_ASSISTANCE"],
        description="送去生活用品",
    )
    client.force_login(outsider)

    assert client.post(reverse("emergency_response_create", args=[minor_a1.pk]), _response_data()).status_code == 404
    assert client.post(reverse("emergency_response_in_place", args=[minor_a1.pk, recorded.pk])).status_code == 404
    recorded.refresh_from_db()
    assert recorded.in_place_at is None


def test_a_response_of_another_child_is_not_found_under_this_childs_address(client, tree, town_officer, minor_a1):
    other = _red(register_minor(actor=town_officer, region=tree.village_a2, name="王五"), town_officer)
    recorded = emergency_response_record(
        actor=town_officer,
        minor=other,
        acted_at=timezone.now(),
        acted_by="镇民政办",
        measures=["LEGAL_AID"],
        description="联系法律援助中心",
    )
    _red(minor_a1, town_officer)
    client.force_login(town_officer)

    assert client.post(reverse("emergency_response_in_place", args=[minor_a1.pk, recorded.pk])).status_code == 404


# --- registry list -------------------------------------------------------------------------------


def test_registry_list_filters_by_risk_grade_and_shows_the_grade_badge(client, tree, town_officer, minor_a1):
    red = _red(register_minor(actor=town_officer, region=tree.village_a1, name="赵六"), town_officer)
    client.force_login(town_officer)

    response = client.get(reverse("registry_list"), {"risk_grade": "RED"})

    assert [minor.name for minor in response.context["page"].object_list] == [red.name]
    assert 'class="badge grade-badge grade-RED' in response.content.decode()
