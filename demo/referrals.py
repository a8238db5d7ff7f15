"""Demo referrals and reports (issue 5), the builder seed_demo runs after the casework demo (demo/casework.py):
referrals need the open cases and the partner departments that it makes.

Adds, through the services: the organisation of each partner login of demo/district.py (青溪镇's police
station, education centre, central primary school and health centre, the district's rescue-protection
centre) and one API token each, whose key is printed once, when issued; referrals of 青溪镇 children in
every state of the lifecycle (draft, sent, accepted, rejected, in progress, feedback, closed, revoked,
and one rejected and rerouted to another department), two of them past their accept deadline and one
late with its feedback; the rule suggestions of every active child (referrals.referrals.services.routing); and
reports in 青溪镇's intake queue from a hotline, a walk-in, the school's mandatory report, a grid patrol
and a health-centre doctor: two untriaged (one past its triage deadline), some triaged to registered
children, one dismissed with a reason, one closed with a handling record.

Dates: the services write "now". A demo needs a history that a fresh database does not have, so after
the services have run, dates only are moved back, step by step, the same kind of demo history as the
grades backdated in demo/screening.py and the cases in demo/casework.py. Idempotent: a story
whose referral reason (report summary) already exists is skipped, a partner post that already has its
organisation is left alone, a partner who has a demo token gets no second one, and only the demo's own
children (demo_minors()) are referred, reported on or given rule suggestions.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from cases.models import Case, CaseStage, Minor, MinorCategory, MinorStatus
from demo import district as demo
from demo.backdating import demo_backdating
from demo.registry import demo_minors
from referrals.intake import rules as intake_rules
from referrals.intake import services as intake
from referrals.models import Priority, Referral, ReferralEvent, ReferralStatus, Report, ReportChannel, ReportEvent
from referrals.referrals import rules as referral_rules
from referrals.referrals.services import lifecycle as rl
from referrals.referrals.services.deadlines import referrals_escalate
from referrals.referrals.services.routing import suggestions_refresh
from tiers.models import ApiToken, Organisation, OrganisationKind, Region, StaffPost
from tiers.roles import Level, Role
from tiers.services import post_assign, token_issue

User = get_user_model()
K = OrganisationKind
P = Priority
QINGXI = next(town for town in demo.DISTRICT if town.slug == "qingxi")
DEMO_TOKEN = "演示令牌（seed_demo）"  # noqa: S105 - the name of each partner's demo API token, not a key

# The partner logins of demo/district.py and their organisation: the department of `kind` in the region
# of the login's post (created by the casework demo).
PARTNERS: dict[str, str] = {
    "partner_police": K.POLICE_STATION,
    "partner_education": K.EDUCATION_CENTRE,
    "partner_school": K.SCHOOL,
    "partner_health": K.HEALTH_CENTRE,
    "partner_rescue": K.RESCUE_PROTECTION_CENTRE,
}


@dataclass(frozen=True)
class ReferralStory:
    """One referral from 青溪镇's office to a partner, and what happens to it: steps are (action, text),
    action one of send, accept, reject, update, feedback, close, revoke, reroute (text: the partner login
    of the new destination), each a step later than the one before. `start` is how long ago it was drafted;
    the case is the first one not yet used whose child has one of the categories `fits` (any, if none does)."""

    partner: str
    priority: str
    reason: str
    steps: tuple[tuple[str, str], ...]
    start: timedelta
    step: timedelta = timedelta(days=1)
    fits: tuple[str, ...] = ()


REFERRALS: tuple[ReferralStory, ...] = (
    ReferralStory(  # draft: not yet sent
        "partner_health",
        P.NORMAL,
        "孩子体重偏低，请卫生院安排上门健康检查和营养指导。",
        (),
        timedelta(hours=3),
        fits=("POVERTY", "LOW_INCOME_FAMILY"),
    ),
    ReferralStory(  # sent, within the 72-hour accept deadline
        "partner_education",
        P.NORMAL,
        "孩子近一个月多次缺课，请教管中心协调学校落实控辍保学和结对帮扶。",
        (("send", ""),),
        timedelta(hours=20),
        fits=("GUARDIAN_INCAPABLE",),
    ),
    ReferralStory(  # sent three days ago with a 24-hour deadline: not accepted in time
        "partner_police",
        P.HIGH,
        "邻居反映监护人酗酒后打骂孩子，请派出所上门核查并训诫监护人。",
        (("send", ""),),
        timedelta(days=3, hours=2),
        timedelta(hours=1),
        fits=("GUARDIAN_INCAPABLE",),
    ),
    ReferralStory(  # urgent, sent six hours ago with a 2-hour deadline: not accepted in time
        "partner_rescue",
        P.URGENT,
        "孩子独自在家，监护人外出数日未归，请救助保护中心评估是否需要临时照料。",
        (("send", ""),),
        timedelta(hours=6, minutes=30),
        timedelta(minutes=20),
        fits=("DE_FACTO_UNSUPPORTED",),
    ),
    ReferralStory(  # accepted
        "partner_education",
        P.NORMAL,
        "家庭经济困难，请教管中心协助申请家庭经济困难学生资助。",
        (("send", ""), ("accept", "已接收，安排中心学校资助专干对接。")),
        timedelta(days=4),
        fits=("LOW_INCOME_FAMILY", "POVERTY"),
    ),
    ReferralStory(  # rejected, waiting for the office to reroute or close the matter
        "partner_health",
        P.NORMAL,
        "请卫生院为孩子办理残疾评定。",
        (("send", ""), ("reject", "残疾评定须到区残联指定的医院办理，本院无评定资质，建议转介区残联。")),
        timedelta(days=3),
        fits=("DISABILITY",),
    ),
    ReferralStory(  # in progress, and its feedback is late
        "partner_police",
        P.HIGH,
        "孩子父亲服刑，请派出所协助核实监护情况并联系监狱安排亲子会见。",
        (
            ("send", ""),
            ("accept", "已接收，由社区民警负责。"),
            ("update", "已上门核实，祖母照料；已联系监狱，会见安排在下月初。"),
        ),
        timedelta(days=20),
        timedelta(days=2),
        fits=("CHILD_OF_PRISONER",),
    ),
    ReferralStory(  # feedback given, waiting for the office to close it
        "partner_rescue",
        P.NORMAL,
        "孩子情绪低落，请救助保护中心提供心理疏导并开展监护评估。",
        (
            ("send", ""),
            ("accept", ""),
            ("update", "已开展首次心理疏导。"),
            ("feedback", "已完成三次心理疏导和监护评估，建议继续由祖母照料，村儿童主任每周走访。"),
        ),
        timedelta(days=16),
        timedelta(days=3),
        fits=("DISTRESSED_CHILD",),
    ),
    ReferralStory(  # closed
        "partner_health",
        P.NORMAL,
        "孩子患哮喘，请卫生院建立健康档案并定期随访。",
        (
            ("send", ""),
            ("accept", "已接收。"),
            ("update", "已上门建立健康档案。"),
            ("feedback", "已建立健康档案，每月随访一次，目前病情稳定。"),
            ("close", "反馈已核实，办结。"),
        ),
        timedelta(days=20),
        timedelta(days=3),
        fits=("SEVERE_ILLNESS",),
    ),
    ReferralStory(  # revoked by the office
        "partner_education",
        P.NORMAL,
        "孩子随祖母迁居，请教管中心协调办理转学。",
        (("send", ""), ("revoke", "家长已自行为孩子办妥转学，不再需要协调。")),
        timedelta(days=5),
    ),
    ReferralStory(  # rejected, rerouted to the district's rescue-protection centre, which accepts
        "partner_health",
        P.HIGH,
        "孩子有自伤倾向，请卫生院安排心理咨询。",
        (
            ("send", ""),
            ("reject", "本院无专职心理咨询人员，建议转介区未成年人救助保护中心。"),
            ("reroute", "partner_rescue"),
            ("send", ""),
            ("accept", "已接收，安排专职心理咨询师。"),
        ),
        timedelta(days=6),
        fits=("DISTRESSED_CHILD",),
    ),
)


@dataclass(frozen=True)
class ReportStory:
    """One report in 青溪镇's queue: who received it (a partner login files it as its organisation), and
    the steps after: (link, note), (dismiss, reason), (advance, note), (handling, record), (close, outcome).
    `link` takes the next registered child of 青溪镇 that fits `school` (a pupil of the central school)."""

    receiver: str
    channel: str
    summary: str
    steps: tuple[tuple[str, str], ...]
    start: timedelta
    step: timedelta = timedelta(hours=6)
    hotline: str = ""
    reporter_name: str = ""
    child_name: str = ""
    child_description: str = ""
    violence: bool = False
    village: str = ""  # the slug of the village where it happened
    school: bool = False


REPORTS: tuple[ReportStory, ...] = (
    ReportStory(  # untriaged, received three hours ago
        "qingxi_office",
        ReportChannel.HOTLINE,
        "群众来电反映：集镇网吧附近常有一名约十二岁男孩深夜逗留，疑似无人照管。",
        (),
        timedelta(hours=3),
        hotline="12345",
        reporter_name="匿名来电",
        child_description="男孩，约十二岁，衣着单薄",
    ),
    ReportStory(  # untriaged and past its 24-hour triage deadline
        "baishu_grid1",
        ReportChannel.PATROL,
        "网格巡查发现：柏树村二组一名女孩连续多日未上学，白天独自在家照看弟弟。",
        (),
        timedelta(hours=30),
        reporter_name="柏树村第一网格网格长",
        child_description="女孩，约十岁",
        village="baishu",
    ),
    ReportStory(  # a walk-in, linked to a registered child and under investigation
        "qingxi_office",
        ReportChannel.PUBLIC,
        "村民到镇民政办反映：孩子的祖母年老多病，孩子经常吃不上热饭。",
        (("link", "经核实为已登记儿童"), ("advance", "安排儿童主任入户核查")),
        timedelta(days=2),
        reporter_name="邻居（来访）",
    ),
    ReportStory(  # the school's mandatory report through the partner API, in handling
        "partner_school",
        ReportChannel.PARTNER_API,
        "强制报告：学生身上多处淤青，自述被父亲打骂。学校已安排班主任陪伴并保留照片。",
        (
            ("link", "已登记儿童，学校报告与档案一致"),
            ("advance", "已联系派出所，同步开展调查"),
            ("advance", "派出所出警，对父亲进行训诫"),
            ("handling", "派出所已出具训诫书，镇民政办约谈父亲并安排家庭教育指导，儿童主任每周走访。"),
        ),
        timedelta(days=5),
        timedelta(hours=10),
        violence=True,
        school=True,
    ),
    ReportStory(  # dismissed with a reason
        "qingxi_office",
        ReportChannel.HOTLINE,
        "来电反映龙井村有儿童在河边玩水，无大人看护。",
        (("dismiss", "经村儿童主任现场核实，孩子均已被家长接回，属一般安全提醒，不涉及监护缺失，不予立案处理。"),),
        timedelta(days=6),
        hotline="12349",
        reporter_name="匿名来电",
        village="longjing",
    ),
    ReportStory(  # closed with a handling record
        "qingxi_office",
        ReportChannel.MANDATORY_REPORTER,
        "强制报告：卫生院接诊时发现孩子严重营养不良，监护人未按时带其复诊。",
        (
            ("link", "已登记儿童"),
            ("advance", "儿童主任入户核查"),
            ("advance", "落实医疗救助和营养补助"),
            ("handling", "已协助申请医疗救助，卫生院每月随访；监护人已签署照料承诺。"),
            ("advance", "已向卫生院反馈处理结果"),
            ("close", "已向报告医生反馈：孩子已复诊并纳入随访，监护人已落实照料。"),
        ),
        timedelta(days=12),
        timedelta(days=1),
        reporter_name="青溪卫生院接诊医生",
    ),
)


@dataclass
class Tally:
    posts: int = 0
    referrals: int = 0
    reports: int = 0
    suggestions: int = 0
    tokens: list[str] = field(default_factory=list)

    def created_anything(self) -> bool:
        return any((self.posts, self.referrals, self.reports, self.suggestions, self.tokens))


def seed_referrals() -> str:
    tally = Tally()
    qingxi = Region.objects.get(code=QINGXI.code)
    users = {u.username: u for u in User.objects.filter(username__in=[login.username for login in demo.DEMO_LOGINS])}
    partners = _seed_partners(tally, users)
    _seed_referrals(tally, qingxi, users["qingxi_office"], partners)
    for minor in demo_minors().filter(status=MinorStatus.ACTIVE).order_by("pk"):
        tally.suggestions += suggestions_refresh(minor=minor)["created"]
    _seed_reports(tally, qingxi, users)
    if not tally.created_anything():
        return "referrals and reports already present; nothing changed"
    referrals_escalate()
    intake.reports_escalate_untriaged()
    statuses = Counter(Referral.objects.values_list("status", flat=True))
    lines = [
        f"{tally.posts} partner posts given their department, {tally.referrals} referrals "
        f"(by status: {', '.join(f'{s} {statuses[s]}' for s in ReferralStatus.values)}), "
        f"{tally.suggestions} rule suggestions, {tally.reports} reports in 青溪镇's intake queue"
    ]
    if tally.tokens:
        lines.append("API tokens for the partner logins (shown once, now; POST /api/v1/auth/token/ gives more):")
        lines += tally.tokens
    return "\n".join(lines)


# --- partners ---------------------------------------------------------------------------------------------


def _seed_partners(tally: Tally, users: dict[str, object]) -> dict[str, tuple[object, Organisation]]:
    """Each partner login's post gets its organisation; each partner an API token (the key printed once)."""
    found: dict[str, tuple[object, Organisation]] = {}
    logins = {login.username: login for login in demo.DEMO_LOGINS}
    for username, kind in PARTNERS.items():
        user, login = users.get(username), logins[username]
        region = Region.objects.get(code=login.region_code)
        organisation = Organisation.objects.filter(region=region, kind=kind, is_active=True).order_by("pk").first()
        if user is None or organisation is None:
            continue
        post = StaffPost.objects.filter(user=user, region=region, role=Role.PARTNER_STAFF).first()
        if post is None or post.organisation_id is None:
            post_assign(user=user, region=region, role=Role.PARTNER_STAFF, title=login.title, organisation=organisation)
            tally.posts += 1
        found[username] = (user, post.organisation if post and post.organisation_id else organisation)
        if not ApiToken.objects.filter(user=user, name=DEMO_TOKEN).exists():
            _token, key = token_issue(user=user, name=DEMO_TOKEN, actor=users.get("qingxi_office"))
            tally.tokens.append(f"  {username:<22} {key}")
    return found


