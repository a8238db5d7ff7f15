"""The privacy features in the demo (issue 10 §3, §7, §9), written through the services the pages call: in
青溪镇 the office head seals one child's record with a reason (a justice-involved child if the plan has one;
today it has none in 青溪镇, so a prisoner's child); the town office records two correction requests, one left pending and one granted by the head (the registry keeps the change); and
the town office attaches, detaches and re-attaches a department's clerk, so /audit/grants/ has history.

Idempotent like the other builders: each step looks for what it made (the sealing event, the requests'
reason, the clerk's login) and is skipped when found; a step whose people or children are missing (a
partial demo) is skipped too, and only the demo's own children (demo_minors()) are chosen. seed_demo runs it
last. Log in as qingxi_head to see the sealed record, the access log, the requests and the grants history."""

from __future__ import annotations

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef

DEMO_TOWN = "500199101000"  # 青溪镇
# The category of the child sealed, in order of preference, and the reason written. The demo's registry plan
# has no justice-involved child, crime victim or victim of violence in 青溪镇 today, so a prisoner's child is
# sealed in their stead.
SEAL_REASONS = {
    "JUSTICE_INVOLVED": "区人民法院《犯罪记录封存通知书》：该未成年人的犯罪记录依法封存（演示）",
    "CRIME_VICTIM": "区公安分局来函：未成年被害人，案件办理期间依法保护其隐私，档案封存（演示）",
    "VIOLENCE_ABUSE_VICTIM": "区公安分局来函：该儿童遭受家庭暴力，为保护其隐私和安全，档案封存（演示）",
    "CHILD_OF_PRISONER": "区司法局来函：该儿童父亲正在服刑，为保护儿童隐私，档案封存（演示）",
}
PENDING_REASON = "监护人来办事处反映：登记的现住址门牌号有误（演示）"
GRANTED_REASON = "未成年人本人申请：随奶奶搬家后，登记的现住址已不准确（演示）"
GRANTED_DECISION = "经村儿童主任走访核实，情况属实，同意更正。"
CLERK_USERNAME = "qingxi_justice_clerk"
CLERK_NAME = "谭明月"


def _town_children(town):
    from cases.models import MinorStatus
    from demo.registry import demo_minors

    return demo_minors().filter(town.subtree(), status=MinorStatus.ACTIVE, is_sealed=False)


def _seal(town, head) -> str:
    from cases.models import MinorEvent
    from cases.privacy.sealing.services import minor_seal

    if MinorEvent.objects.filter(kind=MinorEvent.Kind.SEALED, note__in=SEAL_REASONS.values()).exists():
        return ""
    # A child without referrals is preferred: the demo's partners keep every referral they were sent.
    referred = apps.get_model("referrals", "Referral").objects.filter(minor=OuterRef("pk"))
    for code, reason in SEAL_REASONS.items():
        children = _town_children(town).filter(categories__code=code).order_by("pk")
        child = children.exclude(Exists(referred)).first() or children.first()
        if child is not None:
            minor_seal(actor=head, minor=child, reason=reason)
            return f"record #{child.pk} ({code}) sealed by {head.username}"
    return ""


def _requests(town, office, head) -> list[str]:
    from cases.models import DataRequest
    from cases.privacy.requests.services import data_request_decide, data_request_record

    done = []
    children = list(_town_children(town).filter(categories__code="LEFT_BEHIND").distinct().order_by("pk")[:2])
    if len(children) < 2:
        return done
    pending_child, granted_child = children
    if not DataRequest.objects.filter(reason=PENDING_REASON).exists():
        data_request_record(
            actor=office,
            minor=pending_child,
            kind="CORRECTION",
            requester="GUARDIAN",
            requester_name=(pending_child.guardians.order_by("pk").values_list("name", flat=True).first() or "监护人"),
            reason=PENDING_REASON,
            corrections={"address": f"{pending_child.address or ''}（门牌号更正为8号）".strip()},
        )
        done.append("one correction request pending")
    if not DataRequest.objects.filter(reason=GRANTED_REASON).exists():
        request = data_request_record(
            actor=office,
            minor=granted_child,
            kind="CORRECTION",
            requester="MINOR",
            requester_name=granted_child.name,
            reason=GRANTED_REASON,
            corrections={"address": "青溪镇滨河路12号"},
        )
        data_request_decide(
            actor=head, request=request, grant=True, reason=GRANTED_DECISION, confirm_possible_duplicate=True
        )
        done.append("one granted and applied")
    return done


def _clerk(town, office) -> str:
    from tiers.models import Organisation, OrganisationKind
    from tiers.services import partner_staff_attach, partner_staff_create, partner_staff_detach

    if get_user_model().objects.filter(username=CLERK_USERNAME).exists():
        return ""
    departments = Organisation.objects.filter(region=town)
    justice = departments.filter(kind=OrganisationKind.JUSTICE_OFFICE).order_by("pk").first()
    health = departments.filter(kind=OrganisationKind.HEALTH_CENTRE).order_by("pk").first()
    if justice is None or health is None:
        return ""
    post, _password = partner_staff_create(
        actor=office, organisation=justice, username=CLERK_USERNAME, full_name=CLERK_NAME, title="内勤"
    )
    partner_staff_detach(actor=office, post=post)
    partner_staff_attach(actor=office, organisation=health, user=post.user, title="借调内勤")
    return f"{CLERK_USERNAME} attached to {justice.name}, detached, attached to {health.name}"


def seed_privacy_demo() -> str:
    """The privacy demo of 青溪镇 (see the module docstring); returns what it did, or "" when nothing."""
    from tiers.models import Region

    users = get_user_model().objects
    town = Region.objects.filter(code=DEMO_TOWN).first()
    head = users.filter(username="qingxi_head").first()
    office = users.filter(username="qingxi_office").first()
    if town is None or head is None or office is None:
        return ""
    done = [line for line in (_seal(town, head), *_requests(town, office, head), _clerk(town, office)) if line]
    return "; ".join(done)
