"""The record page's sealing block (issue 10 §3): SEAL_RECORDS holders see a button to seal or unseal."""

from __future__ import annotations

from django import template

from cases.privacy.sealing.services import minor_may_seal

register = template.Library()


@register.inclusion_tag("cases/privacy/seal_block.html", takes_context=True)
def record_seal(context, minor):
    request = context.get("request")
    user = getattr(request, "user", None)
    return {"minor": minor, "may_seal": user is not None and minor_may_seal(user=user, minor=minor)}
