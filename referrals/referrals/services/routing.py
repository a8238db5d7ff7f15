"""The referral routing table (domain.md §6.1, RF-1 … RF-17) applied to a child's record.

A rule matches on evidence — any of its categories, indicators of the latest risk-level assessment,
or guardians' situation flags — within its restrictions (categories required together, age). Matching
rules become suggestions on the child's record for staff to confirm or dismiss; rules marked
`urgent_draft` (violence, trafficking, serious injury, no caregiver) also create an urgent draft referral
on the child's open case at once. Suggestions are re-evaluated whenever an assessment, a category or a
guardian changes (cases.hooks); after a rule is edited, `manage.py refresh_referral_suggestions`
re-evaluates every child.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import GUARDIAN_FLAGS, Case, CaseStage, Minor, MinorStatus
from cases.registry.identity import age_on
from referrals.referrals import rules
from referrals.referrals.models import Priority, Referral, ReferralRule, ReferralRuleOverride, ReferralSuggestion
from referrals.referrals.selectors import referral_rule_in_force, referral_rules_in_force
from screening.models import Assessment, AssessmentKind
from tiers.errors import ActionNotAllowed
from tiers.models import Organisation, OrganisationKind, Region
from tiers.roles import Capability, Level
from tiers.selectors import user_reach


@dataclass(frozen=True)
class Facts:
    categories: frozenset[str]
    indicators: frozenset[str]
    guardian_flags: frozenset[str]
    age: int


def minor_facts(*, minor: Minor) -> Facts:
    latest = (
        Assessment.objects.filter(minor=minor, kind=AssessmentKind.RISK_LEVEL)
        .order_by("-assessed_on", "-created_at", "-id")
        .prefetch_related("indicators")
        .first()
    )
    flags = {flag for guardian in minor.guardians.all() for flag in GUARDIAN_FLAGS if getattr(guardian, flag)}
    return Facts(
        categories=frozenset(minor.category_links.values_list("category__code", flat=True)),
        indicators=frozenset(i.code for i in latest.indicators.all()) if latest else frozenset(),
        guardian_flags=frozenset(flags),
        age=age_on(minor.birth_date, timezone.localdate()),
    )


def rule_matches(rule: ReferralRule, facts: Facts) -> bool:
    """Evidence: any listed category, indicator or guardian flag (one is enough). Restrictions: every
    category of `categories_all`, and the age range. A rule without evidence or restriction (RF-16) is
    chosen by hand, never suggested."""
    evidence = [
        (rule.categories, facts.categories),
        (rule.indicators, facts.indicators),
        (rule.guardian_flags, facts.guardian_flags),
    ]
    listed = [(wanted, have) for wanted, have in evidence if wanted]
    if not listed and not rule.categories_all:
        return False
    if listed and not any(set(wanted) & have for wanted, have in listed):
        return False
    if rule.categories_all and not set(rule.categories_all) <= facts.categories:
        return False
    if rule.min_age is not None and facts.age < rule.min_age:
        return False
    return not (rule.max_age is not None and facts.age > rule.max_age)


def rules_matching(*, minor: Minor) -> list[ReferralRule]:
    """The rules in force in the child's county that match the child's record."""
    facts = minor_facts(minor=minor)
    return [rule for rule in referral_rules_in_force(region=minor.region) if rule_matches(rule, facts)]


def destination_for(*, region: Region, kind: str) -> Organisation | None:
    """The partner of `kind` for a child living in `region`: the town's own, else the county's."""
    paths = [path for path in (region.county_path, region.town_path) if path]
    units = {r.level: r for r in Region.objects.filter(path__in=paths)}
    for level in (Level.TOWN, Level.COUNTY):
        unit = units.get(level)
        if unit is None:
            continue
        found = Organisation.objects.filter(region=unit, kind=kind, is_active=True).order_by("pk").first()
        if found is not None:
            return found
    return None


def suggestions_refresh(*, minor: Minor) -> dict[str, int]:
    """Bring the child's open suggestions in line with the rules that match now; create urgent drafts."""
    with transaction.atomic():
        minor = Minor.objects.select_for_update().select_related("region").get(pk=minor.pk)
        matching = {rule.pk: rule for rule in rules_matching(minor=minor)} if minor.status == MinorStatus.ACTIVE else {}
        existing = {s.rule_id: s for s in ReferralSuggestion.objects.filter(minor=minor)}
        created = 0
        for rule_id, rule in matching.items():
            if rule_id not in existing:
                ReferralSuggestion.objects.create(minor=minor, rule=rule)
                created += 1
                if rule.urgent_draft:
                    _urgent_draft(minor=minor, rule=rule)
        stale = [
            s.pk
            for rule_id, s in existing.items()
            if rule_id not in matching and s.status == ReferralSuggestion.Status.OPEN
        ]
        removed = ReferralSuggestion.objects.filter(pk__in=stale).delete()[0] if stale else 0
        return {"created": created, "removed": removed}


