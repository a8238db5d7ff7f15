"""Alerts page, acknowledging, the notification centre and the unread count on every page (issue 3 §4,
§5): scope (404), who may acknowledge (403 otherwise), and bounded query counts."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cases.models import Alert, Notification
from screening.visits.services.visits import visit_log
from tests.factories import register_minor


@pytest.fixture
def risk_alert(child_director, town_officer, minor_a1):
    """A visit in village A1 found a new risk: an alert for the town office and the supervisor."""
    visit_log(actor=child_director, minor=minor_a1, new_risk_found=True, concerns="父亲酗酒打人")
    return Alert.objects.get(minor=minor_a1)


def _acknowledge(client, alert):
    return client.post(reverse("alert_acknowledge", args=[alert.pk]))


def test_town_officer_sees_the_alert_with_a_link_to_the_child_and_acknowledges_it(
    client, town_officer, risk_alert, minor_a1
):
    client.force_login(town_officer)

    content = client.get(reverse("alert_list")).content.decode()
    assert risk_alert.message in content
    assert reverse("minor_detail", args=[minor_a1.pk]) in content
    assert reverse("alert_acknowledge", args=[risk_alert.pk]) in content

    response = _acknowledge(client, risk_alert)

    assert response.status_code == 302
    risk_alert.refresh_from_db()
    assert risk_alert.acknowledged_by == town_officer


def test_alerts_are_listed_newest_first(client, tree, town_officer, child_director, risk_alert):
    later = register_minor(actor=town_officer, region=tree.village_a1, name="后来的")
    visit_log(actor=child_director, minor=later, new_risk_found=True)
    client.force_login(town_officer)

    page = client.get(reverse("alert_list")).context["page"]

    assert [alert.minor.name for alert in page.object_list] == ["后来的", "张三"]


def test_child_director_sees_the_alert_of_the_village_but_may_not_acknowledge_it(client, child_director, risk_alert):
    client.force_login(child_director)

    content = client.get(reverse("alert_list")).content.decode()

    assert risk_alert.message in content
    assert reverse("alert_acknowledge", args=[risk_alert.pk]) not in content
    assert _acknowledge(client, risk_alert).status_code == 403
    risk_alert.refresh_from_db()
    assert risk_alert.acknowledged_at is None


def test_neighbouring_village_director_neither_sees_nor_acknowledges_the_alert(client, neighbour_director, risk_alert):
    client.force_login(neighbour_director)

    assert risk_alert.message not in client.get(reverse("alert_list")).content.decode()
    assert _acknowledge(client, risk_alert).status_code == 404
    risk_alert.refresh_from_db()
    assert risk_alert.acknowledged_at is None


def test_outsider_gets_404_acknowledging_the_alert(client, outsider, risk_alert):
    client.force_login(outsider)

    assert _acknowledge(client, risk_alert).status_code == 404


def test_read_only_town_leader_gets_403_on_an_alert_not_addressed_to_the_leader(client, town_leader, risk_alert):
    client.force_login(town_leader)

    assert _acknowledge(client, risk_alert).status_code == 403


def test_acknowledging_twice_says_so_and_keeps_the_first(client, town_officer, supervisor, risk_alert):
    client.force_login(town_officer)
    _acknowledge(client, risk_alert)
    client.force_login(supervisor)

    response = client.post(reverse("alert_acknowledge", args=[risk_alert.pk]), follow=True)

    assert "该预警已被确认。" in response.content.decode()
    risk_alert.refresh_from_db()
    assert risk_alert.acknowledged_by == town_officer


# Session, user, posts, unread count, count, page (with child, place and acknowledger joined).
# … and the access log's one INSERT for every child shown.
ALERT_QUERIES = 7


@pytest.mark.parametrize("rows", [2, 20])
def test_alert_list_uses_a_fixed_number_of_queries_whatever_the_rows(
    client, tree, town_officer, child_director, django_assert_max_num_queries, rows
):
    for index in range(rows):
        minor = register_minor(actor=town_officer, region=tree.village_a1, name=f"儿童{index}")
        visit_log(actor=child_director, minor=minor, new_risk_found=True)
    client.force_login(town_officer)
    _acknowledge(client, Alert.objects.first())

    with django_assert_max_num_queries(ALERT_QUERIES):
        response = client.get(reverse("alert_list"))

    assert len(response.context["page"].object_list) == rows


# --- notifications -------------------------------------------------------------------------------


def test_navbar_shows_the_unread_count_on_every_page(client, town_officer, risk_alert):
    client.force_login(town_officer)

    for url in (reverse("home"), reverse("registry_list"), reverse("notification_list")):
        content = client.get(url).content.decode()
        badge = content.split('data-testid="nav-notifications"', 1)[1].split("</a>", 1)[0]
        assert ">1<" in badge, url


def test_notification_centre_lists_unread_first(client, tree, town_officer, child_director, risk_alert):
    first = Notification.objects.get(user=town_officer)
    later = register_minor(actor=town_officer, region=tree.village_a1, name="后来的")
    visit_log(actor=child_director, minor=later, new_risk_found=True)
    Notification.objects.filter(user=town_officer).exclude(pk=first.pk).update(read_at="2026-01-01T00:00:00Z")
    client.force_login(town_officer)

    page = client.get(reverse("notification_list")).context["page"]

    read = Notification.objects.get(user=town_officer, read_at__isnull=False)
    assert [note.pk for note in page.object_list] == [first.pk, read.pk]


def test_marking_one_notification_read(client, town_officer, risk_alert):
    note = Notification.objects.get(user=town_officer)
    client.force_login(town_officer)

    response = client.post(reverse("notification_mark_read", args=[note.pk]))

    assert response.status_code == 302
    note.refresh_from_db()
    assert note.read_at is not None


def test_marking_all_notifications_read_leaves_other_users_unread(client, town_officer, supervisor, risk_alert):
    client.force_login(town_officer)

    response = client.post(reverse("notification_mark_all_read"), follow=True)

    assert "已将1条通知标为已读。" in response.content.decode()
    assert not Notification.objects.filter(user=town_officer, read_at__isnull=True).exists()
    assert Notification.objects.filter(user=supervisor, read_at__isnull=True).count() == 1


def test_another_users_notification_is_not_found(client, town_officer, supervisor, risk_alert):
    theirs = Notification.objects.get(user=supervisor)
    client.force_login(town_officer)

    assert client.post(reverse("notification_mark_read", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None
