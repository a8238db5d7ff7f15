"""Issue 6's demo data: past quarters frozen (so the dashboard's eight-quarter trend has history),
governance meetings, and 青溪镇's report for the last quarter, submitted upward and answered by the
district with a protection plan."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.utils import timezone

# After the casework and referral demos: the figures count their cases and referrals.
AFTER_CASEWORK = True

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
    existing = AnalysisReport.objects.filter(region=town, quarter=str(quarter)).first()
    if existing is not None and existing.status == AnalysisReportStatus.REPLIED:
        return ""
    report = analysis_report_request(actor=office, region=town, quarter=quarter)
    report = analysis_report_generate(report_id=report.pk) or AnalysisReport.objects.get(pk=report.pk)
    if report.status != AnalysisReportStatus.READY:
        return f"{town.name} {quarter.label}: report not generated ({report.error[:200]})"
    report = analysis_report_submit(actor=office, report=report)
    protection_plan_reply(actor=county, report=report, body=PLAN)
    return f"{town.name} {quarter.label} analysis report generated, submitted and answered with a protection plan."


def seed_demo() -> str:
    from reporting.governance_demo import seed_governance_demo
    from reporting.quarters import Quarter
    from reporting.services.snapshots import snapshot_freeze_quarter

    frozen = 0
    current = Quarter.containing(timezone.localdate())
    for quarter in current.recent(8)[:-1]:
        frozen += snapshot_freeze_quarter(quarter=quarter)
    lines = [f"Quarterly figures: {frozen} regional snapshots frozen for the seven past quarters."]
    lines.append(seed_governance_demo())
    from governance.services import meeting_items_escalate

    meeting_items_escalate()  # the overdue follow-up item is on the alert list at once, not after 07:30
    lines.append(_analysis_report(current.previous()))
    return "\n".join(line for line in lines if line)
