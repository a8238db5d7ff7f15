"""The every-minute heartbeat job and the /healthz report that shows it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from tiers.health import HEARTBEAT_MAX_AGE_SECONDS
from tiers.models import JobHeartbeat
from tiers.services import heartbeat_record
from tiers.tasks import HEARTBEAT_JOB, record_heartbeat

pytestmark = pytest.mark.django_db


def test_running_the_heartbeat_twice_keeps_one_row_and_counts_both_runs():
    record_heartbeat.delay()
    record_heartbeat.delay()

    beat = JobHeartbeat.objects.get()
    assert (beat.name, beat.runs) == (HEARTBEAT_JOB, 2)


def test_the_heartbeat_is_scheduled_every_minute_in_code():
    entry = next(e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "tiers.tasks.record_heartbeat")
    assert entry["schedule"] == 60.0


def test_healthz_reports_database_broker_and_a_fresh_heartbeat(client):
    heartbeat_record(name=HEARTBEAT_JOB)

    response = client.get("/healthz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["ok"] and body["broker"]["ok"]
    assert body["heartbeat"]["runs"] == 1
    assert 0 <= body["heartbeat"]["age_seconds"] <= HEARTBEAT_MAX_AGE_SECONDS


def test_healthz_is_degraded_but_serving_when_the_heartbeat_is_stale(client):
    heartbeat_record(name=HEARTBEAT_JOB)
    JobHeartbeat.objects.update(last_run_at=timezone.now() - timedelta(seconds=HEARTBEAT_MAX_AGE_SECONDS + 60))

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    assert response.json()["heartbeat"]["ok"] is False


def test_healthz_is_degraded_before_the_first_heartbeat(client):
    response = client.get("/healthz")

    assert response.json()["status"] == "degraded"
    assert response.json()["heartbeat"]["last_run_at"] is None


def test_healthz_answers_503_when_the_broker_is_unreachable(client, monkeypatch):
    from minorprot.celery import app

    monkeypatch.setattr(app.conf, "broker_write_url", "redis://127.0.0.1:1/0")

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["status"] == "down"
    assert response.json()["broker"]["ok"] is False
