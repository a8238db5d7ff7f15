from tiers.grants import grant, granted, is_granted, withdraw, withdraw_all
from tiers.models import Region


def test_a_grant_opens_exactly_one_object_until_it_is_withdrawn(partner_user, tree):
    grant(user=partner_user, obj=tree.village_a1)
    assert is_granted(user=partner_user, obj=tree.village_a1)
    assert not is_granted(user=partner_user, obj=tree.village_a2)
    assert list(granted(user=partner_user, queryset=Region.objects.all())) == [tree.village_a1]
    withdraw(user=partner_user, obj=tree.village_a1)
    partner_user = type(partner_user).objects.get(pk=partner_user.pk)  # permission caches are per instance
    assert list(granted(user=partner_user, queryset=Region.objects.all())) == []


def test_withdrawing_all_grants_of_an_object_leaves_other_objects_alone(partner_user, outsider, tree):
    grant(user=partner_user, obj=tree.village_a1)
    grant(user=outsider, obj=tree.village_a1)
    grant(user=outsider, obj=tree.village_b1)
    withdraw_all(obj=tree.village_a1)
    assert list(granted(user=partner_user, queryset=Region.objects.all())) == []
    assert list(granted(user=outsider, queryset=Region.objects.all())) == [tree.village_b1]


def test_superusers_get_nothing_through_grants_implicitly(tree):
    from tests.factories import make_user

    admin = make_user(is_superuser=True)
    assert list(granted(user=admin, queryset=Region.objects.all())) == []
