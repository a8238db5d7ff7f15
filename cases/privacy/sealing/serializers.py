"""Request bodies of POST /api/v1/minors/{id}/seal/ and /unseal/ (issue 10 §3)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

_REASON_ERRORS = {"required": _("请填写原因。"), "blank": _("请填写原因。")}


class MinorSealSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=1000, error_messages=_REASON_ERRORS, help_text="Why the record is sealed."
    )
    document = serializers.FileField(
        required=False,
        allow_null=True,
        help_text="Optional document (PDF, JPG, PNG, ≤ 10 MB), e.g. a court's notice; send as multipart.",
    )


class MinorUnsealSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=1000, error_messages=_REASON_ERRORS, help_text="Why the seal is lifted.")
