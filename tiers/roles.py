"""Staff roles and what each may do, as data (domain.md §1.2, §1.4).

A user holds posts; a post is (region, role). What a post allows is decided here once, and the
selectors in tiers/selectors.py turn it into queryset filters. Roles follow domain.md §1.4 [PROPOSAL];
the county civil-affairs role is read-only on the registry ("read-only except plan replies").
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    COUNTY = "COUNTY", _("区县")
    TOWN = "TOWN", _("乡镇（街道）")
    VILLAGE = "VILLAGE", _("村（社区）")
    GRID = "GRID", _("网格")


LEVEL_ORDER = [Level.COUNTY, Level.TOWN, Level.VILLAGE, Level.GRID]


class Role(models.TextChoices):
    COUNTY_CIVIL_AFFAIRS = "COUNTY_CIVIL_AFFAIRS", _("区县民政部门")
    TOWN_LEADER = "TOWN_LEADER", _("乡镇（街道）领导")
    TOWN_OFFICE = "TOWN_OFFICE", _("乡镇（街道）民政办")
    TOWN_OFFICE_HEAD = "TOWN_OFFICE_HEAD", _("民政办负责人")
    CHILD_SUPERVISOR = "CHILD_SUPERVISOR", _("儿童督导员")
    CHILD_DIRECTOR = "CHILD_DIRECTOR", _("儿童主任")
    GRID_HEAD = "GRID_HEAD", _("网格长")
    PARTNER_STAFF = "PARTNER_STAFF", _("协作部门工作人员")
    LEADERSHIP_VIEWER = "LEADERSHIP_VIEWER", _("领导查阅（仅统计）")


class Capability(models.TextChoices):
    VIEW_REGIONS = "VIEW_REGIONS", _("查看行政区划")
    VIEW_AGGREGATES = "VIEW_AGGREGATES", _("查看统计数")
    VIEW_RECORDS = "VIEW_RECORDS", _("查看未成年人档案")
    CHANGE_RECORDS = "CHANGE_RECORDS", _("登记和修改档案")
    RECORD_BASELINE = "RECORD_BASELINE", _("填报未成年人底数")
    EXPORT = "EXPORT", _("导出台账")
    GRADE = "GRADE", _("评估定级")
    LOG_VISITS = "LOG_VISITS", _("记录走访")
    MANAGE_POLICY = "MANAGE_POLICY", _("维护评估指标和分级要求")
    MANAGE_CASES = "MANAGE_CASES", _("个案管理")
    APPROVE = "APPROVE", _("审批结案")
    APPROVE_INTERVENTION = "APPROVE_INTERVENTION", _("审批三级以上监护干预")
    SUBMIT_REPORTS = "SUBMIT_REPORTS", _("上报季度分析报告")
    REPLY_PLANS = "REPLY_PLANS", _("回复保护方案")
    MANAGE_GOVERNANCE = "MANAGE_GOVERNANCE", _("记录工作会议")
    # Privacy (issue 10; domain.md §13): who sees sealed records, seals them, reads the access log,
    # opens a record in an emergency, decides correction/deletion requests, accepts moves from another county.
    VIEW_SEALED = "VIEW_SEALED", _("查看封存档案")
    SEAL_RECORDS = "SEAL_RECORDS", _("封存和解除封存")
    READ_ACCESS_LOG = "READ_ACCESS_LOG", _("查阅访问日志")
    BREAK_GLASS = "BREAK_GLASS", _("紧急调阅辖区外档案")
    DECIDE_DATA_REQUESTS = "DECIDE_DATA_REQUESTS", _("决定更正删除申请")
    ACCEPT_MOVES = "ACCEPT_MOVES", _("接收跨区县迁入")
    # Ledger import (issue 12 §1): the town office brings its Excel ledger in; the county may do it for
    # any town although it is otherwise read-only on the registry.
    IMPORT_LEDGER = "IMPORT_LEDGER", _("导入台账")
    # Screening campaigns (摸底排查, issue 12 §3; domain.md §4 row 2): the town office or the county opens and
    # closes a campaign for its area; grid heads, child directors and the town's staff confirm each child.
    RUN_CAMPAIGNS = "RUN_CAMPAIGNS", _("组织摸底排查")
    CONFIRM_CAMPAIGN = "CONFIRM_CAMPAIGN", _("摸底排查逐人确认")


@dataclass(frozen=True)
class RolePolicy:
    levels: tuple[str, ...]
    capabilities: frozenset[str]


_READ = frozenset({Capability.VIEW_REGIONS, Capability.VIEW_AGGREGATES, Capability.VIEW_RECORDS})

_TOWN_OFFICE = _READ | {
    Capability.CHANGE_RECORDS,
    Capability.CONFIRM_CAMPAIGN,
    Capability.RECORD_BASELINE,
    Capability.EXPORT,
    Capability.GRADE,
    Capability.LOG_VISITS,
    Capability.MANAGE_CASES,
}

# The town's quarterly analysis report goes up from the office or the leader (SUBMIT_REPORTS); the
# district civil-affairs bureau answers it with a protection plan (REPLY_PLANS; domain.md §1.3 T-1, T-2).
ROLE_POLICIES: dict[str, RolePolicy] = {
    # Meeting records (MANAGE_GOVERNANCE): the leadership group's office keeps them, at the county and in
    # each town (domain.md §4 mechanism 1, §1.3 T-9); the town leader chairs the group and may record too.
    Role.COUNTY_CIVIL_AFFAIRS: RolePolicy(
        (Level.COUNTY,),
        _READ
        | {
            Capability.EXPORT,
            Capability.MANAGE_POLICY,
            Capability.MANAGE_GOVERNANCE,
            Capability.REPLY_PLANS,
            Capability.VIEW_SEALED,
            Capability.READ_ACCESS_LOG,
            Capability.BREAK_GLASS,
            Capability.ACCEPT_MOVES,
            Capability.IMPORT_LEDGER,
            Capability.RUN_CAMPAIGNS,
        },
    ),
    Role.TOWN_LEADER: RolePolicy(
        (Level.TOWN,),
        _READ
        | {
            Capability.EXPORT,
            Capability.APPROVE,
            Capability.APPROVE_INTERVENTION,
            Capability.MANAGE_GOVERNANCE,
            Capability.SUBMIT_REPORTS,
        },
    ),
    Role.TOWN_OFFICE: RolePolicy(
        (Level.TOWN,),
        _TOWN_OFFICE
        | {
            Capability.MANAGE_GOVERNANCE,
            Capability.SUBMIT_REPORTS,
            Capability.VIEW_SEALED,
            Capability.IMPORT_LEDGER,
            Capability.RUN_CAMPAIGNS,
        },
    ),
    # The head of the town office (民政办主任) may also approve closing a case (issue 4 §2), and answers
    # for the town's personal data: seals records, reads the access log, decides correction/deletion
    # requests (issue 10 §2, §3, §9).
    Role.TOWN_OFFICE_HEAD: RolePolicy(
        (Level.TOWN,),
        _TOWN_OFFICE
        | {
            Capability.APPROVE,
            Capability.MANAGE_GOVERNANCE,
            Capability.SUBMIT_REPORTS,
            Capability.VIEW_SEALED,
            Capability.SEAL_RECORDS,
            Capability.READ_ACCESS_LOG,
            Capability.DECIDE_DATA_REQUESTS,
            Capability.IMPORT_LEDGER,
            Capability.RUN_CAMPAIGNS,
        },
    ),
    Role.CHILD_SUPERVISOR: RolePolicy(
        (Level.TOWN,),
        _READ
        | {
            Capability.CHANGE_RECORDS,
            Capability.GRADE,
            Capability.LOG_VISITS,
            Capability.MANAGE_CASES,
            Capability.CONFIRM_CAMPAIGN,
        },
    ),
    Role.CHILD_DIRECTOR: RolePolicy(
        (Level.VILLAGE,),
        _READ
        | {
            Capability.CHANGE_RECORDS,
            Capability.RECORD_BASELINE,
            Capability.LOG_VISITS,
            Capability.CONFIRM_CAMPAIGN,
        },
    ),
    Role.GRID_HEAD: RolePolicy(
        (Level.GRID, Level.VILLAGE), _READ | {Capability.LOG_VISITS, Capability.CONFIRM_CAMPAIGN}
    ),
    # Partners see referrals addressed to them (granted per object), never the registry itself.
    Role.PARTNER_STAFF: RolePolicy(tuple(LEVEL_ORDER), frozenset()),
    Role.LEADERSHIP_VIEWER: RolePolicy(
        (Level.COUNTY, Level.TOWN), frozenset({Capability.VIEW_REGIONS, Capability.VIEW_AGGREGATES})
    ),
}


def role_allows(role: str, capability: str) -> bool:
    return capability in ROLE_POLICIES[role].capabilities
