"""Webhooks (issue 5 §5): signed POSTs to a partner's receiver, retries with backoff, every attempt
recorded, and nothing lost when the broker is down (the outbox row waits for the dispatcher)."""

import hashlib
import hmac
import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from referrals.models import WebhookDelivery
from referrals.services import lifecycle as rl
from referrals.services import webhooks as wh
from tests.referrals.conftest import draft


class Receiver:
    """A partner's receiver on 127.0.0.1 answering with the given status codes in turn."""

    def __init__(self, statuses):
        self.statuses = list(statuses)
        self.requests: list[tuple[dict, bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append((dict(self.headers), body))
                status = receiver.statuses.pop(0) if len(receiver.statuses) > 1 else receiver.statuses[0]
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def backoff_elapses() -> None:
    """Time passes: the pending deliveries' next attempt is now due."""
    WebhookDelivery.objects.filter(status="PENDING").update(next_attempt_at=timezone.now() - timedelta(seconds=1))


@pytest.fixture(autouse=True)
def local_http(settings):
    settings.MINORPROT_WEBHOOK_ALLOW_LOCAL_HTTP = True


def send_with_hook(town_officer, case_a, police, partner_a, url, capture):
    endpoint, secret = wh.webhook_endpoint_create(actor=partner_a, url=url)
    with capture(execute=True):
        referral = rl.referral_send(actor=town_officer, referral=draft(town_officer, case_a, police))
    return endpoint, secret, referral


def test_an_event_is_posted_with_a_signature_that_verifies(
    django_capture_on_commit_callbacks, town_officer, case_a, police, partner_a
):
    with Receiver([204]) as receiver:
        _endpoint, secret, referral = send_with_hook(
            town_officer, case_a, police, partner_a, receiver.url, django_capture_on_commit_callbacks
        )
    [(headers, body)] = receiver.requests
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(headers["X-Minorprot-Signature"], expected)
    assert headers["X-Minorprot-Event"] == "referral.sent"
    payload = json.loads(body)
    assert payload["referral"] == {**payload["referral"], "id": referral.pk, "status": "SENT"}
    assert "张三" not in body.decode()  # no child's data in the payload
    assert WebhookDelivery.objects.get().status == WebhookDelivery.Status.DELIVERED


def test_a_failing_receiver_is_retried_with_backoff_and_every_attempt_recorded(
    settings, django_capture_on_commit_callbacks, town_officer, case_a, police, partner_a
):
    settings.MINORPROT_WEBHOOK_BACKOFF_SECONDS = 30
    with Receiver([500, 503, 200]) as receiver:
        send_with_hook(town_officer, case_a, police, partner_a, receiver.url, django_capture_on_commit_callbacks)
        delivery = WebhookDelivery.objects.get()
        assert delivery.status == WebhookDelivery.Status.PENDING and delivery.attempts == 1
        assert timedelta(seconds=25) < delivery.next_attempt_at - timezone.now() <= timedelta(seconds=30)
        assert wh.webhooks_dispatch() == 0  # not due yet
        backoff_elapses()
        assert wh.webhooks_dispatch() == 1
        delivery.refresh_from_db()
        assert delivery.attempts == 2
        assert timedelta(seconds=55) < delivery.next_attempt_at - timezone.now() <= timedelta(seconds=60)
        backoff_elapses()
        wh.webhooks_dispatch()
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.DELIVERED
    assert list(delivery.attempt_log.values_list("status_code", flat=True)) == [500, 503, 200]
    assert len(receiver.requests) == 3


def test_a_delivery_gives_up_after_the_set_number_of_attempts(
    settings, django_capture_on_commit_callbacks, town_officer, case_a, police, partner_a
):
    settings.MINORPROT_WEBHOOK_MAX_ATTEMPTS = 2
    with Receiver([500]) as receiver:
        send_with_hook(town_officer, case_a, police, partner_a, receiver.url, django_capture_on_commit_callbacks)
        backoff_elapses()
        wh.webhooks_dispatch()
        backoff_elapses()
        wh.webhooks_dispatch()
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == WebhookDelivery.Status.FAILED
    assert delivery.attempt_log.count() == 2


def test_an_unreachable_receiver_is_recorded_as_an_error(
    django_capture_on_commit_callbacks, town_officer, case_a, police, partner_a
):
    with Receiver([200]) as receiver:
        url = receiver.url
    send_with_hook(town_officer, case_a, police, partner_a, url, django_capture_on_commit_callbacks)
    attempt = WebhookDelivery.objects.get().attempt_log.get()
    assert attempt.status_code is None and attempt.error


def test_an_event_written_while_the_broker_is_down_is_sent_by_the_dispatcher(
    django_capture_on_commit_callbacks, town_officer, case_a, police, partner_a
):
    from kombu.exceptions import OperationalError

    with Receiver([200]) as receiver:
        with mock.patch("referrals.tasks.deliver_webhook.delay", side_effect=OperationalError("redis down")):
            send_with_hook(town_officer, case_a, police, partner_a, receiver.url, django_capture_on_commit_callbacks)
        delivery = WebhookDelivery.objects.get()
        assert delivery.status == WebhookDelivery.Status.PENDING and receiver.requests == []
        assert wh.webhooks_dispatch() == 1  # the broker is back: the minute job sends it
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.DELIVERED
    assert len(receiver.requests) == 1


def test_only_https_addresses_are_accepted(settings, partner_a):
    settings.MINORPROT_WEBHOOK_ALLOW_LOCAL_HTTP = False
    for url in ("http://partner.example/hook", "http://127.0.0.1:8000/hook", "ftp://x/"):
        with pytest.raises(ValidationError):
            wh.webhook_endpoint_create(actor=partner_a, url=url)
    endpoint, secret = wh.webhook_endpoint_create(actor=partner_a, url="https://partner.example/hook")
    assert endpoint.url.startswith("https://") and len(secret) == 64


def test_a_sealed_childs_referral_is_never_announced(
    django_capture_on_commit_callbacks, town_officer, case_a, police, partner_a
):
    from cases.models import Minor

    Minor.objects.filter(pk=case_a.minor_id).update(is_sealed=True)
    wh.webhook_endpoint_create(actor=partner_a, url="https://partner.example/hook")
    rl.referral_send(actor=town_officer, referral=draft(town_officer, case_a, police))
    assert not WebhookDelivery.objects.exists()
