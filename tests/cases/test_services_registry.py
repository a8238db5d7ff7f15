from datetime import date
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError

from cases.models import ClosedReason, Guardian, Minor, MinorEvent, MinorStatus
from cases.registry.services import (
    CategoryChoice,
    DuplicateIdNumber,
    PossibleDuplicate,
    baseline_record,
    minor_close,
    minor_move,
    minor_register,
    minor_reopen,
    minor_update,
)
from tests.factories import guardian_payload, minor_payload, register_minor, valid_id_number, years_ago
from tiers.errors import ActionNotAllowed


def _register(actor, region, *, data=None, guardians=None, categories=("LEFT_BEHIND",), confirm=False):
    return minor_register(
        actor=actor,
        region=region,
        data=data or minor_payload(),
        guardians=[guardian_payload()] if guardians is None else guardians,
        categories=[CategoryChoice(code) for code in categories],
        confirm_possible_duplicate=confirm,
    )


def _field_codes(exc: ValidationError, field: str) -> list[str]:
    return [error.code for error in exc.error_dict[field]]


def test_registering_saves_minor_guardians_categories_and_history(town_officer, tree):
    minor = _register(town_officer, tree.village_a1, data=minor_payload(name="张三"), categories=("LEFT_BEHIND", "POVERTY"))
    assert minor.name_initials == "zs"
    assert minor.name_pinyin == "zhangsan"
    assert minor.guardians.count() == 1
    assert set(minor.category_links.values_list("category__code", flat=True)) == {"LEFT_BEHIND", "POVERTY"}
    kinds = list(minor.events.values_list("kind", flat=True))
    assert kinds.count(MinorEvent.Kind.REGISTERED) == 1
    assert kinds.count(MinorEvent.Kind.CATEGORY_ADDED) == 2
    assert kinds.count(MinorEvent.Kind.GUARDIAN_ADDED) == 1


@pytest.mark.parametrize(
    ("override", "field", "code"),
    [
        ({"id_number": "330521201501010000"}, "id_number", "checksum"),
        ({"id_number": "330521201502300015"}, "id_number", "birth_date"),
        ({"birth_date": date(2015, 1, 2), "id_number": valid_id_number(birth=date(2015, 1, 1))}, "id_number", "birth_date_mismatch"),
        ({"gender": "M", "id_number": valid_id_number(birth=years_ago(10, days=40), gender="F")}, "id_number", "gender_mismatch"),
        ({"birth_date": years_ago(-1), "id_number": None, "no_id_reason": "UNREGISTERED"}, "birth_date", "future"),
        ({"birth_date": years_ago(18), "id_number": None, "no_id_reason": "UNREGISTERED"}, "birth_date", "not_a_minor"),
        ({"id_number": None}, "no_id_reason", "required"),
        ({"name": "  "}, "name", "required"),
    ],
)
def test_invalid_identity_is_rejected_and_nothing_is_saved(town_officer, tree, override, field, code):
    data = minor_payload(**override)
    with pytest.raises(ValidationError) as excinfo:
        _register(town_officer, tree.village_a1, data=data)
    assert code in _field_codes(excinfo.value, field)
    assert Minor.objects.count() == 0


def test_a_minor_without_id_number_needs_a_reason_and_is_accepted_with_one(town_officer, tree):
    minor = _register(town_officer, tree.village_a1, data=minor_payload(id_number="", no_id_reason="UNREGISTERED"))
    assert minor.id_number is None
    assert minor.no_id_reason == "UNREGISTERED"


def test_the_day_before_the_eighteenth_birthday_is_still_a_minor(town_officer, tree):
    birth = years_ago(18, days=-1)
    minor = _register(town_officer, tree.village_a1, data=minor_payload(birth_date=birth, id_number=valid_id_number(birth=birth)))
    assert minor.pk


def test_at_least_one_category_is_required(town_officer, tree):
    with pytest.raises(ValidationError) as excinfo:
        _register(town_officer, tree.village_a1, categories=())
    assert "required" in _field_codes(excinfo.value, "categories")


def test_other_special_hardship_requires_a_note(town_officer, tree):
    with pytest.raises(ValidationError) as excinfo:
        _register(town_officer, tree.village_a1, categories=("OTHER_SPECIAL_HARDSHIP",))
    assert "note_required" in _field_codes(excinfo.value, "categories")
    minor = minor_register(
        actor=town_officer,
        region=tree.village_a1,
        data=minor_payload(),
        guardians=[],
        categories=[CategoryChoice("OTHER_SPECIAL_HARDSHIP", "家中房屋倒塌，暂住亲戚家")],
    )
    assert minor.category_links.get().note == "家中房屋倒塌，暂住亲戚家"


