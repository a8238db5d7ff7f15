"""Alerts and notifications: the one mechanism through which late or dangerous situations reach the
right person at the right tier (domain.md §1.3 T-3, T-4: what a level cannot handle goes up).

`alerts_sync` is what the scheduled jobs call: given every (subject, period) that a rule finds now,
it creates the alerts that do not exist yet (a unique constraint makes reruns and retries harmless),
notifies their recipients once, and resolves the rule's open alerts whose cause is gone.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.alerts.models import Alert, Notification
from cases.alerts.rules import rule_roles, rule_severity
from cases.registry.models import Minor
from tiers.errors import ActionNotAllowed
from tiers.models import Region, StaffPost


@dataclass(frozen=True)
class AlertCandidate:
    subject_key: str
    period_key: str
    region_id: int
    region_path: str
    message: str
    minor_id: int | None = None
    url: str = ""
    # People told besides the role holders (a measure's responsible person, its group's members).
    extra_user_ids: frozenset[int] = frozenset()


def recipients_for(*, region_paths: Iterable[str], roles: Iterable[str]) -> dict[str, set[int]]:
    """For each region path, the users holding one of `roles` at that region or above it (one query)."""
    region_paths = set(region_paths)
    ancestor_paths: set[str] = set()
    for path in region_paths:
        ancestor_paths.update([*Region.path_ancestor_paths(path), path])
    posts = StaffPost.objects.filter(role__in=list(roles), region__path__in=ancestor_paths, user__is_active=True)
    by_post_path: dict[str, set[int]] = defaultdict(set)
    for post_path, user_id in posts.values_list("region__path", "user_id"):
        by_post_path[post_path].add(user_id)
    result: dict[str, set[int]] = {}
    for path in region_paths:
        users: set[int] = set()
        for post_path, ids in by_post_path.items():
            if path.startswith(post_path):
                users |= ids
        result[path] = users
    return result


def notify(
    *,
    user_ids: Iterable[int],
    title: str,
    body: str = "",
    url: str = "",
    alert: Alert | None = None,
    minor: Minor | None = None,
) -> None:
    """Send an in-app notification (and an e-mail after commit) to each user, at most once per alert.
    The title and body stay in the system; the e-mail says only that something waits, with a link
    (notification_email). `minor` is the child the notice is about (an alert's notice takes the alert's
    child): a notice about a child leaves the list of whoever may no longer see it (notification_list)."""
    minor_id = minor.pk if minor is not None else getattr(alert, "minor_id", None)
    rows = [
        Notification(user_id=uid, alert=alert, minor_id=minor_id, title=title[:200], body=body, url=url[:300])
        for uid in set(user_ids)
    ]
    Notification.objects.bulk_create(rows, ignore_conflicts=alert is not None)
    _email_after_commit(user_ids=set(user_ids), url=url)


def notification_email(*, url: str = "") -> tuple[str, str]:
    """Subject and body of the e-mail announcing a notification: a neutral sentence and an absolute link
    to the item (or to the notification list), never the notification's own text. E-mail leaves the
    system, so it carries no child's name, ID number or other personal data (domain.md §13; issue 10
    item 11): whoever follows the link logs in, and what they then see is checked and logged."""
    from django.conf import settings
    from django.urls import reverse

    path = url or reverse("notification_list")
    link = path if path.startswith(("http://", "https://")) else settings.MINORPROT_SITE_URL + path
    subject = "[minorprot] " + _("您有一条新的预警/通知")
    body = _("您有一条新的预警/通知，请登录系统查看：") + "\n" + link + "\n"
    return subject, body


def _email_after_commit(*, user_ids: set[int], url: str) -> None:
    from django.contrib.auth import get_user_model

    if not user_ids or not get_user_model().objects.filter(pk__in=user_ids).exclude(email="").exists():
        return

    def send() -> None:
        from cases.tasks import send_notification_email

        send_notification_email.delay(user_ids=sorted(user_ids), url=url)

    transaction.on_commit(send)


@transaction.atomic
def alerts_sync(
    *,
    rule: str,
    candidates: list[AlertCandidate],
    resolve_scope: Q | None = None,
) -> dict[str, int]:
    """Make the open alerts of `rule` (an AlertRule) equal to `candidates`: create the missing ones, with the
    rule's severity and recipients (cases/alerts/rules.py), and notify them; resolve open ones no longer
    found. `resolve_scope` limits which open alerts this run may resolve (for a job that evaluates only
    part of the rule). Returns counts for logging."""
    severity, roles = rule_severity(rule), rule_roles(rule)
    now = timezone.now()
    wanted = {(c.subject_key, c.period_key): c for c in candidates}
    existing = (
        set(
            Alert.objects.filter(rule=rule, subject_key__in={c.subject_key for c in candidates}).values_list(
                "subject_key", "period_key"
            )
        )
        if candidates
        else set()
    )
    new = [c for key, c in wanted.items() if key not in existing]
    Alert.objects.bulk_create(
        [
            Alert(
                rule=rule,
                subject_key=c.subject_key,
                period_key=c.period_key,
                minor_id=c.minor_id,
                region_id=c.region_id,
                severity=severity,
                message=c.message[:300],
                recipient_roles=roles,
                created_at=now,
            )
            for c in new
        ],
        ignore_conflicts=True,
    )
    notified = 0
    if new:
        created = Alert.objects.filter(rule=rule, subject_key__in={c.subject_key for c in new}, created_at=now)
        recipients = recipients_for(region_paths={c.region_path for c in new}, roles=roles)
        for alert in created:
            candidate = wanted.get((alert.subject_key, alert.period_key))
            if candidate is None:
                continue
            users = recipients.get(candidate.region_path, set()) | set(candidate.extra_user_ids)
            notify(user_ids=users, title=alert.message, url=candidate.url, alert=alert)
            notified += len(users)
    open_alerts = Alert.objects.filter(rule=rule, resolved_at__isnull=True)
    if resolve_scope is not None:
        open_alerts = open_alerts.filter(resolve_scope)
    stale = [pk for pk, s, p in open_alerts.values_list("pk", "subject_key", "period_key") if (s, p) not in wanted]
    resolved = Alert.objects.filter(pk__in=stale).update(resolved_at=now) if stale else 0
    return {"created": len(new), "resolved": resolved, "notified": notified}


def alert_may_acknowledge(*, user, alert: Alert) -> bool:
    """An alert is acknowledged by someone it was addressed to: a post with one of its recipient roles
    at the alert's place or above (domain.md §1.3: the tier told is the tier that answers)."""
    from tiers.selectors import user_posts

    roles = {role for role in alert.recipient_roles if isinstance(role, str)}
    return any(
        post.role in roles and post.region.is_active and alert.region.path.startswith(post.region.path)
        for post in user_posts(user)
    )


@transaction.atomic
def alert_acknowledge(*, actor, alert: Alert) -> Alert:
    """Someone responsible has seen the alert; it stays open until its cause is gone. Only a recipient
    may acknowledge (alert_may_acknowledge); others get ActionNotAllowed."""
    locked = Alert.objects.select_for_update().select_related("region").get(pk=alert.pk)
    if not alert_may_acknowledge(user=actor, alert=locked):
        raise ActionNotAllowed(_("只有收到该预警的岗位可以确认。"))
    if locked.acknowledged_at is not None:
        raise ValidationError(_("该预警已被确认。"), code="already_acknowledged")
    locked.acknowledged_at = timezone.now()
    locked.acknowledged_by = actor
    locked.save(update_fields=["acknowledged_at", "acknowledged_by"])
    return locked


def notifications_mark_read(*, user, ids: list[int] | None = None) -> int:
    """Mark the user's notifications read (all unread ones when `ids` is None)."""
    queryset = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        queryset = queryset.filter(pk__in=ids)
    return queryset.update(read_at=timezone.now())
