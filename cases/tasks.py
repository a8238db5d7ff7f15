"""Thin Celery tasks of the registry: load by id, call a service or send mail."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mass_mail

# The worker learns of an app's tasks through this module; the import's own task lives with its topic.
from cases.imports.tasks import run_ledger_import  # noqa: F401


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_notification_email(*, user_ids: list[int], url: str = "", title: str = "", body: str = "") -> int:
    """E-mail a notification to those of `user_ids` who have an address. Re-sending is harmless.
    The text is the neutral one of cases.alerts.services.notification_email with a link; `title` and
    `body` (sent by tasks queued before that rule) are ignored, never mailed."""
    from cases.alerts.services import notification_email

    users = get_user_model().objects.filter(pk__in=user_ids, is_active=True).exclude(email="")
    subject, text = notification_email(url=url)
    messages = [(subject, text, settings.DEFAULT_FROM_EMAIL, [user.email]) for user in users]
    return send_mass_mail(messages, fail_silently=False) if messages else 0


@shared_task
def escalate_casework() -> dict:
    """Hourly: overdue measures and red cases without a plan (cases.casework.services.alerts)."""
    from cases.casework.services.alerts import casework_escalate

    return casework_escalate()


@shared_task
def run_minor_changed_handlers(*, minor_ids: list[int]) -> int:
    """The registry's minor_changed handlers for many children (a ledger import), off the request.
    Safe to run twice: the handlers recompute what they derive."""
    from cases.hooks import run_handlers

    run_handlers(minor_ids)
    return len(minor_ids)