def test_a_bad_guardian_phone_is_rejected_and_nothing_is_saved(town_officer, tree):
    with pytest.raises(ValidationError) as excinfo:
        _register(town_officer, tree.village_a1, guardians=[guardian_payload(phone="12345")])
    assert "第1位监护人" in excinfo.value.message_dict["guardians"][0]
    assert Minor.objects.count() == 0


def test_a_failure_while_saving_guardians_leaves_no_half_saved_minor(town_officer, tree):
    with mock.patch.object(Guardian.objects, "create", side_effect=DatabaseError("disk full")):
        with pytest.raises(DatabaseError):
            _register(town_officer, tree.village_a1)
    assert Minor.objects.count() == 0
    assert MinorEvent.objects.count() == 0


def test_registering_outside_ones_reach_is_refused(child_director, tree):
    with pytest.raises(ValidationError) as excinfo:
        _register(child_director, tree.village_a2)
    assert "out_of_reach" in _field_codes(excinfo.value, "region")


def test_a_town_is_not_a_place_of_residence(town_officer, tree):
    with pytest.raises(ValidationError) as excinfo:
        _register(town_officer, tree.town_a)
    assert "invalid_level" in _field_codes(excinfo.value, "region")


def test_duplicate_id_number_names_the_existing_record_to_someone_who_may_see_it(town_officer, minor_a1, tree):
    with pytest.raises(DuplicateIdNumber) as excinfo:
        _register(town_officer, tree.village_a2, data=minor_payload(id_number=minor_a1.id_number, birth_date=minor_a1.birth_date))
    assert excinfo.value.existing == minor_a1
    assert minor_a1.name in excinfo.value.messages[0]


def test_duplicate_id_number_reveals_nothing_to_someone_from_another_area(outsider, minor_a1, tree):
    with pytest.raises(DuplicateIdNumber) as excinfo:
        _register(outsider, tree.village_b1, data=minor_payload(id_number=minor_a1.id_number, birth_date=minor_a1.birth_date))
    assert excinfo.value.existing is None
    message = excinfo.value.messages[0]
    assert minor_a1.name not in message and tree.village_a1.name not in message
    assert "其他地区" in message


def test_same_name_and_birth_date_must_be_confirmed(town_officer, minor_a1, tree):
    data = minor_payload(name=minor_a1.name, birth_date=minor_a1.birth_date, id_number=None, no_id_reason="UNREGISTERED")
    with pytest.raises(PossibleDuplicate) as excinfo:
        _register(town_officer, tree.village_a2, data=dict(data))
    assert excinfo.value.visible_matches == [minor_a1]
    second = _register(town_officer, tree.village_a2, data=dict(data), confirm=True)
    assert second.pk != minor_a1.pk


def test_possible_duplicate_in_another_area_does_not_name_it(outsider, minor_a1, tree):
    data = minor_payload(name=minor_a1.name, birth_date=minor_a1.birth_date, id_number=None, no_id_reason="UNREGISTERED")
    with pytest.raises(PossibleDuplicate) as excinfo:
        _register(outsider, tree.village_b1, data=data)
    assert excinfo.value.visible_matches == []
    assert tree.village_a1.name not in excinfo.value.messages[0]


def test_update_records_each_change_from_and_to(town_officer, minor_a1):
    guardian = minor_a1.guardians.get()
    minor_update(
        actor=town_officer,
        minor=minor_a1,
        data={**{f: getattr(minor_a1, f) for f in ("name", "gender", "birth_date", "id_number")}, "address": "新地址8号", "education_status": "DROPOUT"},
        guardians=[{"id": guardian.pk, **guardian_payload(phone="13900139000", works_away=True)}],
        categories=[CategoryChoice("LEFT_BEHIND"), CategoryChoice("DROPOUT")],
    )
    updated = MinorEvent.objects.get(minor=minor_a1, kind=MinorEvent.Kind.UPDATED)
    changed = {c["field"]: (c["from"], c["to"]) for c in updated.changes}
    assert changed["address"] == ("东岭村3组12号", "新地址8号")
    assert changed["education_status"] == ("PRIMARY", "DROPOUT")
    guardian_event = MinorEvent.objects.get(minor=minor_a1, kind=MinorEvent.Kind.GUARDIAN_CHANGED)
    assert {c["field"] for c in guardian_event.changes} == {"phone", "works_away"}
    assert MinorEvent.objects.filter(minor=minor_a1, kind=MinorEvent.Kind.CATEGORY_ADDED, changes__0__to="DROPOUT").exists()


