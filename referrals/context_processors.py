"""Navigation: the "转介" link for partner staff, who have no registry menu (town staff reach referrals
from the case page, which keeps their menu on one line)."""

from referrals.referrals.selectors import partner_organisation_ids


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from tiers.selectors import manages_partner_departments

    return {
        "nav_referrals": bool(partner_organisation_ids(user)),
        # The town office attaches its departments' staff (issue 10 §8).
        "nav_partner_departments": manages_partner_departments(user),
    }
