"""Webhooks for partner systems (issue 5 §5): endpoints, the delivery outbox and its API."""
