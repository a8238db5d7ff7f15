"""Liveness of the parts the system needs: the database, the Celery broker, and the scheduled jobs.

`/healthz` answers JSON for load balancers, docker-compose and people: 200 while the database and the
broker answer, 503 when either does not. The heartbeat (tiers.tasks.record_heartbeat, every minute)
shows that beat and a worker really run jobs; a stale heartbeat marks the status "degraded" but keeps
200, because the web pages still work without the scheduler. No personal data and no error text
(which could name hosts) is shown; errors go to the log.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from datetime import datetime

from django.db import connection
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from minorprot.celery import app as celery_app
from tiers.models import JobHeartbeat
from tiers.tasks import HEARTBEAT_JOB

logger = logging.getLogger(__name__)

# The heartbeat runs every minute; three missed runs mean the scheduler or every worker is down.
HEARTBEAT_MAX_AGE_SECONDS = 180


@dataclass(frozen=True)
class Probe:
    ok: bool
    error: str = ""


@dataclass(frozen=True)
class Heartbeat:
    ok: bool
    last_run_at: datetime | None
    age_seconds: int | None
    runs: int


def database_probe() -> Probe:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        logger.exception("health: database unreachable")
        return Probe(ok=False, error=type(exc).__name__)
    return Probe(ok=True)


def broker_probe() -> Probe:
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=3)
    except Exception as exc:
        logger.exception("health: Celery broker unreachable")
        return Probe(ok=False, error=type(exc).__name__)
    return Probe(ok=True)


def heartbeat_probe(*, now: datetime | None = None) -> Heartbeat:
    try:
        beat = JobHeartbeat.objects.filter(name=HEARTBEAT_JOB).first()
    except Exception:
        logger.exception("health: heartbeat unreadable")
        beat = None
    if beat is None:
        return Heartbeat(ok=False, last_run_at=None, age_seconds=None, runs=0)
    age = int(((now or timezone.now()) - beat.last_run_at).total_seconds())
    return Heartbeat(ok=age <= HEARTBEAT_MAX_AGE_SECONDS, last_run_at=beat.last_run_at, age_seconds=age, runs=beat.runs)


def health_report() -> tuple[dict, bool]:
    """The report and whether the system can serve requests (database and broker reachable)."""
    database = database_probe()
    broker = broker_probe()
    heartbeat = heartbeat_probe() if database.ok else Heartbeat(ok=False, last_run_at=None, age_seconds=None, runs=0)
    serving = database.ok and broker.ok
    status = "down" if not serving else ("ok" if heartbeat.ok else "degraded")
    beat = asdict(heartbeat)
    beat["last_run_at"] = heartbeat.last_run_at.isoformat() if heartbeat.last_run_at else None
    beat["max_age_seconds"] = HEARTBEAT_MAX_AGE_SECONDS
    report = {
        "status": status,
        "database": asdict(database),
        "broker": {**asdict(broker), "transport": celery_app.conf.broker_url.split("://", 1)[0]},
        "heartbeat": beat,
    }
    return report, serving


@never_cache
@require_GET
def healthz(request):
    report, serving = health_report()
    return JsonResponse(report, status=200 if serving else 503, json_dumps_params={"ensure_ascii": False})
