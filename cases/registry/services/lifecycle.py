"""A record's life after registration: moving the child within the county, closing the record with a
reason (telling the open case's owner) and restoring it (domain.md §1.3 T-5; §10.3 via cases.registry.rules)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import ClosedReason, Minor, MinorEvent, MinorStatus
from cases.registry.identity import age_on
from cases.registry.rules import minor_age_limit
from cases.registry.services.common import _event, _may_change, _not_allowed, _today
from tiers.models import Region


@transaction.atomic
def minor_move(*, actor, minor: Minor, region: Region, note: str = "") -> Minor:
    """Move a minor to another village or grid of the same county. The history stays with the record and
    everything scoped by the child's place is handed over in this transaction — alerts, notifications, the
    visit plan, the open case's owner and measures, the partner departments' referrals — so from now on the
    new village's staff hold it and the old village's and town's see nothing of it (domain.md §1.3 T-5;
    issue 10 §5; cases.privacy.moves.services.minor_hand_over says what exactly). A village of another
    county needs that county's acceptance: use move_request_create (this refuses with "needs_acceptance")."""
    from cases.privacy.moves.services import is_cross_county, minor_hand_over, move_destination_check

    locked = Minor.objects.select_for_update().select_related("region").get(pk=minor.pk)
    if not _may_change(actor, locked.region):
        raise _not_allowed()
    move_destination_check(minor=locked, region=region)
    if is_cross_county(minor=locked, region=region):
        raise ValidationError(
            {"region": [ValidationError(_("迁往其他区县须经迁入地区县民政部门接收。"), code="needs_acceptance")]}
        )
    from cases.models.privacy import MoveRequest, MoveRequestStatus

    if MoveRequest.objects.filter(minor=locked, status=MoveRequestStatus.PENDING).exists():
        raise ValidationError(
            {"region": [ValidationError(_("该档案有待接收的跨区县迁移申请，请先撤回。"), code="pending_request")]}
        )
    return minor_hand_over(actor=actor, minor=locked, region=region, note=note)


@transaction.atomic
def minor_close(*, actor, minor: Minor, reason: str, note: str = "") -> Minor:
    """Close a record with a reason: aged out, moved away, deceased, no longer at risk, duplicate."""
    locked = Minor.objects.select_for_update().select_related("region").get(pk=minor.pk)
    if not _may_change(actor, locked.region):
        raise _not_allowed()
    if reason not in ClosedReason.values:
        raise ValidationError({"reason": [ValidationError(_("请选择销档原因。"), code="required")]})
    if locked.status == MinorStatus.CLOSED:
        raise ValidationError({"reason": [ValidationError(_("该档案已销档。"), code="already_closed")]})
    locked.status = MinorStatus.CLOSED
    locked.closed_reason = reason
    locked.closed_at = timezone.now()
    locked.updated_at = locked.closed_at
    locked.save(update_fields=["status", "closed_reason", "closed_at", "updated_at"])
    _event(
        minor=locked,
        kind=MinorEvent.Kind.CLOSED,
        actor=actor,
        changes=[
            {"field": "status", "from": MinorStatus.ACTIVE, "to": MinorStatus.CLOSED},
            {"field": "closed_reason", "from": None, "to": reason},
        ],
        note=note.strip(),
    )
    _tell_open_case(locked)
    return locked


def _tell_open_case(minor: Minor) -> None:
    """A closed record may still have an open case: its owner and the town office are asked to request
    the case's closure (closing a case needs its own assessment and approval, so it is not closed here)."""
    from django.urls import reverse

    from cases.alerts.services import notify, recipients_for
    from cases.models import Case, CaseStage
    from tiers.roles import Role

    case = Case.objects.filter(minor=minor).exclude(stage=CaseStage.CLOSED).first()
    if case is None:
        return
    path = minor.region.path
    users = recipients_for(region_paths=[path], roles=[Role.TOWN_OFFICE, Role.TOWN_OFFICE_HEAD])[path]
    if case.owner_id:
        users.add(case.owner_id)
    notify(
        user_ids=users,
        title=_("%(name)s的档案已销档（%(reason)s），其个案仍在办理，请评估后申请结案")
        % {"name": minor.name, "reason": minor.get_closed_reason_display()},
        url=reverse("case_detail", args=[case.pk]),
        minor=minor,
    )


@transaction.atomic
def minor_reopen(*, actor, minor: Minor, note: str) -> Minor:
    """Put a closed record back in the active ledger; the reason is required and kept in the history."""
    locked = Minor.objects.select_for_update().select_related("region").get(pk=minor.pk)
    if not _may_change(actor, locked.region):
        raise _not_allowed()
    if locked.status != MinorStatus.CLOSED:
        raise ValidationError({"note": [ValidationError(_("该档案在册，无需恢复。"), code="not_closed")]})
    if not note.strip():
        raise ValidationError({"note": [ValidationError(_("请填写恢复在册的原因。"), code="required")]})
    if age_on(locked.birth_date, _today()) >= minor_age_limit():
        raise ValidationError(
            {
                "note": [
                    ValidationError(_("已满%(n)d周岁，不能恢复在册。") % {"n": minor_age_limit()}, code="not_a_minor")
                ]
            }
        )
    old_reason = locked.closed_reason
    locked.status = MinorStatus.ACTIVE
    locked.closed_reason = ""
    locked.closed_at = None
    locked.updated_at = timezone.now()
    locked.save(update_fields=["status", "closed_reason", "closed_at", "updated_at"])
    _event(
        minor=locked,
        kind=MinorEvent.Kind.REOPENED,
        actor=actor,
        changes=[
            {"field": "status", "from": MinorStatus.CLOSED, "to": MinorStatus.ACTIVE},
            {"field": "closed_reason", "from": old_reason, "to": None},
        ],
        note=note.strip(),
    )
    return locked
