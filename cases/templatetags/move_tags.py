"""The record page's notice of a pending move to another county (issue 10 §5)."""

from __future__ import annotations

from django import template

from cases.privacy.moves.selectors import move_request_pending_for

register = template.Library()


@register.simple_tag
def pending_move_request(minor):
    """The minor's pending cross-county move request, or None (the minor was loaded through minor_get)."""
    return move_request_pending_for(minor=minor)
