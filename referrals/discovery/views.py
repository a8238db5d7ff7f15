"""Pages of patrols and sentinel points for the town office (issue 12 §4): the groups and the patrol
logs, a form to set up a group or log a patrol (with a finding that goes into the intake queue), the sentinel
points, a form to set one up, and a point's page where its administrator files a report. Reads go through
referrals.discovery.selectors (404 outside reach); every write calls a service.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from referrals.discovery import rules, selectors, services
from referrals.discovery.forms import (
    AdministratorForm,
    FindingForm,
    MembersForm,
    PatrolGroupForm,
    PatrolLogForm,
    SentinelPointForm,
    SentinelReportForm,
)
from referrals.discovery.models import SentinelKind
from tiers.errors import ActionNotAllowed
from tiers.forms import add_service_errors
from tiers.models import Region
from tiers.roles import Level


def _people_of(towns):
    query = None
    for town in towns:
        people = selectors.town_people(town=town)
        query = people if query is None else query | people
    return query.distinct() if query is not None else get_user_model().objects.none()


@login_required
def patrol_list(request):
    groups = list(selectors.patrol_group_list(user=request.user))
    logs = list(selectors.patrol_log_list(user=request.user).annotate(report_count=Count("sources"))[:100])
    return render(
        request,
        "referrals/discovery/patrol_list.html",
        {"groups": groups, "logs": logs, "is_office": selectors.office_towns(user=request.user).exists()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def patrol_group_new(request):
    towns = selectors.office_towns(user=request.user)
    form = PatrolGroupForm(request.POST or None, towns=towns, people=_people_of(towns))
    if request.method == "POST" and form.is_valid():
        try:
            group = services.patrol_group_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("巡查组已创建。"))
            return redirect("patrol_group_detail", pk=group.pk)
    return render(request, "referrals/discovery/form.html", {"form": form, "title": _("新建巡查组")})


@login_required
@require_http_methods(["GET", "POST"])
def patrol_group_detail(request, pk: int):
    group = selectors.patrol_group_get(user=request.user, pk=pk)
    may_manage = services.is_town_office(user=request.user, town=group.town)
    form = None
    if may_manage:
        form = MembersForm(
            request.POST or None,
            people=selectors.town_people(town=group.town),
            initial={"members": list(group.members.all())},
        )
        if request.method == "POST" and form.is_valid():
            try:
                services.patrol_group_set_members(actor=request.user, group=group, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("成员已更新。"))
                return redirect("patrol_group_detail", pk=group.pk)
    elif request.method == "POST":
        raise ActionNotAllowed(services.DENIED)
    logs = selectors.patrol_log_list(user=request.user, group=group).annotate(report_count=Count("sources"))[:100]
    return render(
        request,
        "referrals/discovery/group_detail.html",
        {
            "group": group,
            "form": form,
            "logs": logs,
            "may_log": services.may_log_patrol(user=request.user, group=group),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def patrol_log_new(request):
    groups = selectors.patrol_group_list(user=request.user).filter(is_active=True)
    towns = Region.objects.filter(pk__in=groups.values("town_id"))
    villages = Region.objects.filter(parent__in=towns, level=Level.VILLAGE, is_active=True).order_by("path")
    initial = {"patrolled_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")}
    if request.GET.get("group", "").isdigit():
        initial["group"] = int(request.GET["group"])
    form = PatrolLogForm(
        request.POST or None, initial=initial, groups=groups, villages=villages, people=_people_of(towns)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        finding = None
        if data["distress"]:
            finding = services.Finding(
                summary=data["finding_summary"],
                child_name=data["child_name"],
                child_description=data["child_description"],
                village=data["village"],
                violence_alleged=data["violence_alleged"],
            )
        try:
            log = services.patrol_log_record(
                actor=request.user,
                group=data["group"],
                kind=data["kind"],
                patrolled_at=data["patrolled_at"],
                place=data["place"],
                village=data["village"],
                participants=data["participants"],
                findings=data["findings"],
                finding=finding,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, _("巡查记录已保存，发现的情况已转入报告受理。") if finding else _("巡查记录已保存。")
            )
            return redirect("patrol_log_detail", pk=log.pk)
    return render(request, "referrals/discovery/form.html", {"form": form, "title": _("记录巡查")})


@login_required
@require_http_methods(["GET", "POST"])
def patrol_log_detail(request, pk: int):
    log = selectors.patrol_log_get(user=request.user, pk=pk)
    may_log = services.may_log_patrol(user=request.user, group=log.group)
    form = FindingForm(request.POST or None) if may_log else None
    if request.method == "POST":
        if form is None:
            raise ActionNotAllowed(services.LOG_DENIED)
        if form.is_valid():
            try:
                services.patrol_finding_report(
                    actor=request.user, log=log, finding=services.Finding(**form.cleaned_data)
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("发现的情况已转入报告受理。"))
                return redirect("patrol_log_detail", pk=log.pk)
    return render(
        request,
        "referrals/discovery/log_detail.html",
        {
            "log": log,
            "form": form,
            "reports": selectors.visible_reports(user=request.user, patrol_log=log),
            "report_count": selectors.source_report_count(patrol_log=log),
        },
    )


@login_required
def sentinel_point_list(request):
    kind = request.GET.get("kind", "")
    points = list(selectors.sentinel_point_list(user=request.user, kind=kind if kind in SentinelKind.values else ""))
    now = timezone.now()
    for point in points:
        point.silent = point.is_active and rules.sentinel_is_silent(
            last_report_at=point.last_report_at, created_at=point.created_at, now=now
        )
    return render(
        request,
        "referrals/discovery/point_list.html",
        {
            "points": points,
            "kinds": SentinelKind.choices,
            "kind": kind,
            "silent_days": rules.sentinel_silent_days(),
            "is_office": selectors.office_towns(user=request.user).exists(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def sentinel_point_new(request):
    towns = selectors.office_towns(user=request.user)
    regions = Region.objects.filter(
        Q(pk__in=towns.values("pk")) | Q(parent__in=towns.values("pk"), level=Level.VILLAGE), is_active=True
    ).order_by("path")
    form = SentinelPointForm(request.POST or None, regions=regions, people=_people_of(towns))
    if request.method == "POST" and form.is_valid():
        try:
            point = services.sentinel_point_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("监测哨点已创建。"))
            return redirect("sentinel_point_detail", pk=point.pk)
    return render(request, "referrals/discovery/form.html", {"form": form, "title": _("新建监测哨点")})


@login_required
@require_http_methods(["GET", "POST"])
def sentinel_point_detail(request, pk: int):
    point = selectors.sentinel_point_get(user=request.user, pk=pk)
    may_file = services.may_file(user=request.user, point=point)
    may_manage = services.is_town_office(user=request.user, town=point.region.town())
    form = SentinelReportForm(
        request.POST or None, initial={"discovered_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")}
    )
    if request.method == "POST":
        if form.is_valid():
            try:
                services.sentinel_report_file(actor=request.user, point=point, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("报告已报送，已进入本乡镇（街道）的报告受理。"))
                return redirect("sentinel_point_detail", pk=point.pk)
    return render(
        request,
        "referrals/discovery/point_detail.html",
        {
            "point": point,
            "form": form if may_file else None,
            "may_manage": may_manage,
            "administrator_form": AdministratorForm(
                people=selectors.town_people(town=point.region.town()),
                initial={"administrator": point.administrator_id},
            )
            if may_manage
            else None,
            "reports": selectors.visible_reports(user=request.user, point=point),
            "report_count": selectors.source_report_count(point=point),
        },
    )


@login_required
@require_POST
def sentinel_point_administrator(request, pk: int):
    point = selectors.sentinel_point_get(user=request.user, pk=pk)
    town = point.region.town()
    if not services.is_town_office(user=request.user, town=town):
        raise ActionNotAllowed(services.DENIED)
    form = AdministratorForm(request.POST, people=selectors.town_people(town=town))
    if form.is_valid():
        try:
            services.sentinel_point_update(actor=request.user, point=point, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, _("健康监测管理员已更换。"))
    else:
        messages.error(request, _("请选择本乡镇（街道）任职的健康监测管理员。"))
    return redirect("sentinel_point_detail", pk=point.pk)


@login_required
@require_POST
def sentinel_point_active(request, pk: int):
    point = selectors.sentinel_point_get(user=request.user, pk=pk)
    services.sentinel_point_update(actor=request.user, point=point, is_active=request.POST.get("is_active") == "1")
    messages.success(request, _("哨点状态已更新。"))
    return redirect("sentinel_point_detail", pk=point.pk)
