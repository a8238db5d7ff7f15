"""What the casework API's viewsets share: an object through a selector (404 outside the caller's reach),
and the check that the caller's post does casework at all. Service refusals need no handling here:
minorprot.api.exception_handler maps ActionNotAllowed to 403 and ValidationError to coded field errors."""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied

from tiers.roles import Capability
from tiers.selectors import user_can


def require_case_work(user) -> None:
    if not user_can(user, Capability.MANAGE_CASES):
        raise PermissionDenied(_("您的岗位无权办理个案。"))


def int_pk(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404 from None


def field_error(field: str, message: str, code: str) -> serializers.ValidationError:
    return serializers.ValidationError({field: [serializers.ErrorDetail(message, code=code)]})


class ScopedObjectMixin:
    """get_object through a selector that answers 404 outside the caller's reach."""

    def get_object(self):
        obj = self.fetch(int_pk(self.kwargs.get(self.lookup_url_kwarg or self.lookup_field)))
        self.check_object_permissions(self.request, obj)
        return obj

    def fetch(self, pk: int):  # pragma: no cover - each viewset says how
        raise NotImplementedError
