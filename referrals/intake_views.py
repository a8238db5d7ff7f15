"""Web pages of the intake queue (issue 5 §6, §7) and the town office's partner tokens page (§1).

Staff: the towns' queue, a report with triage and workflow forms and its history, a form to receive
a report. Partners: their organisation's reports (status and outcome) and a submit form. A report
outside the user's reach answers 404 (STYLE.md rule 3); every write calls a service.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from cases.models import Category, Gender, Minor
from cases.registry.selectors import MinorFilters, minor_list
from cases.registry.services import CategoryChoice
from referrals.intake_api import is_partner
from referrals.intake_selectors import (
    partner_report_list,
    report_get,
    report_history,
    report_is_overdue,
    report_queue,
)
from referrals.models import ReportChannel, ReportStatus
from referrals.services import intake
from tiers.errors import ActionNotAllowed
from tiers.forms import add_service_errors
from tiers.models import ApiToken, Region
from tiers.roles import Capability, Level
from tiers.selectors import region_list, user_can, user_posts
from tiers.services import partner_tokens_manageable, token_issue, token_revoke

STAFF_CHANNELS = [choice for choice in ReportChannel.choices if choice[0] != ReportChannel.PARTNER_API]


def _staff_towns(user):
    """Towns where the user may receive a report: their own town, or the towns under a county post."""
    ids = set()
    for post in user_posts(user):
        if post.role == "PARTNER_STAFF" or not post.region.is_active:
            continue
        codes = [code for code in post.region.path.split("/") if code]
        if post.region.level == Level.COUNTY:
            ids |= set(Region.objects.filter(parent=post.region, level=Level.TOWN).values_list("pk", flat=True))
        elif len(codes) >= 2:
            ids |= set(Region.objects.filter(code=codes[1], level=Level.TOWN).values_list("pk", flat=True))
    return Region.objects.filter(pk__in=ids, is_active=True).order_by("path")


class ReportForm(forms.Form):
    town = forms.ModelChoiceField(label=gettext_lazy("受理乡镇（街道）"), queryset=Region.objects.none())
    channel = forms.ChoiceField(label=gettext_lazy("来源渠道"), choices=STAFF_CHANNELS)
    hotline = forms.CharField(label=gettext_lazy("热线号码"), required=False)
    reporter_name = forms.CharField(label=gettext_lazy("报告人"), required=False, max_length=100)
    reporter_phone = forms.CharField(label=gettext_lazy("报告人电话"), required=False, max_length=30)
    child_name = forms.CharField(label=gettext_lazy("涉及未成年人姓名"), required=False, max_length=50)
    child_description = forms.CharField(label=gettext_lazy("未成年人情况"), required=False, max_length=300)
    summary = forms.CharField(label=gettext_lazy("报告内容"), widget=forms.Textarea(attrs={"rows": 4}))
    violence_alleged = forms.BooleanField(label=gettext_lazy("涉及暴力侵害"), required=False)
    discovered_at = forms.DateTimeField(
        label=gettext_lazy("发现时间"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )

    def __init__(self, *args, towns, partner: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["town"].queryset = towns
        if partner:
            for name in ("channel", "hotline", "reporter_name", "reporter_phone"):
                del self.fields[name]


class LinkForm(forms.Form):
    minor = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(label=gettext_lazy("说明"), required=False)


class RegisterForm(forms.Form):
    region = forms.ModelChoiceField(label=gettext_lazy("村（社区）或网格"), queryset=Region.objects.none())
    name = forms.CharField(label=gettext_lazy("姓名"), max_length=50)
    gender = forms.ChoiceField(label=gettext_lazy("性别"), choices=Gender.choices)
    birth_date = forms.DateField(label=gettext_lazy("出生日期"), widget=forms.DateInput(attrs={"type": "date"}))
    id_number = forms.CharField(label=gettext_lazy("身份证号码"), required=False, max_length=18)
    no_id_reason = forms.CharField(required=False, widget=forms.HiddenInput)
    category = forms.ModelChoiceField(label=gettext_lazy("困境类别"), queryset=Category.objects.none())

    def __init__(self, *args, report, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = Region.objects.none()
        self.fields["category"].queryset = Category.objects.filter(is_active=True, requires_note=False)
        self.report = report


class TextForm(forms.Form):
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    outcome_for_reporter = forms.CharField(label=gettext_lazy("反馈报告人的结果"), required=False)


@login_required
def report_list(request):
    if is_partner(request.user):
        reports = partner_report_list(user=request.user)
        return render(request, "referrals/intake/partner_list.html", {"reports": reports})
    if not user_can(request.user, Capability.VIEW_RECORDS):
        raise Http404
    status = request.GET.get("status", "")
    reports = list(report_queue(user=request.user, status=status if status in ReportStatus.values else "")[:200])
    now = timezone.now()
    for report in reports:
        report.overdue = report_is_overdue(report, now)
    return render(
        request,
        "referrals/intake/queue.html",
        {"reports": reports, "statuses": ReportStatus.choices, "status": status},
    )


@login_required
@require_http_methods(["GET", "POST"])
def report_new(request):
    partner = is_partner(request.user)
    if partner:
        organisation = intake.partner_organisation(request.user)
        county = organisation.region.path.split("/", 1)[0] + "/"
        towns = Region.objects.filter(level=Level.TOWN, path__startswith=county, is_active=True)
    else:
        towns = _staff_towns(request.user)
        if not towns.exists():
            raise Http404
    form = ReportForm(request.POST or None, towns=towns, partner=partner, initial={"discovered_at": timezone.now()})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data.setdefault("channel", ReportChannel.PARTNER_API)
        try:
            report = intake.report_receive(actor=request.user, **data)
        except ActionNotAllowed:
            raise PermissionDenied from None
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("报告已受理。"))
            return redirect("report_list" if partner else "report_detail", *([] if partner else [report.pk]))
    return render(request, "referrals/intake/report_new.html", {"form": form, "partner": partner})


def _detail_context(request, report):
    may_act = intake.report_may_act(user=request.user, report=report)
    query = request.GET.get("q", "").strip()
    candidates = []
    if may_act and query and report.triaged_at is None:
        candidates = list(
            minor_list(user=request.user, filters=MinorFilters(q=query)).filter(
                region__path__startswith=report.town.path
            )[:20]
        )
    register_form = RegisterForm(report=report)
    register_form.fields["region"].queryset = region_list(
        user=request.user, capability=Capability.CHANGE_RECORDS
    ).filter(path__startswith=report.town.path, level__in=[Level.VILLAGE, Level.GRID])
    return {
        "report": report,
        "events": report_history(report=report),
        "may_act": may_act,
        "is_open": report.status in intake.OPEN_STATUSES,
        "overdue": report_is_overdue(report),
        "query": query,
        "candidates": candidates,
        "register_form": register_form,
        "next_status": intake.NEXT_STATUS.get(report.status),
    }


@login_required
def report_detail(request, pk: int):
    report = report_get(user=request.user, pk=pk)
    return render(request, "referrals/intake/report_detail.html", _detail_context(request, report))


@login_required
@require_POST
def report_act(request, pk: int, step: str):
    report = report_get(user=request.user, pk=pk)
    post = request.POST
    text = post.get("text", "")
    outcome = post.get("outcome_for_reporter", "")
    try:
        if step == "link":
            minor = get_object_or_404(Minor, pk=post.get("minor") or 0)
            intake.report_triage_link(actor=request.user, report=report, minor=minor, note=text)
        elif step == "register":
            form = RegisterForm(post, report=report)
            form.fields["region"].queryset = region_list(user=request.user, capability=Capability.CHANGE_RECORDS)
            if not form.is_valid():
                messages.error(request, "; ".join(str(e) for errors in form.errors.values() for e in errors))
                return redirect("report_detail", report.pk)
            data = {
                key: form.cleaned_data[key]
                for key in ("name", "gender", "birth_date", "id_number")
                if form.cleaned_data[key]
            }
            if not data.get("id_number"):
                data["no_id_reason"] = "NOT_YET_ISSUED"
            intake.report_triage_register(
                actor=request.user,
                report=report,
                region=form.cleaned_data["region"],
                data=data,
                guardians=[],
                categories=[CategoryChoice(form.cleaned_data["category"].code)],
                confirm_possible_duplicate=bool(post.get("confirm")),
            )
        elif step == "dismiss":
            intake.report_dismiss(actor=request.user, report=report, reason=text, outcome_for_reporter=outcome)
        elif step == "advance":
            intake.report_advance(actor=request.user, report=report, note=text, outcome_for_reporter=outcome)
        elif step == "handling":
            intake.report_record_handling(actor=request.user, report=report, handling_record=text)
        elif step == "transfer":
            intake.report_transfer(actor=request.user, report=report, note=text, outcome_for_reporter=outcome)
        elif step == "close":
            intake.report_close(actor=request.user, report=report, outcome_for_reporter=outcome, note=text)
        else:
            raise Http404
    except ActionNotAllowed:
        raise PermissionDenied from None
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("已保存。"))
    return redirect("report_detail", report.pk)


# --- partner tokens (issue 5 §1) -------------------------------------------------------------------


def _tokens_page(request, users, new_key: str | None = None):
    tokens = (
        ApiToken.objects.filter(user__in=users)
        .select_related("user", "created_by")
        .prefetch_related("user__posts__organisation")
        .order_by("-created_at")
    )
    return render(
        request,
        "referrals/intake/partner_tokens.html",
        {"tokens": tokens, "users": users.order_by("username"), "new_key": new_key},
    )


@login_required
def partner_tokens(request):
    users = partner_tokens_manageable(actor=request.user)
    if users is None:
        raise Http404
    return _tokens_page(request, users)


@login_required
@require_POST
def partner_token_issue(request):
    users = partner_tokens_manageable(actor=request.user)
    if users is None:
        raise Http404
    user = get_object_or_404(users, pk=request.POST.get("user") or 0)
    name = request.POST.get("name", "").strip() or _("协作单位接口")
    _token, key = token_issue(user=user, name=name, actor=request.user)
    # The key is shown once, in this response, and never stored.
    messages.success(request, _("令牌已签发，请立即复制，离开页面后无法再次查看。"))
    return _tokens_page(request, users, new_key=key)


@login_required
@require_POST
def partner_token_revoke(request, pk: int):
    users = partner_tokens_manageable(actor=request.user)
    if users is None:
        raise Http404
    token = get_object_or_404(ApiToken.objects.filter(user__in=users), pk=pk)
    token_revoke(token=token)
    messages.success(request, _("令牌已吊销。"))
    return redirect("partner_tokens")
