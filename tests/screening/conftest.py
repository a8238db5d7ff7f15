from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day: str, hour: int = 10, minute: int = 0) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, minute=minute, tzinfo=SHANGHAI)


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


@pytest.fixture
def supervisor(tree):
    from tests.factories import make_user
    from tiers.roles import Role

    return make_user(Role.CHILD_SUPERVISOR, tree.town_a, username="supervisor")
