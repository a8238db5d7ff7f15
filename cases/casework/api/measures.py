"""API of measures (progress by the staff of the child's area, the responsible person and the group's
members), of the six working groups (domain.md §5) and of partner organisations (§11)."""

from __future__ import annotations

import django_filters
from django.db.models import prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from cases.casework import services as cw
from cases.casework.api.base import ScopedObjectMixin, require_case_work
from cases.casework.selectors import (
    case_get,
    group_get,
    group_list,
    measure_get_listed,
    measure_list,
)
from cases.casework.serializers.measures import (
    MeasureProgressSerializer,
    MeasureSerializer,
    OrganisationSerializer,
    WorkingGroupSerializer,
    WorkingGroupUpdateSerializer,
)
from cases.models import (
    OPEN_MEASURE_STATUSES,
    Measure,
    MeasureStatus,
    Track,
    WorkingGroup,
)
from cases.privacy.sealing.selectors import group_measures_for
from tiers.models import Organisation, OrganisationKind
from tiers.selectors import organisation_list

# --- measures ------------------------------------------------------------------------------------------------


class MeasureFilter(django_filters.FilterSet):
    case = django_filters.NumberFilter(field_name="case_id")
    group = django_filters.NumberFilter(field_name="group_id")
    track = django_filters.ChoiceFilter(choices=Track.choices)
    status = django_filters.ChoiceFilter(choices=MeasureStatus.choices)
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("已逾期"))

    class Meta:
        model = Measure
        fields = ["case", "group", "track", "status", "overdue"]

    def filter_overdue(self, queryset, name, value):
        overdue = {"status__in": OPEN_MEASURE_STATUSES, "due_on__lt": timezone.localdate()}
        return queryset.filter(**overdue) if value else queryset.exclude(**overdue)


class MeasureViewSet(
    ScopedObjectMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Measures of case plans on the six tracks. Seen by the staff of the child's area, the measure's
    responsible person and the members of its working group, who may also report progress."""

    serializer_class = MeasureSerializer
    filterset_class = MeasureFilter
    queryset = Measure.objects.none()

    def get_queryset(self):
        return measure_list(user=self.request.user)

    def fetch(self, pk: int) -> Measure:
        return measure_get_listed(user=self.request.user, pk=pk)

    def create(self, request, *args, **kwargs):
        require_case_work(request.user)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        case = case_get(user=request.user, pk=data["case_id"])
        measure = cw.measure_add(
            actor=request.user,
            case=case,
            track=data["track"],
            title=data["title"],
            due_on=data["due_on"],
            responsible_user=data.get("responsible_user"),
            responsible_name=data.get("responsible_name", ""),
            group=data.get("group"),
        )
        return Response(self.get_serializer(self.fetch(measure.pk)).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=MeasureProgressSerializer, responses={200: MeasureSerializer})
    @action(detail=True, methods=["post"])
    def progress(self, request, pk=None):
        """Report progress: planned → in progress → done (with an outcome), or cancelled with a reason."""
        measure = self.get_object()
        serializer = MeasureProgressSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        cw.measure_update(
            actor=request.user,
            measure=measure,
            **serializer.validated_data,
        )
        return Response(self.get_serializer(self.fetch(measure.pk)).data)


# --- working groups and organisations --------------------------------------------------------------------------------


@extend_schema_view(
    partial_update=extend_schema(request=WorkingGroupUpdateSerializer, responses={200: WorkingGroupSerializer})
)
class WorkingGroupViewSet(
    ScopedObjectMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """The six working groups (domain.md §5) of the caller's area, and those the caller is a member of.
    The town office names a group's lead and member departments and member staff (PATCH)."""

    serializer_class = WorkingGroupSerializer
    queryset = WorkingGroup.objects.none()
    filterset_class = None
    http_method_names = ["get", "patch", "head", "options"]

    def get_queryset(self):
        return group_list(user=self.request.user).prefetch_related("member_organisations", "members")

    def fetch(self, pk: int) -> WorkingGroup:
        return group_get(user=self.request.user, pk=pk)

    def partial_update(self, request, *args, **kwargs):
        group = self.get_object()
        if not cw.working_group_may_edit(user=request.user, group=group):
            raise PermissionDenied(_("您的岗位无权调整该工作小组。"))
        serializer = WorkingGroupUpdateSerializer(
            data=request.data, partial=True, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        cw.working_group_update(
            actor=request.user,
            group=group,
            lead_organisation=data["lead_organisation"] if "lead_organisation" in data else group.lead_organisation,
            member_organisations=data.get("member_organisations", list(group.member_organisations.all())),
            members=data.get("members", list(group.members.all())),
            duties=data.get("duties", group.duties),
        )
        refreshed = self.get_queryset().get(pk=group.pk)
        return Response(self.get_serializer(refreshed).data)

    @extend_schema(responses={200: MeasureSerializer(many=True)})
    @action(detail=True, methods=["get"], pagination_class=None, filterset_class=None)
    def measures(self, request, pk=None):
        """The group's open measures, overdue first (issue 4 §1)."""
        group = self.get_object()
        is_member = group.members.filter(pk=request.user.pk).exists()
        # A child the caller may not see (sealed, or a figures-only login) is a reference (issue 10 §3, §4).
        measures = group_measures_for(user=request.user, group=group, is_member=is_member)
        for measure in measures:
            measure.group = group
        prefetch_related_objects(measures, "created_by")
        data = MeasureSerializer(measures, many=True, context=self.get_serializer_context()).data
        for measure, row in zip(measures, data, strict=True):
            if not measure.shows_child:
                row.update(minor_name=measure.child_reference, outcome="")
        return Response(data)


class OrganisationFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=OrganisationKind.choices)
    region = django_filters.NumberFilter(field_name="region_id")

    class Meta:
        model = Organisation
        fields = ["kind", "region"]


class OrganisationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Partner departments and institutions (domain.md §11) of the caller's area and the county above,
    with their capability flags (R report, F accept referrals, A assist)."""

    serializer_class = OrganisationSerializer
    filterset_class = OrganisationFilter
    queryset = Organisation.objects.none()

    def get_queryset(self):
        return organisation_list(user=self.request.user)
