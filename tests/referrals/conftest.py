"""Personas for referrals: the town officer of town A sends; two partner departments (A: the police
station, B: the health centre) each with one member of staff; a case of a child of village A1 and one
of another child of the same village that is never referred."""

from __future__ import annotations

import pytest

from cases.casework import services as cw
from cases.privacy.sealing.services import minor_seal
from referrals.referrals.services import lifecycle as rl
from tests.factories import make_user, register_minor
from tiers.models import OrganisationKind, StaffPost
from tiers.roles import Role
from tiers.selectors import forget_posts
from tiers.services import organisation_create


def make_partner(tree, organisation, username):
    user = make_user(Role.PARTNER_STAFF, tree.town_a, username=username)
    StaffPost.objects.filter(user=user).update(organisation=organisation)
    forget_posts(user)
    return user


@pytest.fixture
def police(tree):
    return organisation_create(kind=OrganisationKind.POLICE_STATION, name="青山派出所", region=tree.town_a)


@pytest.fixture
def clinic(tree):
    return organisation_create(kind=OrganisationKind.HEALTH_CENTRE, name="青山镇卫生院", region=tree.town_a)


@pytest.fixture
def partner_a(tree, police):
    return make_partner(tree, police, "police_officer")


@pytest.fixture
def partner_b(tree, clinic):
    return make_partner(tree, clinic, "clinic_doctor")


@pytest.fixture
def case_a(town_officer, minor_a1):
    return cw.case_open(actor=town_officer, minor=minor_a1, note="邻居报告家暴")


@pytest.fixture
def other_child(tree, town_officer):
    return register_minor(actor=town_officer, region=tree.village_a1, name="王五")


def draft(actor, case, organisation, **kwargs):
    return rl.referral_create(
        actor=actor,
        case=case,
        organisation=organisation,
        reason=kwargs.pop("reason", "疑似遭受家庭暴力，请核查处置"),
        town_contact=kwargs.pop("town_contact", "民政办 刘敏 13800000000"),
        **kwargs,
    )


@pytest.fixture
def sent_to_a(town_officer, case_a, police, partner_a):
    return rl.referral_send(actor=town_officer, referral=draft(town_officer, case_a, police))


@pytest.fixture
def sent_to_b(town_officer, other_child, clinic, partner_b):
    case = cw.case_open(actor=town_officer, minor=other_child, note="重病")
    return rl.referral_send(actor=town_officer, referral=draft(town_officer, case, clinic))


@pytest.fixture
def seal(tree):
    """Seal a child's record the way town A's office head does (issue 10 §3), not by setting the flag."""
    head = make_user(Role.TOWN_OFFICE_HEAD, tree.town_a, username="office_head_seals")

    def run(minor):
        return minor_seal(actor=head, minor=minor, reason="法院通知：犯罪记录封存")

    return run
