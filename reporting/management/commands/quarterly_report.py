"""`manage.py quarterly_report --region <division code> --quarter 2026Q3 --output <file.pdf>`.

The quarterly analysis report of a town or district as a PDF, written straight to a file without
Celery (for operators and scripts; issue 6 §3). The current quarter shows live figures, a past one its
frozen figures (frozen on the way if the quarter-end job has not reached it yet). Nothing is stored in
the system: the report pages keep their own copy.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reporting.analysis.services import ANALYSIS_LEVELS, render_report_pdf
from reporting.quarters import Quarter
from tiers.models import Region


class Command(BaseCommand):
    help = "Write the quarterly analysis report (分析报告) of a town or district as a PDF file."

    def add_arguments(self, parser):
        parser.add_argument("--region", required=True, help="division code of a town or district")
        parser.add_argument("--quarter", required=True, help="e.g. 2026Q3 (the current quarter or a past one)")
        parser.add_argument("--output", required=True, help="path of the PDF file to write")

    def handle(self, *args, region: str, quarter: str, output: str, **options):
        try:
            parsed = Quarter.parse(quarter)
        except ValueError as exc:
            raise CommandError(f"Bad quarter {quarter!r}: write it as 2026Q3 (year, Q, 1-4).") from exc
        if parsed > Quarter.current():
            raise CommandError(f"{parsed} has not started yet; choose the current quarter or a past one.")
        unit = Region.objects.filter(code=region.strip()).first()
        if unit is None:
            raise CommandError(f"No region with division code {region!r}.")
        if unit.level not in ANALYSIS_LEVELS:
            raise CommandError(
                f"{unit.code} {unit.name} is a {unit.get_level_display()}; reports are made for towns and districts."
            )
        if not unit.is_active:
            raise CommandError(f"{unit.code} {unit.name} is no longer active.")
        path = Path(output).expanduser()
        directory = path.parent if str(path.parent) else Path(".")
        if path.is_dir():
            raise CommandError(f"{path} is a directory; give the path of a PDF file.")
        if not directory.is_dir():
            raise CommandError(f"Cannot write {path}: the directory {directory} does not exist.")
        if not os.access(directory, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
            raise CommandError(f"Cannot write {path}: permission denied.")

        pdf = render_report_pdf(region=unit, quarter=parsed)
        try:
            path.write_bytes(pdf)
        except OSError as exc:
            raise CommandError(f"Cannot write {path}: {exc.strerror or exc}.") from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"{unit.name} {parsed}: {path} ({len(pdf) // 1024} KB, {'live' if not parsed.is_over() else 'frozen'} figures)"
            )
        )
