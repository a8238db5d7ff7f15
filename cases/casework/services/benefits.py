"""Benefits (domain.md §9): applications, decisions and ends; amounts are dated, region-scoped rates
(§14.19), eligibility hints from age and categories (e.g. vocational training only from 16, §10.3;
orphan living security only for orphans)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.casework.services.base import case_event, field_error, require
from cases.models import (
    BenefitEnrolment,
    BenefitProgramme,
    BenefitRate,
    Case,
    CaseEvent,
    EnrolmentStatus,
    Minor,
)
from cases.registry.identity import age_on
from tiers.models import Region
from tiers.roles import Capability

# --- benefits (domain.md §9) ----------------------------------------------------------------------------


def benefit_rate_for(*, programme: BenefitProgramme, region: Region, on: date) -> BenefitRate | None:
    """The rate in force on `on`: the most specific region above `region`, then the latest start date."""
    rates = [
        rate
        for rate in BenefitRate.objects.filter(programme=programme, valid_from__lte=on).select_related("region")
        if region.path.startswith(rate.region.path)
    ]
    if not rates:
        return None
    return max(rates, key=lambda rate: (len(rate.region.path), rate.valid_from))


def benefit_eligibility_hints(*, minor: Minor, programme: BenefitProgramme, on: date | None = None) -> list[str]:
    """Why the record suggests the minor may not qualify (age limits, required categories)."""
    on = on or timezone.localdate()
    hints = []
    age = age_on(minor.birth_date, on)
    if programme.min_age is not None and age < programme.min_age:
        hints.append(
            _("“%(p)s”从%(n)d周岁起，该未成年人%(a)d周岁。") % {"p": programme.name, "n": programme.min_age, "a": age}
        )
    if programme.max_age is not None and age > programme.max_age:
        hints.append(
            _("“%(p)s”限%(n)d周岁以下，该未成年人%(a)d周岁。") % {"p": programme.name, "n": programme.max_age, "a": age}
        )
    if programme.requires_categories:
        codes = set(minor.category_links.values_list("category__code", flat=True))
        if not codes & set(programme.requires_categories):
            hints.append(
                _("“%(p)s”须具备以下类别之一：%(c)s。")
                % {"p": programme.name, "c": "、".join(programme.requires_categories)}
            )
    return hints


@transaction.atomic
def benefit_apply(
    *,
    actor,
    minor: Minor,
    programme: BenefitProgramme,
    case: Case | None = None,
    applied_on: date | None = None,
    note: str = "",
    accept_hints: bool = False,
) -> BenefitEnrolment:
    """Record an application. Eligibility hints must be acknowledged (accept_hints) with a note."""
    minor = Minor.objects.select_related("region").get(pk=minor.pk)
    require(actor, minor.region, Capability.MANAGE_CASES)
    if case is not None and case.minor_id != minor.pk:
        raise field_error("case", _("个案不属于该未成年人。"), "invalid")
    hints = benefit_eligibility_hints(minor=minor, programme=programme, on=applied_on)
    if hints and not (accept_hints and note.strip()):
        raise field_error("accept_hints", " ".join(hints) + _("如确需申请，请勾选确认并写明理由。"), "eligibility")
    if BenefitEnrolment.objects.filter(
        minor=minor, programme=programme, status__in=[EnrolmentStatus.APPLIED, EnrolmentStatus.APPROVED]
    ).exists():
        raise field_error("programme", _("该未成年人已申请或正在享受该项目。"), "duplicate")
    enrolment = BenefitEnrolment.objects.create(
        minor=minor,
        case=case,
        programme=programme,
        applied_on=applied_on or timezone.localdate(),
        note=note.strip(),
        recorded_by=actor,
    )
    if case is not None:
        case_event(
            case=case,
            kind=CaseEvent.Kind.BENEFIT,
            actor=actor,
            changes=[{"field": "benefit", "from": None, "to": EnrolmentStatus.APPLIED}],
            note=programme.name,
        )
    return enrolment


@transaction.atomic
def benefit_decide(
    *, actor, enrolment: BenefitEnrolment, approve: bool, start_on: date | None = None, note: str = ""
) -> BenefitEnrolment:
    """Record the decision on an application. An approved monthly benefit takes its amount from the rate
    in force in the child's region on the start date; without a configured rate it cannot be approved."""
    enrolment = (
        BenefitEnrolment.objects.select_for_update(of=("self",))
        .select_related("minor__region", "programme", "case")
        .get(pk=enrolment.pk)
    )
    require(actor, enrolment.minor.region, Capability.MANAGE_CASES)
    if enrolment.status != EnrolmentStatus.APPLIED:
        raise field_error("status", _("该申请已有结果。"), "decided")
    old = enrolment.status
    if approve:
        start_on = start_on or timezone.localdate()
        amount: Decimal | None = None
        if enrolment.programme.has_amount:
            rate = benefit_rate_for(programme=enrolment.programme, region=enrolment.minor.region, on=start_on)
            if rate is None:
                raise field_error(
                    "start_on",
                    _("本地区尚未设置“%(p)s”的发放标准，请先由区县民政部门设置。") % {"p": enrolment.programme.name},
                    "no_rate",
                )
            amount = rate.monthly_amount
        enrolment.status, enrolment.start_on, enrolment.monthly_amount = EnrolmentStatus.APPROVED, start_on, amount
    else:
        if not note.strip():
            raise field_error("note", _("未批准须写明理由。"), "required")
        enrolment.status = EnrolmentStatus.REJECTED
    enrolment.note = (enrolment.note + "\n" + note.strip()).strip()
    enrolment.updated_at = timezone.now()
    enrolment.save(update_fields=["status", "start_on", "monthly_amount", "note", "updated_at"])
    if enrolment.case is not None:
        case_event(
            case=enrolment.case,
            kind=CaseEvent.Kind.BENEFIT,
            actor=actor,
            changes=[{"field": "benefit", "from": old, "to": enrolment.status}],
            note=enrolment.programme.name,
        )
    return enrolment


