"""Webhooks for partner systems (issue 5 §5): referral events POSTed to a partner's HTTPS address,
signed with HMAC-SHA256 of the raw body (header `X-Minorprot-Signature: sha256=<hex>`).

Delivery is an outbox: `deliveries_enqueue` writes a WebhookDelivery row in the transaction of the event
itself, and asks Celery to send it after commit. If the broker is down then, nothing is lost: the
dispatcher job (every minute) sends every delivery that is due. Each try is a WebhookAttempt; failures
retry with exponential backoff and give up as FAILED after MINORPROT_WEBHOOK_MAX_ATTEMPTS tries.
The payload carries the referral's id and state only, no child's data: the partner reads the referral
through the API, where the read is checked and logged (domain.md §13).

Targets (issue 10 item 11, SSRF): a webhook is only ever sent to a public address. Registration refuses a
URL whose host is, or resolves to, a private, loopback, link-local, multicast, reserved or unspecified address
(IPv4 and IPv6, IPv4-mapped and NAT64 forms included). Delivery resolves the host again (DNS may have
changed), checks every address, and connects to a checked address itself (no second lookup); a refused
target is recorded as one failed attempt and the delivery is given up at once. Redirects are never
followed: a 3xx is a failed attempt. Only MINORPROT_WEBHOOK_ALLOW_LOCAL_HTTP (development, tests) lets
127.0.0.1/localhost/::1 through, and then only to loopback addresses.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import ipaddress
import json
import logging
import secrets
import socket
import ssl
import time
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from referrals.referrals.models import Referral, ReferralEvent
from referrals.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from tiers.errors import ActionNotAllowed
from tiers.roles import Role
from tiers.selectors import user_posts

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Minorprot-Signature"
EVENT_HEADER = "X-Minorprot-Event"
DELIVERY_HEADER = "X-Minorprot-Delivery"
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
DENIED = gettext_lazy("您无权对该转介进行此操作。")


def signature_for(*, secret: str, body: bytes) -> str:
    """The value of the signature header for `body` (what a receiver recomputes and compares)."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


# NAT64 (RFC 6052) carries an IPv4 address in its last 32 bits; the embedded address is what is reached.
NAT64_PREFIX = ipaddress.ip_network("64:ff9b::/96")


def _url_error(code: str) -> ValidationError:
    messages = {
        "https_required": _("回调地址必须使用 HTTPS。"),
        "private_address": _("回调地址不能指向内网、本机、链路本地、组播或保留地址，请填写协作单位系统的公网地址。"),
        "invalid_url": _("回调地址无效。"),
    }
    return ValidationError({"url": [ValidationError(messages[code], code=code)]})


def address_is_public(address: str) -> bool:
    """False for private, loopback, link-local, multicast, reserved, unspecified (and other non-global)
    addresses; an IPv4-mapped or NAT64 IPv6 address is judged by the IPv4 address inside it."""
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        elif ip in NAT64_PREFIX:
            ip = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    refused = (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or not ip.is_global
    )
    return not refused


def _address_is_loopback(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_loopback


def host_addresses(host: str, port: int) -> list[str]:
    """The addresses `host` stands for: itself if it is an IP literal, else what the resolver answers
    (raises OSError when the name does not resolve)."""
    try:
        return [str(ipaddress.ip_address(host))]
    except ValueError:
        pass
    found: list[str] = []
    for _family, _type, _proto, _canon, sockaddr in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM):
        address = str(sockaddr[0]).split("%", 1)[0]
        if address not in found:
            found.append(address)
    if not found:
        raise OSError(f"{host} has no address")
    return found


@dataclass(frozen=True)
class WebhookTarget:
    """A URL checked for sending: where to connect (the checked addresses) and what to ask for."""

    scheme: str
    host: str
    port: int
    path: str
    addresses: tuple[str, ...]


def _target_parts(url: str):
    parts = urlsplit(url)
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise _url_error("invalid_url") from None
    host = parts.hostname or ""
    local_allowed = settings.MINORPROT_WEBHOOK_ALLOW_LOCAL_HTTP and host in LOCAL_HOSTS
    if not host or parts.scheme not in ("https", "http") or (parts.scheme == "http" and not local_allowed):
        raise _url_error("https_required")
    return parts, host, port, local_allowed


def _addresses_check(addresses: list[str], *, local_allowed: bool) -> None:
    for address in addresses:
        if local_allowed and _address_is_loopback(address):
            continue
        if not address_is_public(address):
            raise _url_error("private_address")


def webhook_url_check(url: str) -> None:
    """At registration: only https, and never to an internal address (the host as written, and every
    address it resolves to now). A name that does not resolve yet is accepted: delivery checks again.
    Plain http (and loopback) only to this machine, and only where allowed (development and tests)."""
    _parts, host, port, local_allowed = _target_parts(url)
    try:
        addresses = host_addresses(host, port)
    except (OSError, UnicodeError):
        return
    _addresses_check(addresses, local_allowed=local_allowed)


