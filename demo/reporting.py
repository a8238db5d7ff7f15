"""Issue 6's demo data, two builders seed_demo runs after the casework and referral demos (the figures count
their cases and referrals): the demo district's past quarters frozen (so the dashboard's eight-quarter trend
has history), before the governance meetings (demo/governance.py); then 青溪镇's report for the last quarter,
submitted upward and answered by the district with a protection plan.

Idempotent: a quarter already frozen for the district is left as it is, and
the report is made only if 青溪镇 has none for that quarter."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.utils import timezone

from demo import district

DEMO_TOWN = "500199101000"  # 青溪镇
PLAN = (
    "一、请青溪镇对橙色、红色等级儿童落实每周走访，逾期未访的于两周内补访到位；"
    "二、区未成年人救助保护中心派社工驻点青溪镇两个月，协助开展监护评估和心理疏导；"
    "三、区教育局督促青溪中心小学落实失学辍学儿童劝返复学，结果于下季度报送。"
)


def _analysis_report(quarter) -> str:
    from reporting.analysis.services import (
        analysis_report_generate,
        analysis_report_request,
        analysis_report_submit,
        protection_plan_reply,
    )
    from reporting.models import AnalysisReport, AnalysisReportStatus
    from tiers.models import Region

    users = get_user_model().objects
    town = Region.objects.filter(code=DEMO_TOWN).first()
    office, county = users.filter(username="qingxi_office").first(), users.filter(username="county_civil").first()
    if town is None or office is None or county is None:
        return ""
    if AnalysisReport.objects.filter(region=town, quarter=str(quarter)).exists():
        return ""  # made by an earlier run (or requested by someone: theirs to submit)
    report = analysis_report_request(actor=office, region=town, quarter=quarter)
    report = analysis_report_generate(report_id=report.pk) or AnalysisReport.objects.get(pk=report.pk)
    if report.status != AnalysisReportStatus.READY:
        return f"{town.name} {quarter.label}: report not generated ({report.error[:200]})"
    report = analysis_report_submit(actor=office, report=report)
    protection_plan_reply(actor=county, report=report, body=PLAN)
    return f"{town.name} {quarter.label} analysis report generated, submitted and answered with a protection plan."


def seed_snapshots() -> str:
    """The demo district's seven past quarters frozen (the quarter-end job's work, for the demo county only)."""
    from reporting.models import QuarterSnapshot
    from reporting.quarters import Quarter
    from reporting.services.snapshots import snapshot_freeze_quarter
    from tiers.models import Region

    county = Region.objects.filter(code=district.COUNTY_CODE).first()
    if county is None:
        return ""
    frozen = 0
    for quarter in Quarter.containing(timezone.localdate()).recent(8)[:-1]:
        if not QuarterSnapshot.objects.filter(region=county, quarter=str(quarter)).exists():
            frozen += snapshot_freeze_quarter(quarter=quarter, county=county)
    return f"Quarterly figures: {frozen} regional snapshots frozen for the seven past quarters."


def seed_analysis_report() -> str:
    """青溪镇's analysis report for the last quarter, submitted and answered (see the module docstring)."""
    from reporting.quarters import Quarter

    return _analysis_report(Quarter.containing(timezone.localdate()).previous())