# --- referrals --------------------------------------------------------------------------------------------


def _seed_referrals(tally: Tally, town: Region, office, partners: dict[str, tuple[object, Organisation]]) -> None:
    done = set(Referral.objects.filter(town.subtree("minor__region__path")).values_list("reason", flat=True))
    cases = list(
        Case.objects.filter(
            town.subtree("minor__region__path"),
            minor__in=demo_minors(),
            minor__status=MinorStatus.ACTIVE,
            minor__is_sealed=False,
        )
        .exclude(stage=CaseStage.CLOSED)
        .order_by("minor_id", "pk")
    )
    if not cases:
        return
    codes: dict[int, set[str]] = {}
    for minor_id, code in MinorCategory.objects.filter(minor__in=[c.minor_id for c in cases]).values_list(
        "minor_id", "category__code"
    ):
        codes.setdefault(minor_id, set()).add(code)
    used: set[int] = set()
    for story in REFERRALS:
        if story.reason in done or story.partner not in partners:
            continue
        fresh = [case for case in cases if case.pk not in used] or cases
        case = next((c for c in fresh if set(story.fits) & codes.get(c.minor_id, set())), fresh[0])
        used.add(case.pk)
        _run_referral(story, case, office, partners)
        tally.referrals += 1 + sum(1 for action, _text in story.steps if action == "reroute")


