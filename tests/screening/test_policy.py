from datetime import date

import pytest
from django.core.exceptions import ValidationError

from screening.grading.services import assessment_record
from screening.models import GradePolicy, Indicator
from screening.policy.services import grade_policy_set, indicator_set
from tiers.errors import ActionNotAllowed


def test_the_district_sets_its_own_interval_for_a_grade(county_officer, tree):
    policy = grade_policy_set(
        actor=county_officer, county=tree.county, grade="YELLOW", visit_interval_days=21, requires_helper=False
    )
    assert policy.county == tree.county
    assert GradePolicy.objects.get(county=None, grade="YELLOW").visit_interval_days == 30


@pytest.mark.parametrize("persona", ["town_officer", "child_director", "leadership_viewer"])
def test_only_the_district_administrator_edits_policies(request, persona, tree):
    with pytest.raises(ActionNotAllowed):
        grade_policy_set(
            actor=request.getfixturevalue(persona),
            county=tree.county,
            grade="YELLOW",
            visit_interval_days=21,
            requires_helper=False,
        )


def test_an_interval_of_zero_days_is_rejected(county_officer, tree):
    with pytest.raises(ValidationError) as excinfo:
        grade_policy_set(
            actor=county_officer, county=tree.county, grade="BLUE", visit_interval_days=0, requires_helper=False
        )
    assert "visit_interval_days" in excinfo.value.message_dict


def test_an_indicator_regraded_by_the_district_changes_future_assessments(county_officer, town_officer, tree, minor_a1):
    indicator_set(actor=county_officer, county=tree.county, code="POVERTY", min_grade="ORANGE")
    # Copy-on-write: the county's own setting; the deployment default stays as it was.
    assert Indicator.objects.get(code="POVERTY").min_grade == "YELLOW"
    assessment = assessment_record(
        actor=town_officer, minor=minor_a1, kind="RISK_LEVEL", indicator_codes=["POVERTY"], assessed_on=date.today()
    )
    assert assessment.computed_grade == "ORANGE"
