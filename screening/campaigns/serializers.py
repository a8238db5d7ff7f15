"""API shapes of screening campaigns (issue 12 §3)."""

from __future__ import annotations

from django.core.exceptions import ObjectDoesNotExist
from rest_framework import serializers

from screening.campaigns.models import Campaign, CampaignItem, CampaignResult, ItemOutcome
from tiers.models import Region


class CampaignResultSerializer(serializers.ModelSerializer):
    class Meta:
        model = CampaignResult
        fields = [
            "total",
            "confirmed",
            "new_count",
            "changed_count",
            "by_outcome",
            "new_by_category",
            "changed_by_category",
            "recorded_at",
        ]


class CampaignSerializer(serializers.ModelSerializer):
    result = serializers.SerializerMethodField()

    class Meta:
        model = Campaign
        fields = ["id", "region", "name", "starts_on", "deadline", "status", "opened_at", "closed_at", "result"]
        read_only_fields = fields

    def get_result(self, campaign) -> dict | None:
        try:
            result = campaign.result
        except ObjectDoesNotExist:
            return None
        return CampaignResultSerializer(result).data


class CampaignOpenSerializer(serializers.Serializer):
    region = serializers.PrimaryKeyRelatedField(queryset=Region.objects.filter(is_active=True))
    name = serializers.CharField(max_length=100)
    starts_on = serializers.DateField()
    deadline = serializers.DateField()


class CampaignItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = CampaignItem
        fields = ["id", "campaign", "minor", "village", "outcome", "note", "confirmed_at", "confirmed_by"]
        read_only_fields = fields


class CampaignItemConfirmSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=ItemOutcome.choices)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
