from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from tiers.models import ApiToken, Organisation, Region, StaffPost
from tiers.roles import Level
from tiers.services import organisation_create, post_assign, region_create, region_rename


class RegionAdminForm(forms.ModelForm):
    class Meta:
        model = Region
        fields = ["code", "name", "level", "parent", "is_active"]

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None:
            # Validate exactly as the service will, so errors show on the form.
            from tiers.services import division_code_check

            try:
                division_code_check(
                    code=cleaned.get("code", ""), level=cleaned.get("level"), parent=cleaned.get("parent")
                )
            except ValidationError as exc:
                self.add_error(None, exc)
        return cleaned


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    form = RegionAdminForm
    list_display = ["path", "name", "level", "is_active"]
    list_filter = ["level", "is_active"]
    search_fields = ["code", "name"]
    ordering = ["path"]
    raw_id_fields = ["parent"]

    def get_urls(self):
        from django.urls import path

        from tiers.imports.views import sheet_import

        # Upload a tree or staff sheet (issue 12 §2): the same service as manage.py import_regions / import_staff.
        view = self.admin_site.admin_view(lambda request: sheet_import(request, self.admin_site))
        return [path("import/", view, name="tiers_region_import"), *super().get_urls()]

    def get_readonly_fields(self, request, obj=None):
        # Codes and places in the tree are fixed once created: the path of every record depends on them.
        return ["code", "level", "parent", "path"] if obj else ["path"]

    def save_model(self, request, obj, form, change):
        if change:
            region_rename(region=obj, name=form.cleaned_data["name"])
            if "is_active" in form.changed_data:
                Region.objects.filter(pk=obj.pk).update(is_active=form.cleaned_data["is_active"])
        else:
            created = region_create(
                code=form.cleaned_data["code"],
                name=form.cleaned_data["name"],
                level=form.cleaned_data["level"],
                parent=form.cleaned_data.get("parent"),
            )
            obj.pk = created.pk

    def has_delete_permission(self, request, obj=None):
        return False


class StaffPostAdminForm(forms.ModelForm):
    class Meta:
        model = StaffPost
        fields = ["user", "region", "role", "organisation", "title", "phone"]

    def clean(self):
        cleaned = super().clean()
        from tiers.roles import ROLE_POLICIES, Role

        # On a change the user, region and role are read-only: they come from the post itself.
        region = self.instance.region if self.instance.pk else cleaned.get("region")
        role = self.instance.role if self.instance.pk else cleaned.get("role")
        organisation = cleaned.get("organisation")
        if region and role and region.level not in ROLE_POLICIES[role].levels:
            self.add_error("region", _("该岗位不能设在这一层级的区划。"))
        # Partner staff see what is sent to their department (issue 10 §8; issue 5 §1): without one
        # the post gives nothing, and a department of another place would show them another town's work.
        if role == Role.PARTNER_STAFF:
            if organisation is None:
                self.add_error("organisation", _("协作部门工作人员岗位须选择所属单位。"))
            elif region and organisation.region_id != region.pk:
                self.add_error("organisation", _("所属单位须是岗位所在区划的单位。"))
        elif role and organisation is not None:
            self.add_error("organisation", _("只有协作部门工作人员岗位可以设置所属单位。"))
        return cleaned


@admin.register(StaffPost)
class StaffPostAdmin(admin.ModelAdmin):
    form = StaffPostAdminForm
    list_display = ["user", "region", "role", "organisation", "title", "phone"]
    list_filter = ["role", "region__level"]
    search_fields = ["user__username", "user__first_name", "region__name", "organisation__name"]
    raw_id_fields = ["user", "region", "organisation"]

    def save_model(self, request, obj, form, change):
        if change:
            obj.save(update_fields=["title", "phone"])
            if "organisation" in form.changed_data and form.cleaned_data.get("organisation") is not None:
                post_assign(
                    user=obj.user, region=obj.region, role=obj.role, organisation=form.cleaned_data["organisation"]
                )
        else:
            post = post_assign(
                user=form.cleaned_data["user"],
                region=form.cleaned_data["region"],
                role=form.cleaned_data["role"],
                title=form.cleaned_data.get("title", ""),
                phone=form.cleaned_data.get("phone", ""),
                organisation=form.cleaned_data.get("organisation"),
            )
            obj.pk = post.pk

    def get_readonly_fields(self, request, obj=None):
        return ["user", "region", "role"] if obj else []


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "origin", "key_prefix", "created_at", "last_used_at", "expires_at", "revoked_at"]
    list_filter = ["origin"]
    search_fields = ["name", "user__username", "key_prefix"]
    readonly_fields = [f.name for f in ApiToken._meta.fields]
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("吊销所选令牌"))
    def revoke(self, request, queryset):
        from tiers.services import token_revoke

        for token in queryset:
            token_revoke(token=token)


class OrganisationAdminForm(forms.ModelForm):
    class Meta:
        model = Organisation
        fields = ["kind", "name", "region", "phone", "can_report", "can_accept_referrals", "can_assist", "is_active"]

    def clean(self):
        cleaned = super().clean()
        region = cleaned.get("region")
        if self.instance.pk is None and region is not None and region.level not in (Level.COUNTY, Level.TOWN):
            self.add_error("region", _("协作单位设在区县或乡镇（街道）。"))
        return cleaned


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    """Partner departments (domain.md §11). A new one gets the R/F/A flags of its kind; the flags stay
    editable, here and in the list. Working groups, placements and referrals refer to them: deactivate,
    never delete."""

    form = OrganisationAdminForm
    list_display = ["name", "kind", "region", "can_report", "can_accept_referrals", "can_assist", "is_active"]
    list_editable = ["can_report", "can_accept_referrals", "can_assist", "is_active"]
    list_filter = ["kind", "region__level", "is_active"]
    search_fields = ["name", "region__name"]
    raw_id_fields = ["region"]

    def get_fields(self, request, obj=None):
        fields = list(OrganisationAdminForm.Meta.fields)
        if obj is None:  # the flags of its kind, editable once created
            fields = [f for f in fields if f not in ("can_report", "can_accept_referrals", "can_assist")]
        return fields

    def get_readonly_fields(self, request, obj=None):
        return ["kind", "region"] if obj else []

    def save_model(self, request, obj, form, change):
        if change:
            obj.save()
        else:
            created = organisation_create(
                kind=form.cleaned_data["kind"],
                name=form.cleaned_data["name"],
                region=form.cleaned_data["region"],
                phone=form.cleaned_data.get("phone", ""),
            )
            obj.pk = created.pk

    def has_delete_permission(self, request, obj=None):
        return False
