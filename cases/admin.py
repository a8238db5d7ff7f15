"""Admin for reference data (the category list) and a read-only view of the access log.
Minors' records are not in the admin: they are seen only through a post, in the application."""

from django.contrib import admin

from cases.models import AccessLog, Category


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name",
        "name_en",
        "in_four_special_groups",
        "in_key_attention",
        "requires_note",
        "is_active",
        "sort_order",
    ]
    list_editable = ["is_active", "sort_order"]
    search_fields = ["code", "name", "name_en"]

    def get_readonly_fields(self, request, obj=None):
        return ["code"] if obj else []

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AccessLog)
class AccessLogAdmin(admin.ModelAdmin):
    list_display = ["at", "user", "action", "channel", "minor_id", "ip_address", "path"]
    list_filter = ["action", "channel"]
    search_fields = ["user__username", "path", "ip_address"]
    date_hierarchy = "at"

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in AccessLog._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
