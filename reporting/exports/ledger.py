"""The ledger (台账) as an Excel workbook (issue 6 §4): one row per child with the columns a town keeps.

What is exported is the registry list as the user filtered it on screen (cases.registry.forms.minor_filter_form
and cases.registry.selectors.minor_list), narrowed to where the user's posts allow exporting. Rows are read in
chunks with their related rows prefetched per chunk, so the number of queries depends on the number
of chunks, never on the number of children, and memory stays flat for a county-size export.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import OuterRef, Prefetch, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook

from cases.models import (
    GUARDIAN_FLAGS,
    Case,
    CaseStage,
    ClosedReason,
    EducationStatus,
    Gender,
    Guardian,
    GuardianRelation,
    Minor,
    MinorStatus,
    NoIdReason,
    RiskGrade,
)
from cases.registry.identity import age_on
from cases.registry.selectors import MinorFilters, minor_list, minor_scope_q
from reporting.exports.xlsx import TEXT_FORMAT, header_row, row_cells, set_column_widths
from screening.models import PairedHelper, Visit
from tiers.models import Region
from tiers.roles import Capability, Level

CHUNK_SIZE = 2000

# (header, column width). The order is the order of a town's paper ledger.
LEDGER_COLUMNS = (
    (gettext_lazy("序号"), 6),
    (gettext_lazy("乡镇（街道）"), 12),
    (gettext_lazy("村（社区）"), 12),
    (gettext_lazy("网格"), 14),
    (gettext_lazy("姓名"), 10),
    (gettext_lazy("性别"), 6),
    (gettext_lazy("出生日期"), 12),
    (gettext_lazy("年龄"), 6),
    (gettext_lazy("身份证号码"), 22),
    (gettext_lazy("户籍地"), 20),
    (gettext_lazy("就学状况"), 20),
    (gettext_lazy("困境类别"), 24),
    (gettext_lazy("风险等级"), 9),
    (gettext_lazy("定级时间"), 12),
    (gettext_lazy("监护人"), 40),
    (gettext_lazy("一对一帮扶人"), 22),
    (gettext_lazy("最近走访日期"), 13),
    (gettext_lazy("下次应走访日期"), 14),
    (gettext_lazy("个案阶段"), 12),
    (gettext_lazy("状态"), 10),
    (gettext_lazy("登记时间"), 12),
)
# The ID number is text: as a number Excel would round it to 15 digits and show 3.30521E+17.
_FORMATS = {8: TEXT_FORMAT}  # 0-based index of 身份证号码
_UNSAFE_IN_FILENAME = re.compile(r'[\\/:*?"<>|\s]+')


@dataclass(frozen=True)
class LedgerExport:
    content: bytes
    minor_ids: list[int]


def ledger_minor_list(*, user, filters: MinorFilters) -> QuerySet[Minor]:
    """The children of the registry list under `filters`, only where the user may export, grouped
    by place (a town's ledger runs village by village), with everything a row shows."""
    last_visit = Visit.objects.filter(minor=OuterRef("pk")).order_by("-visited_at").values("visited_at")[:1]
    return (
        minor_list(user=user, filters=filters)
        .filter(minor_scope_q(user, Capability.EXPORT))
        .select_related("visit_plan")
        .prefetch_related(
            Prefetch(
                "helpers",
                queryset=PairedHelper.objects.filter(until__isnull=True).order_by("-since", "-id"),
                to_attr="current_helpers",
            ),
            Prefetch("cases", queryset=Case.objects.exclude(stage=CaseStage.CLOSED), to_attr="open_cases"),
        )
        .annotate(last_visited_at=Subquery(last_visit))
        .order_by("region__path", "created_at", "id")
    )


def ledger_count(*, user, filters: MinorFilters) -> int:
    """How many rows the ledger under `filters` has (decides between answering at once and a worker)."""
    return minor_list(user=user, filters=filters).filter(minor_scope_q(user, Capability.EXPORT)).count()


def ledger_build(*, user, filters: MinorFilters, today: date | None = None) -> LedgerExport:
    """The ledger workbook for what the user sees under `filters`, and which children are in it
    (the caller writes the access log for exactly those)."""
    buffer = io.BytesIO()
    minor_ids = ledger_write(user=user, filters=filters, target=buffer, today=today)
    return LedgerExport(content=buffer.getvalue(), minor_ids=minor_ids)


def ledger_write(*, user, filters: MinorFilters, target, today: date | None = None) -> list[int]:
    """Write the ledger workbook to `target` (a path or a binary file) and return the ids of the
    children in it, in row order. A worker writes a county's ledger to a temporary file this way."""
    today = today or timezone.localdate()
    labels = _Labels.load()
    workbook = Workbook(write_only=True)
    workbook.properties.title = _("未成年人台账")
    sheet = workbook.create_sheet(title=_("台账"))
    set_column_widths(sheet, [width for _header, width in LEDGER_COLUMNS])
    sheet.freeze_panes = "A2"
    sheet.append(header_row(sheet, [header for header, _width in LEDGER_COLUMNS]))
    minor_ids: list[int] = []
    for number, minor in enumerate(ledger_minor_list(user=user, filters=filters).iterator(CHUNK_SIZE), start=1):
        values = ledger_row(minor, number=number, today=today, labels=labels)
        sheet.append(row_cells(sheet, values, formats=_FORMATS))
        minor_ids.append(minor.pk)
    workbook.save(target)
    return minor_ids


def ledger_filters_detail(filters: MinorFilters) -> dict[str, str]:
    """The filters applied, as the access log keeps them (the place by its division code)."""
    applied = {
        "q": filters.q,
        "region": filters.region.code if filters.region is not None else "",
        "category": filters.category,
        "status": filters.status,
        "gender": filters.gender,
        "risk_grade": filters.risk_grade,
    }
    return {key: value for key, value in applied.items() if value}


@dataclass(frozen=True)
class _Labels:
    """Choice labels translated once per export: get_FOO_display() on every row of a county's ledger
    costs more than writing the row."""

    choices: dict[str, dict[str, str]] = field(default_factory=dict)
    flags: tuple[tuple[str, str], ...] = ()

    @classmethod
    def load(cls) -> _Labels:
        enums = {
            "gender": Gender,
            "risk_grade": RiskGrade,
            "education_status": EducationStatus,
            "status": MinorStatus,
            "closed_reason": ClosedReason,
            "no_id_reason": NoIdReason,
            "relation": GuardianRelation,
            "stage": CaseStage,
        }
        return cls(
            choices={name: {value: str(label) for value, label in enum.choices} for name, enum in enums.items()},
            flags=tuple((flag, str(Guardian._meta.get_field(flag).verbose_name)) for flag in GUARDIAN_FLAGS),
        )

    def of(self, name: str, value: str) -> str:
        return self.choices[name].get(value, value) if value else ""


def ledger_row(minor: Minor, *, number: int, today: date, labels: _Labels) -> list:
    places = _places(minor.region)
    plan = _visit_plan(minor)
    return [
        number,
        places.get(Level.TOWN, ""),
        places.get(Level.VILLAGE, ""),
        places.get(Level.GRID, ""),
        minor.name,
        labels.of("gender", minor.gender),
        minor.birth_date,
        age_on(minor.birth_date, today),
        _identity(minor, labels),
        minor.hukou_place,
        _schooling(minor, labels),
        "、".join(link.category.label for link in minor.category_links.all()),
        labels.of("risk_grade", minor.risk_grade) or _("未定级"),
        _local_date(minor.risk_grade_since),
        "；".join(_guardian(guardian, labels) for guardian in minor.guardians.all()),
        "；".join(_helper(helper) for helper in minor.current_helpers),
        _local_date(minor.last_visited_at),
        plan.next_due_on if plan is not None else None,
        labels.of("stage", minor.open_cases[0].stage) if minor.open_cases else "",
        _status(minor, labels),
        _local_date(minor.created_at),
    ]


def ledger_filename(*, region: Region | str | None, today: date) -> str:
    """台账_东岭村_20260715.xlsx; `region` is the place or its name (an export keeps the name)."""
    name = region.name if isinstance(region, Region) else region
    place = _UNSAFE_IN_FILENAME.sub("_", name) if name else _("全部")
    return f"{_('台账')}_{place}_{today:%Y%m%d}.xlsx"


def _places(region: Region) -> dict[str, str]:
    """Town, village and grid names from the region and the two parents minor_list selects."""
    names: dict[str, str] = {}
    unit: Region | None = region
    for _depth in range(3):
        if unit is None:
            break
        names.setdefault(unit.level, unit.name)
        if not Region.parent.is_cached(unit):
            break
        unit = unit.parent
    return names


def _visit_plan(minor: Minor):
    try:
        return minor.visit_plan
    except ObjectDoesNotExist:  # closed records have no plan
        return None


def _identity(minor: Minor, labels: _Labels) -> str:
    if minor.id_number:
        return minor.id_number
    return _("无身份证号：%(reason)s") % {"reason": labels.of("no_id_reason", minor.no_id_reason)}


def _schooling(minor: Minor, labels: _Labels) -> str:
    status = labels.of("education_status", minor.education_status)
    if minor.school_name:
        return f"{status}（{minor.school_name}）" if status else minor.school_name
    return status


def _guardian(guardian: Guardian, labels: _Labels) -> str:
    parts = [labels.of("relation", guardian.relation), guardian.name, guardian.phone]
    situation = [label for flag, label in labels.flags if getattr(guardian, flag)]
    if situation:
        parts.append(f"[{'、'.join(situation)}]")
    return " ".join(part for part in parts if part)


def _helper(helper: PairedHelper) -> str:
    parts = [helper.name, helper.phone]
    text = " ".join(part for part in parts if part)
    return f"{text}（{helper.organisation}）" if helper.organisation else text


def _status(minor: Minor, labels: _Labels) -> str:
    status = labels.of("status", minor.status)
    if minor.status == MinorStatus.CLOSED and minor.closed_reason:
        return f"{status}（{labels.of('closed_reason', minor.closed_reason)}）"
    return status


def _local_date(moment) -> date | None:
    return timezone.localdate(moment) if moment is not None else None
