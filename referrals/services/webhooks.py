"""Webhooks for partner systems (issue 5 §5): referral events POSTed to a partner's HTTPS address,
signed with HMAC-SHA256 of the raw body (header `X-Minorprot-Signature: sha256=<hex>`).

Delivery is an outbox: `deliveries_enqueue` writes a WebhookDelivery row in the transaction of the event
itself, and asks Celery to send it after commit. If the broker is down then, nothing is lost: the
dispatcher job (every minute) sends every delivery that is due. Each try is a WebhookAttempt; failures
retry with exponential backoff and give up as FAILED after MINORPROT_WEBHOOK_MAX_ATTEMPTS tries.
The payload carries the referral's id and state only, no child's data: the partner reads the referral
through the API, where the read is checked and logged (domain.md §13).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
import time
import urllib.error
import urllib.request
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.services.registry import RegistryPermissionDenied
from referrals.models import Referral, ReferralEvent, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from tiers.roles import Role
from tiers.selectors import user_posts

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Minorprot-Signature"
EVENT_HEADER = "X-Minorprot-Event"
DELIVERY_HEADER = "X-Minorprot-Delivery"
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


def signature_for(*, secret: str, body: bytes) -> str:
    """The value of the signature header for `body` (what a receiver recomputes and compares)."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def webhook_url_check(url: str) -> None:
    """Only https; plain http only to this machine, and only where allowed (development and tests)."""
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return
    if parts.scheme == "http" and parts.hostname in LOCAL_HOSTS and settings.MINORPROT_WEBHOOK_ALLOW_LOCAL_HTTP:
        return
    raise ValidationError({"url": [ValidationError(_("回调地址必须使用 HTTPS。"), code="https_required")]})


def _partner_organisation_id(user) -> int:
    ids = sorted(
        {post.organisation_id for post in user_posts(user) if post.role == Role.PARTNER_STAFF and post.organisation_id}
    )
    if not ids:
        raise RegistryPermissionDenied
    return ids[0]


def webhook_endpoint_list(*, user):
    """The active endpoints of the caller's organisation(s)."""
    org_ids = {p.organisation_id for p in user_posts(user) if p.role == Role.PARTNER_STAFF and p.organisation_id}
    return WebhookEndpoint.objects.filter(organisation_id__in=org_ids, is_active=True).order_by("-created_at", "-id")


@transaction.atomic
def webhook_endpoint_create(*, actor, url: str) -> tuple[WebhookEndpoint, str]:
    """A partner registers its HTTPS address; the signing secret is returned once (it is needed to sign,
    so it is stored, but the API never shows it again)."""
    organisation_id = _partner_organisation_id(actor)
    url = url.strip()
    webhook_url_check(url)
    secret = secrets.token_hex(32)
    endpoint = WebhookEndpoint.objects.create(organisation_id=organisation_id, url=url, secret=secret)
    return endpoint, secret


@transaction.atomic
def webhook_endpoint_delete(*, actor, endpoint: WebhookEndpoint) -> None:
    """Stop sending to an address; its deliveries stay as a record, pending ones are dropped."""
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    if not webhook_endpoint_list(user=actor).filter(pk=endpoint.pk).exists():
        raise RegistryPermissionDenied
    endpoint.is_active = False
    endpoint.save(update_fields=["is_active"])
    endpoint.deliveries.filter(status=WebhookDelivery.Status.PENDING).update(status=WebhookDelivery.Status.FAILED)


def event_payload(*, referral: Referral, event: ReferralEvent, event_id: str) -> dict:
    return {
        "id": event_id,
        "type": f"referral.{event.kind.lower()}",
        "occurred_at": event.at.isoformat(),
        "referral": {
            "id": referral.pk,
            "status": referral.status,
            "priority": referral.priority,
            "accept_due_at": referral.accept_due_at.isoformat() if referral.accept_due_at else None,
            "feedback_due_on": referral.feedback_due_on.isoformat() if referral.feedback_due_on else None,
            "url": f"/api/v1/referrals/{referral.pk}/",
        },
    }


def deliveries_enqueue(*, referral: Referral, event: ReferralEvent) -> list[WebhookDelivery]:
    """Outbox rows for one event, one per active endpoint of the destination; call inside the event's
    transaction. A sealed child's referral is never announced (partners never see it)."""
    if referral.minor.is_sealed:
        return []
    endpoints = WebhookEndpoint.objects.filter(organisation_id=referral.organisation_id, is_active=True)
    event_id = f"evt_{event.pk}"
    payload = event_payload(referral=referral, event=event, event_id=event_id)
    rows = WebhookDelivery.objects.bulk_create(
        [
            WebhookDelivery(endpoint=e, event_id=event_id, event_type=payload["type"], payload=payload)
            for e in endpoints
        ],
        ignore_conflicts=True,
    )
    if rows:
        transaction.on_commit(lambda: _dispatch_event(event_id))
    return rows


