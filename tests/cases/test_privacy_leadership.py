"""Leadership is figures only, everywhere (issue 10 §4): a LEADERSHIP_VIEWER login walks every URL pattern of
the URLconf it can GET — pages, API, downloads — with ids of the test data, and no response names a child or
shows an ID number. Village-level counts of sensitive categories below MINORPROT_SMALL_CELL read "<5" to it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import RoutePattern
from django.utils import timezone

from cases.casework import services as cw
from cases.models import Case, Measure, Minor, MinorEvent, WorkingGroup
from referrals.models import Referral
from referrals.referrals.services import lifecycle as rl
from reporting.quarters import Quarter
from tests.factories import make_user, register_minor
from tiers.models import Organisation, OrganisationKind, Region
from tiers.roles import Role
from tiers.services import organisation_create, post_assign, token_issue

GUARDIAN = "王秀英"
JUSTICE = "涉案涉罪未成年人（社区矫正）"


@pytest.fixture
def world(tree, town_officer, outsider):
    police = organisation_create(kind=OrganisationKind.POLICE_STATION, name="青山派出所", region=tree.town_a)
    partner = make_user(username="police_officer")
    post_assign(user=partner, region=tree.town_a, role=Role.PARTNER_STAFF, organisation=police)
    groups = {g.track: g for g in cw.working_groups_ensure(region=tree.town_a)}
    cw.working_groups_ensure(region=tree.town_b)
    rescue = groups["RESCUE_PROTECTION"]
    cw.working_group_update(
        actor=town_officer,
        group=rescue,
        lead_organisation=rescue.lead_organisation,
        member_organisations=list(rescue.member_organisations.all()),
        members=[partner],
        duties=rescue.duties,
    )
    a = register_minor(actor=town_officer, region=tree.village_a1, name="张小明", categories=("JUSTICE_INVOLVED",))
    b = register_minor(actor=outsider, region=tree.village_b1, name="李小红", categories=("CRIME_VICTIM",))
    case_a = cw.case_open(actor=town_officer, minor=a, note="涉案")
    case_b = cw.case_open(actor=outsider, minor=b, note="受侵害")
    for actor, case in ((town_officer, case_a), (outsider, case_b)):
        cw.measure_add(
            actor=actor,
            case=case,
            track="RESCUE_PROTECTION",
            title="协助做好社会观护",
            due_on=timezone.localdate() + timedelta(days=7),
        )
    draft = rl.referral_create(
        actor=town_officer, case=case_a, organisation=police, reason="请协助观护", town_contact="民政办 13800000000"
    )
    rl.referral_send(actor=town_officer, referral=draft)
    return {"minors": [a, b], "groups": groups}


def _patterns(resolver=None, namespace=""):
    """Every named URL pattern outside the admin, as (name to reverse, parameter names, converters)."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":
                continue
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _patterns(entry, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            pattern = entry.pattern
            if isinstance(pattern, RoutePattern):
                params = {name: type(conv).__name__ for name, conv in pattern.converters.items()}
            else:
                params = {name: "re" for name in pattern.regex.groupindex}
            if "format" in params:
                continue
            yield f"{namespace}{entry.name}", params


def _candidates(world) -> dict[str, list[str]]:
    ids = set()
    for model in (Minor, Case, Measure, WorkingGroup, Referral, Region, Organisation, MinorEvent):
        ids.update(model.objects.values_list("pk", flat=True))
    codes = list(Region.objects.values_list("code", flat=True))
    return {
        "int": [str(pk) for pk in sorted(ids)],
        "str": [*codes, str(Quarter.current()), "RED", "ORANGE"],
    }


def _urls(world):
    candidates = _candidates(world)
    for name, params in _patterns():
        if not params:
            yield reverse(name)
            continue
        if len(params) > 2:
            continue
        pools = [
            candidates["int"] if kind in ("IntConverter", "re") and key != "code" else candidates["str"]
            for key, kind in params.items()
        ]
        keys = list(params)
        if len(keys) == 1:
            for value in pools[0]:
                yield _reverse(name, {keys[0]: value})
        else:
            for first in pools[0]:
                for second in pools[1]:
                    yield _reverse(name, {keys[0]: first, keys[1]: second})


def _reverse(name, kwargs):
    try:
        return reverse(name, kwargs=kwargs)
    except Exception:
        return None


def _body(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


@pytest.mark.django_db
def test_a_figures_only_login_reads_no_childs_name_or_id_number_anywhere(world, leadership_viewer):
    secrets = [GUARDIAN]
    for minor in world["minors"]:
        secrets += [minor.name, minor.id_number]
    _token, key = token_issue(user=leadership_viewer, name="walk")
    client = Client(headers={"authorization": f"Token {key}"})
    client.force_login(leadership_viewer)
    seen, leaks = 0, []
    for url in _urls(world):
        if url is None or url.startswith(("/i18n/", "/logout", "/api/schema", "/api/docs")):
            continue
        response = client.get(url)
        if response.status_code != 200:
            continue
        seen += 1
        body = _body(response)
        leaks += [(url, secret) for secret in secrets if secret in body]
    # The walk reached the pages a leadership login has (dashboard, regions, working groups, figures API …).
    assert seen > 10
    assert leaks == []


def test_the_group_page_shows_a_leadership_login_references_only(client, world, leadership_viewer):
    group = world["groups"]["RESCUE_PROTECTION"]
    client.force_login(leadership_viewer)
    page = client.get(reverse("group_detail", args=[group.pk])).content.decode()
    case = Case.objects.get(minor=world["minors"][0])
    assert "张小明" not in page and "东岭村" not in page
    assert f"个案 #{case.pk}" in page


# --- small cells -----------------------------------------------------------------------------------------------


def _category_rows(response) -> dict[str, str]:
    table = response.context["tables"]["categories"]
    return {str(row[0]): str(row[1]) for row in table["rows"]}


def test_a_village_count_of_a_sensitive_category_reads_below_threshold_to_leadership(
    client, tree, world, leadership_viewer, town_officer, settings
):
    url = reverse("dashboard", args=[tree.village_a1.pk])
    client.force_login(leadership_viewer)
    settings.MINORPROT_DASHBOARD_CACHE_SECONDS = 0
    assert _category_rows(client.get(url))[JUSTICE] == "<5"
    client.force_login(town_officer)
    assert _category_rows(client.get(url))[JUSTICE] == "1"


def test_the_figures_api_suppresses_small_sensitive_cells_for_leadership_only(
    api_client_for, tree, world, leadership_viewer, town_officer, settings
):
    settings.MINORPROT_DASHBOARD_CACHE_SECONDS = 0
    url = f"/api/v1/figures/{tree.village_a1.code}/"
    body = api_client_for(leadership_viewer).get(url).json()
    assert body["registry"]["categories"]["JUSTICE_INVOLVED"] == "<5"
    assert body["registry"]["categories"]["CRIME_VICTIM"] == "<5"
    staff = api_client_for(town_officer).get(url).json()
    assert staff["registry"]["categories"]["JUSTICE_INVOLVED"] == 1


def test_a_town_level_count_is_not_suppressed(api_client_for, tree, world, leadership_viewer, settings):
    settings.MINORPROT_DASHBOARD_CACHE_SECONDS = 0
    body = api_client_for(leadership_viewer).get(f"/api/v1/figures/{tree.town_a.code}/").json()
    assert body["registry"]["categories"]["JUSTICE_INVOLVED"] == 1
