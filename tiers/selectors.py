"""Who may see or change which part of the administrative tree.

This is the one place that answers the question. Every list, page, form, export and API view in the
project scopes its queryset with `scope_q(...)` (a plain path-prefix filter, STYLE.md rule 2), so a
user's reach is decided by their posts and nothing else. Superusers administer reference data in the
admin but get no implicit access to minors' records: a record is seen only through a post.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from tiers.models import Organisation, Region, StaffPost
from tiers.roles import ROLE_POLICIES, Capability, Level

_CACHE_ATTR = "_minorprot_posts"


@dataclass(frozen=True)
class Reach:
    """The subtrees (as path prefixes) in which a user holds a capability."""

    prefixes: tuple[str, ...]

    def __bool__(self) -> bool:
        return bool(self.prefixes)

    def covers(self, path: str) -> bool:
        return any(path.startswith(prefix) for prefix in self.prefixes)

    def q(self, field: str = "region__path") -> Q:
        if not self.prefixes:
            return Q(pk__in=[])
        condition = Q()
        for prefix in self.prefixes:
            condition |= Q(**{f"{field}__startswith": prefix})
        return condition


def user_posts(user) -> list[StaffPost]:
    """The user's posts, loaded once per user object (one query per request)."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        cached = list(StaffPost.objects.filter(user=user).select_related("region").order_by("region__path"))
        setattr(user, _CACHE_ATTR, cached)
    return cached


def policy_counties(user) -> list[Region]:
    """The active counties whose own rules the user may set (county posts with MANAGE_POLICY)."""
    return [
        post.region
        for post in user_posts(user)
        if post.region.level == Level.COUNTY
        and post.region.is_active
        and Capability.MANAGE_POLICY in ROLE_POLICIES[post.role].capabilities
    ]


def forget_posts(user) -> None:
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def user_reach(user, capability: str) -> Reach:
    prefixes = sorted(
        {
            post.region.path
            for post in user_posts(user)
            if post.region.is_active and capability in ROLE_POLICIES[post.role].capabilities
        }
    )
    # Drop prefixes already covered by a shorter one.
    minimal: list[str] = []
    for prefix in prefixes:
        if not any(prefix.startswith(kept) for kept in minimal):
            minimal.append(prefix)
    return Reach(tuple(minimal))


def user_can(user, capability: str) -> bool:
    return bool(user_reach(user, capability))


def scope_q(user, capability: str, field: str = "region__path") -> Q:
    return user_reach(user, capability).q(field)


def region_list(*, user, capability: str = Capability.VIEW_REGIONS) -> QuerySet[Region]:
    """Regions in the user's reach (their subtrees), in tree order."""
    return Region.objects.filter(scope_q(user, capability, field="path"), is_active=True).order_by("path")


def region_get(*, user, pk: int, capability: str = Capability.VIEW_REGIONS) -> Region:
    from django.shortcuts import get_object_or_404

    return get_object_or_404(region_list(user=user, capability=capability), pk=pk)


def region_ancestors(region: Region) -> list[Region]:
    """The units above `region`, county first; one query for any depth."""
    codes = region.codes[:-1]
    by_code = {r.code: r for r in Region.objects.filter(code__in=codes)}
    return [by_code[code] for code in codes if code in by_code]


def region_choices_for_registration(*, user) -> QuerySet[Region]:
    """Villages and grids in which the user may register or hold minors."""
    return region_list(user=user, capability=Capability.CHANGE_RECORDS).filter(level__in=[Level.VILLAGE, Level.GRID])


def region_label(region: Region, ancestors: dict[str, Region] | None = None) -> str:
    """Display label "Town · Village · Grid"; `ancestors` maps codes to regions already loaded."""
    codes = region.codes
    names = []
    for code in codes[1:]:  # the county is implied by context
        unit = region if code == region.code else (ancestors or {}).get(code)
        if unit is not None:
            names.append(unit.name)
    return " · ".join(names) if names else region.name


def region_may(*, user, region: Region, capability: str) -> bool:
    """Whether the user holds `capability` at `region` (for showing a link or a form, not for scoping)."""
    return user_reach(user, capability).covers(region.path)


def region_children(*, user, region: Region) -> QuerySet[Region]:
    """The units directly below `region` that the user may see."""
    return region_list(user=user).filter(parent=region)


def region_choices_for_move(*, user, region: Region) -> QuerySet[Region]:
    """Where a minor living in `region` may move to: any active village or grid, of any county.

    The destination may lie outside the user's own reach: moving hands the record to the new
    village's staff (issue 2 §3). Within the county the move happens at once; a village of another
    county needs that county's acceptance (issue 10 §5, cases.privacy.moves). Names of places are not
    private; the records in them are."""
    if not region_may(user=user, region=region, capability=Capability.CHANGE_RECORDS):
        return Region.objects.none()
    return (
        Region.objects.filter(is_active=True, level__in=[Level.VILLAGE, Level.GRID])
        .exclude(pk=region.pk)
        .order_by("path")
    )


def organisation_list(*, user) -> QuerySet[Organisation]:
    """Partner departments of the user's area and of the units above it (a town office sees its town's
    departments and the county's; a village post its town's and the county's). Departments are public
    bodies: their names are not private, what they are asked to do is."""
    condition = Q()
    for post in user_posts(user):
        if not post.region.is_active:
            continue
        condition |= post.region.subtree("region__path") | Q(region__path__in=post.region.ancestor_paths)
    if not condition:
        return Organisation.objects.none()
    return (
        Organisation.objects.filter(condition, is_active=True)
        .select_related("region")
        .order_by("region__path", "kind", "name")
    )


def staff_in_reach(*, user, capability: str = Capability.VIEW_RECORDS):
    """Active users holding a post inside the user's reach: the people a case owner, a measure's
    responsible person or a working group's member may be chosen from."""
    from django.contrib.auth import get_user_model

    reach = user_reach(user, capability)
    if not reach:
        return get_user_model().objects.none()
    return (
        get_user_model().objects.filter(reach.q("posts__region__path"), is_active=True).distinct().order_by("username")
    )


_OFFICE_ROLES = ("TOWN_OFFICE", "TOWN_OFFICE_HEAD")


def partner_departments_managed(*, user) -> QuerySet[Organisation]:
    """The departments whose staff the user attaches and detaches (issue 10 §8): the active departments of
    the towns where the user holds a town office post. County departments are attached in the admin."""
    town_ids = [
        post.region.pk
        for post in user_posts(user)
        if post.role in _OFFICE_ROLES and post.region.is_active and post.region.level == Level.TOWN
    ]
    if not town_ids:
        return Organisation.objects.none()
    return (
        Organisation.objects.filter(region_id__in=town_ids, is_active=True)
        .select_related("region")
        .order_by("region__path", "kind", "name")
    )


def partner_department_get(*, user, pk: int) -> Organisation:
    """One department the user manages; any other (another town's, the county's) answers 404."""
    from django.shortcuts import get_object_or_404

    return get_object_or_404(partner_departments_managed(user=user), pk=pk)


def partner_department_staff(*, organisation: Organisation) -> QuerySet[StaffPost]:
    """The partner staff posts of a department, with their users."""
    from tiers.roles import Role

    return (
        StaffPost.objects.filter(role=Role.PARTNER_STAFF, organisation=organisation)
        .select_related("user")
        .order_by("user__username")
    )


def manages_partner_departments(user) -> bool:
    """Whether the user holds a town office post (for the navigation; no query beyond the posts)."""
    return any(
        post.role in _OFFICE_ROLES and post.region.is_active and post.region.level == Level.TOWN
        for post in user_posts(user)
    )