def report_deliveries_enqueue(*, report, event) -> list[WebhookDelivery]:
    """Outbox rows telling the reporting partner of a step on its report (issue 5 §6: the reporting
    partner gets the outcome through the API and webhook): status and the outcome meant for it only."""
    if report.reporter_organisation_id is None:
        return []
    endpoints = WebhookEndpoint.objects.filter(organisation_id=report.reporter_organisation_id, is_active=True)
    event_id = f"rpt_{event.pk}"
    payload = {
        "id": event_id,
        "type": f"report.{event.kind.lower()}",
        "occurred_at": event.at.isoformat(),
        "report": {
            "id": report.pk,
            "status": report.status,
            "outcome_for_reporter": report.outcome_for_reporter,
            "url": f"/api/v1/reports/{report.pk}/",
        },
    }
    rows = WebhookDelivery.objects.bulk_create(
        [
            WebhookDelivery(endpoint=e, event_id=event_id, event_type=payload["type"], payload=payload)
            for e in endpoints
        ],
        ignore_conflicts=True,
    )
    if rows:
        transaction.on_commit(lambda: _dispatch_event(event_id))
    return rows


def _dispatch_event(event_id: str) -> None:
    ids = list(WebhookDelivery.objects.filter(event_id=event_id).values_list("pk", flat=True))
    _send_to_broker(ids)


def _send_to_broker(delivery_ids: list[int]) -> None:
    """Queue one task per delivery; if the broker is unreachable the rows wait for the dispatcher."""
    from referrals.tasks import deliver_webhook

    for pk in delivery_ids:
        try:
            deliver_webhook.delay(delivery_id=pk)
        except Exception:  # the broker is down: the outbox row stays PENDING for webhooks_dispatch
            logger.warning("webhook delivery %s not queued; the dispatcher will send it", pk, exc_info=True)
            return


def webhooks_dispatch(*, now=None) -> int:
    """Every minute: queue every PENDING delivery that is due (new ones whose task was lost, retries)."""
    now = now or timezone.now()
    ids = list(
        WebhookDelivery.objects.filter(status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:500]
    )
    _send_to_broker(ids)
    return len(ids)


def _post(*, url: str, body: bytes, headers: dict[str, str]) -> tuple[int | None, str]:
    # The scheme was checked by webhook_url_check (https, or http to this machine where allowed).
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=settings.MINORPROT_WEBHOOK_TIMEOUT_SECONDS) as response:  # noqa: S310
            return response.status, ""
    except urllib.error.HTTPError as exc:
        return exc.code, ""
    except (urllib.error.URLError, OSError, ValueError) as exc:
        return None, str(getattr(exc, "reason", exc))[:300]


def webhook_deliver(*, delivery_id: int) -> str:
    """Try one delivery once, if it is still pending and due. The row is leased (its next attempt moved
    on) before the request, so the task and the dispatcher never send it twice at the same time.
    Returns the delivery's status afterwards."""
    now = timezone.now()
    lease = timedelta(seconds=settings.MINORPROT_WEBHOOK_TIMEOUT_SECONDS * 2)
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(skip_locked=True)
            .select_related("endpoint")
            .filter(pk=delivery_id, status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=now)
            .first()
        )
        if delivery is None:
            return ""
        delivery.next_attempt_at = now + lease
        delivery.save(update_fields=["next_attempt_at"])
    endpoint = delivery.endpoint
    body = json.dumps(delivery.payload, ensure_ascii=False, separators=(",", ":")).encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "minorprot-webhooks/1",
        SIGNATURE_HEADER: signature_for(secret=endpoint.secret, body=body),
        EVENT_HEADER: delivery.event_type,
        DELIVERY_HEADER: delivery.event_id,
    }
    started = time.monotonic()
    try:
        webhook_url_check(endpoint.url)
    except ValidationError:
        status_code, error = None, "https_required"
    else:
        status_code, error = _post(url=endpoint.url, body=body, headers=headers)
    duration = int((time.monotonic() - started) * 1000)
    with transaction.atomic():
        delivery = WebhookDelivery.objects.select_for_update().get(pk=delivery.pk)
        WebhookAttempt.objects.create(
            delivery=delivery, status_code=status_code, error=error or "", duration_ms=duration
        )
        delivery.attempts += 1
        done = timezone.now()
        if status_code is not None and 200 <= status_code < 300:
            delivery.status = WebhookDelivery.Status.DELIVERED
            delivery.delivered_at = done
        elif delivery.attempts >= settings.MINORPROT_WEBHOOK_MAX_ATTEMPTS:
            delivery.status = WebhookDelivery.Status.FAILED
        else:
            backoff = settings.MINORPROT_WEBHOOK_BACKOFF_SECONDS * 2 ** (delivery.attempts - 1)
            delivery.next_attempt_at = done + timedelta(seconds=backoff)
        delivery.save(update_fields=["attempts", "status", "delivered_at", "next_attempt_at"])
    return delivery.status