def _urgent_draft(*, minor: Minor, rule: ReferralRule) -> Referral | None:
    """An urgent rule drafts the referral at once on the child's open case, for staff to check and send."""
    case = Case.objects.filter(minor=minor).exclude(stage=CaseStage.CLOSED).first()
    organisation = destination_for(region=minor.region, kind=rule.destination_kind)
    if case is None or organisation is None:
        return None
    # One live referral per destination: RF-2 and RF-17 both send a violence case to the police.
    live = Referral.objects.filter(minor=minor, organisation=organisation).exclude(status__in=rules.ENDED_STATUSES)
    if live.exists():
        return None
    from referrals.referrals.services import lifecycle

    return lifecycle.referral_create(
        actor=case.opened_by,
        case=case,
        organisation=organisation,
        reason=_("按转介规则%(code)s（%(name)s）自动生成，请核实后发送。") % {"code": rule.code, "name": rule.name},
        priority=rule.priority,
        rule=rule,
    )


@transaction.atomic
def suggestion_decide(*, actor, suggestion: ReferralSuggestion, confirm: bool, note: str = "") -> ReferralSuggestion:
    """Staff confirm a suggestion (a referral is then drafted by them) or dismiss it with a reason."""
    suggestion = ReferralSuggestion.objects.select_for_update().select_related("minor__region").get(pk=suggestion.pk)
    if not user_reach(actor, Capability.MANAGE_CASES).covers(suggestion.minor.region.path):
        raise ActionNotAllowed
    if suggestion.status != ReferralSuggestion.Status.OPEN:
        raise ValidationError({"suggestion": [ValidationError(_("该建议已处理。"), code="decided")]})
    if not confirm and not note.strip():
        raise ValidationError({"note": [ValidationError(_("不转介须写明理由。"), code="required")]})
    suggestion.status = ReferralSuggestion.Status.CONFIRMED if confirm else ReferralSuggestion.Status.DISMISSED
    suggestion.decided_at, suggestion.decided_by, suggestion.note = timezone.now(), actor, note.strip()[:300]
    suggestion.save(update_fields=["status", "decided_at", "decided_by", "note"])
    return suggestion


def refresh_for_minor_id(minor_id: int) -> None:
    """The cases.hooks handler: re-evaluate the rules for one child after its record changed."""
    minor = Minor.objects.filter(pk=minor_id).first()
    if minor is not None:
        suggestions_refresh(minor=minor)


