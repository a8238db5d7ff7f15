"""Explicit grants of one object to one user (django-guardian), wrapped in one module (STYLE.md rule 2).

Scoping by the administrative tree is the main mechanism (tiers/selectors.py). Grants are for the
exceptions that the tree cannot express: a referral shared with a partner department's staff, which
must be withdrawn when the referral is revoked or some time after it closes.
"""

from __future__ import annotations

from django.db.models import Model, QuerySet
from guardian.shortcuts import assign_perm, get_objects_for_user, get_users_with_perms, remove_perm


def _codename(obj: Model, action: str) -> str:
    return f"{obj._meta.app_label}.{action}_{obj._meta.model_name}"


def grant(*, user, obj: Model, action: str = "view") -> None:
    """Let `user` perform `action` ("view", "change") on this one object."""
    assign_perm(_codename(obj, action), user, obj)


def withdraw(*, user, obj: Model, action: str = "view") -> None:
    remove_perm(_codename(obj, action), user, obj)


def withdraw_all(*, obj: Model, action: str = "view") -> None:
    for user in get_users_with_perms(
        obj, only_with_perms_in=[f"{action}_{obj._meta.model_name}"], with_group_users=False
    ):
        remove_perm(_codename(obj, action), user, obj)


def holders(*, obj: Model, action: str = "view") -> list:
    """The users to whom this one object is granted individually."""
    return list(
        get_users_with_perms(obj, only_with_perms_in=[f"{action}_{obj._meta.model_name}"], with_group_users=False)
    )


def is_granted(*, user, obj: Model, action: str = "view") -> bool:
    return user.has_perm(_codename(obj, action), obj)


def granted(*, user, queryset: QuerySet, action: str = "view") -> QuerySet:
    """The objects of `queryset` granted to `user` individually (model-wide permissions do not count)."""
    model = queryset.model
    return get_objects_for_user(
        user,
        f"{model._meta.app_label}.{action}_{model._meta.model_name}",
        klass=queryset,
        use_groups=False,
        with_superuser=False,
        accept_global_perms=False,
    )
