"""The grants history page (issue 10 §7): who granted what to whom, when, in the reader's area."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from reporting.selectors.audit import GRANT_HISTORY_PAGE_SIZE, GrantFilters, grant_history_events
from tiers.roles import Capability
from tiers.selectors import user_can


class GrantFilterForm(forms.Form):
    since = forms.DateField(label=_("起始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    username = forms.CharField(label=_("用户名（被授权人或操作人）"), required=False, max_length=150)

    def filters(self) -> GrantFilters:
        if not self.is_valid():
            return GrantFilters()
        data = self.cleaned_data
        return GrantFilters(since=data["since"], until=data["until"], username=data["username"].strip())


@login_required
@require_GET
def grant_history_view(request):
    if not user_can(request.user, Capability.READ_ACCESS_LOG):
        raise PermissionDenied
    form = GrantFilterForm(request.GET or None)
    events = grant_history_events(user=request.user, filters=form.filters())
    page = Paginator(events, GRANT_HISTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "reporting/audit/grants.html",
        {
            "form": form,
            "page": page,
            "rows": page.object_list,
            "current": "grant_history",
        },
    )
