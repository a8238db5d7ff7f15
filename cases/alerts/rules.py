"""Every alert rule in one list: its code, how severe it is and which posts are told (issue 11 §1).

An alert is raised by the topic that watches the situation (visits, grading, casework, referrals, intake,
moves, governance) through `cases.alerts.services.alerts_sync` or one alert row; the rule's code is stored
on the row (Alert.rule), so the codes below are data and never change. The severity and the recipients
(roles, resolved against the posts at the child's place or above it, domain.md §1.3 T-3/T-4: what a
level cannot handle goes up) are read from `RULES` by `alerts_sync`; callers name only the rule.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from cases.alerts.models import Alert
from tiers.roles import Role


class AlertRule(models.TextChoices):
    # Visits (domain.md §3.1, §10.1): a visit overdue by more than one interval, then by more than two.
    VISIT_OVERDUE = "VISIT_OVERDUE", _("走访逾期")
    VISIT_OVERDUE_2X = "VISIT_OVERDUE_2X", _("走访逾期超过两个周期")
    # A visit found a new risk; resolved once a risk-level assessment follows the visit (domain.md §3.1).
    NEW_RISK_FOUND = "NEW_RISK_FOUND", _("走访发现新风险")
    # A red child without an emergency response since being graded red, then past the deadline (domain.md §10.1).
    RED_RESPONSE_MISSING = "RED_RESPONSE_MISSING", _("红色等级未记录应急处置")
    RED_RESPONSE_LATE = "RED_RESPONSE_LATE", _("红色等级应急处置超时")
    # A grade that requires a one-to-one helper without one (domain.md §10.1).
    HELPER_MISSING = "HELPER_MISSING", _("未指定一对一帮扶人")
    # At 16 a minor may get vocational training and employment support (domain.md §10.3).
    AGE_16 = "AGE_16", _("年满16周岁")
    # Casework (issue 4; domain.md §4): a measure past its deadline; a red case without a plan.
    MEASURE_OVERDUE = "MEASURE_OVERDUE", _("帮扶措施逾期")
    RED_PLAN_MISSING = "RED_PLAN_MISSING", _("红色个案未制定计划")
    # A move left a measure without a responsible person in the new place (issue 10 §5).
    MOVE_MEASURE_UNASSIGNED = "MOVE_MEASURE_UNASSIGNED", _("迁移后措施无责任人")
    # Referrals (issue 5 §3): not accepted in time; feedback late.
    REFERRAL_NOT_ACCEPTED = "REFERRAL_NOT_ACCEPTED", _("转介未按时接收")
    REFERRAL_FEEDBACK_LATE = "REFERRAL_FEEDBACK_LATE", _("转介反馈逾期")
    # A report (强制报告) not triaged in time (domain.md §5).
    REPORT_UNTRIAGED = "REPORT_UNTRIAGED", _("报告未及时研判")
    # A sentinel point that has not reported for the configured period (issue 12 §4; domain.md §13).
    SENTINEL_SILENT = "SENTINEL_SILENT", _("监测哨点长期未报告")
    # Follow-up items of governance meetings still open after their deadline (督办), per level of the meeting.
    MEETING_ITEM_OVERDUE_TOWN = "MEETING_ITEM_OVERDUE_TOWN", _("乡镇会议督办事项逾期")
    MEETING_ITEM_OVERDUE_COUNTY = "MEETING_ITEM_OVERDUE_COUNTY", _("区县会议督办事项逾期")
    # Screening campaigns (issue 12 §3; domain.md §4 row 2), raised by screening.campaigns.services.
    # campaign_alerts_sync for a village with children still to confirm: a reminder in the last days before
    # the deadline (screening.campaigns.rules.REMIND_DAYS_BEFORE), then an alert once it has passed.
    CAMPAIGN_DEADLINE_NEAR = "CAMPAIGN_DEADLINE_NEAR", _("摸底排查即将截止")
    CAMPAIGN_VILLAGE_BEHIND = "CAMPAIGN_VILLAGE_BEHIND", _("摸底排查逾期未完成")


@dataclass(frozen=True)
class RulePolicy:
    severity: str
    roles: tuple[str, ...]


RULES: dict[str, RulePolicy] = {
    AlertRule.VISIT_OVERDUE: RulePolicy(Alert.Severity.WARNING, (Role.CHILD_SUPERVISOR, Role.TOWN_OFFICE)),
    AlertRule.VISIT_OVERDUE_2X: RulePolicy(Alert.Severity.URGENT, (Role.TOWN_LEADER,)),
    AlertRule.NEW_RISK_FOUND: RulePolicy(Alert.Severity.WARNING, (Role.TOWN_OFFICE, Role.CHILD_SUPERVISOR)),
    AlertRule.RED_RESPONSE_MISSING: RulePolicy(Alert.Severity.URGENT, (Role.TOWN_OFFICE, Role.CHILD_SUPERVISOR)),
    AlertRule.RED_RESPONSE_LATE: RulePolicy(Alert.Severity.URGENT, (Role.TOWN_LEADER, Role.COUNTY_CIVIL_AFFAIRS)),
    AlertRule.HELPER_MISSING: RulePolicy(Alert.Severity.WARNING, (Role.TOWN_OFFICE,)),
    AlertRule.AGE_16: RulePolicy(Alert.Severity.NOTICE, (Role.TOWN_OFFICE,)),
    # Besides the roles: the measure's responsible person and its working group's members.
    AlertRule.MEASURE_OVERDUE: RulePolicy(Alert.Severity.WARNING, (Role.TOWN_OFFICE, Role.CHILD_SUPERVISOR)),
    AlertRule.RED_PLAN_MISSING: RulePolicy(Alert.Severity.URGENT, (Role.TOWN_LEADER, Role.TOWN_OFFICE)),
    AlertRule.MOVE_MEASURE_UNASSIGNED: RulePolicy(Alert.Severity.WARNING, (Role.TOWN_OFFICE, Role.TOWN_OFFICE_HEAD)),
    AlertRule.REFERRAL_NOT_ACCEPTED: RulePolicy(Alert.Severity.WARNING, (Role.TOWN_OFFICE,)),
    AlertRule.REFERRAL_FEEDBACK_LATE: RulePolicy(Alert.Severity.WARNING, (Role.TOWN_OFFICE,)),
    AlertRule.REPORT_UNTRIAGED: RulePolicy(Alert.Severity.URGENT, (Role.TOWN_OFFICE, Role.TOWN_LEADER)),
    # Besides the roles: the point's monitoring administrator.
    AlertRule.SENTINEL_SILENT: RulePolicy(Alert.Severity.WARNING, (Role.TOWN_OFFICE, Role.TOWN_OFFICE_HEAD)),
    AlertRule.MEETING_ITEM_OVERDUE_TOWN: RulePolicy(Alert.Severity.NOTICE, (Role.TOWN_OFFICE_HEAD, Role.TOWN_LEADER)),
    AlertRule.MEETING_ITEM_OVERDUE_COUNTY: RulePolicy(Alert.Severity.NOTICE, (Role.COUNTY_CIVIL_AFFAIRS,)),
    AlertRule.CAMPAIGN_DEADLINE_NEAR: RulePolicy(Alert.Severity.NOTICE, (Role.CHILD_DIRECTOR, Role.GRID_HEAD)),
    AlertRule.CAMPAIGN_VILLAGE_BEHIND: RulePolicy(
        Alert.Severity.WARNING, (Role.CHILD_DIRECTOR, Role.GRID_HEAD, Role.TOWN_OFFICE)
    ),
}


def rule_severity(rule: str) -> str:
    return RULES[rule].severity


def rule_roles(rule: str) -> list[str]:
    """The roles told of a rule's alerts, as stored on the alert (Alert.recipient_roles)."""
    return list(RULES[rule].roles)
