"""The referral lifecycle (issue 5 §3): who may do what, legal transitions, deadlines, events, grants."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from referrals.models import Priority, ReferralStatus
from referrals.referrals.selectors import partner_referrals
from referrals.referrals.services import lifecycle as rl
from tests.referrals.conftest import draft
from tiers import grants
from tiers.errors import ActionNotAllowed


def codes(exc: ValidationError) -> set[str]:
    return {error.code for errors in exc.error_dict.values() for error in errors}


def test_a_draft_is_not_shared_until_sent(town_officer, case_a, police, partner_a):
    referral = draft(town_officer, case_a, police)
    assert referral.status == ReferralStatus.DRAFT
    assert not partner_referrals(user=partner_a).exists()


@pytest.mark.parametrize(("priority", "hours"), [("URGENT", 2), ("HIGH", 24), ("NORMAL", 72)])
def test_sending_sets_the_accept_deadline_from_the_priority(town_officer, case_a, police, partner_a, priority, hours):
    referral = rl.referral_send(actor=town_officer, referral=draft(town_officer, case_a, police, priority=priority))
    assert referral.status == ReferralStatus.SENT
    assert referral.accept_due_at - referral.sent_at == timedelta(hours=hours)
    assert grants.is_granted(user=partner_a, obj=referral)


def test_the_accept_deadline_follows_the_setting(settings, town_officer, case_a, police, partner_a):
    settings.MINORPROT_REFERRAL_ACCEPT_HOURS = {**settings.MINORPROT_REFERRAL_ACCEPT_HOURS, "URGENT": 1}
    referral = rl.referral_send(
        actor=town_officer, referral=draft(town_officer, case_a, police, priority=Priority.URGENT)
    )
    assert referral.accept_due_at - referral.sent_at == timedelta(hours=1)


def test_the_full_lifecycle_writes_one_event_per_step(town_officer, sent_to_a, partner_a):
    rl.referral_accept(actor=partner_a, referral=sent_to_a)
    rl.referral_add_update(actor=partner_a, referral=sent_to_a, note="已上门核查")
    rl.referral_feedback(actor=partner_a, referral=sent_to_a, note="已出具告诫书")
    closed = rl.referral_close(actor=town_officer, referral=sent_to_a)
    assert closed.status == ReferralStatus.CLOSED
    assert closed.feedback_due_on == timezone.localdate() + timedelta(days=14)
    assert list(closed.events.values_list("kind", "from_status", "to_status")) == [
        ("CREATED", "", "DRAFT"),
        ("SENT", "DRAFT", "SENT"),
        ("ACCEPTED", "SENT", "ACCEPTED"),
        ("UPDATE", "ACCEPTED", "IN_PROGRESS"),
        ("FEEDBACK", "IN_PROGRESS", "FEEDBACK"),
        ("CLOSED", "FEEDBACK", "CLOSED"),
    ]


def test_a_rejection_needs_a_reason(sent_to_a, partner_a):
    with pytest.raises(ValidationError) as caught:
        rl.referral_reject(actor=partner_a, referral=sent_to_a, reason="  ")
    assert codes(caught.value) == {"required"}
    sent_to_a.refresh_from_db()
    assert sent_to_a.status == ReferralStatus.SENT


def test_an_illegal_transition_is_a_coded_error(town_officer, sent_to_a, partner_a):
    with pytest.raises(ValidationError) as caught:
        rl.referral_feedback(actor=partner_a, referral=sent_to_a, note="太早")
    assert codes(caught.value) == {"invalid_transition"}
    with pytest.raises(ValidationError) as caught:
        rl.referral_close(actor=town_officer, referral=sent_to_a)
    assert codes(caught.value) == {"invalid_transition"}


def test_only_the_destinations_staff_may_accept(sent_to_a, partner_b, town_officer):
    for actor in (partner_b, town_officer):
        with pytest.raises(ActionNotAllowed):
            rl.referral_accept(actor=actor, referral=sent_to_a)


def test_only_town_case_workers_of_the_childs_place_may_send_or_revoke(outsider, partner_a, town_leader, sent_to_a):
    for actor in (outsider, partner_a, town_leader):
        with pytest.raises(ActionNotAllowed):
            rl.referral_revoke(actor=actor, referral=sent_to_a)


def test_revoking_withdraws_the_partners_view_at_once(town_officer, sent_to_a, partner_a):
    rl.referral_revoke(actor=town_officer, referral=sent_to_a, reason="误发")
    assert not grants.is_granted(user=partner_a, obj=sent_to_a)
    assert not partner_referrals(user=partner_a).exists()


def test_a_rejected_referral_is_rerouted_as_a_new_draft(town_officer, sent_to_a, partner_a, clinic):
    rl.referral_reject(actor=partner_a, referral=sent_to_a, reason="不属本所职责")
    new = rl.referral_reroute(actor=town_officer, referral=sent_to_a, organisation=clinic)
    assert new.status == ReferralStatus.DRAFT
    assert new.rerouted_from_id == sent_to_a.pk and new.organisation == clinic
    assert sent_to_a.events.filter(kind="REROUTED").count() == 1


def test_only_a_rejected_referral_can_be_rerouted(town_officer, sent_to_a, clinic):
    with pytest.raises(ValidationError) as caught:
        rl.referral_reroute(actor=town_officer, referral=sent_to_a, organisation=clinic)
    assert codes(caught.value) == {"invalid_transition"}


def test_a_closed_case_cannot_be_referred(town_officer, case_a, police):
    from cases.models import Case

    Case.objects.filter(pk=case_a.pk).update(stage="CLOSED", closed_at=timezone.now())
    with pytest.raises(ValidationError) as caught:
        draft(town_officer, case_a, police)
    assert codes(caught.value) == {"case_closed"}


def test_a_department_of_another_town_is_out_of_reach(tree, town_officer, case_a):
    from tiers.services import organisation_create

    elsewhere = organisation_create(kind="POLICE_STATION", name="白水派出所", region=tree.town_b)
    with pytest.raises(ValidationError) as caught:
        draft(town_officer, case_a, elsewhere)
    assert codes(caught.value) == {"out_of_reach"}


def test_a_sealed_childs_referral_is_invisible_and_closed_to_partners(sent_to_a, partner_a, seal):
    seal(sent_to_a.minor)
    assert not partner_referrals(user=partner_a).exists()
    with pytest.raises(ActionNotAllowed):
        rl.referral_accept(actor=partner_a, referral=sent_to_a)


def test_grants_are_withdrawn_a_set_time_after_closing(settings, town_officer, sent_to_a, partner_a):
    rl.referral_accept(actor=partner_a, referral=sent_to_a)
    rl.referral_feedback(actor=partner_a, referral=sent_to_a, note="已处置")
    rl.referral_close(actor=town_officer, referral=sent_to_a)
    assert rl.referral_grants_expire(now=timezone.now() + timedelta(days=29)) == 0
    assert partner_referrals(user=partner_a).exists()
    rl.referral_grants_expire(now=timezone.now() + timedelta(days=31))
    assert not partner_referrals(user=partner_a).exists()


def test_staff_who_join_the_department_later_see_its_live_referrals_after_the_sync(tree, sent_to_a, police):
    from tests.referrals.conftest import make_partner

    newcomer = make_partner(tree, police, "police_newcomer")
    assert not partner_referrals(user=newcomer).exists()

    assert rl.referral_grants_sync() == {"granted": 1, "withdrawn": 0}

    assert list(partner_referrals(user=newcomer)) == [sent_to_a]
    assert rl.referral_grants_sync() == {"granted": 0, "withdrawn": 0}


def test_staff_who_leave_the_department_lose_its_referrals_after_the_sync(sent_to_a, partner_a):
    from tiers.models import StaffPost
    from tiers.services import post_remove

    post_remove(post=StaffPost.objects.get(user=partner_a, organisation__isnull=False))

    assert rl.referral_grants_sync() == {"granted": 0, "withdrawn": 1}
    assert not grants.is_granted(user=partner_a, obj=sent_to_a)


def test_the_sync_grants_nothing_for_a_revoked_referral(tree, town_officer, sent_to_a, police):
    from tests.referrals.conftest import make_partner

    rl.referral_revoke(actor=town_officer, referral=sent_to_a, reason="重复转介")
    newcomer = make_partner(tree, police, "police_newcomer")

    assert rl.referral_grants_sync()["granted"] == 0
    assert not partner_referrals(user=newcomer).exists()
