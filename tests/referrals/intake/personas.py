"""Personas of the intake tests: a school in town A with a teacher (partner user), a hospital in town B
with a doctor (another partner); the clock fixture is the shared one in tests/conftest.py."""

from __future__ import annotations

import pytest
from django.utils import timezone

from referrals.intake.services import report_receive
from referrals.models import ReportChannel
from tests.factories import make_user
from tiers.models import OrganisationKind, StaffPost
from tiers.roles import Role
from tiers.services import organisation_create


def make_partner(*, region, kind: str, name: str, username: str):
    organisation = organisation_create(kind=kind, name=name, region=region)
    user = make_user(Role.PARTNER_STAFF, region, username=username)
    StaffPost.objects.filter(user=user).update(organisation=organisation)
    return user


@pytest.fixture
def teacher(tree, town_officer):
    """A teacher of a school in town A (the town office exists, so partner reports have an owner)."""
    return make_partner(region=tree.town_a, kind=OrganisationKind.SCHOOL, name="青山镇中心小学", username="teacher")


@pytest.fixture
def doctor(tree, outsider):
    """A doctor of a health centre in town B: another partner."""
    return make_partner(region=tree.town_b, kind=OrganisationKind.HEALTH_CENTRE, name="白水镇卫生院", username="doctor")


def receive(*, actor, town, violence_alleged: bool = False, channel: str = ReportChannel.PUBLIC, **fields):
    return report_receive(
        actor=actor,
        town=town,
        channel=channel,
        summary=fields.pop("summary", "邻居反映孩子长期无人照料"),
        discovered_at=fields.pop("discovered_at", timezone.now()),
        violence_alleged=violence_alleged,
        **fields,
    )
