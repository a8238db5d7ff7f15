"""Admin for the reference data of grading: the checklist indicators and the grade policies."""

from django.contrib import admin

from screening.models import GradePolicy, Indicator


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "min_grade", "sort_order", "is_active"]
    list_editable = ["min_grade", "sort_order", "is_active"]
    search_fields = ["code", "name"]

    def get_readonly_fields(self, request, obj=None):
        return ["code"] if obj else []

    def has_delete_permission(self, request, obj=None):
        return False  # assessments refer to indicators; deactivate instead


@admin.register(GradePolicy)
class GradePolicyAdmin(admin.ModelAdmin):
    list_display = [
        "grade",
        "county",
        "visit_interval_days",
        "requires_helper",
        "response_deadline_hours",
        "contact_interval_until_response_days",
    ]
    list_filter = ["grade", "county"]
    raw_id_fields = ["county"]

    def has_delete_permission(self, request, obj=None):
        # A default row must always exist; county rows may be removed to fall back to the default.
        return obj is not None and obj.county_id is not None
