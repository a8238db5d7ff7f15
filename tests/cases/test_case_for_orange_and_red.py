"""An orange or red child always has an open case (issue 10 item 12; domain.md §3.1, §5; 001 篇四: one plan
per child): the case cannot close while the child is still orange or red, a risk reassessment lowers the grade
first; and a child graded orange or red after a closed case gets a new case at once."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cases.casework import services as cw
from cases.models import Case, CaseClosure, CaseStage, RiskGrade
from cases.registry.services import minor_close, minor_reopen
from screening.grading.services import assessment_record
from tests.factories import make_user
from tiers.errors import ActionNotAllowed
from tiers.roles import Role


@pytest.fixture
def office_head(tree):
    return make_user(Role.TOWN_OFFICE_HEAD, tree.town_a, username="office_head")


def reassess(actor, minor, *codes: str) -> str:
    """A risk-level assessment with the ticked indicators, as on the assessment form; the grade after it."""
    assessment_record(actor=actor, minor=minor, kind="RISK_LEVEL", indicator_codes=list(codes), summary="入户评估")
    minor.refresh_from_db()
    return minor.risk_grade


def open_case(minor) -> Case:
    return Case.objects.exclude(stage=CaseStage.CLOSED).get(minor=minor)


def closing_refusal(**kwargs) -> str:
    with pytest.raises(ValidationError) as caught:
        cw.case_request_closure(**kwargs)
    [error] = caught.value.error_dict["risk_grade"]
    return error.code


def close(case, *, office, approver) -> None:
    closure = cw.case_request_closure(actor=office, case=case, closing_assessment="监护到位，困境已消除")
    cw.case_decide_closure(actor=approver, closure=closure, approve=True, note="同意结案")


def test_the_case_of_an_orange_child_cannot_be_closed_until_a_reassessment_lowers_the_grade(
    town_officer, office_head, minor_a1
):
    assert reassess(town_officer, minor_a1, "GUARDIAN_INCAPABLE") == RiskGrade.ORANGE
    case = open_case(minor_a1)

    assert closing_refusal(actor=town_officer, case=case, closing_assessment="帮扶措施已落实") == "grade_requires_case"
    assert not CaseClosure.objects.exists()

    assert reassess(town_officer, minor_a1, "LEFT_BEHIND") == RiskGrade.YELLOW
    close(case, office=town_officer, approver=office_head)
    case.refresh_from_db()
    assert case.stage == CaseStage.CLOSED


def test_a_red_child_s_case_cannot_be_closed_either(town_officer, minor_a1):
    reassess(town_officer, minor_a1, "ONGOING_VIOLENCE")
    assert closing_refusal(actor=town_officer, case=open_case(minor_a1), closing_assessment="已稳定") == (
        "grade_requires_case"
    )


def test_approval_is_refused_when_the_child_became_red_after_the_request(town_officer, office_head, minor_a1):
    reassess(town_officer, minor_a1, "GUARDIAN_INCAPABLE")
    case = open_case(minor_a1)
    reassess(town_officer, minor_a1, "LEFT_BEHIND")
    closure = cw.case_request_closure(actor=town_officer, case=case, closing_assessment="监护到位")
    reassess(town_officer, minor_a1, "ONGOING_VIOLENCE")  # new violence before the decision

    with pytest.raises(ValidationError) as caught:
        cw.case_decide_closure(actor=office_head, closure=closure, approve=True)
    assert caught.value.error_dict["risk_grade"][0].code == "grade_requires_case"
    assert open_case(minor_a1) == case
    closure.refresh_from_db()
    assert closure.status == CaseClosure.Status.PENDING


def test_a_child_graded_orange_again_after_a_closed_case_gets_a_new_case_at_once(town_officer, office_head, minor_a1):
    reassess(town_officer, minor_a1, "GUARDIAN_INCAPABLE")
    first = open_case(minor_a1)
    reassess(town_officer, minor_a1, "LEFT_BEHIND")
    close(first, office=town_officer, approver=office_head)

    reassess(town_officer, minor_a1, "GUARDIANSHIP_ABSENT")

    second = open_case(minor_a1)
    assert second != first and second.origin == Case.Origin.GRADE
    assert Case.objects.filter(minor=minor_a1).count() == 2


def test_a_reassessment_that_keeps_an_orange_grade_opens_a_case_when_only_a_closed_one_exists(
    town_officer, office_head, minor_a1
):
    # The record was closed (the family moved away), so its case could close while the child was orange;
    # the family came back and the record was reopened: the child is orange again with no open case.
    reassess(town_officer, minor_a1, "GUARDIAN_INCAPABLE")
    case = open_case(minor_a1)
    minor_close(actor=town_officer, minor=minor_a1, reason="MOVED_AWAY", note="随父母迁往外省")
    close(case, office=town_officer, approver=office_head)
    minor_reopen(actor=town_officer, minor=minor_a1, note="返乡回原籍")

    assert reassess(town_officer, minor_a1, "GUARDIAN_INCAPABLE") == RiskGrade.ORANGE

    assert open_case(minor_a1) != case


def test_a_regrade_opens_no_second_open_case(town_officer, minor_a1):
    reassess(town_officer, minor_a1, "GUARDIAN_INCAPABLE")
    case = open_case(minor_a1)
    reassess(town_officer, minor_a1, "ONGOING_VIOLENCE")
    reassess(town_officer, minor_a1, "ONGOING_VIOLENCE")
    assert open_case(minor_a1) == case


def test_an_outsider_cannot_request_the_closure(town_officer, outsider, minor_a1):
    reassess(town_officer, minor_a1, "LEFT_BEHIND")
    case = cw.case_open(actor=town_officer, minor=minor_a1, note="学校报告")
    with pytest.raises(ActionNotAllowed):
        cw.case_request_closure(actor=outsider, case=case, closing_assessment="监护到位")


def test_the_api_answers_a_field_error_on_the_grade(api_client_for, town_officer, minor_a1):
    reassess(town_officer, minor_a1, "GUARDIAN_INCAPABLE")
    case = open_case(minor_a1)

    response = api_client_for(town_officer).post(
        f"/api/v1/cases/{case.pk}/request-closure/", {"closing_assessment": "已稳定"}, format="json"
    )

    body = response.json()
    assert response.status_code == 400 and body["type"] == "validation_error", body
    assert [(e["attr"], e["code"]) for e in body["errors"]] == [("risk_grade", "grade_requires_case")]
    assert not CaseClosure.objects.exists()


def test_the_case_page_says_a_reassessment_comes_first_and_shows_the_refusal(client, town_officer, minor_a1):
    reassess(town_officer, minor_a1, "GUARDIAN_INCAPABLE")
    case = open_case(minor_a1)
    client.force_login(town_officer)

    page = client.get(reverse("case_detail", args=[case.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert 'data-testid="closure-needs-reassessment"' in page
    assert reverse("assessment_create", args=[minor_a1.pk]) in page

    response = client.post(
        reverse("closure_request", args=[case.pk]),
        {"closure-closing_assessment": "情况稳定"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    content = response.content.decode()
    assert response.status_code == 200 and 'data-testid="closure-refused"' in content
    assert "须始终有在办个案，不能结案" in content
    assert not CaseClosure.objects.exists()


def test_the_notice_is_gone_once_the_grade_is_lowered(client, town_officer, minor_a1):
    reassess(town_officer, minor_a1, "GUARDIAN_INCAPABLE")
    case = open_case(minor_a1)
    reassess(town_officer, minor_a1, "LEFT_BEHIND")
    client.force_login(town_officer)

    page = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert 'data-testid="closure-needs-reassessment"' not in page and 'data-testid="closure-form"' in page
