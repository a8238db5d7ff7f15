"""Demo casework (issue 4), called by `manage.py seed_demo` after the other apps have seeded: grading has
by then opened a case for every orange and red child.

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
backdated in screening/demo.py. Idempotent: departments are matched by name, groups and rates are
left as found, and a case already worked on (any event besides its opening) is not touched again.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import Count, Prefetch, Q
from django.utils import timezone

from cases import demo
from cases.casework import services as cw
from cases.casework.rules import red_plan_due_at
from cases.casework.services.alerts import casework_escalate
from cases.models import (
    BenefitEnrolment,
    BenefitProgramme,
    BenefitRate,
    Case,
    CaseClosure,
    CaseEvent,
    CaseStage,
    Measure,
    MeasureStatus,
    Minor,
    MinorCategory,
    MinorStatus,
    PlacementType,
    RiskGrade,
    Track,
    WorkingGroup,
)
from cases.registry.identity import age_on
from tiers.audit import demo_backdating
from tiers.models import Organisation, OrganisationKind, Region
from tiers.services import organisation_create

SEED = 20230216
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

DONE_OUTCOMES = ("已落实，监护人签字确认", "已办结，材料存档", "已按期完成，孩子情况稳定", "已完成，回访反映良好")
IN_PROGRESS_NOTES = ("材料已报送，等待审核", "已联系牵头单位，正在办理", "已开展两次，持续跟进")
CANCEL_REASONS = ("经复核已由其他渠道解决", "家庭情况变化，措施不再需要")

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


@dataclass
class Tally:
    organisations: int = 0
    groups: int = 0
    rates: int = 0
    cases: int = 0
    measures: int = 0
    interventions: int = 0
    placements: int = 0
    enrolments: int = 0
    closed: int = 0
    reassessed: int = 0
    stories: dict[str, int] = field(default_factory=dict)

    def created_anything(self) -> bool:
        counts = (self.organisations, self.groups, self.rates, self.cases, self.measures, self.interventions)
        return any((*counts, self.placements, self.enrolments))


@dataclass
class TownStaff:
    office: object
    head: object
    leader: object
    supervisor: object


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


# --- the cases ----------------------------------------------------------------------------------------------------

# Measures by track: (title, category the title needs or None). The first fitting title is taken.
TITLES: dict[str, tuple[tuple[str, str | None], ...]] = {
    Track.RESCUE_PROTECTION: (
        ("申请纳入最低生活保障", "LOW_INCOME_FAMILY"),
        ("落实事实无人抚养儿童基本生活补贴", "DE_FACTO_UNSUPPORTED"),
        ("落实孤儿基本生活保障金", "ORPHAN"),
        ("核实监护情况，落实委托照护人", None),
    ),
    Track.EDUCATION_SUPPORT: (
        ("劝返复学，安排插班就读", "DROPOUT"),
        ("申请家庭经济困难学生资助", "POVERTY"),
        ("安排结对教师课后辅导", None),
    ),
    Track.JUDICIAL_PROTECTION: (
        ("协助办理户籍登记", "UNREGISTERED"),
        ("联系监狱安排亲子视频会见，建立服刑人员子女档案", "CHILD_OF_PRISONER"),
        ("协助申请法律援助，约谈监护人", "IMPROPER_GUARDIANSHIP"),
        ("开展一次法治教育和自我保护教育", None),
    ),
    Track.EMPLOYMENT_SUPPORT: (("为监护人提供就业援助和岗位信息", None),),
    Track.MEDICAL_PROTECTION: (
        ("联系残联开展康复评估，申请康复救助", "DISABILITY"),
        ("协助申请医疗救助，落实定点医院复查", "SEVERE_ILLNESS"),
        ("安排卫生院上门健康检查", None),
    ),
    Track.SPIRITUAL_CARE: (
        ("开展家庭教育指导", "IMPROPER_GUARDIANSHIP"),
        ("安排社工每月心理疏导", None),
        ("落实一对一帮扶志愿者", None),
    ),
}
VOCATIONAL_TITLE = "推荐参加区职教中心技能培训"
# Tracks suggested by a child's categories (domain.md §5 duties).
CATEGORY_TRACKS = {
    "LOW_INCOME_FAMILY": Track.RESCUE_PROTECTION,
    "DE_FACTO_UNSUPPORTED": Track.RESCUE_PROTECTION,
    "ORPHAN": Track.RESCUE_PROTECTION,
    "DROPOUT": Track.EDUCATION_SUPPORT,
    "UNREGISTERED": Track.JUDICIAL_PROTECTION,
    "CHILD_OF_PRISONER": Track.JUDICIAL_PROTECTION,
    "IMPROPER_GUARDIANSHIP": Track.JUDICIAL_PROTECTION,
    "DISABILITY": Track.MEDICAL_PROTECTION,
    "SEVERE_ILLNESS": Track.MEDICAL_PROTECTION,
}
# Monthly benefits that follow from a category (domain.md §9).
CATEGORY_BENEFITS = {
    "ORPHAN": "ORPHAN_LIVING",
    "DE_FACTO_UNSUPPORTED": "DE_FACTO_LIVING",
    "LOW_INCOME_FAMILY": "DIBAO",
    "DISABILITY": "DISABILITY_TWO_SUBSIDIES",
}
TRACK_ROTATION = list(Track.values)


class CaseStory:
    """One case's demo story, written through the services by the town's staff."""

    def __init__(
        self, *, case: Case, story: str, people: TownStaff, tally: Tally, organisations, groups, rotation: int
    ):
        self.case, self.story, self.people, self.tally = case, story, people, tally
        self.minor: Minor = case.minor
        self.rng = random.Random(f"{SEED}:{self.minor.name}")
        self.today = timezone.localdate()
        self.codes = {link.category.code for link in self.minor.category_links.all()}
        self.organisations = organisations
        self.rotation = rotation
        self.groups = groups
        self.overdue: Measure | None = None
        self.opened_at = self.minor.risk_grade_since or timezone.now() - timedelta(days=30)
        self.opened_on = self.opened_at.date()
        # Moves the closing reassessment's dates once the case's own dates are known (see _backdate).
        self.reassessment_backdate: Callable[[datetime], None] | None = None

    def day(self, offset: int) -> date:
        """A day `offset` days after the case opened, never after today."""
        return min(self.opened_on + timedelta(days=offset), self.today)

    # --- the plan ---------------------------------------------------------------------------------
    def tracks(self) -> list[str]:
        tracks = [CATEGORY_TRACKS[code] for code in sorted(self.codes) if code in CATEGORY_TRACKS]
        tracks.append(TRACK_ROTATION[self.rotation % len(TRACK_ROTATION)])  # every track appears in the demo
        tracks.append(Track.SPIRITUAL_CARE)
        unique = list(dict.fromkeys(tracks))
        return unique[:3]

    def title(self, track: str) -> str:
        if track == Track.EMPLOYMENT_SUPPORT and age_on(self.minor.birth_date, self.today) >= 16:
            return VOCATIONAL_TITLE
        return next(title for title, code in TITLES[track] if code is None or code in self.codes)

    def plan(self) -> list[Measure]:
        measures = []
        for index, track in enumerate(self.tracks()):
            responsible = self.people.supervisor if index == 0 else None
            group = self.group(track)
            lead = group.lead_organisation.name if group and group.lead_organisation else ""
            measure = cw.measure_add(
                actor=self.people.office,
                case=self.case,
                track=track,
                title=self.title(track),
                due_on=self.today + timedelta(days=self.rng.randint(10, 60)),
                responsible_user=responsible,
                responsible_name="" if responsible else lead,
                group=group,
            )
            measures.append(measure)
            self.tally.measures += 1
        return measures

    def group(self, track: str) -> WorkingGroup | None:
        """The town's group for the track (the one measure_add would look up)."""
        town_path = "/".join(self.minor.region.path.split("/")[:2]) + "/"
        return self.groups.get((town_path, track))

    def progress(self, measure: Measure, status: str) -> None:
        if status == MeasureStatus.IN_PROGRESS:
            cw.measure_update(
                actor=self.people.office, measure=measure, status=status, outcome=self.rng.choice(IN_PROGRESS_NOTES)
            )
        elif status == MeasureStatus.DONE:
            cw.measure_update(
                actor=self.people.office, measure=measure, status=status, outcome=self.rng.choice(DONE_OUTCOMES)
            )
        elif status == MeasureStatus.CANCELLED:
            cw.measure_update(
                actor=self.people.office, measure=measure, status=status, cancel_reason=self.rng.choice(CANCEL_REASONS)
            )

    def finish_plan(self, measures: list[Measure]) -> None:
        for index, measure in enumerate(measures):
            cancel = index == len(measures) - 1 and len(measures) > 2 and self.rng.random() < 0.4
            self.progress(measure, MeasureStatus.CANCELLED if cancel else MeasureStatus.DONE)

    # --- benefits -------------------------------------------------------------------------------------
    def apply(self, code: str, *, offset: int = 3) -> BenefitEnrolment | None:
        programme = BenefitProgramme.objects.filter(code=code).first()
        if (
            programme is None
            or BenefitEnrolment.objects.filter(
                minor=self.minor, programme=programme, status__in=["APPLIED", "APPROVED"]
            ).exists()
        ):
            return None
        self.tally.enrolments += 1
        return cw.benefit_apply(
            actor=self.people.office, minor=self.minor, programme=programme, case=self.case, applied_on=self.day(offset)
        )

    def approve(self, enrolment: BenefitEnrolment | None, *, offset: int = 20) -> None:
        if enrolment is not None:
            cw.benefit_decide(actor=self.people.office, enrolment=enrolment, approve=True, start_on=self.day(offset))

    def category_benefits(self) -> None:
        for code in sorted(self.codes):
            if code in CATEGORY_BENEFITS:
                self.approve(self.apply(CATEGORY_BENEFITS[code]))

    # --- interventions and placements -------------------------------------------------------------------
    def guardian(self):
        return self.minor.guardians.order_by("sort_order", "id").first()

    def guidance(self) -> None:
        intervention = cw.intervention_record(
            actor=self.people.office,
            case=self.case,
            level=0,
            action="约谈监护人，开展家庭教育指导",
            actor_name="村儿童主任",
            guardian=self.guardian(),
            taken_on=self.day(4),
        )
        cw.intervention_record_outcome(
            actor=self.people.office, intervention=intervention, succeeded=True, outcome="监护人表示改正，按时接送孩子"
        )
        self.tally.interventions += 1

    def ladder_to_pending_level_3(self) -> None:
        """Admonishment fails, the police reprimand fails: a level-3 measure awaits the town leader."""
        first = cw.intervention_record(
            actor=self.people.office,
            case=self.case,
            level=1,
            actor_name="村民委员会",
            guardian=self.guardian(),
            taken_on=self.day(2),
        )
        second = cw.intervention_record_outcome(
            actor=self.people.office, intervention=first, succeeded=False, outcome="劝诫后监护人仍长期酗酒，不管孩子"
        )
        cw.intervention_mark_taken(actor=self.people.office, intervention=second, taken_on=self.day(9))
        cw.intervention_record_outcome(
            actor=self.people.office, intervention=second, succeeded=False, outcome="训诫后仍打骂孩子，拒不改正"
        )
        self.tally.interventions += 3

    def ladder_to_approved_level_4(self) -> None:
        """A protection order, approved and taken, fails: the town leader approves a suit (level 4)."""
        order = cw.intervention_record(
            actor=self.people.office,
            case=self.case,
            level=3,
            action="申请人身安全保护令，安排临时监护",
            actor_name="镇民政办、派出所",
            guardian=self.guardian(),
        )
        cw.intervention_decide(actor=self.people.leader, intervention=order, approve=True, note="同意，尽快实施")
        cw.intervention_mark_taken(actor=self.people.office, intervention=order, taken_on=self.day(2))
        suit = cw.intervention_record_outcome(
            actor=self.people.office, intervention=order, succeeded=False, outcome="监护人违反保护令，再次伤害孩子"
        )
        cw.intervention_decide(
            actor=self.people.leader, intervention=suit, approve=True, note="同意支持检察机关提起撤销监护资格诉讼"
        )
        self.tally.interventions += 2
        centre = self.organisations.get(K.RESCUE_PROTECTION_CENTRE)
        cw.placement_record(
            actor=self.people.office,
            case=self.case,
            type=PlacementType.TEMPORARY_GUARDIANSHIP,
            start_on=self.day(2),
            institution=centre,
            note="保护令执行期间由区未成年人救助保护中心临时监护",
        )
        self.tally.placements += 1

    def foster(self) -> None:
        cw.placement_record(
            actor=self.people.office,
            case=self.case,
            type=PlacementType.TEMPORARY_CARE,
            start_on=self.day(1),
            institution_name="亲属（姑姑）家临时照料",
        )
        cw.placement_record(
            actor=self.people.office,
            case=self.case,
            type=PlacementType.FAMILY_FOSTER,
            start_on=self.day(25),
            institution_name="经评估的本镇寄养家庭",
            note="区民政局审核同意",
        )
        self.tally.placements += 2

    def return_home(self) -> None:
        temporary = cw.placement_record(
            actor=self.people.office,
            case=self.case,
            type=PlacementType.TEMPORARY_CARE,
            start_on=self.day(1),
            institution_name="村儿童之家临时照料",
        )
        cw.placement_end(actor=self.people.office, placement=temporary, end_on=self.day(12), note="父亲返乡，回归家庭")
        self.tally.placements += 1

    # --- stories -------------------------------------------------------------------------------------------
    def run(self) -> None:
        office = self.people.office
        story = self.story
        if story == "discovery":
            return
        if story == "assessment":
            cw.case_set_owner(actor=office, case=self.case, owner=self.people.supervisor)
            cw.case_set_stage(
                actor=office, case=self.case, stage=CaseStage.ASSESSMENT_REFERRAL, note="入户核查完成，拟转介相关工作组"
            )
            return
        measures = self.plan()
        if story in ("plan", "plan_overdue", "ladder_pending", "ladder_judicial"):
            self.progress(measures[0], MeasureStatus.IN_PROGRESS)
            if len(measures) > 2:
                self.progress(measures[1], MeasureStatus.DONE)
            self.category_benefits()
            if story == "plan":
                self.apply("EDU_AID", offset=5)  # waits for the education bureau's decision
            if story == "plan_overdue":
                self.overdue = measures[-1]
            if story == "ladder_pending":
                self.ladder_to_pending_level_3()
            if story == "ladder_judicial":
                self.ladder_to_approved_level_4()
            if {"ORPHAN", "DE_FACTO_UNSUPPORTED"} & self.codes and story == "plan":
                self.foster()
            if self.rotation % 3 == 0 and story.startswith("plan"):
                self.guidance()
            return
        # review, closing, closed, reopened: the plan is carried out
        if self.rotation % 2 == 0:
            self.guidance()
        self.category_benefits()
        if story == "review":
            rejected = self.apply("TEMP_ASSISTANCE", offset=4)
            if rejected is not None:
                cw.benefit_decide(
                    actor=office, enrolment=rejected, approve=False, note="家庭有稳定务工收入，不符合临时救助条件"
                )
        if story in ("closed", "reopened"):
            self.return_home()
            dibao = self.apply("DIBAO", offset=2)
            self.approve(dibao, offset=15)
            if dibao is not None:
                cw.benefit_end(
                    actor=office,
                    enrolment=dibao,
                    end_on=self.day(40),
                    note="父母返乡务工，家庭收入提高，按规定退出低保",
                )
        self.finish_plan(measures)
        if story == "review" or not self.reassessed_for_closing():
            cw.case_set_stage(actor=office, case=self.case, stage=CaseStage.REVIEW, note="措施均已落实，转入跟踪回访")
            return
        closure = cw.case_request_closure(
            actor=office,
            case=self.case,
            closing_assessment="各项帮扶措施已落实，监护到位，孩子生活、学习稳定，经评估困境已消除，申请结案。",
        )
        if story == "closing":
            return
        approver = self.people.leader if self.rotation % 2 else self.people.head
        cw.case_decide_closure(actor=approver, closure=closure, approve=True, note="同意结案，纳入常规走访")
        self.tally.closed += 1
        if story == "reopened":
            cw.case_reopen(actor=office, case=self.case, reason="回访发现父母再次外出务工，孩子无人照料")

    def reassessed_for_closing(self) -> bool:
        """An orange or red child's case closes only after a risk reassessment has lowered the grade
        (cases.casework.rules.CASE_GRADES): the plan is done, the office reassesses. The grading app's
        demo writes it; without one the case stays open, in review. True when the case may now close."""
        minor = Minor.objects.get(pk=self.minor.pk)
        if not cw.case_closure_blocked_by_grade(minor=minor):
            return True
        reassess = _closing_reassessment()
        if reassess is None:
            return False
        self.reassessment_backdate = reassess(actor=self.people.office, minor=minor)
        self.tally.reassessed += 1
        return not cw.case_closure_blocked_by_grade(minor=Minor.objects.get(pk=self.minor.pk))


