"""Visits (走访) by child directors, grid heads, child supervisors and one-to-one helpers.

Each visit answers the due date the visit plan had for the child, so compliance (visits done on time
÷ due) can be counted per grade and village (domain.md §12; 001 篇四 L90). A visit that finds a new
risk notifies the town office and raises an alert that stays open until the child is reassessed.
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.alerts.rules import AlertRule, rule_roles, rule_severity
from cases.alerts.services import AlertCandidate, notify, recipients_for
from cases.models import Minor, MinorStatus
from screening.models import PairedHelper, Visit, VisitKind, VisitPhoto, VisitPlan
from tiers.errors import ActionNotAllowed
from tiers.roles import Capability
from tiers.selectors import user_reach

VISIT_TEXT_FIELDS = (
    "others_present",
    "living_conditions",
    "health",
    "schooling",
    "guardian_situation",
    "concerns",
    "next_step",
)
MAX_PHOTOS = 6
MAX_PHOTO_BYTES = 8 * 1024 * 1024


def may_log_visit(*, user, minor: Minor) -> bool:
    """Staff with LOG_VISITS over the child's place, and the child's current one-to-one helper."""
    if user_reach(user, Capability.LOG_VISITS).covers(minor.region.path):
        return True
    return PairedHelper.objects.filter(minor=minor, user=user, until__isnull=True).exists()


def visit_log(
    *,
    actor,
    minor: Minor,
    visited_at: datetime | None = None,
    kind: str = VisitKind.HOME,
    seen_in_person: bool = True,
    new_risk_found: bool = False,
    photos: list | None = None,
    **texts: str,
) -> Visit:
    """Log a visit. Only `kind` is required: the form pre-fills the rest so a visit takes a minute."""
    photos = photos or []
    visited_at = visited_at or timezone.now()
    errors: dict[str, list] = {}
    if kind not in VisitKind.values:
        errors["kind"] = [ValidationError(_("请选择走访方式。"), code="invalid_choice")]
    if visited_at > timezone.now() + timezone.timedelta(minutes=5):
        errors["visited_at"] = [ValidationError(_("走访时间不能晚于现在。"), code="future")]
    elif timezone.localdate(visited_at) < minor.birth_date:
        errors["visited_at"] = [ValidationError(_("走访时间早于出生日期。"), code="invalid")]
    if len(photos) > MAX_PHOTOS:
        errors["photos"] = [ValidationError(_("照片最多%(n)d张。") % {"n": MAX_PHOTOS}, code="too_many")]
    elif any(getattr(photo, "size", 0) > MAX_PHOTO_BYTES for photo in photos):
        errors["photos"] = [ValidationError(_("每张照片不超过8MB。"), code="too_large")]
    unknown = set(texts) - set(VISIT_TEXT_FIELDS)
    if unknown:
        raise TypeError(f"unknown visit fields: {sorted(unknown)}")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        minor = Minor.objects.select_for_update().select_related("region").get(pk=minor.pk)
        if not may_log_visit(user=actor, minor=minor):
            raise ActionNotAllowed(_("您的岗位无权记录该走访。"))
        if minor.status != MinorStatus.ACTIVE:
            raise ValidationError(_("已销档的未成年人不再安排走访。"), code="closed")
        plan = VisitPlan.objects.filter(minor=minor).first()
        due_on = plan.next_due_on if plan else None
        visit = Visit.objects.create(
            minor=minor,
            visited_at=visited_at,
            kind=kind,
            seen_in_person=seen_in_person,
            new_risk_found=new_risk_found,
            visitor=actor,
            due_on=due_on,
            grade=minor.risk_grade,
            on_time=due_on is None or timezone.localdate(visited_at) <= due_on,
            **{field: (texts.get(field) or "").strip() for field in VISIT_TEXT_FIELDS},
        )
        for photo in photos:
            VisitPhoto.objects.create(visit=visit, image=photo)
        if new_risk_found:
            _raise_new_risk(visit=visit, minor=minor)
        from screening.visits.services.followup import after_commit_update

        # A visit can resolve overdue alerts: re-evaluate them with the plan.
        after_commit_update(minor_id=minor.pk, escalate=True)
    return visit


NEW_RISK_RULE = AlertRule.NEW_RISK_FOUND


def _raise_new_risk(*, visit: Visit, minor: Minor) -> None:
    """Notify the town office and open an alert; the escalation job resolves it once a risk-level
    assessment is recorded after the visit."""
    from cases.models import Alert

    alert, created = Alert.objects.get_or_create(
        rule=NEW_RISK_RULE,
        subject_key=f"minor:{minor.pk}",
        period_key=f"visit:{visit.pk}",
        defaults={
            "minor": minor,
            "region": minor.region,
            "severity": rule_severity(NEW_RISK_RULE),
            "message": _("%(name)s（%(place)s）走访发现新的风险，请重新评估。")
            % {"name": minor.name, "place": minor.region.name},
            "recipient_roles": rule_roles(NEW_RISK_RULE),
        },
    )
    if created:
        users = recipients_for(region_paths=[minor.region.path], roles=rule_roles(NEW_RISK_RULE))[minor.region.path]
        notify(user_ids=users, title=alert.message, body=visit.concerns, url=f"/minors/{minor.pk}/", alert=alert)


__all__ = ["AlertCandidate", "may_log_visit", "visit_log"]
