"""What the casework serializers share: the fields that accept only staff, departments and working groups
the caller may see, a user's display name, and the approve-or-refuse decision."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cases.models import WorkingGroup
from tiers.models import Organisation
from tiers.roles import Capability
from tiers.selectors import organisation_list, staff_in_reach


def display_name(user) -> str | None:
    if user is None:
        return None
    return user.get_full_name() or user.get_username()


@extend_schema_field(OpenApiTypes.INT)
class UserInReachField(serializers.PrimaryKeyRelatedField):
    """A user id among the staff posted inside the caller's area; anyone else "does not exist"."""

    def get_queryset(self):
        request = self.context.get("request")
        if request is None:
            return staff_in_reach(user=None)
        return staff_in_reach(user=request.user, capability=Capability.VIEW_RECORDS)


@extend_schema_field(OpenApiTypes.INT)
class OrganisationInReachField(serializers.PrimaryKeyRelatedField):
    """A department of the caller's area or of the county above (GET /api/v1/organisations/)."""

    def get_queryset(self):
        request = self.context.get("request")
        if request is None:
            return Organisation.objects.none()
        return organisation_list(user=request.user)


@extend_schema_field(OpenApiTypes.INT)
class GroupInReachField(serializers.PrimaryKeyRelatedField):
    """A working group the caller sees (GET /api/v1/working-groups/)."""

    def get_queryset(self):
        from cases.casework.selectors import group_list

        request = self.context.get("request")
        if request is None:
            return WorkingGroup.objects.none()
        return group_list(user=request.user)


class DecisionSerializer(serializers.Serializer):
    approve = serializers.BooleanField(help_text="true to approve; false to refuse, with a note saying why.")
    note = serializers.CharField(required=False, allow_blank=True, default="")
