"""REST API v1, read-only: governance meetings with their follow-up items (issue 6 §5; domain.md §4
mechanism 1, §1.3 T-9).

`GET /api/v1/meetings/` lists the meetings in the caller's reach (VIEW_AGGREGATES), newest first,
filtered by `year`, `kind` and `region` (a division code: that unit and everything under it); a meeting
outside the reach is absent from the list and answers 404. Meetings are recorded on the web pages."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets

from governance.models import Meeting
from governance.selectors import meeting_get, meeting_list
from governance.serializers import MeetingListQuerySerializer, MeetingSerializer
from tiers.models import Region


def _int_pk(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404 from None


@extend_schema_view(
    list=extend_schema(
        parameters=[MeetingListQuerySerializer],
        summary="Governance meetings (leadership group, quarterly liaison) in the caller's reach",
    ),
    retrieve=extend_schema(summary="One governance meeting with its follow-up items"),
)
class MeetingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Leadership-group and liaison meetings (工作会议) with their follow-up items (督办事项)."""

    serializer_class = MeetingSerializer
    queryset = Meeting.objects.none()
    filter_backends: list = []

    def get_queryset(self):
        query = MeetingListQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        region = None
        if params.get("region"):
            region = Region.objects.filter(code=params["region"]).first()
            if region is None:
                return Meeting.objects.none()
        return meeting_list(
            user=self.request.user, region=region, year=params.get("year"), kind=params.get("kind")
        ).prefetch_related("action_items")

    def get_object(self) -> Meeting:
        return meeting_get(user=self.request.user, pk=_int_pk(self.kwargs["pk"]))


def register_routes(router) -> None:
    router.register("meetings", MeetingViewSet, basename="meeting")
