"""`manage.py import_ledger PATH --town <division code> [--dry-run] [--json] [--map FILE] [--user NAME]`:
bring a town's Excel (.xlsx) or CSV ledger into the registry, the same pipeline as the import page
(cases.imports.services, issue 12 §1). Without --dry-run the accepted rows are committed at once."""

from __future__ import annotations

import json
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from cases.imports.services import ledger_import
from tiers.errors import ActionNotAllowed
from tiers.models import Region


class Command(BaseCommand):
    help = "Import a town's ledger (.xlsx or .csv) into the registry; a dry run with --dry-run."

    def add_arguments(self, parser):
        parser.add_argument("path", help="The ledger file, .xlsx or .csv.")
        parser.add_argument("--town", required=True, help="The town's division code.")
        parser.add_argument("--dry-run", action="store_true", help="Check and count only; change nothing.")
        parser.add_argument("--json", action="store_true", help="Print the outcome as JSON.")
        parser.add_argument(
            "--map",
            dest="map_file",
            help='A JSON file mapping unknown words: {"HEADER": {"儿童姓名": "name"}, "CATEGORY": {"孤残": "ORPHAN"}}.',
        )
        parser.add_argument(
            "--user",
            help="Import as this user (the author of the records and grades); default: the system account.",
        )

    def handle(self, *args, path: str, town: str, dry_run: bool, json: bool, map_file: str | None, user, **options):
        file = Path(path)
        if not file.is_file():
            raise CommandError(f"No such file: {path}")
        region = Region.objects.filter(code=town.strip()).first()
        if region is None:
            raise CommandError(f"No region with division code {town}.")
        mapping = None
        if map_file:
            try:
                mapping = _load_json(Path(map_file).read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise CommandError(f"Cannot read the mapping file {map_file}: {exc}") from None
        actor = self._actor(user)
        try:
            batch = ledger_import(
                actor=actor,
                town=region,
                upload=file.read_bytes(),
                file_name=file.name,
                dry_run=dry_run,
                mapping=mapping,
            )
        except ActionNotAllowed:
            raise CommandError(f"{actor.get_username()} may not import into {region.name}.") from None
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        outcome = {
            "created": batch.created_count,
            "updated": batch.updated_count,
            "unchanged": batch.unchanged_count,
            "rejected": [{k: v for k, v in r.items() if k != "values"} for r in batch.rejected_rows],
        }
        if json:
            self.stdout.write(_dump(outcome))
            return
        verb = "Would import" if dry_run else "Imported"
        self.stdout.write(
            f"{verb} {batch.file_name} into {region.name}: {outcome['created']} created, {outcome['updated']} updated, "
            f"{outcome['unchanged']} unchanged, {len(outcome['rejected'])} rejected (batch {batch.pk})."
        )
        for rejected in outcome["rejected"]:
            messages = "; ".join(f"{e['field']}: {e['message']}" for e in rejected["errors"])
            self.stdout.write(f"  row {rejected['row']} ({rejected['ref'] or '-'}): {messages}")

    def _actor(self, username: str | None):
        if not username:
            from tiers.services import system_actor

            return system_actor()
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user {username}.")
        return user


def _load_json(text: str):
    return json.loads(text)


def _dump(value) -> str:
    return json.dumps(value, ensure_ascii=False)
