"""The referrals API (issue 5 §5): partner A never sees partner B's referrals or any other child; a
revoked referral disappears at once; sealed records are invisible; every partner read is logged."""

import pytest

from cases.models import AccessLog
from referrals.models import ReferralStatus, WebhookEndpoint
from referrals.referrals.services import lifecycle as rl

REFERRALS = "/api/v1/referrals/"
WEBHOOKS = "/api/v1/webhooks/"


def ids(response) -> set[int]:
    assert response.status_code == 200, response.json()
    return {row["id"] for row in response.json()["results"]}


def error_codes(response) -> dict[str, str]:
    body = response.json()
    assert response.status_code == 400 and body["type"] == "validation_error", body
    return {error["attr"]: error["code"] for error in body["errors"]}


def test_a_partner_lists_only_referrals_addressed_to_it(api_client_for, partner_a, partner_b, sent_to_a, sent_to_b):
    assert ids(api_client_for(partner_a).get(REFERRALS)) == {sent_to_a.pk}
    assert ids(api_client_for(partner_b).get(REFERRALS)) == {sent_to_b.pk}


def test_another_partners_referral_is_not_found(api_client_for, partner_a, sent_to_b):
    api = api_client_for(partner_a)
    base = f"{REFERRALS}{sent_to_b.pk}/"
    assert api.get(base).status_code == 404
    assert api.get(base + "updates/").status_code == 404
    assert api.post(base + "accept/", {}, format="json").status_code == 404
    assert api.post(base + "reject/", {"reason": "x"}, format="json").status_code == 404
    sent_to_b.refresh_from_db()
    assert sent_to_b.status == ReferralStatus.SENT


@pytest.mark.parametrize("persona", ["outsider", "partner_user", "neighbour_director"])
def test_outsiders_see_no_referral(request, api_client_for, persona, sent_to_a):
    api = api_client_for(request.getfixturevalue(persona))
    assert sent_to_a.pk not in ids(api.get(REFERRALS))
    assert api.get(f"{REFERRALS}{sent_to_a.pk}/").status_code == 404


def test_the_partner_view_of_the_child_is_the_minimum(api_client_for, partner_a, sent_to_a):
    body = api_client_for(partner_a).get(f"{REFERRALS}{sent_to_a.pk}/").json()
    assert set(body["child"]) == {"name", "gender", "age", "village"}
    assert body["child"]["name"] == "张三" and body["child"]["village"] == "东岭村"
    assert body["town_contact"] and body["reason"]
    assert not {"case", "minor", "id_number", "address"} & set(body)


def test_every_partner_read_is_in_the_access_log(api_client_for, partner_a, sent_to_a):
    api = api_client_for(partner_a)
    api.get(REFERRALS)
    api.get(f"{REFERRALS}{sent_to_a.pk}/")
    logged = AccessLog.objects.filter(user=partner_a, minor=sent_to_a.minor, channel="API")
    assert logged.count() == 2