def _run_referral(story: ReferralStory, case: Case, office, partners) -> None:
    partner, organisation = partners[story.partner]
    referral = rl.referral_create(
        actor=office, case=case, organisation=organisation, reason=story.reason, priority=story.priority
    )
    touched = [referral.pk]
    # The events each step wrote, to be dated after the fact: step 0 is the draft.
    marks = [_last_event_id()]
    for action, text in story.steps:
        if action == "send":
            rl.referral_send(actor=office, referral=referral)
        elif action == "accept":
            rl.referral_accept(actor=partner, referral=referral, note=text)
        elif action == "reject":
            rl.referral_reject(actor=partner, referral=referral, reason=text)
        elif action == "update":
            rl.referral_add_update(actor=partner, referral=referral, note=text)
        elif action == "feedback":
            rl.referral_feedback(actor=partner, referral=referral, note=text)
        elif action == "close":
            rl.referral_close(actor=office, referral=referral, note=text)
        elif action == "revoke":
            rl.referral_revoke(actor=office, referral=referral, reason=text)
        elif action == "reroute":
            partner, organisation = partners[text]
            referral = rl.referral_reroute(actor=office, referral=referral, organisation=organisation)
            touched.append(referral.pk)
        else:  # pragma: no cover - every action is handled above
            raise ValueError(action)
        marks.append(_last_event_id())
    _backdate_referrals(touched, marks, story)


