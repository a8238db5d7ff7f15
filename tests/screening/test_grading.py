import pytest
from django.core.exceptions import ValidationError

from cases.models import RiskGrade
from screening.grading.services import assessment_record, grade_set, indicator_prefill
from screening.models import Assessment, GradeChange, Indicator
from tests.factories import guardian_payload, register_minor
from tiers.errors import ActionNotAllowed

DEFAULT_GRADES = {
    "ONGOING_VIOLENCE": "RED",
    "TRAFFICKING_SIGNS": "RED",
    "NO_CAREGIVER": "RED",
    "SEVERE_INJURY": "RED",
    "GUARDIANSHIP_ABSENT": "ORANGE",
    "GUARDIAN_INCAPABLE": "ORANGE",
    "IMPROPER_GUARDIANSHIP": "ORANGE",
    "ILLNESS_WITHOUT_CARE": "ORANGE",
    "VAGRANCY": "ORANGE",
    "LEFT_BEHIND": "YELLOW",
    "POVERTY": "YELLOW",
    "DIVORCE_SINGLE_PARENT": "YELLOW",
    "DROPOUT_RISK": "YELLOW",
    "BEHAVIOUR": "YELLOW",
    "STABLE_UNDER_WATCH": "BLUE",
}


def test_the_default_checklist_is_seeded_as_specified(db):
    assert dict(Indicator.objects.values_list("code", "min_grade")) == DEFAULT_GRADES


@pytest.mark.parametrize(
    ("codes", "grade"),
    [
        *[((code,), grade) for code, grade in DEFAULT_GRADES.items()],
        ((), "BLUE"),
        (("LEFT_BEHIND", "POVERTY"), "YELLOW"),
        (("LEFT_BEHIND", "GUARDIAN_INCAPABLE"), "ORANGE"),
        (("POVERTY", "VAGRANCY", "SEVERE_INJURY"), "RED"),
        (("STABLE_UNDER_WATCH", "DROPOUT_RISK"), "YELLOW"),
    ],
)
def test_the_grade_is_the_highest_implied_by_the_triggered_indicators(town_officer, minor_a1, codes, grade):
    assessment = assessment_record(actor=town_officer, minor=minor_a1, kind="RISK_LEVEL", indicator_codes=codes)
    assert assessment.computed_grade == grade
    minor_a1.refresh_from_db()
    assert minor_a1.risk_grade == grade


def test_an_override_without_a_reason_is_rejected_and_nothing_changes(town_officer, minor_a1):
    with pytest.raises(ValidationError) as excinfo:
        assessment_record(
            actor=town_officer, minor=minor_a1, kind="RISK_LEVEL", indicator_codes=["LEFT_BEHIND"], final_grade="ORANGE"
        )
    assert "override_reason" in excinfo.value.message_dict
    assert not Assessment.objects.exists()
    minor_a1.refresh_from_db()
    assert minor_a1.risk_grade == ""


def test_an_override_with_a_reason_is_kept_and_explained(town_officer, minor_a1):
    assessment_record(
        actor=town_officer,
        minor=minor_a1,
        kind="RISK_LEVEL",
        indicator_codes=["LEFT_BEHIND"],
        final_grade="ORANGE",
        override_reason="祖母近期住院，无人照料",
    )
    change = GradeChange.objects.get(minor=minor_a1)
    assert (change.from_grade, change.to_grade) == ("", "ORANGE")
    assert "祖母近期住院" in change.reason and "黄色" in change.reason
    assert change.actor == town_officer and change.assessment is not None


def test_every_grade_change_is_an_event_and_an_unchanged_grade_is_not(town_officer, minor_a1):
    assessment_record(actor=town_officer, minor=minor_a1, kind="RISK_LEVEL", indicator_codes=["LEFT_BEHIND"])
    assessment_record(actor=town_officer, minor=minor_a1, kind="RISK_LEVEL", indicator_codes=["POVERTY"])
    grade_set(actor=town_officer, minor=minor_a1, grade="RED", reason="发现遭受家暴")
    timeline = list(
        GradeChange.objects.filter(minor=minor_a1).order_by("at", "id").values_list("from_grade", "to_grade")
    )
    assert timeline == [("", "YELLOW"), ("YELLOW", "RED")]


def test_the_reason_for_the_current_grade_names_the_indicators(town_officer, minor_a1):
    assessment_record(
        actor=town_officer, minor=minor_a1, kind="RISK_LEVEL", indicator_codes=["GUARDIAN_INCAPABLE", "POVERTY"]
    )
    reason = GradeChange.objects.get(minor=minor_a1).reason
    assert "监护人无力履行监护职责" in reason and "家庭贫困" in reason


def test_categories_and_guardian_flags_prefill_the_checklist(town_officer, tree):
    minor = register_minor(
        actor=town_officer,
        region=tree.village_a1,
        categories=("POVERTY",),
        guardians=[guardian_payload(relation="FATHER", name="赵强", is_imprisoned=True)],
    )
    assert indicator_prefill(minor=minor) == {"POVERTY", "GUARDIANSHIP_ABSENT"}


def test_a_child_director_may_not_grade(child_director, minor_a1):
    with pytest.raises(ActionNotAllowed):
        assessment_record(actor=child_director, minor=minor_a1, kind="RISK_LEVEL", indicator_codes=["POVERTY"])


def test_other_assessment_types_do_not_grade(child_director, minor_a1):
    assessment_record(actor=child_director, minor=minor_a1, kind="NEEDS", summary="需要课后辅导")
    minor_a1.refresh_from_db()
    assert minor_a1.risk_grade == ""
    with pytest.raises(ValidationError):
        assessment_record(actor=child_director, minor=minor_a1, kind="NEEDS", indicator_codes=["POVERTY"])


def test_grade_rank_orders_blue_to_red():
    assert [RiskGrade.rank(g) for g in ["", "BLUE", "YELLOW", "ORANGE", "RED"]] == [0, 1, 2, 3, 4]
