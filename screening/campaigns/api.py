"""REST API v1 for screening campaigns (摸底排查, issue 12 §3), scoped like the registry: a campaign or an
item outside the caller's area answers 404. Services' refusals are mapped by minorprot.api.exception_handler."""

from __future__ import annotations

import django_filters
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from cases.accesslog.services import AccessLoggedRowsMixin
from screening.campaigns import selectors, services
from screening.campaigns.models import CampaignItem, ItemOutcome
from screening.campaigns.serializers import (
    CampaignItemConfirmSerializer,
    CampaignItemSerializer,
    CampaignOpenSerializer,
    CampaignSerializer,
)
from tiers.roles import Capability
from tiers.selectors import user_reach


class CampaignViewSet(viewsets.ReadOnlyModelViewSet):
    """Screening campaigns of the caller's area; open (town office, county) and close with the figures."""

    serializer_class = CampaignSerializer

    def get_queryset(self):
        return selectors.campaign_list(user=self.request.user).order_by("-opened_at", "-id")

    @extend_schema(request=CampaignOpenSerializer, responses={201: CampaignSerializer})
    @action(detail=False, methods=["post"])
    def open(self, request):
        serializer = CampaignOpenSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        region = serializer.validated_data["region"]
        if not user_reach(request.user, Capability.VIEW_REGIONS).covers(region.path):
            raise Http404
        campaign = services.campaign_open(actor=request.user, **serializer.validated_data)
        return Response(CampaignSerializer(campaign).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: CampaignSerializer})
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        campaign = self.get_object()
        services.campaign_close(actor=request.user, campaign=campaign)
        campaign = selectors.campaign_get(user=request.user, pk=campaign.pk)
        return Response(CampaignSerializer(campaign).data)


class CampaignItemFilter(django_filters.FilterSet):
    campaign = django_filters.NumberFilter(field_name="campaign_id")
    village = django_filters.NumberFilter(field_name="village_id")
    outcome = django_filters.ChoiceFilter(choices=ItemOutcome.choices)
    pending = django_filters.BooleanFilter(method="filter_pending")

    class Meta:
        model = CampaignItem
        fields = ["campaign", "village", "outcome"]

    def filter_pending(self, queryset, name, value):
        return queryset.filter(outcome="") if value else queryset.exclude(outcome="")


class CampaignItemViewSet(
    AccessLoggedRowsMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """The children to confirm, those the caller may see; `confirm` records the outcome (closing outcomes
    close the record through the registry)."""

    serializer_class = CampaignItemSerializer
    filterset_class = CampaignItemFilter
    queryset = CampaignItem.objects.none()

    def get_queryset(self):
        return selectors.campaign_item_list(user=self.request.user).order_by("campaign_id", "village_id", "id")

    @extend_schema(request=CampaignItemConfirmSerializer, responses={200: CampaignItemSerializer})
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        item = self.get_object()
        serializer = CampaignItemConfirmSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        item = services.campaign_item_confirm(actor=request.user, item=item, **serializer.validated_data)
        return Response(self.get_serializer(item).data)


def register_routes(router) -> None:
    router.register("campaigns", CampaignViewSet, basename="campaign")
    router.register("campaign-items", CampaignItemViewSet, basename="campaign-item")
