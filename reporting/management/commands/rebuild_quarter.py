"""`manage.py rebuild_quarter 2026Q3 [--region <division code>]`: recompute a frozen quarter on request."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from reporting.quarters import Quarter
from reporting.services.snapshots import snapshot_freeze_quarter, snapshot_rebuild
from tiers.models import Region
from tiers.roles import Level


class Command(BaseCommand):
    help = "Recompute the frozen figures of an ended quarter (for a region's subtree, or every county)."

    def add_arguments(self, parser):
        parser.add_argument("quarter", help="e.g. 2026Q3")
        parser.add_argument("--region", help="division code of the region to rebuild (default: every county)")
        parser.add_argument("--missing-only", action="store_true", help="only freeze regions that have no snapshot yet")

    def handle(self, *args, quarter, region=None, missing_only=False, **options):
        try:
            parsed = Quarter.parse(quarter)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        if not parsed.is_over():
            raise CommandError(f"{parsed} has not ended; its figures are live and cannot be frozen yet.")
        if region:
            try:
                roots = [Region.objects.get(code=region)]
            except Region.DoesNotExist as exc:
                raise CommandError(f"No region with division code {region}.") from exc
        else:
            roots = list(Region.objects.filter(level=Level.COUNTY, is_active=True))
        total = 0
        for root in roots:
            if missing_only:
                if root.level != Level.COUNTY:
                    raise CommandError("--missing-only works on a whole county.")
                total += snapshot_freeze_quarter(quarter=parsed, county=root)
            else:
                total += snapshot_rebuild(quarter=parsed, region=root)
        self.stdout.write(self.style.SUCCESS(f"{parsed}: {total} regional snapshots written."))