def test_a_revoked_referral_disappears_at_once(api_client_for, town_officer, partner_a, sent_to_a):
    api = api_client_for(partner_a)
    assert api.get(f"{REFERRALS}{sent_to_a.pk}/").status_code == 200
    response = api_client_for(town_officer).post(f"{REFERRALS}{sent_to_a.pk}/revoke/", {"note": "误发"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "REVOKED"
    assert api.get(f"{REFERRALS}{sent_to_a.pk}/").status_code == 404
    assert ids(api.get(REFERRALS)) == set()


def test_a_sealed_childs_referral_is_invisible_to_partners(api_client_for, partner_a, town_officer, sent_to_a, seal):
    seal(sent_to_a.minor)
    assert api_client_for(partner_a).get(f"{REFERRALS}{sent_to_a.pk}/").status_code == 404
    assert ids(api_client_for(partner_a).get(REFERRALS)) == set()
    assert sent_to_a.pk in ids(api_client_for(town_officer).get(REFERRALS))


def test_a_partner_works_a_referral_through_to_feedback(api_client_for, partner_a, sent_to_a):
    api = api_client_for(partner_a)
    base = f"{REFERRALS}{sent_to_a.pk}/"
    assert api.post(base + "accept/", {}, format="json").json()["status"] == "ACCEPTED"
    response = api.post(base + "updates/", {"note": "已上门核查"}, format="json")
    assert response.status_code == 201 and response.json()["note"] == "已上门核查"
    assert [u["note"] for u in api.get(base + "updates/").json()] == ["已上门核查"]
    assert api.post(base + "feedback/", {"note": "已训诫监护人"}, format="json").json()["status"] == "FEEDBACK"


def test_a_rejection_without_a_reason_is_a_coded_error(api_client_for, partner_a, sent_to_a):
    response = api_client_for(partner_a).post(f"{REFERRALS}{sent_to_a.pk}/reject/", {"reason": ""}, format="json")
    assert error_codes(response) == {"reason": "required"}


def test_filters_status_and_updated_since(api_client_for, partner_a, sent_to_a):
    api = api_client_for(partner_a)
    assert ids(api.get(REFERRALS, {"status": "SENT"})) == {sent_to_a.pk}
    assert ids(api.get(REFERRALS, {"status": "ACCEPTED"})) == set()
    since = sent_to_a.updated_at.isoformat()
    assert ids(api.get(REFERRALS, {"updated_since": since})) == {sent_to_a.pk}
    rl.referral_accept(actor=partner_a, referral=sent_to_a)
    sent_to_a.refresh_from_db()
    later = sent_to_a.updated_at.isoformat()
    assert ids(api.get(REFERRALS, {"updated_since": later})) == {sent_to_a.pk}


def test_town_staff_draft_and_send_a_referral(api_client_for, town_officer, case_a, police, partner_a):
    api = api_client_for(town_officer)
    response = api.post(
        REFERRALS,
        {"case": case_a.pk, "organisation": police.pk, "priority": "URGENT", "reason": "家暴", "town_contact": "刘敏"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    referral_id = response.json()["id"]
    assert referral_id not in ids(api_client_for(partner_a).get(REFERRALS))
    sent = api.post(f"{REFERRALS}{referral_id}/send/", format="json")
    assert sent.status_code == 200 and sent.json()["status"] == "SENT"
    assert referral_id in ids(api_client_for(partner_a).get(REFERRALS))


def test_a_partner_may_not_send_close_or_revoke(api_client_for, partner_a, sent_to_a):
    api = api_client_for(partner_a)
    for step in ("revoke", "close"):
        assert api.post(f"{REFERRALS}{sent_to_a.pk}/{step}/", {}, format="json").status_code == 403


def test_a_case_outside_the_officers_area_cannot_be_referred(api_client_for, outsider, case_a, police):
    response = api_client_for(outsider).post(
        REFERRALS, {"case": case_a.pk, "organisation": police.pk, "reason": "x"}, format="json"
    )
    assert error_codes(response)["case"] == "does_not_exist"


def test_the_partner_list_has_a_bounded_number_of_queries(
    api_client_for, django_assert_max_num_queries, partner_a, sent_to_a, town_officer, police, tree
):
    from cases.casework import services as cw
    from tests.factories import register_minor
    from tests.referrals.conftest import draft

    for name in ("甲", "乙", "丙"):
        child = register_minor(actor=town_officer, region=tree.village_a2, name=name)
        case = cw.case_open(actor=town_officer, minor=child)
        rl.referral_send(actor=town_officer, referral=draft(town_officer, case, police))
    api = api_client_for(partner_a)
    with django_assert_max_num_queries(12):
        assert len(ids(api.get(REFERRALS))) == 4


def test_a_partner_registers_lists_and_deletes_a_webhook(api_client_for, partner_a, partner_b):
    api = api_client_for(partner_a)
    created = api.post(WEBHOOKS, {"url": "https://police.example/hook"}, format="json")
    assert created.status_code == 201 and len(created.json()["secret"]) == 64
    listed = api.get(WEBHOOKS).json()["results"]
    assert [row["url"] for row in listed] == ["https://police.example/hook"] and "secret" not in listed[0]
    endpoint_id = created.json()["id"]
    assert api_client_for(partner_b).delete(f"{WEBHOOKS}{endpoint_id}/").status_code == 404
    assert api.delete(f"{WEBHOOKS}{endpoint_id}/").status_code == 204
    assert not WebhookEndpoint.objects.get(pk=endpoint_id).is_active


def test_a_plain_http_webhook_is_refused(api_client_for, partner_a):
    response = api_client_for(partner_a).post(WEBHOOKS, {"url": "http://police.example/hook"}, format="json")
    assert error_codes(response) == {"url": "https_required"}


def test_staff_without_an_organisation_cannot_register_a_webhook(api_client_for, town_officer):
    response = api_client_for(town_officer).post(WEBHOOKS, {"url": "https://x.example/hook"}, format="json")
    assert response.status_code == 403
