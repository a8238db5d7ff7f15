"""Admin for the routing table (domain.md §6.1): rules are data, editable by system administrators.
After editing a rule, run `manage.py refresh_referral_suggestions` to re-evaluate every child."""

from django.contrib import admin

from referrals.models import ReferralRule


@admin.register(ReferralRule)
class ReferralRuleAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "destination_kind", "priority", "urgent_draft", "is_active"]
    list_filter = ["destination_kind", "priority", "urgent_draft", "is_active"]
    search_fields = ["code", "name"]

    def get_readonly_fields(self, request, obj=None):
        return ["code"] if obj else []

    def has_delete_permission(self, request, obj=None):
        return False  # referrals and suggestions refer to rules; deactivate instead
