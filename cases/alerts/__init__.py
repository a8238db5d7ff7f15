"""Alerts and notifications (issue 3 §4, §5; domain.md §1.3 T-3, T-4): how late or dangerous situations reach
the right person at the right tier. Every rule, with its severity and recipients, is listed in rules.py;
each topic raises its alerts through services.alerts_sync. Pages (alerts, the notification centre) and the
API (alerts, notifications) are here too."""
