"""Reference data of casework in the admin: partner departments with editable flags, working groups,
benefit programmes and rates; nothing that other rows refer to can be deleted."""

from __future__ import annotations

import pytest

from cases.casework.services import working_groups_ensure
from cases.models import BenefitProgramme, WorkingGroup
from tiers.models import Organisation, OrganisationKind
from tiers.services import organisation_create


@pytest.fixture
def police(tree):
    return organisation_create(kind=OrganisationKind.POLICE_STATION, name="青山派出所", region=tree.town_a)


def test_a_department_added_in_the_admin_gets_the_flags_of_its_kind(admin_client, tree):
    response = admin_client.post(
        "/admin/tiers/organisation/add/",
        {"kind": "HEALTH_CENTRE", "name": "青山镇卫生院", "region": tree.town_a.pk, "phone": "", "is_active": "on"},
    )
    assert response.status_code == 302
    organisation = Organisation.objects.get(name="青山镇卫生院")
    assert organisation.flags == "RFA"


def test_a_department_cannot_sit_in_a_village(admin_client, tree):
    response = admin_client.post(
        "/admin/tiers/organisation/add/",
        {"kind": "SCHOOL", "name": "东岭小学", "region": tree.village_a1.pk, "is_active": "on"},
    )
    assert response.status_code == 200
    assert not Organisation.objects.filter(name="东岭小学").exists()


def test_a_departments_flags_are_editable(admin_client, police):
    response = admin_client.post(
        f"/admin/tiers/organisation/{police.pk}/change/",
        {"name": "青山派出所", "phone": "110", "can_report": "on", "can_assist": "on", "is_active": "on"},
    )
    assert response.status_code == 302
    police.refresh_from_db()
    assert police.flags == "RA" and police.kind == "POLICE_STATION"


def test_a_working_group_refuses_another_towns_department(admin_client, tree):
    group = working_groups_ensure(region=tree.town_a)[0]
    elsewhere = organisation_create(kind=OrganisationKind.POLICE_STATION, name="白水派出所", region=tree.town_b)
    response = admin_client.post(
        f"/admin/cases/workinggroup/{group.pk}/change/",
        {"member_organisations": [elsewhere.pk], "duties": ""},
    )
    assert response.status_code == 200
    assert not WorkingGroup.objects.get(pk=group.pk).member_organisations.filter(pk=elsewhere.pk).exists()


@pytest.mark.parametrize(
    "url",
    [
        "/admin/tiers/organisation/{org}/delete/",
        "/admin/cases/workinggroup/{group}/delete/",
        "/admin/cases/benefitprogramme/{programme}/delete/",
    ],
)
def test_reference_rows_others_refer_to_cannot_be_deleted(admin_client, tree, police, url):
    group = working_groups_ensure(region=tree.town_a)[0]
    programme = BenefitProgramme.objects.get(code="DIBAO")
    response = admin_client.get(url.format(org=police.pk, group=group.pk, programme=programme.pk))
    assert response.status_code == 403


def test_the_reference_lists_open(admin_client, tree, police):
    working_groups_ensure(region=tree.town_a)
    for url in (
        "/admin/tiers/organisation/",
        "/admin/cases/workinggroup/",
        "/admin/cases/benefitprogramme/",
        "/admin/cases/benefitrate/",
        "/admin/cases/benefitrate/add/",
    ):
        assert admin_client.get(url).status_code == 200, url
