"""Referral deadlines (issue 5 §3): late ones raise one alert each, resolved when the cause is gone."""

from datetime import timedelta

from django.utils import timezone

from cases.models import Alert, Notification
from referrals.referrals.services import lifecycle as rl
from referrals.referrals.services.deadlines import referrals_escalate


def test_a_referral_not_accepted_in_time_raises_one_alert_however_often_the_job_runs(
    town_officer, sent_to_a, partner_a
):
    later = sent_to_a.accept_due_at + timedelta(minutes=1)
    for _ in range(3):
        referrals_escalate(now=later)
    alerts = Alert.objects.filter(rule="REFERRAL_NOT_ACCEPTED")
    assert alerts.count() == 1
    assert alerts.get().resolved_at is None
    assert Notification.objects.filter(alert__rule="REFERRAL_NOT_ACCEPTED", user=town_officer).count() == 1
    assert not Notification.objects.filter(user=partner_a).exists()


def test_no_alert_before_the_accept_deadline(sent_to_a):
    referrals_escalate(now=sent_to_a.accept_due_at - timedelta(minutes=1))
    assert not Alert.objects.filter(rule="REFERRAL_NOT_ACCEPTED").exists()


def test_accepting_resolves_the_late_acceptance_alert(sent_to_a, partner_a):
    later = sent_to_a.accept_due_at + timedelta(minutes=1)
    referrals_escalate(now=later)
    rl.referral_accept(actor=partner_a, referral=sent_to_a)
    referrals_escalate(now=later)
    assert Alert.objects.get(rule="REFERRAL_NOT_ACCEPTED").resolved_at is not None


def test_feedback_past_its_date_raises_one_alert(sent_to_a, partner_a):
    rl.referral_accept(actor=partner_a, referral=sent_to_a)
    sent_to_a.refresh_from_db()
    later = timezone.now() + timedelta(days=20)
    referrals_escalate(now=later)
    referrals_escalate(now=later)
    assert Alert.objects.filter(rule="REFERRAL_FEEDBACK_LATE", resolved_at__isnull=True).count() == 1
    rl.referral_feedback(actor=partner_a, referral=sent_to_a, note="已处置")
    referrals_escalate(now=later)
    assert Alert.objects.get(rule="REFERRAL_FEEDBACK_LATE").resolved_at is not None


def test_the_sender_is_told_besides_the_town_office(tree, case_a, police, partner_a):
    from tests.factories import make_user
    from tests.referrals.conftest import draft
    from tiers.roles import Role

    supervisor = make_user(Role.CHILD_SUPERVISOR, tree.town_a, username="supervisor")
    referral = rl.referral_send(actor=supervisor, referral=draft(supervisor, case_a, police))
    referrals_escalate(now=referral.accept_due_at + timedelta(minutes=1))
    assert Notification.objects.filter(alert__rule="REFERRAL_NOT_ACCEPTED", user=supervisor).exists()
