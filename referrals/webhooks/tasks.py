"""Thin Celery tasks of webhooks (listed in CELERY_IMPORTS): deliver one, dispatch those due."""

from __future__ import annotations

from celery import shared_task


@shared_task
def deliver_webhook(*, delivery_id: int) -> str:
    """Try one webhook delivery; a failure is rescheduled in the outbox row, not by Celery."""
    from referrals.webhooks.services import webhook_deliver

    return webhook_deliver(delivery_id=delivery_id)


@shared_task
def dispatch_webhooks() -> int:
    """Every minute: queue the deliveries that are due (retries, and those written while the broker was down)."""
    from referrals.webhooks.services import webhooks_dispatch

    return webhooks_dispatch()
