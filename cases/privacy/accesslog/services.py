"""Writes of the access-log topic (issue 10 §2, §10): break-the-glass access, and the export of the log,
which is itself a read of the children it lists."""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.accesslog.services import access_log_record_many
from cases.models import AccessLog, EmergencyAccess, Minor, MinorEvent
from cases.privacy.accesslog.emergency import emergency_minor_ids, forget_emergency
from cases.privacy.accesslog.rules import EMERGENCY_REASON_MIN_LENGTH, emergency_access_hours
from cases.registry.selectors import minor_visible
from tiers.errors import ActionNotAllowed
from tiers.roles import Capability, Role
from tiers.selectors import user_can


def _error(field: str, message: str, code: str) -> ValidationError:
    return ValidationError({field: [ValidationError(message, code=code)]})


@transaction.atomic
def emergency_access_open(*, actor, minor: Minor, reason: str) -> EmergencyAccess:
    """Break the glass (issue 10 §10; domain.md §13 need to know, audit logs): a county civil-affairs user
    (BREAK_GLASS) opens, with a written reason, a record outside their reach for
    MINORPROT_EMERGENCY_ACCESS_HOURS hours. "Outside their reach" is any record of the deployment they
    cannot already read — a village of another county, in practice — whatever county it lies in: an
    emergency does not stop at the county line, and every such read is logged as EMERGENCY and told to
    the child's town office head. A record the user can read already is refused (nothing to break), and
    so is a second grant while one lasts. The grant is read-only: minor_scope_q lets it through for
    VIEW_RECORDS only. Writes the grant, a MinorEvent EMERGENCY_ACCESS with the reason, and a notification
    to the head(s) of the child's town office."""
    from cases.alerts.services import notify, recipients_for

    if not user_can(actor, Capability.BREAK_GLASS):
        raise ActionNotAllowed(_("只有区县民政部门可以紧急调阅档案。"))
    reason = (reason or "").strip()
    if len(reason) < EMERGENCY_REASON_MIN_LENGTH:
        raise _error(
            "reason",
            _("请写明紧急调阅的理由（至少%(n)d个字）。") % {"n": EMERGENCY_REASON_MIN_LENGTH},
            "reason_too_short",
        )
    locked = Minor.objects.select_for_update(of=("self",)).select_related("region").get(pk=minor.pk)
    forget_emergency(actor)
    if locked.pk in emergency_minor_ids(actor):
        raise _error("reference", _("您对该档案的紧急调阅仍在有效期内。"), "already_open")
    if minor_visible(user=actor, minor=locked):
        raise _error("reference", _("该档案在您的工作范围内，可直接查看，无需紧急调阅。"), "in_reach")
    now = timezone.now()
    hours = emergency_access_hours()
    grant = EmergencyAccess.objects.create(
        user=actor, minor=locked, reason=reason, granted_at=now, expires_at=now + timedelta(hours=hours)
    )
    MinorEvent.objects.create(
        minor=locked,
        kind=MinorEvent.Kind.EMERGENCY_ACCESS,
        actor=actor,
        at=now,
        changes=[
            {
                "field": "emergency_access",
                "label": _("紧急调阅截止时间"),
                "from": "",
                "to": timezone.localtime(grant.expires_at).strftime("%Y-%m-%d %H:%M"),
            }
        ],
        note=reason,
    )
    path = locked.region.path
    heads = recipients_for(region_paths=[path], roles=[Role.TOWN_OFFICE_HEAD])[path]
    heads.discard(actor.pk)
    if heads:
        notify(
            user_ids=heads,
            title=_("%(who)s紧急调阅了%(name)s的档案（%(hours)d小时）")
            % {"who": actor.get_full_name() or actor.username, "name": locked.name, "hours": hours},
            body=reason,
            url=reverse("privacy_accesslog_minor", args=[locked.pk]),
            minor=locked,
        )
    forget_emergency(actor)
    return grant


def access_log_export_record(*, actor, minor_ids: list[int], request=None, rows: int) -> None:
    """An export of the access log shows the children it lists: one EXPORT row per child (domain.md §13)."""
    if not minor_ids:
        return
    access_log_record_many(
        user=actor,
        action=AccessLog.Action.EXPORT,
        channel=AccessLog.Channel.WEB,
        minors=minor_ids,
        request=request,
        detail={"export": "access_log", "rows": rows},
    )


@transaction.atomic
def emergency_access_end(*, actor, grant: EmergencyAccess) -> EmergencyAccess:
    """End a break-the-glass grant before it expires (issue 10 §10; domain.md §13 need to know): the holder
    closes the record once the emergency is dealt with, so nothing more is read under it. Only the grant's
    own user may end it, and only while it lasts (an expired or ended grant is refused). Sets `ended_at`,
    writes a MinorEvent EMERGENCY_ACCESS noting "提前结束", and drops the user's cached grants."""
    if not user_can(actor, Capability.BREAK_GLASS) or grant.user_id != actor.pk:
        raise ActionNotAllowed(_("只有区县民政部门可以紧急调阅档案。"))
    locked = EmergencyAccess.objects.select_for_update().get(pk=grant.pk)
    now = timezone.now()
    if locked.ended_at is not None or locked.expires_at <= now:
        raise ValidationError(_("该紧急调阅已结束，无需再次结束。"), code="not_active")
    locked.ended_at = now
    locked.save(update_fields=["ended_at"])
    MinorEvent.objects.create(
        minor_id=locked.minor_id,
        kind=MinorEvent.Kind.EMERGENCY_ACCESS,
        actor=actor,
        at=now,
        changes=[
            {
                "field": "emergency_access",
                "label": _("紧急调阅截止时间"),
                "from": timezone.localtime(locked.expires_at).strftime("%Y-%m-%d %H:%M"),
                "to": timezone.localtime(now).strftime("%Y-%m-%d %H:%M"),
            }
        ],
        note=_("提前结束"),
    )
    forget_emergency(actor)
    return locked
