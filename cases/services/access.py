"""The access log: every read and export of minors' records (issue: privacy is part of correctness;
domain.md §13 "audit logs")."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from cases.models import AccessLog, Minor


def client_address(request) -> str | None:
    if request is None:
        return None
    proxies = getattr(settings, "MINORPROT_TRUSTED_PROXIES", 0)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if len(hops) >= proxies:
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR") or None


def access_log_record(
    *,
    user,
    action: str,
    channel: str,
    minor: Minor | None = None,
    request=None,
    detail: dict[str, Any] | None = None,
) -> AccessLog:
    """Write one access-log row. Called by every view that shows or exports a record."""
    return AccessLog.objects.create(
        user=user,
        minor=minor,
        action=action,
        channel=channel,
        ip_address=client_address(request),
        user_agent=(request.META.get("HTTP_USER_AGENT", "") if request is not None else "")[:300],
        path=(request.get_full_path() if request is not None else "")[:500],
        detail=detail or {},
    )


def access_log_record_many(
    *, user, action: str, channel: str, minors: list[Minor], request=None, detail: dict[str, Any] | None = None
) -> None:
    """One access-log row per record shown together (an API list page), written in one statement."""
    address = client_address(request)
    agent = (request.META.get("HTTP_USER_AGENT", "") if request is not None else "")[:300]
    path = (request.get_full_path() if request is not None else "")[:500]
    AccessLog.objects.bulk_create(
        [
            AccessLog(
                user=user,
                minor=minor,
                action=action,
                channel=channel,
                ip_address=address,
                user_agent=agent,
                path=path,
                detail=detail or {},
            )
            for minor in minors
        ]
    )