def _last_event_id() -> int:
    return ReferralEvent.objects.order_by("-pk").values_list("pk", flat=True)[0]


def _step_times(count: int, start: timedelta, step: timedelta) -> list:
    """`count` moments from `start` ago, `step` apart, the last always in the past."""
    now = timezone.now()
    return [min(now - start + step * index, now - timedelta(minutes=count - index)) for index in range(count)]


def _backdate_referrals(ids: list[int], marks: list[int], story: ReferralStory) -> None:
    """Demo history: the services wrote "now"; each step's events move to the step's time, and the
    referral's dates follow from its events (the accept and feedback deadlines computed as the services
    do). This is what leaves the two "sent" stories past their accept deadline."""
    times = _step_times(len(marks), story.start, story.step)
    events = list(ReferralEvent.objects.filter(referral_id__in=ids).order_by("pk"))
    for event in events:
        event.at = times[next(i for i, mark in enumerate(marks) if event.pk <= mark)]
    with demo_backdating("referrals_referralevent"):
        ReferralEvent.objects.bulk_update(events, ["at"])
    for referral in Referral.objects.filter(pk__in=ids):
        own = [e for e in events if e.referral_id == referral.pk]
        first = {}
        for event in own:
            first.setdefault(event.kind, event.at)
        referral.created_at = first[rl.EventKind.CREATED]
        referral.updated_at = own[-1].at
        if referral.sent_at is not None:
            referral.sent_at = first[rl.EventKind.SENT]
            referral.accept_due_at = referral_rules.accept_due_at(priority=referral.priority, sent_at=referral.sent_at)
        if referral.accepted_at is not None:
            referral.accepted_at = first[rl.EventKind.ACCEPTED]
            referral.feedback_due_on = referral_rules.feedback_due_on(
                accepted_on=timezone.localdate(referral.accepted_at)
            )
        if referral.feedback_at is not None:
            referral.feedback_at = first[rl.EventKind.FEEDBACK]
        if referral.closed_at is not None:
            referral.closed_at = first[rl.EventKind.CLOSED]
        referral.save(
            update_fields=[
                "created_at",
                "updated_at",
                "sent_at",
                "accept_due_at",
                "accepted_at",
                "feedback_due_on",
                "feedback_at",
                "closed_at",
            ]
        )


