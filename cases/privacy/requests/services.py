"""Correction and deletion requests of a child's personal information (issue 10 §9; domain.md §13,
003 二(四)15: honour correction and deletion requests from minors or guardians).

Staff who may change the record write the request down; the head of the town office decides it with a
reason. A granted correction is applied through the registry service (`minor_update`), so the same
validation runs (ID number, birth date, phone …) and the change is in the record's history. A granted
deletion anonymises the record in one transaction (`_anonymise`): the child stays in the ledger as a
pseudonymous row "已删除 #<id>" so that the figures (region, gender, birth year, categories, grade,
visits, cases, referrals) and the access log's rows stay right, but no name, ID number, phone, address
or free text about the child remains in the tables a page or the API reads. The append-only history
(MinorEvent, and the other event tables) is never updated; it is shown redacted for an anonymised
record (cases.privacy.requests.selectors.history_redacted).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import DataRequest, Guardian, Minor, MinorEvent, NoIdReason
from cases.models.privacy import DataRequestKind, DataRequestStatus
from cases.registry.services import (
    GUARDIAN_FIELDS,
    MINOR_FIELDS,
    CategoryChoice,
    minor_update,
)
from tiers.errors import ActionNotAllowed
from tiers.roles import Capability
from tiers.selectors import user_reach

# What replaces a deleted text. Kept in Chinese in the database on purpose (it is data, not interface).
PLACEHOLDER = "已删除"
ANONYMISED_NO_ID_NOTE = "依申请删除个人信息"

# Fields a correction may name: the record's own fields, and a guardian's as "guardians.<id>.<field>".
CORRECTABLE_MINOR_FIELDS = MINOR_FIELDS
CORRECTABLE_GUARDIAN_FIELDS = GUARDIAN_FIELDS
_BOOLEAN_FIELDS = {"hukou_in_district", "lives_with_minor", "is_imprisoned", "in_drug_rehab", "is_seriously_ill",
                   "is_disabled", "is_deceased", "is_missing", "works_away", "other_situation"}  # fmt: skip


def pseudonym(minor_id: int) -> str:
    return f"{PLACEHOLDER} #{minor_id}"


def _error(field: str, message: str, code: str) -> ValidationError:
    return ValidationError({field: [ValidationError(message, code=code)]})


def _event(*, minor: Minor, kind: str, actor, changes: list[dict], note: str = "") -> MinorEvent:
    return MinorEvent.objects.create(minor=minor, kind=kind, actor=actor, changes=changes, note=note)


def _guardian_key(key: str) -> tuple[int, str] | None:
    parts = key.split(".")
    if len(parts) == 3 and parts[0] == "guardians" and parts[1].isdigit() and parts[2] in CORRECTABLE_GUARDIAN_FIELDS:
        return int(parts[1]), parts[2]
    return None


def _check_corrections(*, minor: Minor, corrections: Any) -> dict[str, Any]:
    if not isinstance(corrections, dict) or not corrections:
        raise _error("corrections", _("请填写要更正的内容（字段和更正后的值）。"), "required")
    guardian_ids = set(minor.guardians.values_list("pk", flat=True))
    unknown = []
    for key in corrections:
        if key in CORRECTABLE_MINOR_FIELDS:
            continue
        parsed = _guardian_key(str(key))
        if parsed is None or parsed[0] not in guardian_ids:
            unknown.append(str(key))
    if unknown:
        raise _error("corrections", _("不能更正的字段：%(fields)s。") % {"fields": "、".join(unknown)}, "invalid_field")
    return {str(key): value for key, value in corrections.items()}


def data_request_record(
    *,
    actor,
    minor: Minor,
    kind: str,
    requester: str,
    requester_name: str,
    reason: str,
    corrections: dict[str, Any] | None = None,
) -> DataRequest:
    """Write down a child's or guardian's request to correct or delete the child's personal information
    (domain.md §13; 003 二(四)15). Only staff who may change the record record it; a correction names the
    fields and their new values; a record already anonymised takes no further requests."""
    if not user_reach(actor, Capability.CHANGE_RECORDS).covers(minor.region.path):
        raise ActionNotAllowed(_("您的岗位无权修改该档案。"))
    errors: dict[str, list] = {}
    if kind not in DataRequestKind.values:
        errors.setdefault("kind", []).append(ValidationError(_("请选择申请事项（更正或删除）。"), code="required"))
    if requester not in DataRequest.Requester.values:
        errors.setdefault("requester", []).append(ValidationError(_("请选择申请人身份。"), code="required"))
    requester_name = (requester_name or "").strip()
    if not requester_name:
        errors.setdefault("requester_name", []).append(ValidationError(_("请填写申请人姓名。"), code="required"))
    elif len(requester_name) > 50:
        errors.setdefault("requester_name", []).append(ValidationError(_("姓名最长50个字。"), code="max_length"))
    reason = (reason or "").strip()
    if not reason:
        errors.setdefault("reason", []).append(ValidationError(_("请填写申请理由。"), code="required"))
    if minor.anonymised_at is not None:
        errors.setdefault("kind", []).append(
            ValidationError(_("该档案的个人信息已依申请删除，不能再提出申请。"), code="anonymised")
        )
    cleaned: dict[str, Any] = {}
    if kind == DataRequestKind.CORRECTION:
        try:
            cleaned = _check_corrections(minor=minor, corrections=corrections)
        except ValidationError as exc:
            for field, messages in exc.error_dict.items():
                errors.setdefault(field, []).extend(messages)
    elif corrections:
        errors.setdefault("corrections", []).append(
            ValidationError(_("删除申请不填写更正内容。"), code="not_a_correction")
        )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        request = DataRequest.objects.create(
            minor=minor,
            kind=kind,
            requester=requester,
            requester_name=requester_name,
            corrections=cleaned,
            reason=reason,
            received_by=actor,
        )
        _event(
            minor=minor,
            kind=MinorEvent.Kind.DATA_REQUEST,
            actor=actor,
            changes=[{"field": "data_request", "from": None, "to": kind}],
            note=_("申请 #%(id)s（%(who)s）") % {"id": request.pk, "who": request.get_requester_display()},
        )
    return request


def data_request_decide(
    *, actor, request: DataRequest, grant: bool, reason: str, confirm_possible_duplicate: bool = False
) -> DataRequest:
    """The head of the town office grants or refuses a request, with a reason either way (domain.md §13).

    A granted correction is applied by `minor_update` (its validation and history); if the new values
    are not valid, the decision fails with the field error and nothing is saved. A granted deletion
    anonymises the record (`_anonymise`) in the same transaction."""
    reason = (reason or "").strip()
    with transaction.atomic():
        locked = DataRequest.objects.select_for_update().get(pk=request.pk)
        minor = Minor.objects.select_related("region").get(pk=locked.minor_id)
        if not user_reach(actor, Capability.DECIDE_DATA_REQUESTS).covers(minor.region.path):
            raise ActionNotAllowed(_("只有民政办负责人可以决定更正删除申请。"))
        if locked.status != DataRequestStatus.PENDING:
            raise _error("grant", _("该申请已决定，不能重复决定。"), "already_decided")
        if not reason:
            raise _error("reason", _("请填写决定理由（同意或不予同意都须说明）。"), "required")
        if grant and minor.anonymised_at is not None:
            raise _error("grant", _("该档案的个人信息已删除。"), "anonymised")
        now = timezone.now()
        locked.status = DataRequestStatus.GRANTED if grant else DataRequestStatus.REFUSED
        locked.decided_by = actor
        locked.decided_at = now
        locked.decision_reason = reason
        if not grant:
            locked.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
            _event(
                minor=minor,
                kind=MinorEvent.Kind.DATA_REQUEST,
                actor=actor,
                changes=[{"field": "data_request_status", "from": DataRequestStatus.PENDING, "to": locked.status}],
                note=_("申请 #%(id)s：%(reason)s") % {"id": locked.pk, "reason": reason},
            )
            return locked
        if locked.kind == DataRequestKind.CORRECTION:
            _apply_correction(
                actor=actor, minor=minor, request=locked, confirm_possible_duplicate=confirm_possible_duplicate
            )
            locked.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
            _event(
                minor=minor,
                kind=MinorEvent.Kind.CORRECTED,
                actor=actor,
                changes=[{"field": "data_request_status", "from": DataRequestStatus.PENDING, "to": locked.status}],
                note=_("申请 #%(id)s：%(reason)s") % {"id": locked.pk, "reason": reason},
            )
        else:
            locked.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
            _anonymise(actor=actor, minor=minor, request=locked)
    return locked


# --- correction ---------------------------------------------------------------------------------


def _as_value(field: str, value: Any) -> Any:
    if field == "birth_date" and isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            raise _error("birth_date", _("日期格式应为YYYY-MM-DD。"), "invalid") from None
    if field in _BOOLEAN_FIELDS and isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "是")
    if value is None:
        return "" if field != "id_number" else None
    return value


def _apply_correction(*, actor, minor: Minor, request: DataRequest, confirm_possible_duplicate: bool) -> None:
    minor = (
        Minor.objects.select_related("region")
        .prefetch_related("category_links__category", "guardians")
        .get(pk=minor.pk)
    )
    data = {field: getattr(minor, field) for field in MINOR_FIELDS}
    guardians = {g.pk: {"id": g.pk, **{f: getattr(g, f) for f in GUARDIAN_FIELDS}} for g in minor.guardians.all()}
    for key, value in request.corrections.items():
        if key in CORRECTABLE_MINOR_FIELDS:
            data[key] = _as_value(key, value)
            if key == "id_number" and data[key]:
                data["no_id_reason"] = ""
            continue
        parsed = _guardian_key(key)
        if parsed is None or parsed[0] not in guardians:
            raise _error("corrections", _("不能更正的字段：%(fields)s。") % {"fields": key}, "invalid_field")
        guardians[parsed[0]][parsed[1]] = _as_value(parsed[1], value)
    categories = [CategoryChoice(link.category.code, link.note) for link in minor.category_links.all()]
    try:
        minor_update(
            actor=actor,
            minor=minor,
            data=data,
            guardians=list(guardians.values()),
            categories=categories,
            confirm_possible_duplicate=confirm_possible_duplicate,
        )
    except ActionNotAllowed:
        # Refused by minor_update: the decision is refused, in the decision's words.
        raise ActionNotAllowed(_("只有民政办负责人可以决定更正删除申请。")) from None


# --- deletion -----------------------------------------------------------------------------------


def _replace_names(text: str, names: list[str], replacement: str) -> str:
    for name in names:
        if name:
            text = text.replace(name, replacement)
    return text


def _blank_or_placeholder(queryset, fields: tuple[str, ...]) -> None:
    """Every non-empty value of `fields` becomes the placeholder (empty stays empty)."""
    for field in fields:
        queryset.exclude(**{field: ""}).update(**{field: PLACEHOLDER})


def _anonymise(*, actor, minor: Minor, request: DataRequest) -> None:
    """Replace the child's personal data everywhere a page or the API reads it (issue 10 §9).

    Kept, so the figures stay right: region, gender, birth year (the date becomes 1 July of that year),
    hukou type, education status, categories (their notes go), status, grade, guardians' relations and
    situation flags, visits/assessments/cases/measures/referrals/reports as rows with their dates and
    codes. Gone: names (child, guardians, in intake reports), pinyin, ID numbers, phones, addresses, school,
    hukou place and every free text about the child. Texts that describe the work rather than the child
    (alert messages, notifications, move and emergency-access reasons, decision reasons) keep their
    wording with the names replaced. Visit photos are deleted. Append-only tables are not touched."""
    from cases.models import (
        Alert,
        BenefitEnrolment,
        Case,
        CaseClosure,
        EmergencyAccess,
        GuardianshipIntervention,
        Measure,
        MinorCategory,
        MoveRequest,
        Notification,
        Placement,
    )
    from referrals.models import Referral, ReferralSuggestion, Report
    from screening.models import Assessment, EmergencyResponse, Visit, VisitPhoto

    locked = Minor.objects.select_for_update().get(pk=minor.pk)
    label = pseudonym(locked.pk)
    guardians = list(Guardian.objects.filter(minor=locked))
    names = sorted(
        {locked.name, *(g.name for g in guardians), *DataRequest.objects.filter(minor=locked).values_list(
            "requester_name", flat=True)} - {"", PLACEHOLDER},
        key=len,
        reverse=True,
    )  # fmt: skip
    now = timezone.now()

    locked.name = label
    locked.name_pinyin = ""
    locked.name_initials = ""
    locked.id_number = None
    locked.no_id_reason = NoIdReason.OTHER
    locked.no_id_note = ANONYMISED_NO_ID_NOTE
    locked.birth_date = date(locked.birth_date.year, 7, 1)
    for field in ("hukou_place", "address", "school_name"):
        if getattr(locked, field):
            setattr(locked, field, PLACEHOLDER)
    locked.anonymised_at = now
    locked.updated_at = now
    locked.save()

    Guardian.objects.filter(minor=locked).update(name=PLACEHOLDER, phone="", id_number="")
    _blank_or_placeholder(Guardian.objects.filter(minor=locked), ("situation_note",))
    _blank_or_placeholder(MinorCategory.objects.filter(minor=locked), ("note",))

    cases = Case.objects.filter(minor=locked)
    _blank_or_placeholder(cases, ("opening_note",))
    _blank_or_placeholder(Measure.objects.filter(case__minor=locked), ("title", "outcome", "cancel_reason"))
    _blank_or_placeholder(CaseClosure.objects.filter(case__minor=locked), ("closing_assessment", "decision_note"))
    _blank_or_placeholder(
        GuardianshipIntervention.objects.filter(case__minor=locked),
        ("guardian_name", "action", "outcome"),
    )
    _blank_or_placeholder(Placement.objects.filter(case__minor=locked), ("note",))
    _blank_or_placeholder(BenefitEnrolment.objects.filter(minor=locked), ("note",))
    _blank_or_placeholder(
        Visit.objects.filter(minor=locked),
        ("others_present", "living_conditions", "health", "schooling", "guardian_situation", "concerns", "next_step"),
    )
    photos = list(VisitPhoto.objects.filter(visit__minor=locked))
    VisitPhoto.objects.filter(pk__in=[photo.pk for photo in photos]).delete()
    _blank_or_placeholder(Assessment.objects.filter(minor=locked), ("summary", "override_reason"))
    _blank_or_placeholder(EmergencyResponse.objects.filter(minor=locked), ("measures", "description"))
    _blank_or_placeholder(Referral.objects.filter(minor=locked), ("reason",))
    _blank_or_placeholder(ReferralSuggestion.objects.filter(minor=locked), ("note",))
    _blank_or_placeholder(
        Report.objects.filter(minor=locked),
        (
            "child_name",
            "child_description",
            "summary",
            "dismiss_reason",
            "handling_record",
            "transfer_note",
            "outcome_for_reporter",
        ),
    )
    DataRequest.objects.filter(minor=locked).update(requester_name=PLACEHOLDER, corrections={})
    _blank_or_placeholder(DataRequest.objects.filter(minor=locked), ("reason",))

    # Texts about the work keep their wording; only the names in them go.
    rewrites = [
        (Alert.objects.filter(minor=locked), ("message",)),
        (Notification.objects.filter(minor=locked), ("title", "body")),
        (MoveRequest.objects.filter(minor=locked), ("note", "decision_note")),
        (EmergencyAccess.objects.filter(minor=locked), ("reason",)),
        (DataRequest.objects.filter(minor=locked), ("decision_reason",)),
    ]
    if names:
        for queryset, fields in rewrites:
            text_q = Q()
            for name in names:
                for field in fields:
                    text_q |= Q(**{f"{field}__contains": name})
            for row in queryset.filter(text_q):
                for field in fields:
                    setattr(row, field, _replace_names(getattr(row, field), names, label))
                row.save(update_fields=list(fields))

    _event(
        minor=locked,
        kind=MinorEvent.Kind.ANONYMISED,
        actor=actor,
        changes=[],
        note=_("申请 #%(id)s：%(reason)s")
        % {"id": request.pk, "reason": _replace_names(request.decision_reason, names, label)},
    )

    from cases.hooks import minor_changed

    minor_changed(locked.pk)
    if photos:
        # The rows went with the transaction; the files go once it holds.
        transaction.on_commit(lambda: _delete_photo_files(photos))


def _delete_photo_files(photos) -> None:
    for photo in photos:
        if photo.image.name:
            photo.image.storage.delete(photo.image.name)
