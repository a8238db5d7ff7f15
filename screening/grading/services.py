"""Assessments and risk grades (domain.md §3.1, §3.2; 001 篇四 L90).

The grade of a risk-level assessment is the highest minimum grade among its triggered indicators
(indicators and their grades are data, seeded with the [PROPOSAL] defaults of §3.1). The town office
may set another grade with a written reason. Every change of grade is a GradeChange row (from → to,
by whom, why, which assessment), and the registry row carries the current grade.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.casework.services import case_open_for_grade, cases_open_for_grades
from cases.hooks import minor_changed, minors_changed_later
from cases.models import GUARDIAN_FLAGS, Minor, MinorStatus, RiskGrade
from cases.registry.services import minor_grade_record
from screening.grading.selectors import indicators_in_force
from screening.models import (
    Assessment,
    AssessmentKind,
    EmergencyResponse,
    GradeChange,
    Indicator,
    PairedHelper,
    ResponseMeasure,
)
from screening.visits.services.followup import after_commit_update
from tiers.errors import ActionNotAllowed
from tiers.roles import Capability
from tiers.selectors import user_reach


def _require(actor, minor: Minor, capability: str, message: str | None = None) -> None:
    if not user_reach(actor, capability).covers(minor.region.path):
        raise ActionNotAllowed(*([message] if message else []))


def grade_from_indicators(indicators: Iterable[Indicator]) -> str:
    """The highest minimum grade among the triggered indicators; BLUE when none is triggered."""
    grades = [indicator.min_grade for indicator in indicators]
    return max(grades, key=RiskGrade.rank) if grades else RiskGrade.BLUE


def indicator_prefill(*, minor: Minor) -> set[str]:
    """Indicator codes to tick in advance, from the minor's categories and guardians' situation flags."""
    categories = set(minor.category_links.values_list("category__code", flat=True))
    flags = {flag for guardian in minor.guardians.all() for flag in GUARDIAN_FLAGS if getattr(guardian, flag)}
    return {
        indicator.code
        for indicator in indicators_in_force(region=minor.region)
        if categories & set(indicator.prefill_categories) or flags & set(indicator.prefill_guardian_flags)
    }


def _after_grade_change(minor_id: int) -> None:
    after_commit_update(minor_id=minor_id, escalate=True)


def _change_grade(
    *, actor, minor: Minor, to_grade: str, reason: str, assessment: Assessment | None
) -> GradeChange | None:
    if to_grade == minor.risk_grade:
        # Still orange or red: the child has an open case, a new one if the last was closed (issue 10 item 12).
        case_open_for_grade(actor=actor, minor=minor, grade=to_grade)
        return None
    now = timezone.now()
    change = GradeChange.objects.create(
        minor=minor,
        from_grade=minor.risk_grade,
        to_grade=to_grade,
        at=now,
        actor=actor,
        reason=reason,
        assessment=assessment,
    )
    minor_grade_record(minor=minor, grade=to_grade, at=now)
    # Orange and red children get a case (issue 4 §2): never a second open one on a regrade.
    case_open_for_grade(actor=actor, minor=minor, grade=to_grade)
    _after_grade_change(minor.pk)
    return change


def assessment_record(
    *,
    actor,
    minor: Minor,
    kind: str,
    indicator_codes: Iterable[str] = (),
    summary: str = "",
    final_grade: str | None = None,
    override_reason: str = "",
    assessed_on: date | None = None,
) -> Assessment:
    """Record an assessment. A risk-level assessment computes the grade from its indicators; a final
    grade that differs needs a written reason; a new grade is a GradeChange (domain.md §3.1, §3.2)."""
    if kind not in AssessmentKind.values:
        raise ValidationError({"kind": [ValidationError(_("请选择评估类型。"), code="invalid_choice")]})
    capability = Capability.GRADE if kind == AssessmentKind.RISK_LEVEL else Capability.CHANGE_RECORDS
    assessed_on = assessed_on or timezone.localdate()
    with transaction.atomic():
        minor = Minor.objects.select_for_update().select_related("region").get(pk=minor.pk)
        _require(actor, minor, capability, _("您的岗位无权进行该评估。"))
        if minor.status != MinorStatus.ACTIVE:
            raise ValidationError(_("已销档的未成年人不能再评估。"), code="closed")
        if assessed_on > timezone.localdate():
            raise ValidationError({"assessed_on": [ValidationError(_("评估日期不能晚于今天。"), code="future")]})
        codes = list(dict.fromkeys(indicator_codes))
        # The checklist in force in the child's county; the assessment refers to the default rows.
        indicators = [i for i in indicators_in_force(region=minor.region) if i.code in codes]
        unknown = set(codes) - {i.code for i in indicators}
        if unknown:
            raise ValidationError(
                {
                    "indicators": [
                        ValidationError(
                            _("未知的指标：%(c)s。") % {"c": "、".join(sorted(unknown))}, code="invalid_choice"
                        )
                    ]
                }
            )
        computed = final = ""
        override_reason = override_reason.strip()
        if kind == AssessmentKind.RISK_LEVEL:
            computed = grade_from_indicators(indicators)
            final = final_grade or computed
            if final not in RiskGrade.values:
                raise ValidationError({"final_grade": [ValidationError(_("请选择风险等级。"), code="invalid_choice")]})
            if final != computed and not override_reason:
                raise ValidationError(
                    {"override_reason": [ValidationError(_("确定等级与计算等级不同，请写明理由。"), code="required")]}
                )
            if final == computed:
                override_reason = ""
        elif indicators or final_grade:
            raise ValidationError(_("只有风险等级评估才勾选指标和确定等级。"), code="not_risk_level")
        assessment = Assessment.objects.create(
            minor=minor,
            kind=kind,
            assessed_on=assessed_on,
            assessor=actor,
            summary=summary.strip(),
            computed_grade=computed,
            final_grade=final,
            override_reason=override_reason,
        )
        assessment.indicators.set(indicators)
        minor_changed(minor.pk)
        if kind == AssessmentKind.RISK_LEVEL:
            if override_reason:
                reason = _("人工调整（计算为%(c)s）：%(r)s") % {"c": RiskGrade(computed).label, "r": override_reason}
            elif indicators:
                reason = _("评估指标：%(names)s") % {
                    "names": "、".join(i.name for i in sorted(indicators, key=lambda i: i.sort_order))
                }
            else:
                reason = _("评估未触发风险指标")
            _change_grade(actor=actor, minor=minor, to_grade=final, reason=reason, assessment=assessment)
        return assessment


def imported_grades_record(*, actor, grades: list[tuple[Minor, str]], source: str) -> list[Assessment]:
    """Grades taken from a town's Excel ledger (issue 12 §1): each becomes an assessment of kind IMPORTED
    with the importer as its author and, where it differs from the current grade, a GradeChange, as any
    new grade is (domain.md §3.1). Orange and red open a case as a grade set by hand does. Written in
    bulk, inside the import's transaction; the actor needs IMPORT_LEDGER (or GRADE) over each child."""
    from cases.registry.services import _is_system, minors_grade_record

    if not grades:
        return []
    import_reach = user_reach(actor, Capability.IMPORT_LEDGER)
    grade_reach = user_reach(actor, Capability.GRADE)
    for minor, grade in grades:
        if grade not in RiskGrade.values:
            raise ValidationError({"final_grade": [ValidationError(_("请选择风险等级。"), code="invalid_choice")]})
        if not (_is_system(actor) or import_reach.covers(minor.region.path) or grade_reach.covers(minor.region.path)):
            raise ActionNotAllowed
    now = timezone.now()
    today = timezone.localdate()
    assessments = [
        Assessment(
            minor=minor,
            kind=AssessmentKind.IMPORTED,
            assessed_on=today,
            assessor=actor,
            summary=source,
            computed_grade=grade,
            final_grade=grade,
            created_at=now,
        )
        for minor, grade in grades
    ]
    Assessment.objects.bulk_create(assessments, batch_size=2000)
    reason = _("台账导入（%(source)s）") % {"source": source}
    changes = []
    changed: set[int] = set()
    by_grade: dict[str, list[int]] = {}
    for (minor, grade), assessment in zip(grades, assessments, strict=True):
        if grade == minor.risk_grade:
            continue
        changes.append(
            GradeChange(
                minor=minor,
                from_grade=minor.risk_grade,
                to_grade=grade,
                at=now,
                actor=actor,
                reason=reason,
                assessment=assessment,
            )
        )
        by_grade.setdefault(grade, []).append(minor.pk)
        changed.add(minor.pk)
    GradeChange.objects.bulk_create(changes, batch_size=2000)
    minors_grade_record(grades=by_grade, at=now)
    for minor, grade in grades:
        if minor.pk in changed:
            minor.risk_grade, minor.risk_grade_since = grade, now
            after_commit_update(minor_id=minor.pk, escalate=True)
    cases_open_for_grades(actor=actor, graded=[(minor, grade) for minor, grade in grades if minor.pk in changed])
    minors_changed_later([minor.pk for minor, _grade in grades])
    return assessments


