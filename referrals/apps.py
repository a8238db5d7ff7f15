from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReferralsConfig(AppConfig):
    name = "referrals"
    verbose_name = _("转介与报告受理")

    def ready(self) -> None:
        from cases.hooks import on_minor_changed, on_minor_moved
        from referrals.referrals.services.moves import referrals_hand_over
        from referrals.referrals.services.routing import refresh_for_minor_id

        # Referral rules are re-evaluated whenever a child's categories, guardians or assessments change.
        on_minor_changed(refresh_for_minor_id)

        # A move withdraws the old area's departments' view of the child's referrals, in the move's transaction.
        on_minor_moved(referrals_hand_over)
