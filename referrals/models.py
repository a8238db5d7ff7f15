"""The models of the referrals app, as Django finds them: each topic keeps its own (referrals/referrals/,
referrals/intake/, referrals/discovery/, referrals/webhooks/) and they are gathered here under the app label
"referrals"."""

from referrals.discovery.models import (
    DiscoveryEvent,
    PatrolGroup,
    PatrolKind,
    PatrolLog,
    ReportSource,
    SentinelKind,
    SentinelPoint,
)
from referrals.intake.models import Report, ReportChannel, ReportEvent, ReportStatus
from referrals.referrals.models import (
    RULE_OVERRIDE_FIELDS,
    Priority,
    Referral,
    ReferralEvent,
    ReferralRule,
    ReferralRuleOverride,
    ReferralStatus,
    ReferralSuggestion,
)
from referrals.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint

__all__ = [
    "RULE_OVERRIDE_FIELDS",
    "DiscoveryEvent",
    "PatrolGroup",
    "PatrolKind",
    "PatrolLog",
    "Priority",
    "Referral",
    "ReferralEvent",
    "ReferralRule",
    "ReferralRuleOverride",
    "ReferralStatus",
    "ReferralSuggestion",
    "Report",
    "ReportChannel",
    "ReportEvent",
    "ReportSource",
    "ReportStatus",
    "SentinelKind",
    "SentinelPoint",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookEndpoint",
]
