"""Reads around sealed records (issue 10 §3, §4; domain.md §13).

`cases.registry.selectors.minor_scope_q` is the filter for "minors this user may see". What is here serves the few
places that show a child to someone outside that filter by design — a working group's members and a
measure's responsible person (partner staff among them), figures-only logins looking at a group — and
must then leave sealed children out, or show them as a reference number without name or village.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from cases.models import Minor, MinorEvent
from tiers.roles import Capability
from tiers.selectors import user_can, user_reach


def sealed_visible_q(user, prefix: str = "") -> Q:
    """Rows whose child is not sealed, or sealed inside the user's VIEW_SEALED reach. `prefix` is the path
    from the queried model to the minor ("minor__", "case__minor__"), as for minor_scope_q."""
    return Q(**{f"{prefix}is_sealed": False}) | user_reach(user, Capability.VIEW_SEALED).q(f"{prefix}region__path")


def sealed_visible(*, user, minor: Minor) -> bool:
    """`sealed_visible_q` for one minor already loaded."""
    return not minor.is_sealed or user_reach(user, Capability.VIEW_SEALED).covers(minor.region.path)


def figures_only(user) -> bool:
    """A figures-only login (the leadership viewer, domain.md §1.4): counts, never a child's record."""
    return user_can(user, Capability.VIEW_AGGREGATES) and not user_can(user, Capability.VIEW_RECORDS)


def minor_reference(*, minor: Minor, case_id: int | None = None) -> str:
    """How a child is shown to someone who may not see the record: a reference number, no name, no village.
    "封存档案 #<case id>" for a sealed record, "个案 #<case id>" otherwise (the record's id without a case)."""
    number = case_id if case_id is not None else minor.pk
    if minor.is_sealed:
        return _("封存档案 #%(number)s") % {"number": number}
    return _("个案 #%(number)s") % {"number": number}


def seal_events(*, minor: Minor) -> QuerySet[MinorEvent]:
    """The record's sealing history, newest first (the caller obtained `minor` through a scoped selector)."""
    return (
        MinorEvent.objects.filter(minor=minor, kind__in=[MinorEvent.Kind.SEALED, MinorEvent.Kind.UNSEALED])
        .select_related("actor")
        .order_by("-at", "-id")
    )


def seal_document_get(*, user, event_id: int) -> MinorEvent:
    """A sealing event's document, for VIEW_SEALED holders of the child's subtree only; anyone else 404."""
    from django.http import Http404

    from cases.registry.selectors import minor_get

    event = MinorEvent.objects.filter(pk=event_id).exclude(document="").only("id", "minor_id", "document").first()
    if event is None:
        raise Http404
    minor_get(user=user, pk=event.minor_id, capability=Capability.VIEW_SEALED)
    return event


def child_named_for(*, user, minor: Minor, involved: bool = False) -> bool:
    """Whether a list shared beyond the child's record holders (a working group's measures) may name this
    child to `user`: yes when the user may see the record (minor_scope_q); yes for a member of the group or
    the measure's responsible person (partner staff) unless the record is sealed; never for a figures-only
    login (issue 10 §3, §4). Otherwise the child appears as `minor_reference`."""
    from cases.registry.selectors import minor_visible

    if minor_visible(user=user, minor=minor):
        return True
    return involved and not minor.is_sealed and not figures_only(user)


def group_measures_for(*, user, group, is_member: bool) -> list:
    """The group's open measures (cases.casework.selectors.group_open_measures) as `user` may see them: each
    carries `shows_child` and `child_reference`. Only the children shown are access-logged."""
    from cases.accesslog.recorder import access_note_many, access_suspended
    from cases.casework.selectors import group_open_measures

    with access_suspended():
        measures = group_open_measures(group=group)
    for measure in measures:
        minor = measure.case.minor
        involved = is_member or measure.responsible_user_id == user.pk
        measure.shows_child = child_named_for(user=user, minor=minor, involved=involved)
        measure.child_reference = "" if measure.shows_child else minor_reference(minor=minor, case_id=measure.case_id)
    access_note_many(m.case.minor_id for m in measures if m.shows_child)
    return measures
