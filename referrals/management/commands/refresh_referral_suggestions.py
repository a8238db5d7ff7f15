"""Re-evaluate the referral rules for every active minor, e.g. after the routing table was edited."""

from django.core.management.base import BaseCommand

from cases.models import Minor, MinorStatus
from referrals.referrals.services.routing import suggestions_refresh


class Command(BaseCommand):
    help = "Re-evaluate the referral routing table for every active minor (after editing a rule)."

    def handle(self, *args, **options):
        created = removed = 0
        for minor in Minor.objects.filter(status=MinorStatus.ACTIVE).order_by("pk").iterator(chunk_size=500):
            result = suggestions_refresh(minor=minor)
            created += result["created"]
            removed += result["removed"]
        self.stdout.write(f"suggestions created: {created}, removed: {removed}")
