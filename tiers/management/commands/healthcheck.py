"""`manage.py healthcheck`: the /healthz report on the command line, for container health checks
(exit 0 healthy, 1 not). `--require-heartbeat` also fails on a stale heartbeat (the beat container)."""

import json

from django.core.management.base import BaseCommand, CommandError

from tiers.health import health_report


class Command(BaseCommand):
    help = "Check the database, the Celery broker and (optionally) the scheduled-job heartbeat."

    def add_arguments(self, parser):
        parser.add_argument(
            "--require-heartbeat", action="store_true", help="Fail when the every-minute heartbeat is stale."
        )

    def handle(self, *args, require_heartbeat: bool = False, **options):
        report, serving = health_report()
        self.stdout.write(json.dumps(report, ensure_ascii=False))
        if not serving:
            raise CommandError("database or broker unreachable")
        if require_heartbeat and not report["heartbeat"]["ok"]:
            raise CommandError("the scheduled-job heartbeat is stale: is celery beat running, and a worker?")
