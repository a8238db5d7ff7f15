"""Reads of the registry. Each takes the user and scopes by their reach (STYLE.md rules 2–3):
an object outside it is simply absent, so views answer 404."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from cases.models import (
    AccessLog,
    BaselinePopulation,
    Category,
    Guardian,
    Minor,
    MinorCategory,
    MinorEvent,
    MinorStatus,
)
from tiers.models import Region
from tiers.roles import Capability
from tiers.selectors import scope_q, user_reach

_ID_LIKE = re.compile(r"^[0-9]{4,17}[0-9Xx]?$")
_LATIN = re.compile(r"^[A-Za-z]+$")


@dataclass
class MinorFilters:
    q: str = ""
    region: Region | None = None
    category: str = ""
    status: str = ""
    gender: str = ""
    risk_grade: str = ""
    extra: dict = field(default_factory=dict)


def search_q(text: str) -> Q:
    """Name (also full pinyin or initials: "zs" finds 张三), or the start of an ID number."""
    text = text.strip()
    if not text:
        return Q()
    if _ID_LIKE.match(text):
        return Q(id_number__startswith=text.upper())
    if _LATIN.match(text):
        lowered = text.lower()
        # Each field holds variants separated by spaces (see cases/registry/romanisation.py).
        return (
            Q(name_initials__startswith=lowered)
            | Q(name_initials__contains=f" {lowered}")
            | Q(name_pinyin__startswith=lowered)
            | Q(name_pinyin__contains=f" {lowered}")
        )
    return Q(name__icontains=text)


def minor_scope_q(user, capability: str = Capability.VIEW_RECORDS, prefix: str = "") -> Q:
    """The one filter for "the minors this user may see" (issue 10 §3, §10; domain.md §13).

    A minor is in scope when the user holds `capability` on a post whose subtree holds the child's
    region; a sealed record only for holders of VIEW_SEALED there (the town office roles of its town
    and the county civil-affairs post); and, for reading only, a record the user opened in an emergency
    while that access lasts. `prefix` is the path from the queried model to the minor ("minor__",
    "case__minor__"), so every list of children's data is filtered the same way."""
    path = f"{prefix}region__path"
    condition = user_reach(user, capability).q(path)
    sealed_reach = user_reach(user, Capability.VIEW_SEALED)
    condition &= Q(**{f"{prefix}is_sealed": False}) | sealed_reach.q(path)
    if capability == Capability.VIEW_RECORDS:
        from cases.privacy.accesslog.emergency import emergency_minor_ids

        emergency = emergency_minor_ids(user)
        if emergency:
            condition |= Q(**{f"{prefix}pk__in": sorted(emergency)})
    return condition


def minor_visible(*, user, minor: Minor, capability: str = Capability.VIEW_RECORDS) -> bool:
    """`minor_scope_q` for one record already loaded (to show a link or decide a 404)."""
    if minor.is_sealed and not user_reach(user, Capability.VIEW_SEALED).covers(minor.region.path):
        return False
    if user_reach(user, capability).covers(minor.region.path):
        return True
    if capability == Capability.VIEW_RECORDS:
        from cases.privacy.accesslog.emergency import emergency_minor_ids

        return minor.pk in emergency_minor_ids(user)
    return False


def minor_base_queryset(*, user, capability: str = Capability.VIEW_RECORDS) -> QuerySet[Minor]:
    return Minor.objects.filter(minor_scope_q(user, capability))


def minor_list(*, user, filters: MinorFilters | None = None) -> QuerySet[Minor]:
    """The minors the user may see, filtered. Related rows come in a fixed number of queries."""
    filters = filters or MinorFilters()
    queryset = minor_base_queryset(user=user)
    if filters.q:
        queryset = queryset.filter(search_q(filters.q))
    if filters.region is not None:
        queryset = queryset.filter(region__path__startswith=filters.region.path)
    if filters.category:
        queryset = queryset.filter(category_links__category__code=filters.category)
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.gender:
        queryset = queryset.filter(gender=filters.gender)
    if filters.risk_grade:
        queryset = queryset.filter(risk_grade=filters.risk_grade)
    return (
        queryset.select_related("region", "region__parent", "region__parent__parent")
        .prefetch_related(
            Prefetch(
                "category_links",
                queryset=MinorCategory.objects.select_related("category").order_by("category__sort_order"),
            ),
            Prefetch("guardians", queryset=Guardian.objects.order_by("sort_order", "id")),
        )
        .order_by("-created_at", "-id")
    )


