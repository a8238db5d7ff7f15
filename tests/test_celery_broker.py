"""A real Celery worker on the real Redis broker runs the scheduled heartbeat job. Other tests run
tasks eagerly; this one sends the message through Redis, as production does."""

from __future__ import annotations

import time
import uuid

import pytest
from celery.contrib.testing.worker import start_worker
from celery.result import EagerResult
from celery.signals import task_postrun
from django.conf import settings
from django.db import connections

from minorprot.celery import app
from tiers.models import JobHeartbeat
from tiers.tasks import HEARTBEAT_JOB, record_heartbeat

pytestmark = [pytest.mark.broker, pytest.mark.django_db(transaction=True)]


def close_worker_connections(**kwargs) -> None:
    connections.close_all()


@pytest.fixture
def redis_broker(monkeypatch):
    if not settings.REDIS_URL:
        pytest.skip("REDIS_URL is not set: the broker test needs the real Redis (make test sets it)")
    assert app.conf.broker_url == settings.REDIS_URL
    monkeypatch.setitem(app.conf, "CELERY_TASK_ALWAYS_EAGER", False)
    # A queue of this run's own, so a worker of another checkout on the same Redis cannot take the message.
    queue = f"test-heartbeat-{uuid.uuid4().hex}"
    # The worker thread opens its own database connection; close it after the task, or the test
    # database cannot be dropped at the end of the run.
    task_postrun.connect(close_worker_connections, weak=False)
    yield queue
    task_postrun.disconnect(close_worker_connections)
    with app.connection_for_write() as conn:
        conn.default_channel.queue_delete(queue)


def test_a_worker_on_the_redis_broker_runs_the_heartbeat_job(redis_broker):
    with start_worker(app, pool="solo", queues=[redis_broker], perform_ping_check=False, shutdown_timeout=15):
        result = record_heartbeat.apply_async(queue=redis_broker)
        assert not isinstance(result, EagerResult)  # sent through the broker, not run in this thread
        deadline = time.monotonic() + 30
        while not JobHeartbeat.objects.filter(name=HEARTBEAT_JOB).exists() and time.monotonic() < deadline:
            time.sleep(0.2)

    beat = JobHeartbeat.objects.get(name=HEARTBEAT_JOB)
    assert beat.runs == 1
