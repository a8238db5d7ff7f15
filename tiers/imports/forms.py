from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tiers.imports import rules


class SheetUploadForm(forms.Form):
    KIND_CHOICES = [
        ("regions", _("行政区划（code, name, parent_code, level）")),
        ("staff", _("工作人员（username, name, region_code, role, organisation）")),
    ]

    kind = forms.ChoiceField(label=_("导入内容"), choices=KIND_CHOICES)
    file = forms.FileField(label=_("文件（.xlsx 或 .csv）"))

    def clean_file(self):
        file = self.cleaned_data["file"]
        if not file.name.lower().endswith((".xlsx", ".csv")):
            raise forms.ValidationError(_("请上传.xlsx或.csv文件。"))
        if file.size > rules.MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("文件过大（最大5MB）。"))
        return file
