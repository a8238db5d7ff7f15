"""manage.py import_staff PATH: create staff accounts and posts from a sheet (issue 12 §2)."""

from __future__ import annotations

import csv
import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tiers.imports.services import staff_import
from tiers.management.commands.import_regions import command_actor


class Command(BaseCommand):
    help = (
        "Import staff from a .csv or .xlsx with columns username,name,region_code,role[,organisation,title,phone]. "
        "New users get a one-time password, printed or written to --passwords-out."
    )

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--user", help="the account the import is recorded as (default: system)")
        parser.add_argument("--dry-run", action="store_true", help="check and count, then roll everything back")
        parser.add_argument("--passwords-out", help="write username,password of the new users to this CSV file")

    def handle(self, *args, path, user=None, dry_run=False, passwords_out=None, **options):
        file = Path(path)
        if not file.is_file():
            raise CommandError(f"no file {path}")
        if passwords_out and Path(passwords_out).exists():
            raise CommandError(f"{passwords_out} exists; choose a new file for the passwords")
        result = staff_import(actor=command_actor(user), content=file.read_bytes(), filename=file.name, dry_run=dry_run)
        if result.errors:
            for error in result.errors:
                self.stderr.write(str(error))
            raise CommandError(f"{len(result.errors)} row error(s); nothing was saved")
        if dry_run:
            self.stdout.write("dry run: nothing was saved")
        self.stdout.write(
            f"users created {result.users_created}, posts created {result.posts_created}, unchanged {result.unchanged}"
        )
        if not result.passwords:
            return
        if passwords_out:
            descriptor = os.open(passwords_out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "w", newline="", encoding="utf-8") as out:
                writer = csv.writer(out)
                writer.writerow(["username", "password"])
                writer.writerows(result.passwords)
            self.stdout.write(f"one-time passwords of {len(result.passwords)} new user(s) written to {passwords_out}")
        else:
            self.stdout.write("one-time passwords (shown once; hand them over and ask for a change):")
            for username, password in result.passwords:
                self.stdout.write(f"  {username}\t{password}")
