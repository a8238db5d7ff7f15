"""The story of each demo case (demo/casework/seed.py picks which case gets which): written through the
casework services by the town's staff — plans with measures on the six tracks, benefits, the intervention
ladder, placements, the closing request and its approval (after a reassessment lowering an orange or red
grade, demo/screening.py) — and the out-of-district child's placement route. The dates are moved back
afterwards (demo/casework/history.py)."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.utils import timezone

from cases.casework import services as cw
from cases.models import (
    BenefitEnrolment,
    BenefitProgramme,
    Case,
    CaseEvent,
    CaseStage,
    Measure,
    MeasureStatus,
    Minor,
    MinorStatus,
    PlacementType,
    Track,
    WorkingGroup,
)
from cases.registry.identity import age_on
from demo.screening import closing_reassessment
from tiers.models import OrganisationKind

SEED = 20230216
K = OrganisationKind

DONE_OUTCOMES = ("已落实，监护人签字确认", "已办结，材料存档", "已按期完成，孩子情况稳定", "已完成，回访反映良好")
IN_PROGRESS_NOTES = ("材料已报送，等待审核", "已联系牵头单位，正在办理", "已开展两次，持续跟进")
CANCEL_REASONS = ("经复核已由其他渠道解决", "家庭情况变化，措施不再需要")


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
        return self.groups.get((self.minor.region.town_path, track))

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
        (cases.casework.rules.CASE_GRADES): the plan is done, the office reassesses (demo/screening.py); if the
        grade stays, the case stays open, in review. True when the case may now close."""
        minor = Minor.objects.get(pk=self.minor.pk)
        if not cw.case_closure_blocked_by_grade(minor=minor):
            return True
        self.reassessment_backdate = closing_reassessment(actor=self.people.office, minor=minor)
        self.tally.reassessed += 1
        return not cw.case_closure_blocked_by_grade(minor=Minor.objects.get(pk=self.minor.pk))


def out_of_district_story(tally: Tally, minor: Minor, people: TownStaff, organisations) -> Case | None:
    """A child registered outside the district found alone: opened by hand, routed to the government of
    the place of registration (domain.md §8.3), after a few days at the district's rescue station."""
    if (
        minor.status != MinorStatus.ACTIVE
        or CaseEvent.objects.filter(case__minor=minor).exclude(kind=CaseEvent.Kind.OPENED).exists()
    ):
        return None  # the demo told this child's story on an earlier run (or the child has left the register)
    case = cw.case_open(actor=people.office, minor=minor, note="派出所在集镇发现其独自流浪，户籍在外地，护送至镇民政办")
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
