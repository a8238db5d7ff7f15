"""The referral pages (issue 5 §7): the partner's web view follows the API's rules; the case's
"转介" section drafts and sends."""

import pytest
from django.test import Client

from cases.models import AccessLog
from referrals.models import Referral, ReferralStatus


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_partner_sees_only_its_referrals_in_the_web_view(partner_a, sent_to_a, sent_to_b):
    page = logged_in(partner_a).get("/referrals/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "张三" in html and "王五" not in html
    assert 'data-testid="nav-referrals"' in html


def test_another_partners_referral_page_is_not_found(partner_a, sent_to_b):
    client = logged_in(partner_a)
    assert client.get(f"/referrals/{sent_to_b.pk}/").status_code == 404
    assert client.post(f"/referrals/{sent_to_b.pk}/", {"action": "accept"}).status_code == 404
    sent_to_b.refresh_from_db()
    assert sent_to_b.status == ReferralStatus.SENT


@pytest.mark.parametrize("persona", ["outsider", "partner_user", "neighbour_director"])
def test_outsiders_get_no_referral_page(request, persona, sent_to_a):
    client = logged_in(request.getfixturevalue(persona))
    assert client.get(f"/referrals/{sent_to_a.pk}/").status_code == 404
    assert "张三" not in client.get("/referrals/").content.decode()


def test_the_partner_page_shows_the_minimum_and_is_logged(partner_a, sent_to_a):
    html = logged_in(partner_a).get(f"/referrals/{sent_to_a.pk}/").content.decode()
    assert "张三" in html and "东岭村" in html and "民政办 刘敏" in html
    assert sent_to_a.minor.id_number not in html if sent_to_a.minor.id_number else True
    assert AccessLog.objects.filter(user=partner_a, minor=sent_to_a.minor, channel="WEB").exists()


def test_a_partner_accepts_and_reports_through_the_web_view(partner_a, sent_to_a):
    client = logged_in(partner_a)
    url = f"/referrals/{sent_to_a.pk}/"
    assert client.post(url, {"action": "accept"}).status_code == 302
    assert client.post(url, {"action": "update", "note": "已上门"}).status_code == 302
    assert client.post(url, {"action": "feedback", "note": "已处置完毕"}).status_code == 302
    sent_to_a.refresh_from_db()
    assert sent_to_a.status == ReferralStatus.FEEDBACK


def test_a_rejection_without_a_reason_shows_the_error(partner_a, sent_to_a):
    page = logged_in(partner_a).post(f"/referrals/{sent_to_a.pk}/", {"action": "reject", "note": ""})
    assert page.status_code == 200 and "拒收须说明理由" in page.content.decode()
    sent_to_a.refresh_from_db()
    assert sent_to_a.status == ReferralStatus.SENT


def test_a_partner_cannot_use_the_town_actions(partner_a, sent_to_a):
    assert logged_in(partner_a).post(f"/referrals/{sent_to_a.pk}/", {"action": "revoke"}).status_code == 403


def test_a_revoked_referral_disappears_from_the_partners_pages(town_officer, partner_a, sent_to_a):
    logged_in(town_officer).post(f"/referrals/{sent_to_a.pk}/", {"action": "revoke", "note": "误发"})
    client = logged_in(partner_a)
    assert client.get(f"/referrals/{sent_to_a.pk}/").status_code == 404
    assert "张三" not in client.get("/referrals/").content.decode()


def test_a_sealed_childs_referral_is_not_on_the_partners_pages(partner_a, sent_to_a, seal):
    seal(sent_to_a.minor)
    client = logged_in(partner_a)
    assert client.get(f"/referrals/{sent_to_a.pk}/").status_code == 404
    assert "张三" not in client.get("/referrals/").content.decode()


def test_the_town_officer_drafts_and_sends_from_the_case(town_officer, case_a, police, partner_a):
    client = logged_in(town_officer)
    assert 'data-testid="case-referrals-link"' in client.get(f"/cases/{case_a.pk}/").content.decode()
    response = client.post(
        f"/referrals/case/{case_a.pk}/",
        {"organisation": police.pk, "priority": "HIGH", "reason": "家暴核查", "town_contact": "刘敏", "send_now": "on"},
    )
    assert response.status_code == 302
    referral = Referral.objects.get(case=case_a)
    assert referral.status == ReferralStatus.SENT
    assert "青山派出所" in client.get(f"/referrals/case/{case_a.pk}/").content.decode()


def test_the_case_referrals_page_of_another_town_is_not_found(outsider, case_a):
    assert logged_in(outsider).get(f"/referrals/case/{case_a.pk}/").status_code == 404
