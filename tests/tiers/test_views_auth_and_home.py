"""Login, logout, the landing page and the navigation (issue 2 §5)."""

from __future__ import annotations

from django.urls import reverse

PASSWORD = "correct-horse-battery"


def test_anonymous_visitor_is_sent_to_the_login_page(client, tree):
    response = client.get(reverse("registry_list"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_login_page_is_in_chinese(client, tree):
    response = client.get(reverse("login"))

    content = response.content.decode()
    assert '<html lang="zh-hans">' in content
    assert "登录" in content
    assert "用户名" in content


def test_town_officer_logs_in_and_lands_on_the_home_page(client, town_officer):
    response = client.post(reverse("login"), {"username": "town_officer", "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_wrong_password_is_refused_with_a_chinese_message(client, town_officer):
    response = client.post(reverse("login"), {"username": "town_officer", "password": "wrong-password-1"})

    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert "密码" in response.context["form"].non_field_errors()[0]
    assert "_auth_user_id" not in client.session


def test_logout_is_a_post_and_ends_the_session(client, town_officer):
    client.force_login(town_officer)

    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))

    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_home_shows_the_users_posts_and_active_minors_in_reach(client, town_officer, minor_a1, minor_b1):
    client.force_login(town_officer)

    response = client.get(reverse("home"))

    content = response.content.decode()
    assert "乡镇（街道）民政办" in content
    assert "青山镇" in content
    assert response.context["active_count"] == 1
    assert reverse("registry_list") in content


def test_home_of_a_leadership_viewer_has_no_registry_shortcut(client, leadership_viewer, minor_a1):
    client.force_login(leadership_viewer)

    response = client.get(reverse("home"))

    content = response.content.decode()
    assert response.context["active_count"] is None
    assert reverse("registry_list") not in content
    assert reverse("region_tree") in content
    assert 'data-testid="home-dashboard"' in content  # the dashboard is their main page


def test_navigation_offers_registry_and_registration_to_a_town_officer(client, town_officer):
    client.force_login(town_officer)

    content = client.get(reverse("home")).content.decode()

    assert f'href="{reverse("registry_list")}"' in content
    assert f'href="{reverse("minor_create")}"' in content
    assert f'href="{reverse("region_tree")}"' in content


def test_navigation_offers_a_town_leader_the_registry_but_not_registration(client, town_leader):
    client.force_login(town_leader)

    content = client.get(reverse("home")).content.decode()

    assert f'href="{reverse("registry_list")}"' in content
    assert f'href="{reverse("minor_create")}"' not in content


def test_navigation_offers_a_partner_user_neither_registry_nor_regions(client, partner_user):
    client.force_login(partner_user)

    content = client.get(reverse("home")).content.decode()

    assert f'href="{reverse("registry_list")}"' not in content
    assert f'href="{reverse("region_tree")}"' not in content
    assert f'href="{reverse("minor_create")}"' not in content
    assert f'href="{reverse("dashboard_home")}"' not in content


def test_navigation_shows_the_users_name_and_posts(client, child_director):
    client.force_login(child_director)

    content = client.get(reverse("home")).content.decode()

    assert child_director.first_name in content
    assert "东岭村 · 儿童主任" in content


def test_language_switch_changes_the_interface_language(client, town_officer):
    client.force_login(town_officer)

    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("home")})

    assert response.status_code == 302
    assert '<html lang="en">' in client.get(reverse("home")).content.decode()
