"""API representation of a case's closing request and its decision (domain.md §4)."""

from __future__ import annotations

from rest_framework import serializers

from cases.models import CaseClosure


class CaseClosureSerializer(serializers.ModelSerializer):
    requested_by = serializers.CharField(source="requested_by.get_username", read_only=True)
    decided_by = serializers.CharField(source="decided_by.get_username", read_only=True, default=None)

    class Meta:
        model = CaseClosure
        fields = [
            "id",
            "case",
            "closing_assessment",
            "requested_by",
            "requested_at",
            "status",
            "decided_by",
            "decided_at",
            "decision_note",
        ]
        read_only_fields = fields
