"""The child director's worklist and the visit form (issue 3 §3): buckets, scope, a visit saved with
only the pre-filled values, Chinese refusals with nothing saved, photos, and a bounded query count."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from cases.models import Alert, Notification
from screening.grading.services import assessment_record
from screening.models import Visit
from screening.visits.services.plan import visit_plan_refresh
from screening.visits.services.visits import visit_log
from tests.factories import register_minor


def _new_visit(minor):
    return reverse("visit_create", args=[minor.pk])


def _local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def _png(name: str = "room.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def _names(response, key: str) -> list[str]:
    section = next(s for s in response.context["sections"] if s["key"] == key)
    return [row["minor"].name for row in section["rows"]]


# --- worklist ------------------------------------------------------------------------------------


def test_worklist_puts_the_village_children_into_overdue_due_this_week_and_upcoming(
    client, clock, tree, town_officer, child_director
):
    def graded(day: str, name: str, region=None):
        clock(day)
        minor = register_minor(actor=town_officer, region=region or tree.village_a1, name=name)
        assessment_record(actor=town_officer, minor=minor, kind="RISK_LEVEL", indicator_codes=["LEFT_BEHIND"])
        return minor

    graded("2026-01-01", "逾期儿童")  # yellow: due 2026-01-31
    graded("2026-02-03", "本周儿童", region=tree.grid_a1)  # due 2026-03-05
    graded("2026-02-25", "以后儿童")  # due 2026-03-27
    graded("2026-01-01", "邻村儿童", region=tree.village_a2)
    clock("2026-03-01")
    visit_plan_refresh()
    client.force_login(child_director)

    response = client.get(reverse("visit_worklist"))

    assert response.status_code == 200
    assert _names(response, "overdue") == ["逾期儿童"]
    assert _names(response, "due_this_week") == ["本周儿童"]
    assert _names(response, "upcoming") == ["以后儿童"]
    content = response.content.decode()
    assert "邻村儿童" not in content
    assert "已逾期 29 天" in content
    assert "东岭村 · 东岭村第一网格" in content
    assert _new_visit(next(iter(response.context["sections"]))["rows"][0]["minor"]) in content


def test_worklist_offers_no_visit_button_to_the_read_only_town_leader(client, town_officer, town_leader, minor_a1):
    visit_plan_refresh()
    client.force_login(town_leader)

    response = client.get(reverse("visit_worklist"))

    assert response.status_code == 200
    assert "张三" in response.content.decode()
    assert _new_visit(minor_a1) not in response.content.decode()


def test_partner_user_gets_403_on_the_worklist(client, partner_user):
    client.force_login(partner_user)

    assert client.get(reverse("visit_worklist")).status_code == 403


# Session, user, posts, unread count, and one query per bucket (each shorter than the row limit).
WORKLIST_QUERIES = 8


@pytest.mark.parametrize("rows", [2, 24])
def test_worklist_uses_a_fixed_number_of_queries_whatever_the_rows(
    client, tree, town_officer, django_assert_max_num_queries, rows
):
    for index in range(rows):
        register_minor(actor=town_officer, region=tree.grid_a1 if index % 2 else tree.village_a2, name=f"儿童{index}")
    visit_plan_refresh()
    client.force_login(town_officer)

    with django_assert_max_num_queries(WORKLIST_QUERIES):
        response = client.get(reverse("visit_worklist"))

    assert sum(len(section["rows"]) for section in response.context["sections"]) == rows


def test_home_page_leads_a_child_director_to_the_worklist(client, child_director, minor_a1):
    client.force_login(child_director)

    content = client.get(reverse("home")).content.decode()

    assert 'data-testid="visit-summary"' in content
    assert reverse("visit_worklist") in content


# --- the visit form ------------------------------------------------------------------------------


def test_visit_form_is_pre_filled_with_now_at_home_and_seen_in_person(client, child_director, minor_a1):
    client.force_login(child_director)

    form = client.get(_new_visit(minor_a1)).context["form"]

    assert form["kind"].value() == "HOME"
    assert form["seen_in_person"].value() == "1"
    shown = form["visited_at"].value()  # local time, as the datetime-local input shows it
    assert abs(shown - timezone.localtime().replace(tzinfo=None)) < timedelta(minutes=2)


def test_a_visit_saved_with_only_the_pre_filled_values_returns_to_the_worklist(client, child_director, minor_a1):
    client.force_login(child_director)
    form = client.get(_new_visit(minor_a1)).context["form"]
    data = {name: form[name].value() for name in ("kind", "seen_in_person")}
    data["visited_at"] = form["visited_at"].value().strftime("%Y-%m-%dT%H:%M")

    response = client.post(_new_visit(minor_a1), data, follow=True)

    assert response.redirect_chain == [(reverse("visit_worklist"), 302)]
    assert "已记录张三的走访。" in response.content.decode()
    visit = Visit.objects.get()
    assert (visit.minor, visit.visitor, visit.kind, visit.seen_in_person, visit.new_risk_found) == (
        minor_a1,
        child_director,
        "HOME",
        True,
        False,
    )


def test_a_visit_with_only_the_kind_is_dated_now(client, child_director, minor_a1):
    client.force_login(child_director)

    response = client.post(_new_visit(minor_a1), {"kind": "PHONE", "seen_in_person": "0"})

    assert response.status_code == 302
    visit = Visit.objects.get()
    assert visit.kind == "PHONE" and visit.seen_in_person is False
    assert abs(visit.visited_at - timezone.now()) < timedelta(minutes=1)


def test_a_visit_in_the_future_is_refused_in_chinese_and_nothing_is_saved(client, child_director, minor_a1):
    client.force_login(child_director)

    response = client.post(
        _new_visit(minor_a1),
        {"kind": "HOME", "seen_in_person": "1", "visited_at": _local(timezone.now() + timedelta(days=1))},
    )

    assert response.status_code == 200
    assert "走访时间不能晚于现在。" in response.content.decode()
    assert not Visit.objects.exists()


def test_a_visit_without_a_kind_is_refused_and_nothing_is_saved(client, child_director, minor_a1):
    client.force_login(child_director)

    response = client.post(_new_visit(minor_a1), {"kind": "", "seen_in_person": "1"})

    assert response.status_code == 200
    assert response.context["form"].errors["kind"]
    assert not Visit.objects.exists()


def test_a_visit_with_photos_keeps_them(client, child_director, minor_a1):
    client.force_login(child_director)

    response = client.post(
        _new_visit(minor_a1), {"kind": "HOME", "seen_in_person": "1", "photos": [_png("a.png"), _png("b.png")]}
    )

    assert response.status_code == 302
    assert Visit.objects.get().photos.count() == 2


def test_a_file_that_is_not_an_image_is_refused_and_nothing_is_saved(client, child_director, minor_a1):
    client.force_login(child_director)
    text = SimpleUploadedFile("note.png", b"not an image", content_type="image/png")

    response = client.post(_new_visit(minor_a1), {"kind": "HOME", "seen_in_person": "1", "photos": [text]})

    assert response.status_code == 200
    assert response.context["form"].errors["photos"]
    assert not Visit.objects.exists()


def test_the_photo_input_opens_the_camera_and_takes_several_images(client, child_director, minor_a1):
    client.force_login(child_director)

    content = client.get(_new_visit(minor_a1)).content.decode()

    assert 'accept="image/*"' in content
    assert 'capture="environment"' in content
    assert "multiple" in content


def test_a_new_risk_found_on_a_visit_tells_the_town_office(client, child_director, town_officer, minor_a1):
    client.force_login(child_director)

    response = client.post(
        _new_visit(minor_a1),
        {"kind": "HOME", "seen_in_person": "1", "new_risk_found": "on", "concerns": "祖母住院，无人照料"},
        follow=True,
    )

    assert "已通知乡镇民政办重新评估。" in response.content.decode()
    assert Alert.objects.filter(minor=minor_a1, rule="NEW_RISK_FOUND").count() == 1
    assert Notification.objects.filter(user=town_officer, body="祖母住院，无人照料").exists()


def test_neighbouring_village_director_cannot_open_or_post_the_visit_form(client, neighbour_director, minor_a1):
    client.force_login(neighbour_director)

    assert client.get(_new_visit(minor_a1)).status_code == 404
    assert client.post(_new_visit(minor_a1), {"kind": "HOME", "seen_in_person": "1"}).status_code == 404
    assert not Visit.objects.exists()


def test_outsider_gets_404_on_the_visit_form(client, outsider, minor_a1):
    client.force_login(outsider)

    assert client.post(_new_visit(minor_a1), {"kind": "HOME", "seen_in_person": "1"}).status_code == 404
    assert not Visit.objects.exists()


def test_read_only_town_leader_gets_403_on_the_visit_form(client, town_leader, minor_a1):
    client.force_login(town_leader)

    assert client.get(_new_visit(minor_a1)).status_code == 403
    assert client.post(_new_visit(minor_a1), {"kind": "HOME", "seen_in_person": "1"}).status_code == 403
    assert not Visit.objects.exists()


def test_record_page_shows_the_childs_recent_visits(client, child_director, town_officer, minor_a1):
    visit_log(actor=child_director, minor=minor_a1, kind="SCHOOL", concerns="上课注意力不集中", next_step="联系班主任")
    client.force_login(town_officer)

    content = client.get(reverse("minor_detail", args=[minor_a1.pk])).content.decode()

    assert "最近走访" in content
    assert "学校走访" in content
    assert "上课注意力不集中" in content
    assert "联系班主任" in content
