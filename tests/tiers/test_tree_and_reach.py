import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import make_user
from tiers.models import Region
from tiers.roles import Capability, Level, Role
from tiers.selectors import region_ancestors, region_list, user_reach
from tiers.services import post_assign, region_create


def test_paths_are_materialised_from_division_codes(tree):
    assert tree.grid_a1.path == "330521000000/330521100000/330521100201/330521100201-01/"
    assert tree.grid_a1.depth == 4


def test_subtree_is_one_query_at_any_depth(tree):
    with CaptureQueriesContext(connection) as queries:
        codes = list(Region.objects.filter(path__startswith=tree.town_a.path).values_list("code", flat=True))
    assert len(queries) == 1
    assert set(codes) == {"330521100000", "330521100201", "330521100202", "330521100201-01"}


def test_ancestors_come_in_one_query(tree):
    with CaptureQueriesContext(connection) as queries:
        ancestors = region_ancestors(tree.grid_a1)
    assert len(queries) == 1
    assert [r.code for r in ancestors] == ["330521000000", "330521100000", "330521100201"]


@pytest.mark.parametrize(
    ("code", "level", "parent_attr", "message_part"),
    [
        ("33052110000", Level.TOWN, "county", "12位"),
        ("330521100001", Level.TOWN, "county", "000"),
        ("330522100000", Level.TOWN, "county", "上级"),
        ("330521100203", Level.VILLAGE, "county", "上级应为"),
        ("330521100000", Level.VILLAGE, "town_a", "后3位"),
    ],
)
def test_malformed_division_codes_are_rejected(tree, code, level, parent_attr, message_part):
    with pytest.raises(ValidationError) as excinfo:
        region_create(code=code, name="新单位", level=level, parent=getattr(tree, parent_attr))
    assert any(message_part in message for message in excinfo.value.messages)


def test_a_division_code_is_registered_once(tree):
    with pytest.raises(ValidationError):
        region_create(code=tree.village_a1.code, name="重复", level=Level.VILLAGE, parent=tree.town_a)


def test_a_child_director_post_must_be_at_a_village(tree):
    user = make_user()
    with pytest.raises(ValidationError):
        post_assign(user=user, region=tree.town_a, role=Role.CHILD_DIRECTOR)


def test_town_officer_reaches_the_whole_town_and_nothing_else(town_officer, tree):
    reach = user_reach(town_officer, Capability.CHANGE_RECORDS)
    assert reach.covers(tree.grid_a1.path)
    assert reach.covers(tree.village_a2.path)
    assert not reach.covers(tree.village_b1.path)
    assert not reach.covers(tree.county.path)


def test_child_director_reaches_only_their_village(child_director, tree):
    visible = set(region_list(user=child_director).values_list("pk", flat=True))
    assert visible == {tree.village_a1.pk, tree.grid_a1.pk}


def test_leadership_viewer_sees_regions_but_no_records(leadership_viewer, tree):
    assert user_reach(leadership_viewer, Capability.VIEW_REGIONS).covers(tree.village_b1.path)
    assert not user_reach(leadership_viewer, Capability.VIEW_RECORDS)


def test_town_leader_may_read_but_not_change(town_leader, tree):
    assert user_reach(town_leader, Capability.VIEW_RECORDS).covers(tree.village_a1.path)
    assert not user_reach(town_leader, Capability.CHANGE_RECORDS)


def test_superuser_without_a_post_reaches_no_records(tree):
    admin = make_user(is_superuser=True, is_staff=True)
    assert not user_reach(admin, Capability.VIEW_RECORDS)


def test_several_posts_add_up(tree):
    user = make_user(Role.CHILD_DIRECTOR, tree.village_a1)
    post_assign(user=user, region=tree.village_b1, role=Role.CHILD_DIRECTOR)
    reach = user_reach(user, Capability.VIEW_RECORDS)
    assert reach.covers(tree.village_a1.path) and reach.covers(tree.village_b1.path)
    assert not reach.covers(tree.village_a2.path)


def test_a_partner_post_belongs_to_a_department_of_its_own_region(tree):
    from tiers.models import OrganisationKind
    from tiers.services import organisation_create

    police = organisation_create(kind=OrganisationKind.POLICE_STATION, name="青山派出所", region=tree.town_a)
    partner = make_user(Role.PARTNER_STAFF, tree.town_a)  # a post without its department, as before issue 5

    post = post_assign(user=partner, region=tree.town_a, role=Role.PARTNER_STAFF, organisation=police)

    assert post.organisation == police and partner.posts.count() == 1
    with pytest.raises(ValidationError):
        post_assign(user=make_user(), region=tree.county, role=Role.PARTNER_STAFF, organisation=police)
    with pytest.raises(ValidationError):
        post_assign(user=make_user(), region=tree.town_a, role=Role.TOWN_OFFICE, organisation=police)
