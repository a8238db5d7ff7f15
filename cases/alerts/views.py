"""Web pages of alerts and notifications (issue 3 §4, §5): the alerts about children in the user's reach,
acknowledging one (only a post it was addressed to), and the user's own notification centre."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cases.alerts import selectors
from cases.alerts.services import alert_acknowledge, alert_may_acknowledge, notifications_mark_read
from cases.registry.views import records_required

ALERT_PAGE_SIZE = 25
NOTIFICATION_PAGE_SIZE = 25


@records_required
@require_GET
def alert_list(request):
    alerts = selectors.alert_list(user=request.user).select_related("acknowledged_by")
    page = Paginator(alerts, ALERT_PAGE_SIZE).get_page(request.GET.get("page"))
    for alert in page.object_list:
        alert.may_acknowledge = alert.acknowledged_at is None and alert_may_acknowledge(user=request.user, alert=alert)
    return render(request, "cases/alerts/alert_list.html", {"page": page})


@records_required
@require_POST
def alert_acknowledge_view(request, pk: int):
    alert = selectors.alert_list(user=request.user, open_only=False).filter(pk=pk).first()
    if alert is None:
        raise Http404
    if not alert_may_acknowledge(user=request.user, alert=alert):
        raise PermissionDenied
    try:
        alert_acknowledge(actor=request.user, alert=alert)
    except ValidationError as exc:
        messages.info(request, " ".join(exc.messages))
    else:
        messages.success(request, _("已确认预警，将在问题解决后自动解除。"))
    return redirect("alert_list")


@login_required
@require_GET
def notification_list_view(request):
    page = Paginator(selectors.notification_list(user=request.user), NOTIFICATION_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "cases/alerts/notification_list.html", {"page": page})


@login_required
@require_POST
def notification_mark_read(request, pk: int):
    if not selectors.notification_list(user=request.user).filter(pk=pk).exists():
        raise Http404
    notifications_mark_read(user=request.user, ids=[pk])
    return redirect("notification_list")


@login_required
@require_POST
def notification_mark_all_read(request):
    count = notifications_mark_read(user=request.user)
    messages.success(request, _("已将%(n)d条通知标为已读。") % {"n": count})
    return redirect("notification_list")