# --- reports ----------------------------------------------------------------------------------------------


def _seed_reports(tally: Tally, town: Region, users: dict[str, object]) -> None:
    done = set(Report.objects.filter(town=town).values_list("summary", flat=True))
    villages = {v.slug: v.code for v in QINGXI.villages}
    children = list(
        demo_minors()
        .filter(town.subtree(), status=MinorStatus.ACTIVE, is_sealed=False)
        .select_related("region")
        .order_by("pk")
    )
    pupils = [m for m in children if m.school_name == "青溪中心小学"] or children
    others = [m for m in children if m not in pupils] or children
    for story in REPORTS:
        receiver = users.get(story.receiver)
        if story.summary in done or receiver is None:
            continue
        pool = pupils if story.school else others
        minor = pool.pop(0) if pool and any(action == "link" for action, _text in story.steps) else None
        _run_report(story, town, receiver, users["qingxi_office"], minor, villages)
        tally.reports += 1


def _run_report(story: ReportStory, town: Region, receiver, office, minor: Minor | None, villages) -> None:
    village = Region.objects.get(code=villages[story.village]) if story.village else None
    if minor is not None and village is None:  # where the registered child lives (its village, or its grid's)
        village = minor.region if minor.region.level == Level.VILLAGE else minor.region.parent
    hotline = story.hotline
    if hotline and hotline not in intake_rules.hotlines():  # a deployment that configured other numbers
        hotline = intake_rules.hotlines()[0]
    report = intake.report_receive(
        actor=receiver,
        town=town,
        channel=story.channel,
        summary=story.summary,
        discovered_at=timezone.now(),
        village=village,
        hotline=hotline,
        reporter_name=story.reporter_name,
        child_name=minor.name if minor else story.child_name,
        child_description=story.child_description,
        violence_alleged=story.violence,
    )
    marks = [ReportEvent.objects.filter(report=report).order_by("-pk").values_list("pk", flat=True)[0]]
    owner = report.owner
    for action, text in story.steps:
        if action == "link":
            intake.report_triage_link(actor=owner, report=report, minor=minor, note=text)
        elif action == "dismiss":
            intake.report_dismiss(
                actor=owner, report=report, reason=text, outcome_for_reporter="已核实，孩子安全，感谢来电。"
            )
        elif action == "advance":
            intake.report_advance(actor=owner, report=report, note=text)
        elif action == "handling":
            intake.report_record_handling(actor=owner, report=report, handling_record=text)
        elif action == "close":
            intake.report_close(actor=owner, report=report, outcome_for_reporter=text)
        else:  # pragma: no cover - every action is handled above
            raise ValueError(action)
        marks.append(ReportEvent.objects.filter(report=report).order_by("-pk").values_list("pk", flat=True)[0])
    _backdate_report(report, marks, story)


