"""A minor's record page: contents, readable history, scope, and an access-log row per view."""

from __future__ import annotations

from django.urls import reverse

from cases.models import AccessLog, Guardian, MinorEvent
from cases.registry.services import CategoryChoice, minor_update
from tests.factories import guardian_payload, register_minor


def _record(client, minor):
    return client.get(reverse("minor_detail", args=[minor.pk]))


def test_record_page_shows_fields_guardians_with_flags_and_categories_with_notes(client, tree, town_officer):
    minor = register_minor(
        actor=town_officer,
        region=tree.grid_a1,
        name="陈小红",
        categories=("LEFT_BEHIND",),
        guardians=[
            guardian_payload(name="陈大山", relation="FATHER", is_imprisoned=True, situation_note="服刑至2027年")
        ],
        school_name="青山镇中心小学",
    )
    minor_update(
        actor=town_officer,
        minor=minor,
        data={**{f: getattr(minor, f) for f in ("name", "gender", "birth_date", "id_number", "school_name")}},
        guardians=[
            {"id": g.pk, **{f: getattr(g, f) for f in ("relation", "name", "phone", "is_imprisoned", "situation_note")}}
            for g in Guardian.objects.filter(minor=minor)
        ],
        categories=[CategoryChoice("LEFT_BEHIND"), CategoryChoice("OTHER_SPECIAL_HARDSHIP", "父亲服刑，祖母年迈")],
    )
    client.force_login(town_officer)

    content = _record(client, minor).content.decode()

    assert "陈小红" in content
    assert minor.id_number in content
    assert "青山镇 · 东岭村 · 东岭村第一网格" in content
    assert "青山镇中心小学" in content
    assert "父亲 · 陈大山" in content
    assert "服刑在押" in content
    assert "服刑至2027年" in content
    assert "其他特殊困难" in content
    assert "父亲服刑，祖母年迈" in content


def test_each_view_of_the_record_writes_an_access_log_row(client, town_officer, minor_a1):
    client.force_login(town_officer)

    _record(client, minor_a1)
    _record(client, minor_a1)

    rows = list(AccessLog.objects.filter(minor=minor_a1).order_by("id"))
    assert len(rows) == 2
    assert {(row.user, row.action, row.channel) for row in rows} == {
        (town_officer, AccessLog.Action.VIEW, AccessLog.Channel.WEB)
    }
    assert rows[0].path == reverse("minor_detail", args=[minor_a1.pk])
    assert rows[0].ip_address == "127.0.0.1"


def test_read_only_town_leader_viewing_the_record_is_logged_too(client, town_leader, minor_a1):
    client.force_login(town_leader)

    assert _record(client, minor_a1).status_code == 200
    assert AccessLog.objects.filter(minor=minor_a1, user=town_leader).count() == 1


def test_outsider_gets_404_on_a_record_of_another_town_and_no_log_row(client, outsider, minor_a1):
    client.force_login(outsider)

    assert _record(client, minor_a1).status_code == 404
    assert not AccessLog.objects.filter(minor=minor_a1).exists()


def test_neighbouring_village_director_gets_404_on_the_record(client, neighbour_director, minor_a1):
    client.force_login(neighbour_director)

    assert _record(client, minor_a1).status_code == 404


def test_child_director_of_the_village_may_read_the_record(client, child_director, minor_a1):
    client.force_login(child_director)

    assert _record(client, minor_a1).status_code == 200


def test_leadership_viewer_gets_403_on_a_record(client, leadership_viewer, minor_a1):
    client.force_login(leadership_viewer)

    response = _record(client, minor_a1)

    assert response.status_code == 403
    assert "张三" not in response.content.decode()
    assert not AccessLog.objects.exists()


def test_partner_user_gets_403_on_a_record(client, partner_user, minor_a1):
    client.force_login(partner_user)

    assert _record(client, minor_a1).status_code == 403


def test_town_officer_sees_the_action_buttons(client, town_officer, minor_a1):
    client.force_login(town_officer)

    content = _record(client, minor_a1).content.decode()

    assert reverse("minor_edit", args=[minor_a1.pk]) in content
    assert reverse("minor_move", args=[minor_a1.pk]) in content
    assert reverse("minor_close", args=[minor_a1.pk]) in content
    assert reverse("minor_access_log", args=[minor_a1.pk]) in content


def test_town_leader_sees_no_action_buttons(client, town_leader, minor_a1):
    client.force_login(town_leader)

    content = _record(client, minor_a1).content.decode()

    assert reverse("minor_edit", args=[minor_a1.pk]) not in content
    assert reverse("minor_move", args=[minor_a1.pk]) not in content
    assert reverse("minor_close", args=[minor_a1.pk]) not in content


def test_history_shows_field_names_and_choice_labels_instead_of_codes(client, town_officer, minor_a1):
    data = {f: getattr(minor_a1, f) for f in ("name", "gender", "birth_date", "id_number", "school_name")}
    minor_update(
        actor=town_officer,
        minor=minor_a1,
        data={**data, "education_status": "JUNIOR_SECONDARY", "hukou_type": "AGRICULTURAL"},
        guardians=[],
        categories=[CategoryChoice("LEFT_BEHIND")],
    )
    client.force_login(town_officer)

    response = _record(client, minor_a1)

    history = response.content.decode().split('id="history-heading"')[1]
    assert "就学状况" in history
    assert "小学 → 初中" in history
    assert "JUNIOR_SECONDARY" not in history
    assert "删除监护人" in history


def test_history_names_categories_instead_of_codes(client, town_officer, minor_a1):
    data = {f: getattr(minor_a1, f) for f in ("name", "gender", "birth_date", "id_number")}
    minor_update(
        actor=town_officer,
        minor=minor_a1,
        data=data,
        guardians=[],
        categories=[CategoryChoice("ORPHAN")],
    )
    client.force_login(town_officer)

    history = _record(client, minor_a1).content.decode().split('id="history-heading"')[1]

    assert MinorEvent.objects.filter(minor=minor_a1, kind=MinorEvent.Kind.CATEGORY_REMOVED).exists()
    assert "— → 孤儿" in history
    assert "农村留守儿童 → —" in history
    assert "ORPHAN" not in history
    assert "LEFT_BEHIND" not in history
