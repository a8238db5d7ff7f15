"""Admin for reference data (the category list, the working groups' departments, benefit programmes and
their dated rates) and a read-only view of the access log. Minors' records and cases are not in the
admin: they are seen only through a post, in the application."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

# The ledger import's synonym table and batches live in their own topic package (issue 12 §1).
import cases.imports.admin  # noqa: F401
from cases.models import AccessLog, BenefitProgramme, BenefitRate, Category, WorkingGroup


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


class WorkingGroupAdminForm(forms.ModelForm):
    class Meta:
        model = WorkingGroup
        fields = ["lead_organisation", "member_organisations", "members", "duties"]

    def clean(self):
        cleaned = super().clean()
        # The rule of working_group_update: departments of the group's region or the units above it.
        path = self.instance.region.path
        chosen = [cleaned.get("lead_organisation"), *(cleaned.get("member_organisations") or [])]
        if any(o is not None and not path.startswith(o.region.path) for o in chosen):
            self.add_error("member_organisations", _("只能选择本乡镇或上级区县的单位。"))
        return cleaned


@admin.register(WorkingGroup)
class WorkingGroupAdmin(admin.ModelAdmin):
    """The six groups of each town are created with their default departments (working_groups_ensure,
    from the town's group page) and edited there by the town office; here they can be corrected as
    reference data. Measures refer to them: never deleted."""

    form = WorkingGroupAdminForm
    list_display = ["__str__", "region", "track", "lead_organisation"]
    list_filter = ["track", "region__level"]
    search_fields = ["region__name", "duties"]
    raw_id_fields = ["region", "lead_organisation"]
    filter_horizontal = ["member_organisations", "members"]

    def get_readonly_fields(self, request, obj=None):
        return ["region", "track"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class BenefitRateInline(admin.TabularInline):
    model = BenefitRate
    extra = 0
    raw_id_fields = ["region"]
    fields = ["region", "monthly_amount", "valid_from", "note"]


@admin.register(BenefitProgramme)
class BenefitProgrammeAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "track", "min_age", "max_age", "has_amount", "is_active"]
    list_editable = ["is_active"]
    list_filter = ["track", "has_amount", "is_active"]
    search_fields = ["code", "name", "name_en"]
    inlines = [BenefitRateInline]

    def get_readonly_fields(self, request, obj=None):
        return ["code"] if obj else []

    def has_delete_permission(self, request, obj=None):
        return False  # enrolments refer to programmes; deactivate instead


@admin.register(BenefitRate)
class BenefitRateAdmin(admin.ModelAdmin):
    """Monthly standards are dated and region-scoped (domain.md §14.19): a change is a new row from a
    date, so amounts already paid keep their history. Nothing refers to a rate row (an approved
    enrolment copies its amount), so a mistaken row may be removed."""

    list_display = ["programme", "region", "monthly_amount", "valid_from", "note"]
    list_filter = ["programme", "region__level"]
    search_fields = ["programme__name", "region__name"]
    raw_id_fields = ["region"]
    date_hierarchy = "valid_from"
