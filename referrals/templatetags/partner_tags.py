"""`{% partner_waiting %}`: what waits for a partner department's staff member, on the home page
(issue 10 §8). The home page lives in cases, which may not import referrals; the template pulls it in."""

from __future__ import annotations

from django import template
from django.utils import timezone

from referrals.partners.selectors import partner_waiting as waiting_for

register = template.Library()


@register.inclusion_tag("referrals/partners/waiting.html", takes_context=True)
def partner_waiting(context):
    user = context["request"].user
    return {"waiting": waiting_for(user=user), "now": timezone.now(), "today": timezone.localdate()}
