import pytest


@pytest.fixture
def supervisor(tree):
    from tests.factories import make_user
    from tiers.roles import Role

    return make_user(Role.CHILD_SUPERVISOR, tree.town_a, username="supervisor")
