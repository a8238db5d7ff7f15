"""Downloads of personal data (issue 6 §4). Each needs a post that may export (tiers.roles, EXPORT) and
writes one access-log row per child in the file, in the same request, before the file is sent."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from cases.forms import minor_filter_form
from cases.models import AccessLog, Minor
from cases.selectors import MinorFilters
from cases.services.access import access_log_record_many
from reporting.exports import ledger_build, ledger_filename
from reporting.xlsx import xlsx_response
from tiers.roles import Capability
from tiers.selectors import user_can

_LOG_BATCH = 2000


@login_required
@require_GET
def ledger_export(request):
    """The registry list, filtered as on screen (same query string), as an Excel ledger."""
    if not user_can(request.user, Capability.EXPORT):
        raise PermissionDenied(
            _("您的岗位不能导出台账。导出须由乡镇（街道）民政办、乡镇（街道）领导或区县民政部门岗位办理。")
        )
    filters = minor_filter_form(request.GET, user=request.user).filters()
    today = timezone.localdate()
    ledger = ledger_build(user=request.user, filters=filters, today=today)
    detail = {"export": "ledger", "filters": _filters_detail(filters), "rows": len(ledger.minor_ids)}
    with transaction.atomic():
        # Only the ids are kept while the workbook is written; the log needs no more than the key.
        for start in range(0, len(ledger.minor_ids), _LOG_BATCH):
            ids = ledger.minor_ids[start : start + _LOG_BATCH]
            access_log_record_many(
                user=request.user,
                action=AccessLog.Action.EXPORT,
                channel=AccessLog.Channel.WEB,
                minors=[Minor(pk=pk) for pk in ids],
                request=request,
                detail=detail,
            )
    return xlsx_response(ledger.content, ledger_filename(region=filters.region, today=today))


def _filters_detail(filters: MinorFilters) -> dict[str, str]:
    """The filters applied, as the access log keeps them (the place by its division code)."""
    applied = {
        "q": filters.q,
        "region": filters.region.code if filters.region is not None else "",
        "category": filters.category,
        "status": filters.status,
        "gender": filters.gender,
        "risk_grade": filters.risk_grade,
    }
    return {key: value for key, value in applied.items() if value}