def test_guardians_left_out_of_an_update_are_removed_with_an_event(town_officer, minor_a1):
    minor_update(
        actor=town_officer,
        minor=minor_a1,
        data={f: getattr(minor_a1, f) for f in ("name", "gender", "birth_date", "id_number", "address")},
        guardians=[],
        categories=[CategoryChoice("LEFT_BEHIND")],
    )
    assert minor_a1.guardians.count() == 0
    assert MinorEvent.objects.filter(minor=minor_a1, kind=MinorEvent.Kind.GUARDIAN_REMOVED).count() == 1


def test_a_read_only_leader_cannot_update(town_leader, minor_a1):
    with pytest.raises(ActionNotAllowed):
        minor_update(actor=town_leader, minor=minor_a1, data={}, guardians=[], categories=[])


def test_moving_hands_the_record_to_the_new_village(town_officer, child_director, neighbour_director, minor_a1, tree):
    from cases.registry.selectors import minor_list

    assert minor_a1 in minor_list(user=child_director)
    minor_move(actor=town_officer, minor=minor_a1, region=tree.village_a2, note="随祖母搬迁")
    assert minor_a1 not in minor_list(user=child_director)
    assert minor_a1 in minor_list(user=neighbour_director)
    event = MinorEvent.objects.get(minor=minor_a1, kind=MinorEvent.Kind.MOVED)
    assert event.changes == [{"field": "region", "from": "东岭村", "to": "西岭村"}]
    assert MinorEvent.objects.filter(minor=minor_a1).count() > 1  # history kept


def test_close_needs_a_reason_and_reopen_needs_a_note(town_officer, minor_a1):
    with pytest.raises(ValidationError):
        minor_close(actor=town_officer, minor=minor_a1, reason="")
    closed = minor_close(actor=town_officer, minor=minor_a1, reason=ClosedReason.MOVED_AWAY, note="迁往外省")
    assert closed.status == MinorStatus.CLOSED and closed.closed_at is not None
    with pytest.raises(ValidationError):
        minor_reopen(actor=town_officer, minor=closed, note=" ")
    reopened = minor_reopen(actor=town_officer, minor=closed, note="已迁回")
    assert reopened.status == MinorStatus.ACTIVE and reopened.closed_reason == ""
    kinds = list(MinorEvent.objects.filter(minor=minor_a1).values_list("kind", flat=True))
    assert MinorEvent.Kind.CLOSED in kinds and MinorEvent.Kind.REOPENED in kinds


def test_baseline_is_recorded_per_village_and_date(child_director, tree):
    first = baseline_record(actor=child_director, region=tree.village_a1, as_of=date(2026, 1, 1), minor_count=312)
    again = baseline_record(actor=child_director, region=tree.village_a1, as_of=date(2026, 1, 1), minor_count=315)
    assert first.pk == again.pk and again.minor_count == 315
    with pytest.raises(ActionNotAllowed):
        baseline_record(actor=child_director, region=tree.village_a2, as_of=date(2026, 1, 1), minor_count=1)
    with pytest.raises(ValidationError):
        baseline_record(actor=child_director, region=tree.grid_a1, as_of=date(2026, 1, 1), minor_count=1)


def test_register_minor_factory_goes_through_the_service(town_officer, tree):
    minor = register_minor(actor=town_officer, region=tree.grid_a1, name="王小明")
    assert minor.region == tree.grid_a1 and minor.events.exists()


@pytest.mark.parametrize(
    ("name", "query"),
    [("张三", "zs"), ("张三", "zhangsan"), ("曾小明", "zxm"), ("曾小明", "cxm"), ("单田芳", "shantianfang"), ("覃丽", "ql")],
)
def test_names_are_found_by_pinyin_including_surname_readings(town_officer, tree, name, query):
    from cases.registry.selectors import MinorFilters, minor_list

    minor = register_minor(actor=town_officer, region=tree.village_a1, name=name)
    register_minor(actor=town_officer, region=tree.village_a1, name="李四")
    assert list(minor_list(user=town_officer, filters=MinorFilters(q=query))) == [minor]
