"""Navigation shown on every page: only what the user's posts allow."""

from tiers.roles import Capability
from tiers.selectors import user_can, user_posts


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "nav_posts": user_posts(user),
        "nav_can": {capability.value: user_can(user, capability) for capability in Capability},
    }
