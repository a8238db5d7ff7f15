"""API shape of a visit (走访), with its photos as access-checked links."""

from __future__ import annotations

from rest_framework import serializers

from screening.models import Visit, VisitKind
from screening.visits.services.visits import MAX_PHOTOS, VISIT_TEXT_FIELDS


class VisitSerializer(serializers.ModelSerializer):
    minor = serializers.IntegerField(
        source="minor_id", help_text="The minor's id; a minor outside your area answers 404."
    )
    kind = serializers.ChoiceField(choices=VisitKind.choices, default=VisitKind.HOME)
    visitor = serializers.CharField(source="visitor.get_username", read_only=True)
    photos = serializers.ListField(
        child=serializers.ImageField(), required=False, write_only=True, max_length=MAX_PHOTOS
    )
    photo_urls = serializers.SerializerMethodField()

    class Meta:
        model = Visit
        fields = [
            "id",
            "minor",
            "visited_at",
            "kind",
            "seen_in_person",
            *VISIT_TEXT_FIELDS,
            "new_risk_found",
            "due_on",
            "on_time",
            "grade",
            "visitor",
            "photos",
            "photo_urls",
            "created_at",
        ]
        read_only_fields = ["id", "due_on", "on_time", "grade", "visitor", "created_at"]
        extra_kwargs = {"visited_at": {"required": False}}

    def get_photo_urls(self, visit: Visit) -> list[str]:
        """Photos are served only through the access-checked, logged page (never a public media URL)."""
        from django.urls import reverse

        request = self.context.get("request")
        paths = [reverse("visit_photo", args=[photo.pk]) for photo in visit.photos.all()]
        return [request.build_absolute_uri(path) for path in paths] if request else paths
