"""Shared personas (STYLE.md "Tests"): a town officer, a village child director, a partner user,
and outsiders from another village and another town, on the tree built by tests.factories."""

from __future__ import annotations

import pytest
import time_machine
from rest_framework.test import APIClient

from tests.factories import at, make_tree, make_user, register_minor
from tiers.roles import Role
from tiers.services import token_issue


@pytest.fixture
def tree(db):
    return make_tree()


@pytest.fixture
def town_officer(tree):
    return make_user(Role.TOWN_OFFICE, tree.town_a, username="town_officer")


@pytest.fixture
def child_director(tree):
    return make_user(Role.CHILD_DIRECTOR, tree.village_a1, username="child_director")


@pytest.fixture
def neighbour_director(tree):
    """A child director of another village in the same town."""
    return make_user(Role.CHILD_DIRECTOR, tree.village_a2, username="neighbour_director")


@pytest.fixture
def outsider(tree):
    """A town officer of another town."""
    return make_user(Role.TOWN_OFFICE, tree.town_b, username="outsider")


@pytest.fixture
def town_leader(tree):
    return make_user(Role.TOWN_LEADER, tree.town_a, username="town_leader")


@pytest.fixture
def county_officer(tree):
    return make_user(Role.COUNTY_CIVIL_AFFAIRS, tree.county, username="county_officer")


@pytest.fixture
def leadership_viewer(tree):
    return make_user(Role.LEADERSHIP_VIEWER, tree.county, username="leadership_viewer")


@pytest.fixture
def partner_user(tree):
    return make_user(Role.PARTNER_STAFF, tree.town_a, username="partner_user")


@pytest.fixture
def minor_a1(tree, town_officer):
    """A minor living in village A1 (town A)."""
    return register_minor(actor=town_officer, region=tree.village_a1, name="张三")


@pytest.fixture
def minor_b1(tree, outsider):
    """A minor living in village B1 (town B)."""
    return register_minor(actor=outsider, region=tree.village_b1, name="李四")


@pytest.fixture
def api_client_for():
    """An API client authenticated with a real token for the given user."""

    def build(user) -> APIClient:
        _token, key = token_issue(user=user, name="test")
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        return client

    return build


@pytest.fixture
def clock():
    """Move the clock: `clock("2026-03-01", 10)`; each call travels again (no sleeping in tests)."""
    travellers = []

    def travel(day: str, hour: int = 10, minute: int = 0):
        if travellers:
            travellers.pop().stop()
        traveller = time_machine.travel(at(day, hour, minute), tick=False)
        traveller.start()
        travellers.append(traveller)

    yield travel
    for traveller in travellers:
        traveller.stop()
