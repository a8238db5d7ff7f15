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
from referrals.referrals.services import lifecycle as rl
from referrals.webhooks import services as wh
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
        with mock.patch("referrals.webhooks.tasks.deliver_webhook.delay", side_effect=OperationalError("redis down")):
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
    django_capture_on_commit_callbacks, town_officer, case_a, police, partner_a, seal
):
    seal(case_a.minor)
    wh.webhook_endpoint_create(actor=partner_a, url="https://partner.example/hook")
    rl.referral_send(actor=town_officer, referral=draft(town_officer, case_a, police))
    assert not WebhookDelivery.objects.exists()


# Targets (issue 10 item 11): never an internal address, checked again at delivery, no redirects.


@pytest.fixture
def resolver(monkeypatch):
    """The DNS as the product meets it: names answer what the test says, others go to the real resolver."""
    import socket

    answers: dict[str, list[str]] = {}
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host in answers:
            if not answers[host]:
                raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
            return [
                (socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port))
                for a in answers[host]
            ]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return answers


def url_error_code(partner, url) -> str:
    with pytest.raises(ValidationError) as caught:
        wh.webhook_endpoint_create(actor=partner, url=url)
    [error] = caught.value.error_dict["url"]
    return error.code


@pytest.mark.parametrize(
    "url",
    [
        "https://10.0.0.1/hook",
        "https://192.168.1.5/hook",
        "https://169.254.169.254/latest/meta-data/",
        "https://[::1]/hook",
        "https://[::ffff:127.0.0.1]/hook",
        "https://[fe80::1]/hook",
        "https://[fd00::5]/hook",
        "https://0.0.0.0/hook",
        "https://224.0.0.1/hook",
        "https://240.0.0.1/hook",
        "https://2130706433/hook",  # 127.0.0.1 written as one number
    ],
)
def test_a_webhook_to_an_internal_address_is_refused(settings, partner_a, url):
    settings.MINORPROT_WEBHOOK_ALLOW_LOCAL_HTTP = False
    assert url_error_code(partner_a, url) == "private_address"
    assert not wh.webhook_endpoint_list(user=partner_a).exists()


def test_a_name_that_resolves_to_a_loopback_address_is_refused_even_in_development(resolver, partner_a):
    resolver["hook.partner.example"] = ["127.0.0.1"]
    assert url_error_code(partner_a, "https://hook.partner.example/hook") == "private_address"


def test_a_name_with_one_internal_address_among_public_ones_is_refused(settings, resolver, partner_a):
    settings.MINORPROT_WEBHOOK_ALLOW_LOCAL_HTTP = False
    resolver["hook.partner.example"] = ["203.0.113.9", "8.8.8.8", "10.1.2.3"]
    assert url_error_code(partner_a, "https://hook.partner.example/hook") == "private_address"


def test_a_name_with_public_addresses_is_registered(settings, resolver, partner_a):
    settings.MINORPROT_WEBHOOK_ALLOW_LOCAL_HTTP = False
    resolver["hook.partner.example"] = ["8.8.8.8", "2001:4860:4860::8888"]
    endpoint, _secret = wh.webhook_endpoint_create(actor=partner_a, url="https://hook.partner.example/hook")
    assert endpoint.url == "https://hook.partner.example/hook"


def test_the_api_answers_a_field_error_in_chinese_for_an_internal_address(settings, api_client_for, partner_a):
    settings.MINORPROT_WEBHOOK_ALLOW_LOCAL_HTTP = False
    response = api_client_for(partner_a).post(
        "/api/v1/webhooks/", {"url": "https://169.254.169.254/hook"}, format="json", HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    body = response.json()
    assert response.status_code == 400 and body["type"] == "validation_error", body
    [error] = body["errors"]
    assert (error["attr"], error["code"]) == ("url", "private_address")
    assert "内网" in error["detail"]


def test_a_name_that_now_resolves_inside_is_refused_at_delivery_and_not_retried(
    resolver, django_capture_on_commit_callbacks, town_officer, case_a, police, partner_a
):
    resolver["hook.partner.example"] = ["8.8.8.8"]
    wh.webhook_endpoint_create(actor=partner_a, url="https://hook.partner.example/hook")
    resolver["hook.partner.example"] = ["8.8.8.8", "127.0.0.1"]  # the DNS changed since registration
    with django_capture_on_commit_callbacks(execute=True):
        rl.referral_send(actor=town_officer, referral=draft(town_officer, case_a, police))
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == WebhookDelivery.Status.FAILED and delivery.attempts == 1
    assert delivery.attempt_log.get().error == "private_address"
    backoff_elapses()
    assert wh.webhooks_dispatch() == 0  # given up: no further attempts


def test_delivery_connects_to_the_address_it_checked_not_to_a_second_lookup(
    monkeypatch, django_capture_on_commit_callbacks, town_officer, case_a, police, partner_a
):
    import socket

    with Receiver([204]) as receiver:
        wh.webhook_endpoint_create(actor=partner_a, url=f"http://localhost:{receiver.server.server_port}/hook")
        real = socket.getaddrinfo
        lookups = []

        def rebinding(host, port, *args, **kwargs):
            # The first answer for the name is the checked one; a later lookup would point elsewhere.
            if host != "localhost":
                return real(host, port, *args, **kwargs)
            lookups.append(host)
            address = "127.0.0.1" if len(lookups) == 1 else "127.0.0.2"
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

        monkeypatch.setattr(socket, "getaddrinfo", rebinding)
        with django_capture_on_commit_callbacks(execute=True):
            rl.referral_send(actor=town_officer, referral=draft(town_officer, case_a, police))
    assert lookups == ["localhost"]
    assert len(receiver.requests) == 1
    assert WebhookDelivery.objects.get().status == WebhookDelivery.Status.DELIVERED


class Redirector:
    """A receiver on 127.0.0.1 that answers 302 to another local server, which records anything it gets."""

    def __init__(self):
        self.reached: list[str] = []
        redirector = self

        class Target(BaseHTTPRequestHandler):
            def _record(self):
                redirector.reached.append(self.command)
                self.send_response(200)
                self.end_headers()

            do_GET = do_POST = _record

            def log_message(self, *args):
                pass

        self.target = HTTPServer(("127.0.0.1", 0), Target)
        location = f"http://127.0.0.1:{self.target.server_port}/internal"

        class Redirect(BaseHTTPRequestHandler):
            def do_POST(self):
                self.rfile.read(int(self.headers["Content-Length"]))
                self.send_response(302)
                self.send_header("Location", location)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Redirect)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"

    def __enter__(self):
        for server in (self.server, self.target):
            threading.Thread(target=server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        for server in (self.server, self.target):
            server.shutdown()
            server.server_close()


def test_a_redirect_is_not_followed_and_counts_as_a_failed_attempt(
    django_capture_on_commit_callbacks, town_officer, case_a, police, partner_a
):
    with Redirector() as redirector:
        send_with_hook(town_officer, case_a, police, partner_a, redirector.url, django_capture_on_commit_callbacks)
    delivery = WebhookDelivery.objects.get()
    attempt = delivery.attempt_log.get()
    assert (attempt.status_code, attempt.error) == (302, "redirect_not_followed")
    assert delivery.status == WebhookDelivery.Status.PENDING  # retried later like any failure
    assert redirector.reached == []