@transaction.atomic
def grade_set(*, actor, minor: Minor, grade: str, reason: str) -> GradeChange:
    """Change a grade without a new assessment (e.g. on new information); the reason is required."""
    minor = Minor.objects.select_for_update().select_related("region").get(pk=minor.pk)
    _require(actor, minor, Capability.GRADE)
    if grade not in RiskGrade.values:
        raise ValidationError({"grade": [ValidationError(_("请选择风险等级。"), code="invalid_choice")]})
    if not reason.strip():
        raise ValidationError({"reason": [ValidationError(_("请写明调整等级的理由。"), code="required")]})
    if grade == minor.risk_grade:
        raise ValidationError({"grade": [ValidationError(_("与当前等级相同。"), code="unchanged")]})
    return _change_grade(actor=actor, minor=minor, to_grade=grade, reason=reason.strip(), assessment=None)


@transaction.atomic
def helper_assign(
    *, actor, minor: Minor, name: str, phone: str = "", organisation: str = "", user=None, since: date | None = None
) -> PairedHelper:
    """Name the one-to-one helper (结对帮扶人) an orange child must have; ends the previous one."""
    minor = Minor.objects.select_for_update().select_related("region").get(pk=minor.pk)
    _require(actor, minor, Capability.CHANGE_RECORDS)
    name = (name or (user.get_full_name() if user else "") or "").strip()
    if not name:
        raise ValidationError({"name": [ValidationError(_("请填写帮扶人姓名。"), code="required")]})
    since = since or timezone.localdate()
    PairedHelper.objects.filter(minor=minor, until__isnull=True).update(until=since)
    helper = PairedHelper.objects.create(
        minor=minor,
        user=user,
        name=name,
        phone=phone.strip(),
        organisation=organisation.strip(),
        since=since,
        assigned_by=actor,
    )
    _after_grade_change(minor.pk)
    return helper


