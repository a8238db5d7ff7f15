"""Partner onboarding (issue 10 §8): the town office attaches staff to its town's departments (or creates
their account) and detaches them; the admin's post form names the department; a partner's home page
lists what waits for them. Personas from tests/referrals/conftest.py: town A's police station, the town
A officer who sends; town B's officer is the outsider."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.casework import services as cw
from referrals.referrals.selectors import partner_referrals
from referrals.referrals.services import lifecycle as rl
from tests.factories import make_user
from tests.referrals.conftest import draft
from tiers.admin import StaffPostAdminForm
from tiers.models import OrganisationKind, StaffPost
from tiers.roles import Role
from tiers.services import organisation_create


@pytest.fixture
def officer_account(db):
    """A police officer's login that belongs to no department yet."""
    return make_user(username="officer_wang", first_name="王警官")


@pytest.fixture
def sent_to_police(town_officer, case_a, police):
    return rl.referral_send(actor=town_officer, referral=draft(town_officer, case_a, police))


def _attach(client, actor, organisation, username, django_capture_on_commit_callbacks):
    client.force_login(actor)
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(
            reverse("partner_staff_attach", args=[organisation.pk]), {"username": username, "title": "社区民警"}
        )


def test_town_office_attaches_a_police_officer_who_then_sees_the_stations_referrals(
    client, town_officer, police, officer_account, sent_to_police, django_capture_on_commit_callbacks
):
    assert not partner_referrals(user=officer_account).exists()

    response = _attach(client, town_officer, police, "officer_wang", django_capture_on_commit_callbacks)

    assert response.status_code == 302
    post = StaffPost.objects.get(user=officer_account)
    assert (post.role, post.organisation, post.region) == (Role.PARTNER_STAFF, police, police.region)
    client.force_login(officer_account)
    assert client.get(reverse("referral_detail", args=[sent_to_police.pk])).status_code == 200
    officer = type(officer_account).objects.get(pk=officer_account.pk)  # posts are cached per user object
    assert [r.pk for r in partner_referrals(user=officer)] == [sent_to_police.pk]


def test_another_towns_office_cannot_attach_to_this_towns_department(
    client, outsider, police, officer_account, django_capture_on_commit_callbacks
):
    response = _attach(client, outsider, police, "officer_wang", django_capture_on_commit_callbacks)

    assert response.status_code == 404
    assert client.get(reverse("partner_department_detail", args=[police.pk])).status_code == 404
    assert not StaffPost.objects.filter(user=officer_account).exists()


def test_a_county_department_is_not_the_town_offices_to_staff(
    client, tree, town_officer, officer_account, django_capture_on_commit_callbacks
):
    bureau = organisation_create(kind=OrganisationKind.PUBLIC_SECURITY_BUREAU, name="示范县公安局", region=tree.county)

    response = _attach(client, town_officer, bureau, "officer_wang", django_capture_on_commit_callbacks)

    assert response.status_code == 404


def test_detached_staff_lose_the_departments_referrals(
    client, town_officer, police, partner_a, sent_to_a, django_capture_on_commit_callbacks
):
    assert partner_referrals(user=partner_a).exists()
    post = StaffPost.objects.get(user=partner_a, organisation=police)
    client.force_login(town_officer)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("partner_staff_detach", args=[police.pk, post.pk]))

    assert response.status_code == 302
    assert not StaffPost.objects.filter(pk=post.pk).exists()
    client.force_login(partner_a)
    assert client.get(reverse("referral_detail", args=[sent_to_a.pk])).status_code == 404


def test_a_registry_staff_account_is_not_made_partner_staff(
    client, town_officer, child_director, police, django_capture_on_commit_callbacks
):
    response = _attach(client, town_officer, police, child_director.username, django_capture_on_commit_callbacks)

    assert response.status_code == 200
    assert "该账号担任其他工作岗位" in response.content.decode()
    assert not StaffPost.objects.filter(user=child_director, role=Role.PARTNER_STAFF).exists()


def test_an_unknown_username_is_a_clear_error(client, town_officer, police, django_capture_on_commit_callbacks):
    response = _attach(client, town_officer, police, "nobody", django_capture_on_commit_callbacks)

    assert "未找到该用户名的账号" in response.content.decode()


def test_town_office_creates_an_account_that_can_log_in_as_the_departments_staff(
    client, town_officer, police, sent_to_police, django_capture_on_commit_callbacks
):
    client.force_login(town_officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("partner_staff_create", args=[police.pk]), {"username": "officer_li", "full_name": "李警官"}
        )

    password = response.context["created"]["password"]
    post = StaffPost.objects.select_related("user").get(user__username="officer_li")
    assert post.organisation == police and post.user.first_name == "李警官"
    client.logout()
    assert client.login(username="officer_li", password=password)
    assert [r.pk for r in partner_referrals(user=post.user)] == [sent_to_police.pk]


