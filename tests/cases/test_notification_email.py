"""E-mails leave the system (issue 10 item 11; domain.md §13): the e-mail announcing a notification says only
that something waits, with an absolute link to the item; the child's name, ID number and the notification's
own text stay inside, where reading them is checked and logged."""

from __future__ import annotations

import pytest
from django.core import mail

from cases.alerts.services import notify
from cases.models import Notification
from screening.visits.services.visits import visit_log
from tests.factories import make_user, register_minor
from tiers.roles import Role

SITE = "https://minorprot.example.gov.cn"


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.MINORPROT_SITE_URL = SITE


@pytest.fixture
def office_with_mail(tree):
    return make_user(Role.TOWN_OFFICE, tree.town_a, username="office_with_mail", email="office@qingshan.example.cn")


@pytest.fixture
def other_town_with_mail(tree):
    return make_user(Role.TOWN_OFFICE, tree.town_b, username="other_town", email="office@hongshi.example.cn")


@pytest.fixture
def named_child(tree, office_with_mail):
    return register_minor(actor=office_with_mail, region=tree.village_a1, name="欧阳晓雪")


def test_an_alert_for_a_named_child_is_mailed_without_the_name_or_id_number_but_with_the_link(
    django_capture_on_commit_callbacks, child_director, office_with_mail, other_town_with_mail, named_child
):
    with django_capture_on_commit_callbacks(execute=True):
        visit_log(actor=child_director, minor=named_child, new_risk_found=True, concerns="父亲酗酒后打骂孩子")

    in_app = Notification.objects.get(user=office_with_mail)
    assert "欧阳晓雪" in in_app.title  # the in-app text names the child; the e-mail must not
    [sent] = mail.outbox
    assert sent.to == ["office@qingshan.example.cn"]  # not the other town's office
    text = sent.subject + "\n" + sent.body
    for personal in ("欧阳晓雪", named_child.id_number, "父亲酗酒", named_child.address, "东岭"):
        assert personal not in text
    assert f"{SITE}/minors/{named_child.pk}/" in sent.body
    assert "请登录系统查看" in sent.body


def test_a_notification_without_an_item_links_to_the_notification_list(
    django_capture_on_commit_callbacks, office_with_mail
):
    with django_capture_on_commit_callbacks(execute=True):
        notify(user_ids=[office_with_mail.pk], title="通报：已向青山派出所转介一名未成年人。")

    [sent] = mail.outbox
    assert "青山派出所" not in sent.subject + sent.body
    assert f"{SITE}/notifications/" in sent.body


def test_no_mail_is_sent_to_a_user_without_an_address(django_capture_on_commit_callbacks, town_officer):
    with django_capture_on_commit_callbacks(execute=True):
        notify(user_ids=[town_officer.pk], title="台账导出已完成", url="/exports/1/")

    assert Notification.objects.filter(user=town_officer).exists() and mail.outbox == []
