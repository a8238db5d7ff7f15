from datetime import date

from screening.grading.services import assessment_record
from screening.visits.selectors import visit_compliance
from screening.visits.services.plan import visit_plan_refresh
from screening.visits.services.visits import visit_log
from tests.factories import register_minor


def test_compliance_counts_on_time_late_and_missed_visits_per_village_and_grade(
    clock, town_officer, child_director, neighbour_director, tree
):
    clock("2026-03-01")
    on_time = register_minor(actor=town_officer, region=tree.village_a1)
    late = register_minor(actor=town_officer, region=tree.grid_a1)
    missed = register_minor(actor=town_officer, region=tree.village_a2)
    for minor in (on_time, late, missed):
        assessment_record(actor=town_officer, minor=minor, kind="RISK_LEVEL", indicator_codes=["LEFT_BEHIND"])
    visit_plan_refresh()  # all due 2026-03-31
    clock("2026-03-25")
    visit_log(actor=child_director, minor=on_time, kind="HOME")
    clock("2026-04-03")
    visit_log(actor=child_director, minor=late, kind="HOME")
    visit_plan_refresh()
    clock("2026-04-10")

    figures = visit_compliance(user=town_officer, start=date(2026, 3, 1), end=date(2026, 3, 31))
    villages = {row["name"]: (row["due"], row["on_time"]) for row in figures["villages"]}
    assert villages == {"东岭村": (2, 1), "西岭村": (1, 0)}
    assert figures["grades"] == [{"key": "YELLOW", "due": 3, "on_time": 1, "rate": 0.333}]

    neighbours = visit_compliance(user=neighbour_director, start=date(2026, 3, 1), end=date(2026, 3, 31))
    assert [row["name"] for row in neighbours["villages"]] == ["西岭村"]