@transaction.atomic
def emergency_response_record(
    *,
    actor,
    minor: Minor,
    acted_at: datetime,
    acted_by: str,
    measures: list[str],
    description: str,
    in_place: bool = False,
) -> EmergencyResponse:
    """Record the town office's emergency response to a red grade: who acted and with which measures
    (administrative/judicial, psychological intervention, living assistance, legal aid, school transfer
    or placement — domain.md §3.1, 001 篇四 L90). `in_place` marks the response as established."""
    minor = Minor.objects.select_for_update().select_related("region").get(pk=minor.pk)
    _require(actor, minor, Capability.GRADE)
    if minor.risk_grade != RiskGrade.RED:
        raise ValidationError(_("只有红色等级需要记录应急处置。"), code="not_red")
    errors: dict[str, list] = {}
    if not measures or any(m not in ResponseMeasure.values for m in measures):
        errors["measures"] = [ValidationError(_("请至少选择一项处置措施。"), code="required")]
    if not (acted_by or "").strip():
        errors["acted_by"] = [ValidationError(_("请填写处置人或单位。"), code="required")]
    if not (description or "").strip():
        errors["description"] = [ValidationError(_("请填写处置情况。"), code="required")]
    if acted_at and acted_at > timezone.now():
        errors["acted_at"] = [ValidationError(_("处置时间不能晚于现在。"), code="future")]
    if errors:
        raise ValidationError(errors)
    grade_change = GradeChange.objects.filter(minor=minor, to_grade=RiskGrade.RED).order_by("-at", "-id").first()
    response = EmergencyResponse.objects.create(
        minor=minor,
        grade_change=grade_change,
        acted_at=acted_at,
        acted_by=acted_by.strip(),
        measures=list(dict.fromkeys(measures)),
        description=description.strip(),
        in_place_at=timezone.now() if in_place else None,
        recorded_by=actor,
    )
    _after_grade_change(minor.pk)
    return response


@transaction.atomic
def emergency_response_mark_in_place(*, actor, response: EmergencyResponse) -> EmergencyResponse:
    locked = EmergencyResponse.objects.select_for_update().select_related("minor__region").get(pk=response.pk)
    _require(actor, locked.minor, Capability.GRADE)
    if locked.in_place_at is None:
        locked.in_place_at = timezone.now()
        locked.save(update_fields=["in_place_at"])
        _after_grade_change(locked.minor_id)
    return locked
