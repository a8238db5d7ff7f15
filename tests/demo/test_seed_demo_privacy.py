"""The privacy demo of 青溪镇 (issue 10 §3, §7, §9): seeded through the services, a sealed record, a pending and
a granted correction request and a department clerk's attach/detach history, once (a second run adds nothing)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from cases.models import DataRequest, Minor, MinorEvent
from demo import privacy as privacy_demo
from tiers.models import Region, StaffPost


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", allow_without_debug=True, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_the_demo_seals_a_record_records_requests_and_grant_history_once(client):
    seed()
    sealed = Minor.objects.get(is_sealed=True)
    event = MinorEvent.objects.get(minor=sealed, kind=MinorEvent.Kind.SEALED)
    assert event.actor.username == "qingxi_head" and event.note in privacy_demo.SEAL_REASONS.values()
    assert sealed.categories.filter(code__in=privacy_demo.SEAL_REASONS).exists()
    assert sealed.region.path.startswith(Region.objects.get(code=privacy_demo.DEMO_TOWN).path)
    assert set(DataRequest.objects.values_list("status", flat=True)) == {"PENDING", "GRANTED"}
    granted = DataRequest.objects.get(status="GRANTED")
    assert granted.minor.address == "青溪镇滨河路12号"
    clerk = get_user_model().objects.get(username=privacy_demo.CLERK_USERNAME)
    assert StaffPost.objects.filter(user=clerk).count() == 1
    before = (MinorEvent.objects.count(), DataRequest.objects.count(), StaffPost.objects.count())

    output = seed()

    assert (MinorEvent.objects.count(), DataRequest.objects.count(), StaffPost.objects.count()) == before
    assert "隐私保护" not in output
    client.force_login(get_user_model().objects.get(username="qingxi_head"))
    page = client.get(reverse("grant_history"), {"username": privacy_demo.CLERK_USERNAME})
    assert {row.action for row in page.context["rows"]} >= {"insert", "delete"}
    assert client.get(reverse("minor_detail", args=[sealed.pk])).status_code == 200
    client.force_login(get_user_model().objects.get(username="qingxi_supervisor"))  # the town, not sealed records
    assert client.get(reverse("minor_detail", args=[sealed.pk])).status_code == 404
