"""Demo casework (issue 4), the builder seed_demo runs after grading (demo/screening.py), which has by then
opened a case for every orange and red child.

Adds, through the services: the partner departments of each town and of the district (domain.md §11),
the six working groups of each (§5) with a few member staff, demo monthly rates for the benefit
programmes paid monthly (§9; the amounts are invented demo values, dated), and on the open cases a
story each: cases in every stage (some closed after a request and the town leader's or office head's
approval, one reopened; an orange child's case is closed only after a risk reassessment has lowered the
grade, so every active orange or red child keeps an open case, issue 10 item 12), plans with measures on all six tracks (some done, some in progress, a few
overdue), the intervention ladder (a level 3 awaiting approval, an approved level 4), placements (one
following the placement route of a child registered outside the district) and benefit enrolments
applied, approved, rejected and ended.

Dates: the services write "now". A demo needs a history that a fresh database does not have, so
after the services have run, dates only are moved back (the case opens on its grading day, events
spread between then and today, some due dates pass): the same kind of demo history as the grades
backdated in demo/screening.py (demo/backdating.py). Idempotent: departments are matched by name in the demo's
units, groups and rates are left as found, and only the demo's own cases are worked, each once: of each demo
minor (demo_minors()) the first case the demo's grading opened, and the out-of-district child's case; a case with
anything written to it besides its opening is not touched again.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, Subquery
from django.utils import timezone

from cases.casework import services as cw
from cases.casework.rules import CASE_GRADES
from cases.casework.services.alerts import casework_escalate
from cases.models import (
    BenefitProgramme,
    BenefitRate,
    Case,
    CaseEvent,
    CaseStage,
    Minor,
    MinorCategory,
    MinorStatus,
    RiskGrade,
    Track,
    WorkingGroup,
)
from demo import district as demo
from demo.casework.history import History, backdate_cases
from demo.casework.stories import SEED, CaseStory, Tally, TownStaff, out_of_district_story
from demo.registry import demo_minors
from demo.screening import GRADING_SUMMARY
from screening.models import GradeChange
from tiers.models import Organisation, OrganisationKind, Region
from tiers.services import organisation_create

User = get_user_model()
K = OrganisationKind

# Each town's departments, "{t}" being its short name (青溪 for 青溪镇, 文昌 for 文昌街道). Invented names.
TOWN_ORGANISATIONS: tuple[tuple[str, str], ...] = (
    (K.CIVIL_AFFAIRS_OFFICE, "{town}民政和社会事务办"),
    (K.POLICE_STATION, "示范区公安局{t}派出所"),
    (K.EDUCATION_CENTRE, "{t}教育管理中心"),
    (K.SCHOOL, "{t}中心小学"),
    (K.JUSTICE_OFFICE, "示范区司法局{t}司法所"),
    (K.LABOUR_SECURITY_OFFICE, "{town}劳动保障所"),
    (K.HEALTH_CENTRE, "{t}卫生院"),
    (K.WOMENS_FEDERATION, "{town}妇联"),
    (K.YOUTH_LEAGUE, "共青团{town}委员会"),
    (K.DISABLED_FEDERATION, "{town}残疾人联合会"),
    (K.TRADE_UNION, "{town}总工会"),
    (K.ELDERS_COMMITTEE, "{town}关心下一代工作委员会"),
)
# A subdistrict (街道) has a community health service centre and an urban-management squad instead.
STREET_OVERRIDES = {
    K.HEALTH_CENTRE: "{town}社区卫生服务中心",
    K.SCHOOL: "{t}实验小学",
}
STREET_EXTRA = ((K.URBAN_MANAGEMENT, "{town}综合行政执法中队"),)

COUNTY_ORGANISATIONS: tuple[tuple[str, str], ...] = (
    (K.CIVIL_AFFAIRS_BUREAU, "示范区民政局"),
    (K.PUBLIC_SECURITY_BUREAU, "示范区公安局"),
    (K.EDUCATION_BUREAU, "示范区教育委员会"),
    (K.HUMAN_RESOURCES_BUREAU, "示范区人力资源和社会保障局"),
    (K.HEALTH_BUREAU, "示范区卫生健康委员会"),
    (K.JUSTICE_BUREAU, "示范区司法局"),
    (K.MEDICAL_SECURITY_BUREAU, "示范区医疗保障局"),
    (K.URBAN_MANAGEMENT, "示范区城市管理局"),
    (K.PROCURATORATE, "示范区人民检察院"),
    (K.COURT, "示范区人民法院"),
    (K.RESCUE_PROTECTION_CENTRE, "示范区未成年人救助保护中心"),
    (K.RESCUE_INSTITUTION, "示范区救助管理站"),
    (K.CHILD_WELFARE_INSTITUTION, "示范区儿童福利院"),
    (K.HOSPITAL, "示范区人民医院"),
    (K.WOMENS_FEDERATION, "示范区妇女联合会"),
    (K.YOUTH_LEAGUE, "共青团示范区委员会"),
    (K.DISABLED_FEDERATION, "示范区残疾人联合会"),
    (K.TRADE_UNION, "示范区总工会"),
    (K.SOCIAL_ORGANISATION, "示范区阳光社会工作服务中心"),
)

# Demo monthly standards at the district. INVENTED DEMO VALUES, not any real district's standards: a
# real district enters its own (cases.casework.services.benefit_rate_set). Last year's and this year's.
DEMO_RATES: dict[str, tuple[str, str]] = {
    "DIBAO": ("680.00", "720.00"),
    "ORPHAN_LIVING": ("1280.00", "1350.00"),
    "DE_FACTO_LIVING": ("1280.00", "1350.00"),
    "EXTREME_POVERTY": ("880.00", "940.00"),
    "DISABILITY_TWO_SUBSIDIES": ("90.00", "100.00"),
    "COMPULSORY_LIVING_SUBSIDY": ("100.00", "105.00"),
}
RATE_NOTE = "演示数据：虚构金额，非真实标准"


# Case stories by position (the order of the cases is stable): every stage appears in every town.
STORIES = (
    "plan",
    "closed",
    "plan_overdue",
    "assessment",
    "review",
    "plan",
    "closing",
    "discovery",
    "plan_overdue",
    "reopened",
    "plan",
    "review",
)


def seed_casework() -> str:
    tally = Tally()
    county = Region.objects.get(code=demo.COUNTY_CODE)
    towns = {town.code: Region.objects.get(code=town.code) for town in demo.DISTRICT}
    users = {u.username: u for u in User.objects.filter(username__in=[login.username for login in demo.DEMO_LOGINS])}
    staff = {
        town.code: TownStaff(
            users[f"{town.slug}_office"],
            users[f"{town.slug}_head"],
            users[f"{town.slug}_leader"],
            users[f"{town.slug}_supervisor"],
        )
        for town in demo.DISTRICT
    }
    _seed_organisations(tally, county, towns)
    _seed_groups(tally, county, towns, staff, users)
    _seed_rates(tally, county, users["county_civil"])
    _seed_cases(tally, towns, staff)
    if not tally.created_anything():
        return "casework already present; nothing changed"
    casework_escalate()
    stories = ", ".join(f"{story} {n}" for story, n in sorted(tally.stories.items()))
    stages = Counter(Case.objects.values_list("stage", flat=True))
    return (
        f"{tally.organisations} partner departments, {tally.groups} working groups, {tally.rates} demo rates; "
        f"{tally.cases} cases worked ({stories}), {tally.measures} measures, {tally.interventions} interventions, "
        f"{tally.placements} placements, {tally.enrolments} benefit enrolments, {tally.closed} closings approved "
        f"({tally.reassessed} after a reassessment lowered the grade); "
        f"cases by stage: {', '.join(f'{stage} {stages[stage]}' for stage in CaseStage.values)}"
    )


# --- departments, groups and rates ------------------------------------------------------------------------------


def _short(name: str) -> str:
    for suffix in ("街道", "镇", "乡"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def _organisation(tally: Tally, *, kind: str, name: str, region: Region) -> None:
    if not Organisation.objects.filter(region=region, name=name).exists():
        organisation_create(kind=kind, name=name, region=region)
        tally.organisations += 1


def _seed_organisations(tally: Tally, county: Region, towns: dict[str, Region]) -> None:
    for kind, name in COUNTY_ORGANISATIONS:
        _organisation(tally, kind=kind, name=name, region=county)
    for town in demo.DISTRICT:
        street = town.name.endswith("街道")
        plan = [
            (kind, STREET_OVERRIDES.get(kind, pattern) if street else pattern) for kind, pattern in TOWN_ORGANISATIONS
        ]
        plan += list(STREET_EXTRA) if street else []
        for kind, pattern in plan:
            _organisation(
                tally, kind=kind, name=pattern.format(town=town.name, t=_short(town.name)), region=towns[town.code]
            )


def _seed_groups(tally: Tally, county: Region, towns: dict[str, Region], staff, users) -> None:
    before = WorkingGroup.objects.count()
    cw.working_groups_ensure(region=county)
    for town in demo.DISTRICT:
        cw.working_groups_ensure(region=towns[town.code])
    tally.groups = WorkingGroup.objects.count() - before
    if not tally.groups:
        return  # the groups were there: leave their members as the town set them
    # A few member staff: the office and the child supervisor in the rescue group, the supervisor in the
    # psychological-care group, and the police partner (青溪镇) in rescue and judicial protection. The
    # district's groups keep their departments only: members are named by a post that does casework.
    members: list[tuple[Region, str, object]] = []
    for town in demo.DISTRICT:
        region, people = towns[town.code], staff[town.code]
        members += [
            (region, Track.RESCUE_PROTECTION, people.office),
            (region, Track.RESCUE_PROTECTION, people.supervisor),
            (region, Track.SPIRITUAL_CARE, people.supervisor),
        ]
    police = users.get("partner_police")
    if police is not None:
        qingxi = next(t for t in demo.DISTRICT if t.slug == "qingxi")
        members += [
            (towns[qingxi.code], Track.RESCUE_PROTECTION, police),
            (towns[qingxi.code], Track.JUDICIAL_PROTECTION, police),
        ]
    by_group: dict[tuple[Region, str], list] = {}
    for region, track, user in members:
        by_group.setdefault((region, track), []).append(user)
    for (region, track), users_of_group in by_group.items():
        group = WorkingGroup.objects.get(region=region, track=track)
        cw.working_group_update(
            actor=staff[region.code].office,
            group=group,
            lead_organisation=group.lead_organisation,
            member_organisations=list(group.member_organisations.all()),
            members=[*group.members.all(), *users_of_group],
            duties=group.duties,
        )


def _seed_rates(tally: Tally, county: Region, county_officer) -> None:
    this_year = timezone.localdate().year
    programmes = {p.code: p for p in BenefitProgramme.objects.filter(code__in=DEMO_RATES)}
    for code, amounts in DEMO_RATES.items():
        programme = programmes.get(code)
        if programme is None:
            continue
        for year, amount in zip((this_year - 1, this_year), amounts, strict=True):
            valid_from = date(year, 1, 1)
            if BenefitRate.objects.filter(programme=programme, region=county, valid_from=valid_from).exists():
                continue
            cw.benefit_rate_set(
                actor=county_officer,
                programme=programme,
                region=county,
                monthly_amount=Decimal(amount),
                valid_from=valid_from,
                note=RATE_NOTE,
            )
            tally.rates += 1


def _seed_cases(tally: Tally, towns: dict[str, Region], staff: dict[str, TownStaff]) -> None:
    county_organisations = {
        o.kind: o for o in Organisation.objects.filter(region__code=demo.COUNTY_CODE).order_by("-pk")
    }
    town_of = {region.path: code for code, region in towns.items()}
    groups = {
        (group.region.path, group.track): group
        for group in WorkingGroup.objects.select_related("region", "lead_organisation")
    }

    def town_code(minor: Minor) -> str:
        return town_of[minor.region.town_path]

    own = demo_minors()
    histories: list[History] = []
    # The demo's first child registered outside the district: found alone, routed to the place of origin.
    migrant = own.filter(hukou_in_district=False).select_related("region").order_by("pk").first()
    if migrant is not None:
        case = out_of_district_story(tally, migrant, staff[town_code(migrant)], county_organisations)
        if case is not None:
            tally.stories["placement_route"] = 1
            histories.append(History(case.pk, timezone.now() - timedelta(days=14), None, random.Random(SEED)))

    # The demo's cases: of each demo minor its grading made orange or red, the first case grading opened (a case
    # opened later, by someone grading the child again, is theirs). Children closed since keep their place in
    # the order, so the stories stay where they were; their cases are not worked.
    graded_by_demo = GradeChange.objects.filter(
        minor=OuterRef("minor_id"), to_grade__in=CASE_GRADES, assessment__summary=GRADING_SUMMARY
    )
    first_case = Case.objects.filter(minor=OuterRef("minor_id"), origin=Case.Origin.GRADE).order_by("pk").values("pk")
    cases = list(
        Case.objects.filter(
            Exists(graded_by_demo), origin=Case.Origin.GRADE, minor__in=own, pk=Subquery(first_case[:1])
        )
        .exclude(minor=migrant)
        .select_related("minor__region")
        .prefetch_related(Prefetch("minor__category_links", queryset=MinorCategory.objects.select_related("category")))
        .annotate(worked=Count("events", filter=~Q(events__kind=CaseEvent.Kind.OPENED)))
        .order_by("minor_id")
    )
    by_town: dict[str, list[Case]] = {}
    for case in cases:
        by_town.setdefault(town_code(case.minor), []).append(case)
    rotation = 0
    for code, town_cases in by_town.items():
        stories = _assign_stories(town_cases)
        for case in town_cases:
            rotation += 1
            if case.worked or case.minor.status != MinorStatus.ACTIVE:
                continue
            story = stories[case.pk]
            if story != "discovery":  # a case left at discovery has nothing written to it
                tally.cases += 1
                tally.stories[story] = tally.stories.get(story, 0) + 1
            runner = CaseStory(
                case=case,
                story=story,
                people=staff[code],
                tally=tally,
                organisations=county_organisations,
                groups=groups,
                rotation=rotation,
            )
            runner.run()
            histories.append(
                History(
                    case.pk,
                    runner.opened_at,
                    runner.overdue.pk if runner.overdue else None,
                    runner.rng,
                    runner.reassessment_backdate,
                )
            )
    backdate_cases(histories)


def _assign_stories(cases: list[Case]) -> dict[int, str]:
    """Stories by position within the town; a red case gets a plan and the intervention ladder (a red
    grade calls for level-3/4 measures, domain.md §8.1), except the town's first, left without a plan
    so that the "no plan within 24 hours" alert has something to show."""
    stories = {case.pk: STORIES[index % len(STORIES)] for index, case in enumerate(cases)}
    reds = [case for case in cases if case.minor.risk_grade == RiskGrade.RED]
    ladders = ["ladder_pending", "ladder_judicial"]
    for index, case in enumerate(reds):
        stories[case.pk] = "discovery" if index == 0 else (ladders.pop(0) if ladders else "plan")
    planned = [case for case in cases if stories[case.pk] in ("plan", "plan_overdue")]
    for case in planned:  # towns without enough red cases still show the ladder on an orange one
        if not ladders:
            break
        stories[case.pk] = ladders.pop(0)
    return stories
