"""Fill Notification.minor for the notices written before the field existed (issue 10 §3).

An alert's notice takes the alert's child. A notice without an alert takes the child its link points at, for
the link shapes the product wrote (a record and its pages, its access log, the case-opening form, a case and
its pages, a case's referrals, a referral, an intake report; relative or absolute). This is the one place
that reads notification links to find a child: new notices carry `minor` from `notify(..., minor=...)`.
The reverse empties the field.
"""

import re
from collections import defaultdict
from urllib.parse import urlsplit

from django.db import migrations
from django.db.models import OuterRef, Subquery

# (pattern, model whose row names the child in `minor_id`; None: the number is the Minor's own id)
LINKS = (
    (re.compile(r"^/minors/(\d+)/"), None),
    (re.compile(r"^/privacy/access-log/minors/(\d+)/"), None),
    (re.compile(r"^/cases/open/(\d+)/"), None),
    (re.compile(r"^/cases/(\d+)/"), ("cases", "Case")),
    (re.compile(r"^/referrals/case/(\d+)/"), ("cases", "Case")),
    (re.compile(r"^/referrals/(\d+)/"), ("referrals", "Referral")),
    (re.compile(r"^/reports/(\d+)/"), ("referrals", "Report")),
)
BATCH = 2000


def _target(url):
    path = urlsplit(url or "").path
    for pattern, model in LINKS:
        match = pattern.match(path)
        if match:
            return model, int(match.group(1))
    return None


def fill(apps, schema_editor):
    Alert = apps.get_model("cases", "Alert")
    Minor = apps.get_model("cases", "Minor")
    Notification = apps.get_model("cases", "Notification")

    Notification.objects.filter(alert__isnull=False, minor__isnull=True).update(
        minor_id=Subquery(Alert.objects.filter(pk=OuterRef("alert_id")).values("minor_id")[:1])
    )

    # model -> object id -> notification ids
    targets = defaultdict(lambda: defaultdict(list))
    linked = (
        Notification.objects.filter(alert__isnull=True, minor__isnull=True)
        .exclude(url="")
        .values_list("pk", "url")
        .iterator(chunk_size=BATCH)
    )
    for pk, url in linked:
        target = _target(url)
        if target is not None:
            targets[target[0]][target[1]].append(pk)

    by_minor = defaultdict(list)
    for model, by_id in targets.items():
        ids = list(by_id)
        for start in range(0, len(ids), BATCH):
            chunk = ids[start : start + BATCH]
            if model is None:
                rows = Minor.objects.filter(pk__in=chunk).values_list("pk", "pk")
            else:
                rows = apps.get_model(*model).objects.filter(pk__in=chunk, minor__isnull=False)
                rows = rows.values_list("pk", "minor_id")
            for object_id, minor_id in rows:
                by_minor[minor_id] += by_id[object_id]
    for minor_id, notification_ids in by_minor.items():
        for start in range(0, len(notification_ids), BATCH):
            Notification.objects.filter(pk__in=notification_ids[start : start + BATCH]).update(minor_id=minor_id)


def empty(apps, schema_editor):
    apps.get_model("cases", "Notification").objects.filter(minor__isnull=False).update(minor=None)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0012_notification_minor"),
        ("referrals", "0001_initial"),
    ]

    operations = [migrations.RunPython(fill, empty)]