def _closing_reassessment() -> Callable | None:
    """`closing_reassessment(*, actor, minor) -> backdate(at)` of the app that grades children, found through
    the app registry as seed_demo finds the apps' demos (this app imports none of them: STYLE.md)."""
    from importlib import import_module
    from importlib.util import find_spec

    from django.apps import apps

    for config in apps.get_app_configs():
        if config.name == "cases" or find_spec(f"{config.name}.demo") is None:
            continue
        hook = getattr(import_module(f"{config.name}.demo"), "closing_reassessment", None)
        if callable(hook):
            return hook
    return None


def _worked(case: Case) -> bool:
    return case.events.exclude(kind=CaseEvent.Kind.OPENED).exists()


def _out_of_district_story(tally: Tally, minor: Minor, people: TownStaff, organisations) -> Case | None:
    """A child registered outside the district found alone: opened by hand, routed to the government of
    the place of registration (domain.md §8.3), after a few days at the district's rescue station."""
    case = cw.case_open(actor=people.office, minor=minor, note="派出所在集镇发现其独自流浪，户籍在外地，护送至镇民政办")
    if _worked(case):
        return None
    tally.cases += 1
    route = cw.placement_route(minor=minor)
    today = timezone.localdate()
    cw.measure_add(
        actor=people.office,
        case=case,
        track=Track.RESCUE_PROTECTION,
        title="联系户籍地民政部门，办理护送返乡",
        due_on=today + timedelta(days=14),
        responsible_user=people.supervisor,
    )
    tally.measures += 1
    cw.placement_record(
        actor=people.office,
        case=case,
        type=PlacementType.RESCUE_INSTITUTION,
        start_on=today - timedelta(days=10),
        institution=organisations.get(K.RESCUE_INSTITUTION),
        note="临时安置于区救助管理站",
    )
    suggested = route.suggested_types[0] if route.suggested_types else PlacementType.RETURN_TO_FAMILY
    cw.placement_record(
        actor=people.office,
        case=case,
        type=suggested,
        start_on=today - timedelta(days=3),
        institution_name=f"{minor.hukou_place or '户籍地'}民政部门",
        note=route.advice,
    )
    tally.placements += 2
    return case


