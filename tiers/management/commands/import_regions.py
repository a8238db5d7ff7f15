"""manage.py import_regions PATH: bring a county's tree in from a sheet (issue 12 §2)."""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from tiers.imports.services import regions_import
from tiers.services import system_actor


def command_actor(username: str | None):
    if not username:
        return system_actor()
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise CommandError(f"no user {username!r}")
    return user


class Command(BaseCommand):
    help = "Import administrative units from a .csv or .xlsx with columns code,name,parent_code[,level]."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--user", help="the account the import is recorded as (default: system)")
        parser.add_argument("--dry-run", action="store_true", help="check and count, then roll everything back")

    def handle(self, *args, path, user=None, dry_run=False, **options):
        file = Path(path)
        if not file.is_file():
            raise CommandError(f"no file {path}")
        result = regions_import(
            actor=command_actor(user), content=file.read_bytes(), filename=file.name, dry_run=dry_run
        )
        if result.errors:
            for error in result.errors:
                self.stderr.write(str(error))
            raise CommandError(f"{len(result.errors)} row error(s); nothing was saved")
        if dry_run:
            self.stdout.write("dry run: nothing was saved")
        self.stdout.write(
            f"created {len(result.created)}, renamed {len(result.renamed)}, unchanged {result.unchanged}, "
            f"default departments {result.departments}"
        )
        for region in result.created:
            self.stdout.write(f"  + {region.code} {region.name} ({region.get_level_display()})")
        for region in result.renamed:
            self.stdout.write(f"  ~ {region.code} → {region.name}")
        for prompt in result.prompts:
            self.stdout.write(prompt)
