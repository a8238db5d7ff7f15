"""Forms of the ledger import page: the upload (town and file) and the mapping of unknown words."""

from __future__ import annotations

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from cases.imports.rules import MAX_FILE_BYTES, MAX_FILE_MB
from cases.imports.services import mapping_targets


class LedgerUploadForm(forms.Form):
    town = forms.ModelChoiceField(label=_("导入到乡镇（街道）"), queryset=None, empty_label=None)
    file = forms.FileField(
        label=_("台账文件"),
        help_text=format_lazy(
            _("Excel（.xlsx）或CSV文件，{mb}MB以内。表头可在标题行下方，列名见下方说明。"), mb=MAX_FILE_MB
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )

    def __init__(self, *args, towns, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["town"].queryset = towns
        if towns.count() == 1:
            self.fields["town"].initial = towns.first()

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".xlsx", ".xlsm", ".csv")):
            raise forms.ValidationError(_("请上传Excel（.xlsx）或CSV文件；旧版.xls请先另存为.xlsx。"))
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(_("文件超过%(mb)sMB，请分批导入。") % {"mb": MAX_FILE_MB})
        return upload


class LedgerMappingForm(forms.Form):
    """One select per unknown word of the preview: what it stands for (left empty: still unknown)."""

    def __init__(self, *args, unknown: dict[str, list[str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.items: list[tuple[str, str, str]] = []
        for kind, words in unknown.items():
            choices = [("", _("（暂不对应）")), *mapping_targets(kind)]
            for index, word in enumerate(words):
                name = f"map_{kind}_{index}"
                self.fields[name] = forms.ChoiceField(label=word, choices=choices, required=False)
                self.items.append((name, kind, word))

    def chosen(self) -> list[tuple[str, str, str]]:
        """(kind, word, value) for every word given a meaning."""
        return [(kind, word, self.cleaned_data[name]) for name, kind, word in self.items if self.cleaned_data.get(name)]

    def groups(self) -> list[tuple[str, list]]:
        from cases.imports.models import SynonymKind

        grouped: dict[str, list] = {}
        for name, kind, _word in self.items:
            grouped.setdefault(kind, []).append(self[name])
        return [(SynonymKind(kind).label, fields) for kind, fields in grouped.items()]
