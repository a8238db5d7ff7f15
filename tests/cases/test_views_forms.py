"""Register and edit forms: validation in Chinese, nothing saved on error, duplicates, scope."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cases.models import AccessLog, Guardian, Minor, MinorEvent
from tests.factories import guardian_payload, register_minor, valid_id_number, years_ago


def management(total: int, initial: int = 0) -> dict[str, str]:
    return {
        "guardians-TOTAL_FORMS": str(total),
        "guardians-INITIAL_FORMS": str(initial),
        "guardians-MIN_NUM_FORMS": "0",
        "guardians-MAX_NUM_FORMS": "1000",
    }


def register_data(region, **overrides) -> dict:
    birth = overrides.pop("birth", years_ago(9, days=20))
    data = {
        "region": region.pk,
        "name": "王小明",
        "gender": "M",
        "birth_date": birth.isoformat(),
        "id_number": valid_id_number(birth=birth, gender="M"),
        "hukou_type": "AGRICULTURAL",
        "hukou_place": "示范县青山镇",
        "hukou_in_district": "on",
        "address": "2组8号",
        "education_status": "PRIMARY",
        "school_name": "青山镇中心小学",
        "categories": ["LEFT_BEHIND"],
        **management(1),
        "guardians-0-relation": "PATERNAL_GRANDMOTHER",
        "guardians-0-name": "王秀英",
        "guardians-0-phone": "13800138000",
        "guardians-0-lives_with_minor": "on",
    }
    data.update(overrides)
    return data


def _create(client, data):
    return client.post(reverse("minor_create"), data)


# --- register ------------------------------------------------------------------------------------


def test_town_officer_registers_a_minor_with_a_guardian_and_categories(client, tree, town_officer):
    client.force_login(town_officer)
    data = register_data(
        tree.grid_a1,
        categories=["LEFT_BEHIND", "OTHER_SPECIAL_HARDSHIP"],
        note_OTHER_SPECIAL_HARDSHIP="父母均外出务工，祖母年迈",
        **{"guardians-0-works_away": "on"},
    )

    response = _create(client, data)

    minor = Minor.objects.get(name="王小明")
    assert response.status_code == 302
    assert response["Location"] == reverse("minor_detail", args=[minor.pk])
    assert minor.region == tree.grid_a1
    assert {link.category.code: link.note for link in minor.category_links.all()} == {
        "LEFT_BEHIND": "",
        "OTHER_SPECIAL_HARDSHIP": "父母均外出务工，祖母年迈",
    }
    guardian = minor.guardians.get()
    assert (guardian.name, guardian.relation, guardian.works_away, guardian.lives_with_minor) == (
        "王秀英",
        "PATERNAL_GRANDMOTHER",
        True,
        True,
    )


def test_registration_offers_the_villages_and_grids_in_reach(client, tree, town_officer):
    client.force_login(town_officer)

    choices = set(client.get(reverse("minor_create")).context["form"].fields["region"].queryset)

    assert choices == {tree.village_a1, tree.grid_a1, tree.village_a2}


def test_registering_in_another_towns_village_is_refused_and_saves_nothing(client, tree, town_officer):
    client.force_login(town_officer)

    response = _create(client, register_data(tree.village_b1))

    assert response.status_code == 200
    assert response.context["form"].errors["region"]
    assert not Minor.objects.exists()


def test_bad_id_number_is_rejected_with_a_chinese_message_and_nothing_saved(client, tree, town_officer):
    client.force_login(town_officer)
    data = register_data(tree.village_a1)
    good = data["id_number"]
    data["id_number"] = good[:17] + ("0" if good[17] != "0" else "1")

    response = _create(client, data)

    assert response.status_code == 200
    assert "身份证号码校验位错误" in response.content.decode()
    assert "未保存" in response.content.decode()
    assert not Minor.objects.exists()
    assert not Guardian.objects.exists()


def test_id_number_disagreeing_with_the_birth_date_is_rejected(client, tree, town_officer):
    client.force_login(town_officer)
    data = register_data(tree.village_a1)
    data["birth_date"] = years_ago(8).isoformat()

    response = _create(client, data)

    assert "不一致" in " ".join(response.context["form"].errors["id_number"])
    assert not Minor.objects.exists()


def test_person_aged_18_is_rejected_as_not_a_minor(client, tree, town_officer):
    client.force_login(town_officer)
    birth = years_ago(18, days=1)

    response = _create(client, register_data(tree.village_a1, birth=birth))

    assert "不属于未成年人" in " ".join(response.context["form"].errors["birth_date"])
    assert not Minor.objects.exists()


def test_missing_id_number_needs_the_no_id_box(client, tree, town_officer):
    client.force_login(town_officer)

    response = _create(client, register_data(tree.village_a1, id_number=""))

    assert "无身份证号码" in " ".join(response.context["form"].errors["id_number"])
    assert not Minor.objects.exists()


def test_minor_without_id_number_is_registered_with_the_reason(client, tree, town_officer):
    client.force_login(town_officer)
    data = register_data(tree.village_a1, id_number="", no_id_number="on", no_id_reason="UNREGISTERED")

    response = _create(client, data)

    assert response.status_code == 302
    minor = Minor.objects.get()
    assert (minor.id_number, minor.no_id_reason) == (None, "UNREGISTERED")


def test_no_id_number_without_a_reason_is_rejected_in_chinese(client, tree, town_officer):
    client.force_login(town_officer)

    response = _create(client, register_data(tree.village_a1, id_number="", no_id_number="on"))

    assert "请选择原因" in " ".join(response.context["form"].errors["no_id_reason"])
    assert not Minor.objects.exists()


def test_other_special_hardship_requires_a_note(client, tree, town_officer):
    client.force_login(town_officer)

    response = _create(client, register_data(tree.village_a1, categories=["OTHER_SPECIAL_HARDSHIP"]))

    assert "“其他特殊困难”须填写说明" in response.content.decode()
    assert not Minor.objects.exists()


def test_at_least_one_category_is_required(client, tree, town_officer):
    client.force_login(town_officer)

    response = _create(client, register_data(tree.village_a1, categories=[]))

    assert "请至少选择一个困境类别" in response.content.decode()
    assert not Minor.objects.exists()


def test_bad_guardian_phone_leaves_no_half_saved_minor(client, tree, town_officer):
    client.force_login(town_officer)

    response = _create(client, register_data(tree.village_a1, **{"guardians-0-phone": "12345"}))

    assert "第1位监护人：电话号码格式不正确" in response.content.decode()
    assert not Minor.objects.exists()
    assert not Guardian.objects.exists()


def test_duplicate_id_number_visible_to_the_user_links_to_the_existing_record(client, tree, town_officer, minor_a1):
    client.force_login(town_officer)
    data = register_data(
        tree.village_a2, name="张三丰", gender="F", birth=minor_a1.birth_date, id_number=minor_a1.id_number
    )

    response = _create(client, data)

    content = response.content.decode()
    assert "该身份证号码已登记：张三（东岭村）" in content
    assert reverse("minor_detail", args=[minor_a1.pk]) in content
    assert Minor.objects.count() == 1


def test_duplicate_id_number_in_another_area_names_neither_person_nor_place(client, tree, outsider, minor_a1):
    client.force_login(outsider)
    data = register_data(
        tree.village_b1, name="张三丰", gender="F", birth=minor_a1.birth_date, id_number=minor_a1.id_number
    )

    response = _create(client, data)

    content = response.content.decode()
    assert "该身份证号码已在其他地区登记，请联系乡镇（街道）民政办" in content
    assert "张三（" not in content
    assert "东岭村" not in content
    assert reverse("minor_detail", args=[minor_a1.pk]) not in content
    assert response.context["errors"].duplicate_existing is None
    assert Minor.objects.count() == 1


def test_possible_duplicate_asks_for_confirmation_and_saves_nothing(client, tree, town_officer, minor_a1):
    client.force_login(town_officer)
    data = register_data(
        tree.village_a2,
        name="张三",
        gender="F",
        birth=minor_a1.birth_date,
        id_number=valid_id_number(birth=minor_a1.birth_date),
    )

    response = _create(client, data)

    content = response.content.decode()
    assert 'name="confirm_possible_duplicate"' in content
    assert "已有同名且出生日期相同的未成年人：张三（东岭村）" in content
    assert reverse("minor_detail", args=[minor_a1.pk]) in content
    assert Minor.objects.count() == 1


def test_confirmed_possible_duplicate_is_registered(client, tree, town_officer, minor_a1):
    client.force_login(town_officer)
    data = register_data(
        tree.village_a2,
        name="张三",
        gender="F",
        birth=minor_a1.birth_date,
        id_number=valid_id_number(birth=minor_a1.birth_date),
        confirm_possible_duplicate="on",
    )

    response = _create(client, data)

    assert response.status_code == 302
    assert Minor.objects.filter(name="张三").count() == 2


def test_confirmation_box_is_not_shown_before_a_possible_duplicate(client, town_officer):
    client.force_login(town_officer)

    content = client.get(reverse("minor_create")).content.decode()

    assert 'name="confirm_possible_duplicate"' not in content


def test_possible_duplicate_in_another_area_names_no_one(client, tree, outsider, minor_a1):
    client.force_login(outsider)
    data = register_data(
        tree.village_b1,
        name="张三",
        gender="F",
        birth=minor_a1.birth_date,
        id_number=valid_id_number(birth=minor_a1.birth_date),
    )

    response = _create(client, data)

    content = response.content.decode()
    assert "其他地区已有同名且出生日期相同的登记" in content
    assert "东岭村" not in content
    assert reverse("minor_detail", args=[minor_a1.pk]) not in content
    assert Minor.objects.count() == 1


@pytest.mark.parametrize("persona", ["town_leader", "county_officer", "leadership_viewer", "partner_user"])
def test_users_who_may_not_register_get_403_and_nothing_is_saved(client, tree, request, persona):
    client.force_login(request.getfixturevalue(persona))

    assert client.get(reverse("minor_create")).status_code == 403
    assert _create(client, register_data(tree.village_a1)).status_code == 403
    assert not Minor.objects.exists()


# --- edit ----------------------------------------------------------------------------------------


def edit_data(minor: Minor, **overrides) -> dict:
    guardians = list(minor.guardians.all())
    data = {
        "name": minor.name,
        "gender": minor.gender,
        "birth_date": minor.birth_date.isoformat(),
        "id_number": minor.id_number or "",
        "hukou_type": minor.hukou_type,
        "hukou_place": minor.hukou_place,
        "hukou_in_district": "on" if minor.hukou_in_district else "",
        "address": minor.address,
        "education_status": minor.education_status,
        "school_name": minor.school_name,
        "categories": [link.category.code for link in minor.category_links.all()],
        **management(len(guardians), len(guardians)),
    }
    for index, guardian in enumerate(guardians):
        data.update(
            {
                f"guardians-{index}-id": guardian.pk,
                f"guardians-{index}-relation": guardian.relation,
                f"guardians-{index}-name": guardian.name,
                f"guardians-{index}-phone": guardian.phone,
                f"guardians-{index}-lives_with_minor": "on" if guardian.lives_with_minor else "",
            }
        )
    data.update(overrides)
    return data


def _edit(client, minor, data):
    return client.post(reverse("minor_edit", args=[minor.pk]), data)


def test_town_officer_edits_the_school_and_the_history_records_it(client, town_officer, minor_a1):
    client.force_login(town_officer)

    response = _edit(
        client, minor_a1, edit_data(minor_a1, school_name="青山镇初级中学", education_status="JUNIOR_SECONDARY")
    )

    assert response.status_code == 302
    minor_a1.refresh_from_db()
    assert minor_a1.school_name == "青山镇初级中学"
    event = MinorEvent.objects.get(minor=minor_a1, kind=MinorEvent.Kind.UPDATED)
    assert {change["field"] for change in event.changes} == {"school_name", "education_status"}


def test_edit_keeps_guardians_that_were_not_changed(client, town_officer, minor_a1):
    client.force_login(town_officer)
    before = list(minor_a1.guardians.values_list("pk", flat=True))

    _edit(client, minor_a1, edit_data(minor_a1, address="东岭村5组1号"))

    assert list(minor_a1.guardians.values_list("pk", flat=True)) == before
    assert not MinorEvent.objects.filter(minor=minor_a1, kind=MinorEvent.Kind.GUARDIAN_REMOVED).exists()


def test_edit_adds_a_guardian_with_situation_flags(client, town_officer, minor_a1):
    client.force_login(town_officer)
    data = edit_data(minor_a1)
    data.update(
        {
            **management(2, 1),
            "guardians-1-relation": "FATHER",
            "guardians-1-name": "张大力",
            "guardians-1-is_imprisoned": "on",
        }
    )

    _edit(client, minor_a1, data)

    father = minor_a1.guardians.get(name="张大力")
    assert father.is_imprisoned
    assert not father.lives_with_minor
    assert minor_a1.guardians.count() == 2


def test_edit_removes_a_guardian_marked_for_deletion(client, tree, town_officer):
    minor = register_minor(
        actor=town_officer,
        region=tree.village_a1,
        guardians=[guardian_payload(), guardian_payload(name="张建国", relation="FATHER")],
    )
    client.force_login(town_officer)

    _edit(client, minor, edit_data(minor, **{"guardians-1-DELETE": "on"}))

    assert list(minor.guardians.values_list("name", flat=True)) == ["王秀英"]
    assert MinorEvent.objects.filter(minor=minor, kind=MinorEvent.Kind.GUARDIAN_REMOVED).exists()


def test_failed_edit_changes_nothing(client, town_officer, minor_a1):
    client.force_login(town_officer)

    response = _edit(client, minor_a1, edit_data(minor_a1, school_name="新学校", **{"guardians-0-phone": "999"}))

    assert response.status_code == 200
    minor_a1.refresh_from_db()
    assert minor_a1.school_name == "青山镇中心小学"
    assert minor_a1.guardians.get().phone == "13800138000"


def test_opening_the_edit_form_is_logged_as_a_read(client, town_officer, minor_a1):
    client.force_login(town_officer)

    url = reverse("minor_edit", args=[minor_a1.pk])
    client.get(url)

    assert AccessLog.objects.filter(minor=minor_a1, user=town_officer, action="FORM", path=url).count() == 1


@pytest.mark.parametrize("persona", ["town_leader", "county_officer", "leadership_viewer"])
def test_users_who_may_not_change_the_record_get_403_on_edit(client, minor_a1, request, persona):
    client.force_login(request.getfixturevalue(persona))

    assert client.get(reverse("minor_edit", args=[minor_a1.pk])).status_code == 403
    assert _edit(client, minor_a1, edit_data(minor_a1, school_name="改")).status_code == 403
    minor_a1.refresh_from_db()
    assert minor_a1.school_name == "青山镇中心小学"


@pytest.mark.parametrize("persona", ["outsider", "neighbour_director"])
def test_users_outside_the_village_get_404_on_edit(client, minor_a1, request, persona):
    client.force_login(request.getfixturevalue(persona))

    assert client.get(reverse("minor_edit", args=[minor_a1.pk])).status_code == 404
    assert _edit(client, minor_a1, edit_data(minor_a1, school_name="改")).status_code == 404
    minor_a1.refresh_from_db()
    assert minor_a1.school_name == "青山镇中心小学"