def webhook_target_resolve(url: str) -> WebhookTarget:
    """At delivery: the URL checked as at registration, with the addresses to connect to. Raises
    ValidationError for a refused target, OSError when the name does not resolve now."""
    parts, host, port, local_allowed = _target_parts(url)
    try:
        addresses = host_addresses(host, port)
    except UnicodeError as exc:
        raise OSError(str(exc)) from None
    _addresses_check(addresses, local_allowed=local_allowed)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return WebhookTarget(scheme=parts.scheme, host=host, port=port, path=path, addresses=tuple(addresses))


def _partner_organisation_id(user) -> int:
    ids = sorted(
        {post.organisation_id for post in user_posts(user) if post.role == Role.PARTNER_STAFF and post.organisation_id}
    )
    if not ids:
        raise ActionNotAllowed(DENIED)
    return ids[0]


def webhook_endpoint_list(*, user):
    """The active endpoints of the caller's organisation(s)."""
    org_ids = {p.organisation_id for p in user_posts(user) if p.role == Role.PARTNER_STAFF and p.organisation_id}
    return WebhookEndpoint.objects.filter(organisation_id__in=org_ids, is_active=True).order_by("-created_at", "-id")


def webhook_endpoint_create(*, actor, url: str) -> tuple[WebhookEndpoint, str]:
    """A partner registers its HTTPS address; the signing secret is returned once (it is needed to sign,
    so it is stored, but the API never shows it again). Internal addresses are refused (issue 10 item 11);
    the name is resolved before any transaction is opened."""
    organisation_id = _partner_organisation_id(actor)
    url = url.strip()
    webhook_url_check(url)
    secret = secrets.token_hex(32)
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.create(organisation_id=organisation_id, url=url, secret=secret)
    return endpoint, secret


@transaction.atomic
def webhook_endpoint_delete(*, actor, endpoint: WebhookEndpoint) -> None:
    """Stop sending to an address; its deliveries stay as a record, pending ones are dropped."""
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    if not webhook_endpoint_list(user=actor).filter(pk=endpoint.pk).exists():
        raise ActionNotAllowed(DENIED)
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
    from referrals.webhooks.tasks import deliver_webhook

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


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the address that was checked, not to whatever a second lookup of the name answers."""

    def __init__(self, host: str, port: int, *, address: str, timeout: float):
        super().__init__(host, port, timeout=timeout)
        self.checked_address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self.checked_address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """TLS to the checked address; the certificate is verified against the URL's host name (SNI too)."""

    def __init__(self, host: str, port: int, *, address: str, timeout: float):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self.checked_address = address

    def connect(self) -> None:
        sock = socket.create_connection((self.checked_address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def _post(*, target: WebhookTarget, body: bytes, headers: dict[str, str]) -> tuple[int | None, str]:
    """One POST to the first checked address that accepts a connection. No redirect is followed: the
    3xx status is returned like any other failure."""
    connection_class = _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection
    timeout = settings.MINORPROT_WEBHOOK_TIMEOUT_SECONDS
    error = ""
    for address in target.addresses:
        connection = connection_class(target.host, target.port, address=address, timeout=timeout)
        try:
            connection.connect()
        except OSError as exc:
            error = str(exc)[:300]
            connection.close()
            continue
        try:
            connection.request("POST", target.path, body=body, headers=headers)
            response = connection.getresponse()
            status = response.status
            response.read(65536)
        except (OSError, http.client.HTTPException) as exc:
            return None, str(exc)[:300]
        finally:
            connection.close()
        return status, ("redirect_not_followed" if 300 <= status < 400 else "")
    return None, error or "no_address"


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
    refused = False
    try:
        target = webhook_target_resolve(endpoint.url)
    except ValidationError as exc:
        # A target refused by rule (not https, or an internal address now): one failed attempt, and no
        # retries, which would only knock on the same door again.
        refused = True
        status_code, error = None, exc.error_dict["url"][0].code
    except OSError as exc:
        status_code, error = None, f"dns: {exc}"[:300]
    else:
        status_code, error = _post(target=target, body=body, headers=headers)
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
        elif refused or delivery.attempts >= settings.MINORPROT_WEBHOOK_MAX_ATTEMPTS:
            delivery.status = WebhookDelivery.Status.FAILED
        else:
            backoff = settings.MINORPROT_WEBHOOK_BACKOFF_SECONDS * 2 ** (delivery.attempts - 1)
            delivery.next_attempt_at = done + timedelta(seconds=backoff)
        delivery.save(update_fields=["attempts", "status", "delivered_at", "next_attempt_at"])
    return delivery.status
