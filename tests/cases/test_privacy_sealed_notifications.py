"""Notices not tied to an alert about a child sealed later (issue 10 §3; domain.md §13): a "record closed" notice
about the child's case, or any notice about the child (Notification.minor), leaves the notification list (and
the unread count) of those who may no longer see the child, and stays for the town office. Two towns."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cases.alerts.selectors import notification_list
from cases.alerts.services import notify
from cases.casework import services as cw
from cases.models import Notification
from cases.privacy.sealing.services import minor_seal
from cases.registry.services import minor_close
from tests.factories import make_user, register_minor
from tiers.roles import Role

REASON = "法院通知：犯罪记录封存"


@pytest.fixture
def office_head(tree):
    return make_user(Role.TOWN_OFFICE_HEAD, tree.town_a, username="office_head")


@pytest.fixture
def supervisor(tree):
    """The town's child supervisor: sees the town's children, not sealed records."""
    return make_user(Role.CHILD_SUPERVISOR, tree.town_a, username="supervisor")


@pytest.fixture
def closed_with_case(town_officer, supervisor, minor_a1):
    """张三's record closed while the case is open: the town office and the case's owner (the supervisor) are
    told, with a link to the case."""
    case = cw.case_open(actor=town_officer, minor=minor_a1, note="涉案未成年人")
    cw.case_set_owner(actor=town_officer, case=case, owner=supervisor)
    minor_close(actor=town_officer, minor=minor_a1, reason="MOVED_AWAY", note="随父母外出务工")
    return case


def _titles(user) -> list[str]:
    return [n.title for n in notification_list(user=user)]


def test_a_record_closed_notice_leaves_the_supervisor_after_sealing_and_stays_with_the_town_office(
    client, office_head, town_officer, supervisor, closed_with_case
):
    url = reverse("case_detail", args=[closed_with_case.pk])
    assert Notification.objects.filter(
        user=supervisor, url=url, alert__isnull=True, minor=closed_with_case.minor
    ).exists()
    assert any("张三" in title for title in _titles(supervisor))

    minor_seal(actor=office_head, minor=closed_with_case.minor, reason=REASON)

    assert not any("张三" in title for title in _titles(supervisor))
    assert any("张三" in title for title in _titles(town_officer))
    client.force_login(supervisor)
    page = client.get(reverse("notification_list"))
    assert "张三" not in page.content.decode()
    assert page.context["nav_unread_notifications"] == 0


def test_notices_linking_to_a_sealed_childs_case_or_record_leave_a_partners_list(
    tree, office_head, town_officer, partner_user, minor_a1, outsider
):
    other = register_minor(actor=outsider, region=tree.village_b1, name="李四")
    case = cw.case_open(actor=town_officer, minor=minor_a1, note="涉案未成年人")
    # Each notice says which child it is about (Notification.minor); its link no longer decides.
    case_url = reverse("case_detail", args=[case.pk]) + "#x"
    notify(user_ids=[partner_user.pk], title="张三的个案有新进展", url=case_url, minor=minor_a1)
    record_url = f"http://example.org/minors/{minor_a1.pk}/"
    notify(user_ids=[partner_user.pk], title="张三的档案", url=record_url, minor=minor_a1)
    notify(user_ids=[partner_user.pk], title="李四的档案", url=reverse("minor_detail", args=[other.pk]), minor=other)
    notify(user_ids=[partner_user.pk], title="台账导出完成", url="/exports/")
    assert len(_titles(partner_user)) == 4

    minor_seal(actor=office_head, minor=minor_a1, reason=REASON)

    assert sorted(_titles(partner_user)) == sorted(["李四的档案", "台账导出完成"])
    assert notification_list(user=partner_user).count() == 2