@transaction.atomic
def benefit_end(*, actor, enrolment: BenefitEnrolment, end_on: date, note: str = "") -> BenefitEnrolment:
    enrolment = (
        BenefitEnrolment.objects.select_for_update(of=("self",))
        .select_related("minor__region", "programme", "case")
        .get(pk=enrolment.pk)
    )
    require(actor, enrolment.minor.region, Capability.MANAGE_CASES)
    if enrolment.status != EnrolmentStatus.APPROVED:
        raise field_error("status", _("只有已批准的项目才能终止。"), "not_approved")
    if enrolment.start_on and end_on < enrolment.start_on:
        raise field_error("end_on", _("终止日期不能早于开始日期。"), "before_start")
    enrolment.status, enrolment.end_on = EnrolmentStatus.ENDED, end_on
    enrolment.note = (enrolment.note + "\n" + note.strip()).strip()
    enrolment.updated_at = timezone.now()
    enrolment.save(update_fields=["status", "end_on", "note", "updated_at"])
    if enrolment.case is not None:
        case_event(
            case=enrolment.case,
            kind=CaseEvent.Kind.BENEFIT,
            actor=actor,
            changes=[{"field": "benefit", "from": EnrolmentStatus.APPROVED, "to": EnrolmentStatus.ENDED}],
            note=enrolment.programme.name,
        )
    return enrolment


@transaction.atomic
def benefit_rate_set(
    *, actor, programme: BenefitProgramme, region: Region, monthly_amount: Decimal, valid_from: date, note: str = ""
) -> BenefitRate:
    """The district (or a town, for a local top-up) sets a programme's monthly standard from a date."""
    require(actor, region, Capability.MANAGE_POLICY, _("您的岗位无权设置救助标准。"))
    if monthly_amount is None or monthly_amount < 0:
        raise field_error("monthly_amount", _("请填写不小于0的金额。"), "invalid")
    rate, _created = BenefitRate.objects.update_or_create(
        programme=programme,
        region=region,
        valid_from=valid_from,
        defaults={"monthly_amount": monthly_amount, "note": note.strip()},
    )
    return rate
