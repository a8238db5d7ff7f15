from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class PartnerStaffAttachForm(forms.Form):
    username = forms.CharField(label=_("用户名"), max_length=150, error_messages={"required": _("请填写用户名。")})
    title = forms.CharField(label=_("职务名称"), max_length=100, required=False)
    phone = forms.CharField(label=_("联系电话"), max_length=30, required=False)


class PartnerStaffCreateForm(forms.Form):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_new_%s")  # beside the attach form on one page: distinct ids
        super().__init__(*args, **kwargs)

    username = forms.CharField(label=_("用户名"), max_length=150, error_messages={"required": _("请填写用户名。")})
    full_name = forms.CharField(label=_("姓名"), max_length=150, error_messages={"required": _("请填写姓名。")})
    email = forms.EmailField(
        label=_("电子邮箱"), required=False, error_messages={"invalid": _("请填写有效的电子邮箱。")}
    )
    title = forms.CharField(label=_("职务名称"), max_length=100, required=False)
    phone = forms.CharField(label=_("联系电话"), max_length=30, required=False)