@transaction.atomic
def suggestion_confirm(*, actor, suggestion: ReferralSuggestion, organisation: Organisation | None = None) -> Referral:
    """Staff confirm a suggestion: a draft referral to the rule's destination (or the department they
    chose) is created on the child's open case, for them to check and send."""
    suggestion = (
        ReferralSuggestion.objects.select_for_update().select_related("minor__region", "rule").get(pk=suggestion.pk)
    )
    if not user_reach(actor, Capability.MANAGE_CASES).covers(suggestion.minor.region.path):
        raise ActionNotAllowed
    rule = referral_rule_in_force(rule=suggestion.rule, region=suggestion.minor.region)
    case = Case.objects.filter(minor=suggestion.minor).exclude(stage=CaseStage.CLOSED).first()
    if case is None:
        raise ValidationError(
            {"suggestion": [ValidationError(_("该未成年人没有在办个案，请先立案。"), code="no_open_case")]}
        )
    organisation = organisation or destination_for(region=suggestion.minor.region, kind=rule.destination_kind)
    if organisation is None:
        raise ValidationError(
            {
                "organisation": [
                    ValidationError(
                        _("本乡镇和区县都没有“%(kind)s”类单位，请选择接收单位。")
                        % {"kind": rule.get_destination_kind_display()},
                        code="no_destination",
                    )
                ]
            }
        )
    from referrals.referrals.services import lifecycle

    referral = lifecycle.referral_create(
        actor=actor,
        case=case,
        organisation=organisation,
        reason=_("按转介规则%(code)s：%(name)s。") % {"code": rule.code, "name": rule.name},
        priority=rule.priority,
        rule=rule,
    )
    suggestion_decide(actor=actor, suggestion=suggestion, confirm=True)
    return referral


# --- a county's own routing (domain.md §6.1, §14.7) -----------------------------------------------


def _require_county(actor, county: Region) -> None:
    if county.level != Level.COUNTY or not user_reach(actor, Capability.MANAGE_POLICY).covers(county.path):
        raise ActionNotAllowed


def _rule_default(code: str) -> ReferralRule:
    rule = ReferralRule.objects.filter(code=code).first()
    if rule is None:
        raise ValidationError({"code": [ValidationError(_("转介规则不存在。"), code="invalid")]})
    return rule


def _refresh_county_on_commit(county: Region) -> None:
    from referrals.referrals.tasks import refresh_county_suggestions

    transaction.on_commit(lambda: refresh_county_suggestions.delay(county_id=county.pk))


@transaction.atomic
def referral_rule_set(
    *,
    actor,
    county: Region,
    code: str,
    destination_kind: str,
    priority: str,
    urgent_draft: bool,
    is_active: bool,
    also_notify_kind: str = "",
) -> ReferralRule:
    """Route one rule differently in one county only (domain.md §6.1, §14.7). Copy-on-write: the
    deployment default stays as it is and the county gets (or updates) its own routing, which wins
    over the default there; the county's children are re-evaluated after commit. Returns the rule as
    now in force in the county."""
    _require_county(actor, county)
    errors: dict[str, list] = {}
    if destination_kind not in OrganisationKind.values:
        errors["destination_kind"] = [ValidationError(_("请选择转介去向。"), code="invalid_choice")]
    if priority not in Priority.values:
        errors["priority"] = [ValidationError(_("请选择优先级。"), code="invalid_choice")]
    if also_notify_kind and also_notify_kind not in OrganisationKind.values:
        errors["also_notify_kind"] = [ValidationError(_("请选择通报单位类型。"), code="invalid_choice")]
    if errors:
        raise ValidationError(errors)
    rule = _rule_default(code)
    ReferralRuleOverride.objects.update_or_create(
        county=county,
        rule=rule,
        defaults={
            "destination_kind": destination_kind,
            "priority": priority,
            "also_notify_kind": also_notify_kind,
            "urgent_draft": urgent_draft,
            "is_active": is_active,
        },
    )
    _refresh_county_on_commit(county)
    return referral_rule_in_force(rule=rule, region=county)


@transaction.atomic
def referral_rule_reset(*, actor, county: Region, code: str) -> bool:
    """Return one county to the deployment default routing of a rule (its own row is removed; the change
    stays in the rule history). False when the county already followed the default."""
    _require_county(actor, county)
    rule = _rule_default(code)
    deleted, _detail = ReferralRuleOverride.objects.filter(county=county, rule=rule).delete()
    if deleted:
        _refresh_county_on_commit(county)
    return bool(deleted)
