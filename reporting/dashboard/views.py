"""The leadership dashboard (issue 6 §1): figures of the viewer's part of the tree, with drill-down
district → town → village, the last eight quarters, and every chart's numbers as a table and as Excel.
No child's name or record appears here; reading it needs only VIEW_AGGREGATES."""

from __future__ import annotations

from datetime import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from cases.accesslog.services import access_log_record
from cases.models import AccessLog
from governance.selectors import governance_for_quarter
from reporting.dashboard.selectors import (
    DASHBOARD_LEVELS,
    dashboard_breadcrumbs,
    dashboard_home_region,
    dashboard_region_get,
    figures_for,
    quarter_choices,
    trend_for,
)
from reporting.dashboard.tables import figure_charts, figure_tables, table_for_display, trend_table
from reporting.quarters import Quarter
from reporting.small_cells import small_cells_suppressed
from screening.campaigns.selectors import campaign_figures
from tiers.models import Region
from tiers.roles import Capability
from tiers.selectors import user_reach


def _quarter(request) -> Quarter:
    current = Quarter.current()
    text = request.GET.get("quarter", "")
    if not text:
        return current
    try:
        quarter = Quarter.parse(text)
    except ValueError as exc:
        messages.error(request, str(exc))
        return current
    if quarter > current:
        messages.error(request, _("%(quarter)s 尚未开始，显示本季度。") % {"quarter": quarter.label})
        return current
    return quarter


@login_required
@require_GET
def dashboard_home(request):
    region = dashboard_home_region(user=request.user)
    if region is None:
        raise PermissionDenied(_("您的岗位无权查看统计。"))
    return redirect("dashboard", pk=region.pk)


@login_required
@require_GET
def dashboard(request, pk: int):
    region = dashboard_region_get(user=request.user, pk=pk)
    quarter = _quarter(request)
    figures = small_cells_suppressed(figures_for(region=region, quarter=quarter), user=request.user)
    trend = trend_for(region=region, quarter=quarter, figures=figures)
    tables = {table["key"]: table_for_display(table) for table in figure_tables(figures)}
    tables["trend"] = table_for_display(trend_table(trend))
    reach = user_reach(request.user, Capability.VIEW_AGGREGATES)
    children = [
        {
            **child,
            "link": child["level"] in DASHBOARD_LEVELS and reach.covers(Region.path_child(region.path, child["code"])),
        }
        for child in figures["children"]
    ]
    return render(
        request,
        "reporting/dashboard/dashboard.html",
        {
            "region": region,
            "quarter": quarter,
            "quarters": quarter_choices(),
            "figures": figures,
            "as_of": datetime.fromisoformat(figures["as_of"]),
            "summary": figures["summary"],
            "tables": tables,
            "charts": figure_charts(figures, trend),
            "children": children,
            "child_rows": list(zip(children, tables["children"]["rows"], strict=True)),
            "breadcrumbs": dashboard_breadcrumbs(user=request.user, region=region),
            "governance": governance_for_quarter(region=region, quarter=quarter),
            "campaigns": campaign_figures(user=request.user, region=region),
            "may_export": user_reach(request.user, Capability.EXPORT).covers(region.path),
            "now": timezone.now(),
        },
    )


@login_required
@require_GET
def dashboard_export(request, pk: int):
    """The dashboard's tables as an Excel workbook. Needs a role that may export; logged like every export."""
    from reporting.exports.xlsx import tables_workbook, xlsx_response

    region = dashboard_region_get(user=request.user, pk=pk)
    if not user_reach(request.user, Capability.EXPORT).covers(region.path):
        raise PermissionDenied(_("您的岗位无权导出统计表。"))
    quarter = _quarter(request)
    figures = small_cells_suppressed(figures_for(region=region, quarter=quarter), user=request.user)
    tables = [trend_table(trend_for(region=region, quarter=quarter, figures=figures)), *figure_tables(figures)]
    content = tables_workbook(title=f"{region.name} {quarter.label}", tables=tables)
    access_log_record(
        user=request.user,
        action=AccessLog.Action.EXPORT,
        channel=AccessLog.Channel.WEB,
        request=request,
        detail={"export": "dashboard", "region": region.code, "quarter": str(quarter)},
    )
    return xlsx_response(content, f"{_('统计表')}_{region.name}_{quarter}.xlsx")