def _backdate_report(report: Report, marks: list[int], story: ReportStory) -> None:
    """Demo history, as for referrals: received `start` ago, discovered a few hours before, each step
    later; the triage deadline follows from the receipt (so the patrol report is past it)."""
    times = _step_times(len(marks), story.start, story.step)
    events = list(ReportEvent.objects.filter(report=report).order_by("pk"))
    for event in events:
        event.at = times[next(i for i, mark in enumerate(marks) if event.pk <= mark)]
    with demo_backdating("referrals_reportevent"):
        ReportEvent.objects.bulk_update(events, ["at"])
    first = {}
    for event in events:
        first.setdefault(event.kind, event.at)
    report = Report.objects.get(pk=report.pk)
    report.received_at = times[0]
    report.discovered_at = times[0] - timedelta(hours=4)
    report.triage_due_at = intake_rules.triage_due(
        received_at=report.received_at, violence_alleged=report.violence_alleged
    )
    triage = [first[k] for k in (intake.EventKind.LINKED, intake.EventKind.DISMISSED) if k in first]
    report.triaged_at = min(triage) if report.triaged_at and triage else report.triaged_at
    ended = [first[k] for k in (intake.EventKind.CLOSED, intake.EventKind.DISMISSED) if k in first]
    report.closed_at = ended[0] if report.closed_at and ended else report.closed_at
    report.updated_at = events[-1].at
    report.save(
        update_fields=["received_at", "discovered_at", "triage_due_at", "triaged_at", "closed_at", "updated_at"]
    )


__all__ = ["seed_referrals"]
