"""Who and what may be chosen on the casework forms: case owners, responsible persons, group members and
partner departments. Names of staff and departments are not private; they are limited to the child's or
the group's town so that the lists stay short and relevant."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from cases.models import Case, WorkingGroup
from tiers.models import Organisation
from tiers.roles import ROLE_POLICIES, Capability


def _codes(path: str) -> list[str]:
    return [code for code in path.split("/") if code]


def ancestor_paths(path: str) -> list[str]:
    """The paths of a region and every unit above it ("c/", "c/t/", "c/t/v/")."""
    codes = _codes(path)
    return ["/".join(codes[: i + 1]) + "/" for i in range(len(codes))]


def town_path(path: str) -> str:
    """The path of the town at or above a region (the county's path for a county-level region)."""
    return "/".join(_codes(path)[:2]) + "/"


def case_owner_choices(*, case: Case) -> QuerySet:
    """Staff who may own the case: a post with MANAGE_CASES at the child's region or above (case_set_owner's rule)."""
    roles = [role for role, policy in ROLE_POLICIES.items() if Capability.MANAGE_CASES in policy.capabilities]
    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            posts__role__in=roles,
            posts__region__is_active=True,
            posts__region__path__in=ancestor_paths(case.minor.region.path),
        )
        .distinct()
        .order_by("first_name", "username")
    )


def responsible_choices(*, case: Case) -> QuerySet:
    """Who may be named responsible for a measure: staff posted in the child's town and members of its groups."""
    town = town_path(case.minor.region.path)
    return (
        get_user_model()
        .objects.filter(
            Q(posts__region__path__startswith=town) | Q(working_groups__region__path=town),
            is_active=True,
        )
        .distinct()
        .order_by("first_name", "username")
    )


def group_member_choices(*, group: WorkingGroup) -> QuerySet:
    """Staff posted in the group's region (its town, or the county for a district group), and current members."""
    return (
        get_user_model()
        .objects.filter(Q(posts__region__path__startswith=group.region.path) | Q(working_groups=group), is_active=True)
        .distinct()
        .order_by("first_name", "username")
    )


def organisation_choices(*, path: str) -> QuerySet[Organisation]:
    """Active departments of the region at `path` and of the units above it (working_group_update's rule)."""
    return (
        Organisation.objects.filter(is_active=True, region__path__in=ancestor_paths(path))
        .select_related("region")
        .order_by("region__path", "kind", "name")
    )
