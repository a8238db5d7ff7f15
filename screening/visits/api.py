"""REST API v1 for visits (走访), scoped like the registry (STYLE.md rules 2–3). A minor outside the caller's
area answers 404, in a body field as in a URL; a service's refusal (ActionNotAllowed, ValidationError) is
mapped to HTTP once, by minorprot.api.exception_handler."""

from __future__ import annotations

import django_filters
from rest_framework import mixins, status, viewsets
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from cases.accesslog.services import AccessLoggedRowsMixin
from cases.registry.selectors import minor_get, minor_scope_q
from screening.models import Visit, VisitKind
from screening.visits.serializers import VisitSerializer
from screening.visits.services.visits import VISIT_TEXT_FIELDS, visit_log
from tiers.roles import Capability


class VisitFilter(django_filters.FilterSet):
    minor = django_filters.NumberFilter(field_name="minor_id")
    since = django_filters.IsoDateTimeFilter(field_name="visited_at", lookup_expr="gte")
    kind = django_filters.ChoiceFilter(choices=VisitKind.choices)

    class Meta:
        model = Visit
        fields = ["minor", "since", "kind"]


class VisitViewSet(AccessLoggedRowsMixin, mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Visits (走访). Create with JSON, or multipart to attach up to six photos (`photos`)."""

    serializer_class = VisitSerializer
    filterset_class = VisitFilter
    queryset = Visit.objects.none()
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        return (
            Visit.objects.filter(minor_scope_q(self.request.user, Capability.VIEW_RECORDS, prefix="minor__"))
            .select_related("visitor")
            .prefetch_related("photos")
            .order_by("-visited_at", "-id")
        )

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        minor = minor_get(user=request.user, pk=data["minor_id"])
        visit = visit_log(
            actor=request.user,
            minor=minor,
            visited_at=data.get("visited_at"),
            kind=data["kind"],
            seen_in_person=data.get("seen_in_person", True),
            new_risk_found=data.get("new_risk_found", False),
            photos=data.get("photos", []),
            **{field: data.get(field, "") for field in VISIT_TEXT_FIELDS},
        )
        return Response(self.get_serializer(visit).data, status=status.HTTP_201_CREATED)


def register_routes(router) -> None:
    router.register("visits", VisitViewSet, basename="visit")