def minor_get(*, user, pk: int, capability: str = Capability.VIEW_RECORDS) -> Minor:
    minor = (
        minor_base_queryset(user=user, capability=capability)
        .select_related("region", "region__parent", "region__parent__parent", "created_by")
        .prefetch_related(
            Prefetch(
                "category_links",
                queryset=MinorCategory.objects.select_related("category").order_by("category__sort_order"),
            ),
            Prefetch("guardians", queryset=Guardian.objects.order_by("sort_order", "id")),
        )
        .filter(pk=pk)
        .first()
    )
    if minor is None:
        raise Http404
    return minor


def minor_may_change(*, user, minor: Minor) -> bool:
    return minor_visible(user=user, minor=minor, capability=Capability.CHANGE_RECORDS)


def minor_history(*, user, minor: Minor) -> QuerySet[MinorEvent]:
    # The caller has already obtained `minor` through minor_get, which scoped it.
    events = MinorEvent.objects.filter(minor=minor).select_related("actor").order_by("-at", "-id")
    if minor.anonymised_at is not None:
        # A deletion request was granted: the append-only rows stay, shown redacted (issue 10 §9).
        from cases.privacy.requests.selectors import history_redacted

        return history_redacted(events, anonymised_at=minor.anonymised_at)
    return events


def category_list() -> QuerySet[Category]:
    return Category.objects.filter(is_active=True).order_by("sort_order", "code")


def baseline_list(*, user, region: Region | None = None) -> QuerySet[BaselinePopulation]:
    queryset = BaselinePopulation.objects.filter(scope_q(user, Capability.VIEW_AGGREGATES))
    if region is not None:
        queryset = queryset.filter(region__path__startswith=region.path)
    return queryset.select_related("region", "recorded_by").order_by("region__path", "-as_of")


def baseline_latest_by_region(*, user, regions: list[Region]) -> dict[int, BaselinePopulation]:
    """The most recent baseline figure of each village in `regions` (one query)."""
    ids = [r.pk for r in regions]
    rows = BaselinePopulation.objects.filter(scope_q(user, Capability.VIEW_AGGREGATES), region_id__in=ids).order_by(
        "region_id", "-as_of"
    )
    latest: dict[int, BaselinePopulation] = {}
    for row in rows:
        latest.setdefault(row.region_id, row)
    return latest


def minor_counts_by_region(*, user, regions: list[Region]) -> dict[int, int]:
    """Active minors per region subtree, for the tree page (aggregates only, one query)."""
    from django.db.models import Count

    if not regions:
        return {}
    visible = Minor.objects.filter(scope_q(user, Capability.VIEW_AGGREGATES), status="ACTIVE")
    per_leaf = dict(visible.values_list("region__path").annotate(n=Count("id")).values_list("region__path", "n"))
    counts: dict[int, int] = {}
    for region in regions:
        counts[region.pk] = sum(n for path, n in per_leaf.items() if path.startswith(region.path))
    return counts


def minor_active_count(*, user) -> int:
    """How many active minors the user may see (the landing page's figure)."""
    return minor_base_queryset(user=user).filter(status=MinorStatus.ACTIVE).count()


def minor_may_view(*, user, minor: Minor) -> bool:
    return minor_visible(user=user, minor=minor)


def category_names() -> dict[str, str]:
    """Code → name for every category, inactive ones included, so old history stays readable."""
    return {category.code: category.label for category in Category.objects.all()}


def access_log_list(*, user, minor: Minor) -> QuerySet[AccessLog]:
    """Who read `minor`'s record and when; only for users who may change the record."""
    return (
        AccessLog.objects.filter(minor=minor)
        .filter(scope_q(user, Capability.CHANGE_RECORDS, field="minor__region__path"))
        .select_related("user")
        .order_by("-at", "-id")
    )
