"""Date and time inputs shared by the screening forms (a phone's native pickers)."""

from __future__ import annotations

from django import forms

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"
DATETIME_LOCAL_SECONDS = "%Y-%m-%dT%H:%M:%S"


def datetime_input() -> forms.DateTimeInput:
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL)


def date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