def test_a_taken_username_is_refused_and_nothing_is_created(client, town_officer, police, officer_account):
    client.force_login(town_officer)

    response = client.post(
        reverse("partner_staff_create", args=[police.pk]), {"username": "OFFICER_WANG", "full_name": "王二"}
    )

    assert "该用户名已被使用" in response.content.decode()
    assert not StaffPost.objects.filter(organisation=police).exists()


def test_a_partner_without_a_town_office_post_cannot_open_the_pages(client, partner_a, police):
    client.force_login(partner_a)

    assert client.get(reverse("partner_department_list")).status_code == 403


# --- the admin -----------------------------------------------------------------------------------------


def _admin_form(user, region, role, organisation=None):
    data = {"user": user.pk, "region": region.pk, "role": role, "title": "", "phone": ""}
    if organisation is not None:
        data["organisation"] = organisation.pk
    return StaffPostAdminForm(data=data)


def test_admin_partner_post_needs_a_department_of_its_own_region(tree, officer_account, police):
    other_town = organisation_create(kind=OrganisationKind.POLICE_STATION, name="白水派出所", region=tree.town_b)

    missing = _admin_form(officer_account, tree.town_a, Role.PARTNER_STAFF)
    elsewhere = _admin_form(officer_account, tree.town_a, Role.PARTNER_STAFF, other_town)
    right = _admin_form(officer_account, tree.town_a, Role.PARTNER_STAFF, police)

    assert "organisation" in missing.errors
    assert "organisation" in elsewhere.errors
    assert right.is_valid(), right.errors


def test_admin_other_posts_name_no_department(tree, officer_account, police):
    form = _admin_form(officer_account, tree.town_a, Role.TOWN_OFFICE, police)

    assert "organisation" in form.errors


def test_admin_saves_the_partner_post_with_its_department(admin_client, tree, officer_account, police):
    response = admin_client.post(
        reverse("admin:tiers_staffpost_add"),
        {
            "user": officer_account.pk,
            "region": tree.town_a.pk,
            "role": Role.PARTNER_STAFF,
            "organisation": police.pk,
            "title": "",
            "phone": "",
        },
    )

    assert response.status_code == 302
    assert StaffPost.objects.get(user=officer_account).organisation == police


# --- the partner's home page ---------------------------------------------------------------------------


def test_partner_home_lists_referrals_to_accept_and_feedback_due_with_their_deadlines(
    client, town_officer, partner_a, sent_to_a, police, tree
):
    other = draft(town_officer, cw.case_open(actor=town_officer, minor=_child(town_officer, tree), note="辍学"), police)
    accepted = rl.referral_accept(actor=partner_a, referral=rl.referral_send(actor=town_officer, referral=other))
    client.force_login(partner_a)

    content = client.get(reverse("home")).content.decode()

    to_accept = content.split('data-testid="partner-to-accept"')[1].split("</ul>")[0]
    feedback = content.split('data-testid="partner-feedback-due"')[1].split("</ul>")[0]
    assert reverse("referral_detail", args=[sent_to_a.pk]) in to_accept
    assert timezone.localtime(sent_to_a.accept_due_at).strftime("%Y-%m-%d %H:%M") in to_accept
    assert reverse("referral_detail", args=[accepted.pk]) in feedback
    assert accepted.feedback_due_on.strftime("%Y-%m-%d") in feedback
    assert "张三" not in content


def test_partner_home_lists_the_open_measures_of_their_working_group(client, town_officer, partner_a, case_a, tree):
    groups = cw.working_groups_ensure(region=tree.town_a)
    group = groups[0]
    cw.working_group_update(
        actor=town_officer,
        group=group,
        lead_organisation=group.lead_organisation,
        member_organisations=list(group.member_organisations.all()),
        members=[partner_a],
    )
    cw.measure_add(
        actor=town_officer,
        case=case_a,
        track=group.track,
        title="每周家访一次",
        due_on=timezone.localdate() + datetime.timedelta(days=7),
    )
    client.force_login(partner_a)

    content = client.get(reverse("home")).content.decode()

    assert "每周家访一次" in content.split('data-testid="partner-measures-due"')[1]


def test_a_partner_of_another_department_sees_none_of_it(client, partner_b, sent_to_a):
    client.force_login(partner_b)

    content = client.get(reverse("home")).content.decode()

    assert reverse("referral_detail", args=[sent_to_a.pk]) not in content


def _child(actor, tree):
    from tests.factories import register_minor

    return register_minor(actor=actor, region=tree.village_a1, name="赵六")


def test_detaching_the_last_post_revokes_the_partners_api_tokens(
    client, town_officer, police, partner_a, django_capture_on_commit_callbacks
):
    from tiers.models import ApiToken
    from tiers.services import token_authenticate, token_issue

    _, key = token_issue(user=partner_a, name="派出所系统", actor=town_officer)
    post = StaffPost.objects.get(user=partner_a, organisation=police)
    client.force_login(town_officer)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("partner_staff_detach", args=[police.pk, post.pk]))

    assert token_authenticate(key=key) is None
    assert not ApiToken.objects.filter(user=partner_a, revoked_at__isnull=True).exists()
