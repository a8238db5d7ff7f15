"""The registry list: scope, search, filters, pagination and a fixed number of queries (issue 2 §5)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cases.models import Gender
from cases.registry.services import minor_close
from tests.factories import register_minor


def _names(response) -> list[str]:
    return [minor.name for minor in response.context["page"].object_list]


def test_town_officer_lists_minors_of_their_town_only(client, town_officer, minor_a1, minor_b1):
    client.force_login(town_officer)

    response = client.get(reverse("registry_list"))

    assert _names(response) == ["张三"]
    assert "李四" not in response.content.decode()


def test_outsider_list_never_includes_another_towns_minors(client, outsider, minor_a1, minor_b1):
    client.force_login(outsider)

    assert _names(client.get(reverse("registry_list"))) == ["李四"]


def test_neighbouring_village_director_does_not_see_the_village_next_door(client, neighbour_director, minor_a1):
    client.force_login(neighbour_director)

    response = client.get(reverse("registry_list"))

    assert _names(response) == []
    assert "张三" not in response.content.decode()


def test_child_director_sees_their_village_including_its_grid(client, tree, town_officer, child_director, minor_a1):
    register_minor(actor=town_officer, region=tree.grid_a1, name="网格儿童")
    register_minor(actor=town_officer, region=tree.village_a2, name="西岭儿童")
    client.force_login(child_director)

    assert sorted(_names(client.get(reverse("registry_list")))) == sorted(["张三", "网格儿童"])


def test_search_by_pinyin_initials_finds_the_minor(client, tree, town_officer, minor_a1):
    register_minor(actor=town_officer, region=tree.village_a1, name="李明")
    client.force_login(town_officer)

    assert _names(client.get(reverse("registry_list"), {"q": "zs"})) == ["张三"]


def test_search_by_full_pinyin_finds_the_minor(client, tree, town_officer, minor_a1):
    register_minor(actor=town_officer, region=tree.village_a1, name="李明")
    client.force_login(town_officer)

    assert _names(client.get(reverse("registry_list"), {"q": "zhangsan"})) == ["张三"]


def test_search_by_id_number_prefix_finds_the_minor(client, tree, town_officer, minor_a1):
    register_minor(actor=town_officer, region=tree.village_a1, name="李明")
    client.force_login(town_officer)

    assert _names(client.get(reverse("registry_list"), {"q": minor_a1.id_number[:16]})) == ["张三"]


def test_search_never_reaches_outside_the_users_scope(client, town_officer, minor_b1):
    client.force_login(town_officer)

    assert _names(client.get(reverse("registry_list"), {"q": "ls"})) == []


def test_filter_by_region_keeps_that_subtree(client, tree, town_officer, minor_a1):
    register_minor(actor=town_officer, region=tree.village_a2, name="西岭儿童")
    client.force_login(town_officer)

    assert _names(client.get(reverse("registry_list"), {"region": tree.village_a2.pk})) == ["西岭儿童"]


def test_region_filter_offers_only_regions_in_reach(client, tree, town_officer):
    client.force_login(town_officer)

    choices = client.get(reverse("registry_list")).context["form"].fields["region"].queryset

    assert tree.village_a1 in choices
    assert tree.village_b1 not in choices
    assert tree.county not in choices


def test_filtering_by_a_region_outside_reach_shows_nothing_from_it(client, tree, town_officer, minor_b1):
    client.force_login(town_officer)

    response = client.get(reverse("registry_list"), {"region": tree.village_b1.pk})

    assert "李四" not in _names(response)
    assert response.context["form"].errors["region"]


def test_filter_by_category(client, tree, town_officer, minor_a1):
    register_minor(actor=town_officer, region=tree.village_a1, name="孤儿甲", categories=("ORPHAN",))
    client.force_login(town_officer)

    assert _names(client.get(reverse("registry_list"), {"category": "ORPHAN"})) == ["孤儿甲"]


def test_filter_by_status(client, tree, town_officer, minor_a1):
    closed = register_minor(actor=town_officer, region=tree.village_a1, name="已销档儿童")
    minor_close(actor=town_officer, minor=closed, reason="MOVED_AWAY")
    client.force_login(town_officer)

    assert _names(client.get(reverse("registry_list"), {"status": "CLOSED"})) == ["已销档儿童"]
    assert _names(client.get(reverse("registry_list"), {"status": "ACTIVE"})) == ["张三"]


def test_filter_by_gender(client, tree, town_officer, minor_a1):
    register_minor(actor=town_officer, region=tree.village_a1, name="男孩甲", gender=Gender.MALE)
    client.force_login(town_officer)

    assert _names(client.get(reverse("registry_list"), {"gender": "M"})) == ["男孩甲"]


def test_list_shows_gender_age_village_categories_and_status(client, town_officer, minor_a1):
    client.force_login(town_officer)

    content = client.get(reverse("registry_list")).content.decode()

    assert "青山镇 · 东岭村" in content
    assert "农村留守儿童" in content
    assert "10岁" in content
    assert "在册" in content


def test_list_is_paginated_25_a_page(client, tree, town_officer):
    for index in range(27):
        register_minor(actor=town_officer, region=tree.village_a1, name=f"儿童{index}")
    client.force_login(town_officer)

    first = client.get(reverse("registry_list"))
    second = client.get(reverse("registry_list"), {"page": 2})

    assert len(first.context["page"].object_list) == 25
    assert len(second.context["page"].object_list) == 2
    assert first.context["page"].paginator.count == 27


def test_leadership_viewer_gets_403_on_the_list(client, leadership_viewer, minor_a1):
    client.force_login(leadership_viewer)

    response = client.get(reverse("registry_list"))

    assert response.status_code == 403
    assert "张三" not in response.content.decode()


def test_partner_user_gets_403_on_the_list(client, partner_user, minor_a1):
    client.force_login(partner_user)

    assert client.get(reverse("registry_list")).status_code == 403


# Session, user, posts, unread-notification count (base template), count, page, two prefetches,
# region choices, category choices, and the access log's one INSERT for the rows shown: the same for
# any number of rows. One more row-dependent query would push the larger case over.
LIST_QUERIES = 11


@pytest.mark.parametrize("rows", [2, 30])
def test_list_uses_a_fixed_number_of_queries_whatever_the_rows(
    client, tree, town_officer, django_assert_max_num_queries, rows
):
    for index in range(rows):
        register_minor(
            actor=town_officer,
            region=tree.grid_a1 if index % 2 else tree.village_a2,
            name=f"儿童{index}",
            categories=("LEFT_BEHIND", "POVERTY"),
        )
    client.force_login(town_officer)

    with django_assert_max_num_queries(LIST_QUERIES):
        response = client.get(reverse("registry_list"))

    assert len(response.context["page"].object_list) == min(rows, 25)
