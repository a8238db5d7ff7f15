"""`manage.py seed_demo`: the demo district (demo/), its staff logins and about 200 at-risk minors, then each
builder's share of the demo in the order listed in BUILDERS; `--logins` only prints the logins.

Every builder writes through the services and only adds what the demo has not made yet, so a second run changes
nothing and says so. Refuses to run with DEBUG off: the demo accounts share a published password.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from demo import district
from demo.casework import seed_casework
from demo.discovery import seed_discovery
from demo.governance import seed_governance_demo
from demo.privacy import seed_privacy_demo
from demo.referrals import seed_referrals
from demo.registry import seed_registry
from demo.reporting import seed_analysis_report, seed_snapshots
from demo.screening import seed_screening
from demo.screening_campaigns import seed_screening_campaigns
from tiers.roles import Role

# After the registry (seed_registry), in this order; each returns what it did ("" when there is nothing to say).
BUILDERS: tuple[tuple[str, Callable[[], str]], ...] = (
    ("评估、定级与走访", seed_screening),  # grading opens a case for every orange and red child
    ("个案管理 (casework)", seed_casework),  # works those cases; makes the partner departments
    ("转介与报告受理", seed_referrals),  # needs the open cases and the departments
    ("统计分析与报告", seed_snapshots),  # past quarters frozen over the cases and referrals
    ("工作会议", seed_governance_demo),  # this year's meetings (after the freeze, as they always were)
    ("统计分析与报告", seed_analysis_report),  # 青溪镇's last quarter, over all of the above
    ("摸底排查", seed_screening_campaigns),  # 青溪镇: last quarter's campaign closed, this quarter's open
    ("巡查与监测哨点", seed_discovery),  # 青溪镇: a patrol group with two patrols, two sentinel points
    ("隐私保护 (privacy)", seed_privacy_demo),  # last: seals a child and corrects records over the finished demo
)


class Command(BaseCommand):
    help = "Create the demo district, its staff logins and about 200 at-risk minors (a second run changes nothing)."

    def add_arguments(self, parser):
        parser.add_argument("--logins", action="store_true", help="Only print the demo logins.")
        parser.add_argument(
            "--allow-without-debug",
            action="store_true",
            help="Seed even though DEBUG is off. The demo accounts share a published password: never in production.",
        )

    def handle(self, *args, logins: bool = False, allow_without_debug: bool = False, **options):
        if logins:
            self._print_logins()
            return
        if not settings.DEBUG and not allow_without_debug:
            raise CommandError(
                "seed_demo creates accounts with a published password and refuses to run with DEBUG off. "
                "Use --allow-without-debug for a throwaway database."
            )
        with transaction.atomic():
            tally = seed_registry()
            later = [f"{label}: {line}" for label, builder in BUILDERS if (line := builder())]
        if tally.created_anything():
            self.stdout.write(
                self.style.SUCCESS(
                    f"Demo data created: {tally.regions} regions, {tally.users} users, {tally.posts} posts, "
                    f"{tally.minors} minors ({tally.closed} closed), {tally.baselines} baseline counts."
                )
            )
        else:
            self.stdout.write(
                self.style.WARNING("Demo data already present; nothing changed. 演示数据已存在，未做更改。")
            )
        for line in later:
            self.stdout.write(line)
        self._print_logins()

    def _print_logins(self) -> None:
        self.stdout.write("")
        self.stdout.write(
            f"Demo logins (password for all: {district.DEMO_PASSWORD})  演示账号（统一密码：{district.DEMO_PASSWORD}）"
        )
        for login in district.DEMO_LOGINS:
            role = Role(login.role).label if login.role else "superuser"
            self.stdout.write(f"  {login.username:<22} {role}  {login.title}")