def _same_step(previous: CaseEvent, event: CaseEvent) -> bool:
    return (previous.kind, event.kind) in {
        (CaseEvent.Kind.MEASURE_ADDED, CaseEvent.Kind.STAGE_CHANGED),
        (CaseEvent.Kind.CLOSED, CaseEvent.Kind.CLOSURE_DECIDED),
    }


@dataclass
class History:
    """What _backdate needs of one worked case."""

    case_id: int
    opened_at: object
    overdue_id: int | None
    rng: random.Random
    reassessment_backdate: Callable[[datetime], None] | None = None


def _backdate(histories: list[History]) -> None:
    """Demo history: the services wrote "now"; move the dates back so each case reads as weeks of work.
    Dates only, after the fact, as screening/demo.py does for grades; in a few statements for all cases."""
    now = timezone.now()
    ids = [h.case_id for h in histories]
    events = _grouped(CaseEvent.objects.filter(case_id__in=ids).order_by("id"))
    measures = _grouped(Measure.objects.filter(case_id__in=ids).order_by("id"))
    closures = _grouped(CaseClosure.objects.filter(case_id__in=ids).order_by("id"))
    cases = Case.objects.in_bulk(ids)
    for history in histories:
        opened_at = history.opened_at
        own = events.get(history.case_id, [])
        for event in own:
            if event.kind == CaseEvent.Kind.OPENED:
                event.at = opened_at
        later = [e for e in own if e.kind != CaseEvent.Kind.OPENED]
        # Steps of the story one after another in office hours; a service's second event (the stage change
        # a first measure brings, the closing an approval brings) keeps the time of its first.
        steps = [e for i, e in enumerate(later) if not (i and _same_step(later[i - 1], e))]
        first_day = (opened_at + timedelta(days=1)).date()
        span = max((timezone.localdate() - first_day).days, 0)
        step_times = {}
        for index, event in enumerate(steps, start=1):
            day = first_day + timedelta(days=span * index // (len(steps) + 1))
            at = timezone.make_aware(datetime.combine(day, time(9 + index % 8, (index * 13) % 60)))
            step_times[event.pk] = min(at, now - timedelta(minutes=len(steps) - index + 1))
        current = opened_at
        for event in later:
            current = step_times.get(event.pk, current)
            event.at = current
        by_kind: dict[str, list[CaseEvent]] = {}
        for event in later:
            by_kind.setdefault(event.kind, []).append(event)

        for measure, added in zip(
            measures.get(history.case_id, []), by_kind.get(CaseEvent.Kind.MEASURE_ADDED, []), strict=False
        ):
            measure.created_at = added.at
            finished = [
                e.at
                for e in by_kind.get(CaseEvent.Kind.MEASURE_CHANGED, [])
                if e.note.startswith(f"{measure.title}：")
                and e.changes
                and e.changes[0].get("to") in ("DONE", "CANCELLED")
            ]
            if measure.completed_at is not None and finished:
                measure.completed_at = finished[0]
            if measure.pk == history.overdue_id:
                due_on = timezone.localdate() - timedelta(days=history.rng.randint(2, 12))
                if due_on > measure.created_at.date():
                    measure.due_on = due_on

        own_closures = closures.get(history.case_id, [])
        requests = by_kind.get(CaseEvent.Kind.CLOSURE_REQUESTED, [])
        for closure, request in zip(own_closures, requests, strict=False):
            closure.requested_at = request.at
        if history.reassessment_backdate is not None and requests:
            # The reassessment that lowered the grade comes shortly before the first closing request.
            first_request = requests[0].at
            history.reassessment_backdate(first_request - min(timedelta(days=1), (first_request - opened_at) / 2))
        decided = [c for c in own_closures if c.decided_at]
        for closure, decision in zip(decided, by_kind.get(CaseEvent.Kind.CLOSURE_DECIDED, []), strict=False):
            closure.decided_at = decision.at

        case = cases[history.case_id]
        case.opened_at = opened_at
        case.updated_at = max([opened_at, *(e.at for e in later)])
        if case.plan_due_at is not None:
            case.plan_due_at = red_plan_due_at(opened_at)
        closed = by_kind.get(CaseEvent.Kind.CLOSED, [])
        if closed and case.closed_at is not None:
            case.closed_at = closed[-1].at
    with demo_backdating("cases_caseevent"):
        CaseEvent.objects.bulk_update([e for own in events.values() for e in own], ["at"], batch_size=500)
    Measure.objects.bulk_update(
        [m for own in measures.values() for m in own], ["created_at", "completed_at", "due_on"], batch_size=500
    )
    CaseClosure.objects.bulk_update(
        [c for own in closures.values() for c in own], ["requested_at", "decided_at"], batch_size=500
    )
    Case.objects.bulk_update(list(cases.values()), ["opened_at", "updated_at", "plan_due_at", "closed_at"])


def _grouped(rows) -> dict[int, list]:
    grouped: dict[int, list] = {}
    for row in rows:
        grouped.setdefault(row.case_id, []).append(row)
    return grouped


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
        return next(code for path, code in town_of.items() if minor.region.path.startswith(path))

    histories: list[History] = []
    # The first active child registered outside the district: found alone, routed to the place of origin.
    migrant = (
        Minor.objects.filter(status=MinorStatus.ACTIVE, hukou_in_district=False)
        .select_related("region")
        .order_by("pk")
        .first()
    )
    if migrant is not None:
        case = _out_of_district_story(tally, migrant, staff[town_code(migrant)], county_organisations)
        if case is not None:
            tally.stories["placement_route"] = 1
            histories.append(History(case.pk, timezone.now() - timedelta(days=14), None, random.Random(SEED)))

    cases = list(
        Case.objects.filter(origin=Case.Origin.GRADE, minor__status=MinorStatus.ACTIVE)
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
            if case.worked:
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
    _backdate(histories)


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
