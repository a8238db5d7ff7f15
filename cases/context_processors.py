"""The unread-notification count shown on every page."""


def notifications(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from cases.alerts.selectors import notification_list

    # The same notifications as the list (an alert's notice about a child sealed since is not counted).
    return {"nav_unread_notifications": notification_list(user=user).filter(read_at__isnull=True).count()}


def casework(request):
    """The navigation's casework entries: the approvals waiting for this user (counted only for approvers,
    and only when the page shows them) and whether to show working groups (posts or memberships)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from cases.casework.selectors import closures_awaiting_approval, interventions_awaiting_approval
    from tiers.selectors import user_posts

    def approvals_waiting() -> int:
        return closures_awaiting_approval(user=user).count() + interventions_awaiting_approval(user=user).count()

    def show_groups() -> bool:
        return bool(user_posts(user)) or user.working_groups.exists()

    return {"nav_approvals_waiting": approvals_waiting, "nav_show_groups": show_groups}
