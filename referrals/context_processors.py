"""Navigation: the "转介" link for partner staff, who have no registry menu (town staff reach referrals
from the case page, which keeps their menu on one line)."""

from referrals.services.lifecycle import partner_organisation_ids


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"nav_referrals": bool(partner_organisation_ids(user))}
