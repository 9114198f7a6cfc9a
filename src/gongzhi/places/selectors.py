"""Reads of the place tree and the register, always through the one scoping mechanism."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext as _

from gongzhi.core.crypto import blind_index
from gongzhi.core.identity import normalize_id_number, normalize_phone
from gongzhi.core.logging import contains_personal_data
from gongzhi.core.query import prefix_q
from gongzhi.core.scoping import LEVELS, data_version, scope_for, visible
from gongzhi.core.text import in_reader_language, to_simplified

from .enums import ADVANCED_AGE, Relation, ResidentStatus
from .models import (
    Building,
    CareTag,
    Community,
    Compound,
    ContactLog,
    Entrance,
    Grid,
    Household,
    Resident,
    Subdistrict,
    elderly_cutoff,
)


def resident_list_visible_to(user, capability: str = "view") -> QuerySet[Resident]:
    return visible(user, Resident.objects.all(), capability)


def household_list_visible_to(user, capability: str = "view") -> QuerySet[Household]:
    return visible(user, Household.objects.all(), capability)


def building_list_visible_to(user) -> QuerySet[Building]:
    return visible(user, Building.objects.all())


def community_list_visible_to(user) -> QuerySet[Community]:
    return visible(user, Community.objects.all())


# "3栋2单元501", "3栋2单元", "3栋", "3号楼2单元", "3-2-501", "3-2"
_ADDRESS_CN = re.compile(
    r"^(?P<b>[0-9A-Za-z]+)(?:栋|幢|号楼|棟)(?:(?P<e>\d+)单元(?P<d>[0-9A-Za-z]+)?)?(?:室|号)?$"
)
_ADDRESS_DASH = re.compile(r"^(?P<b>[0-9A-Za-z]+)-(?P<e>\d+)(?:-(?P<d>[0-9A-Za-z]+))?$")


@dataclass(frozen=True)
class ParsedQuery:
    kind: str  # name | pinyin | phone_last4 | phone | id_number | address | empty
    value: str = ""
    building: str = ""
    entrance: str = ""
    door: str = ""


def parse_query(raw: str) -> ParsedQuery:
    q = to_simplified((raw or "").strip()).replace(" ", "")
    q = q.translate(str.maketrans("０１２３４５６７８９－", "0123456789-"))
    if not q:
        return ParsedQuery("empty")
    q = q.replace("單元", "单元")
    for pattern in (_ADDRESS_CN, _ADDRESS_DASH):
        m = pattern.match(q)
        if m:
            return ParsedQuery(
                "address",
                building=m["b"].upper(),
                entrance=m["e"] or "",
                door=(m["d"] or "").upper(),
            )
    if q.isdigit():
        if len(q) == 4:
            return ParsedQuery("phone_last4", q)
        if len(q) == 11:
            return ParsedQuery("phone", normalize_phone(q))
    if len(q) == 18 and q[:17].isdigit():
        return ParsedQuery("id_number", normalize_id_number(q))
    if q.isascii() and q.isalpha():
        return ParsedQuery("pinyin", q.lower())
    return ParsedQuery("name", q)


def is_personal_query(raw: str) -> bool:
    """A full phone or ID number (in any spelling): such a query travels only in a request
    body, never in a URL, which servers and proxies write to their access logs."""
    return parse_query(raw).kind in {"phone", "id_number"} or contains_personal_data(raw or "")


# Enough for any desk; a search that matches more asks for a sharper query.
MAX_MATCHES = 500


def _prefix_ids(qs: QuerySet, columns: tuple[str, ...], value: str) -> list[int]:
    """Ids of rows whose ``columns`` (any of them) start with ``value``.

    One query per column, each ordered by its own column, so that each walks its own
    index. Written as one OR, SQLite (and PostgreSQL on large reaches) prefers to walk the
    result ordering's index and filter the whole table: seconds instead of milliseconds
    on a city."""
    ids: dict[int, None] = {}
    for column in columns:
        matched = qs.filter(prefix_q(column, value)).order_by(column).values_list("pk", flat=True)
        ids.update(dict.fromkeys(matched[:MAX_MATCHES]))
    return list(ids)


def resident_search(
    user, raw_query: str, *, include_inactive: bool = False, limit: int | None = 50
) -> QuerySet[Resident]:
    """Residents within ``user``'s reach matching a name, pinyin or initials, the last four
    digits of a phone, a full phone or ID number (exact, by blind index) or an address.
    At most ``MAX_MATCHES`` residents match a name or pinyin query."""
    parsed = parse_query(raw_query)
    qs = resident_list_visible_to(user)
    if not include_inactive:
        qs = qs.filter(status=ResidentStatus.LIVING)
    if parsed.kind == "empty":
        return qs.none()
    if parsed.kind == "name":
        # The whole name or the given name begins with what was typed: indexed prefix
        # matches. Only when neither finds anyone is a substring looked for (the middle
        # of a name), which has to read every name in reach.
        ids = _prefix_ids(qs, ("name_simplified", "name_tail"), parsed.value)
        if ids:
            qs = qs.filter(pk__any_of=ids)
        else:
            qs = qs.filter(
                pk__any_of=list(
                    qs.filter(name_simplified__contains=parsed.value).values_list("pk", flat=True)[
                        :MAX_MATCHES
                    ]
                )
            )
    elif parsed.kind == "pinyin":
        # Initials ("zs") and full pinyin ("zhangsan", "zhangs") both begin a match.
        qs = qs.filter(pk__any_of=_prefix_ids(qs, ("name_initials", "name_pinyin"), parsed.value))
    elif parsed.kind == "phone_last4":
        qs = qs.filter(phone_last4=parsed.value)
    elif parsed.kind == "phone":
        qs = qs.filter(phone_bidx=blind_index(parsed.value, purpose="phone"))
    elif parsed.kind == "id_number":
        qs = qs.filter(id_number_bidx=blind_index(parsed.value, purpose="id_number"))
    elif parsed.kind == "address":
        qs = qs.filter(building__number=parsed.building)
        if parsed.entrance:
            qs = qs.filter(entrance__number=int(parsed.entrance))
        if parsed.door:
            qs = qs.filter(household__door_number=parsed.door)
    qs = qs.select_related("household", "community").order_by("name_pinyin", "id")
    return qs if limit is None else qs[:limit]


FIGURES = ("buildings", "households", "residents", "residents_60_plus")
FIGURES_TIMEOUT = 60 * 60


def _count_figures(buildings, households, residents, ids: list[int], cutoff) -> dict:
    """The four figures of the communities ``ids``, counted in four grouped queries over
    the querysets given (scoped or whole)."""
    living = residents.filter(community_id__in=ids, status=ResidentStatus.LIVING)
    counted = {
        "buildings": buildings.filter(community_id__in=ids),
        "households": households.filter(community_id__in=ids),
        "residents": living,
        "residents_60_plus": living.filter(birth_date__lte=cutoff),
    }
    out: dict[int, dict] = {pk: dict.fromkeys(FIGURES, 0) for pk in ids}
    for name, qs in counted.items():
        for pk, n in qs.values_list("community_id").annotate(n=Count("id")).order_by():
            out[pk][name] = n
    return out


def _whole_community_figures(ids: list[int], cutoff) -> dict[int, dict]:
    """Figures of whole communities, kept in the shared cache under the register's data
    version (``core.scoping.data_version``): every save of a building, household or
    resident — and every audited bulk import — moves the version, so a cached figure is
    never older than the register; between changes a community is counted once, not on
    every request (a community of 5,000 households is four counts over 12,000 rows). The
    day's cut-off for 60+ is in the key: a resident turns 60 at midnight without a write."""
    version = data_version()
    keys = {pk: f"figures:{version}:{pk}:{cutoff.isoformat()}" for pk in ids}
    found = cache.get_many(list(keys.values()))
    out = {pk: found[key] for pk, key in keys.items() if key in found}
    missing = [pk for pk in ids if pk not in out]
    if missing:
        counted = _count_figures(
            Building.objects.all(), Household.objects.all(), Resident.objects.all(), missing, cutoff
        )
        cache.set_many({keys[pk]: row for pk, row in counted.items()}, timeout=FIGURES_TIMEOUT)
        out.update(counted)
    return out


def community_figures(user) -> list[dict]:
    """Per visible community: buildings, households, residents (living), residents aged 60+,
    all counted from records inside the user's reach. A community the user holds whole (its
    staff, the subdistrict's, the city's) is read from the kept figures; a part of one (a
    grid, a building) is counted inside that part."""
    cutoff = elderly_cutoff()
    communities = list(community_list_visible_to(user).order_by("code"))
    scope = scope_for(user)
    whole = [
        c.pk
        for c in communities
        if scope.everything
        or c.pk in scope.held.get("community", ())
        or c.subdistrict_id in scope.held.get("subdistrict", ())
    ]
    part = [c.pk for c in communities if c.pk not in set(whole)]
    figures = _whole_community_figures(whole, cutoff) if whole else {}
    if part:
        figures.update(
            _count_figures(
                building_list_visible_to(user),
                household_list_visible_to(user),
                resident_list_visible_to(user),
                part,
                cutoff,
            )
        )
    return [{"community": c, **figures[c.pk]} for c in communities]


# --- care lists (关爱名单) -----------------------------------------------------------------

CARE_ANY = "any"
CARE_ADVANCED_AGE = "advanced_age"


def care_categories() -> list[tuple[str, str]]:
    """The care lists one may open: everyone cared for, 高龄 (computed from the birth date,
    never a tag that goes stale), then one per care tag (独居, 低保, 残疾, 重点关爱...)."""
    tags = [
        (code, in_reader_language(name, name_en))
        for code, name, name_en in CareTag.objects.order_by("sort_order", "code").values_list(
            "code", "name", "name_en"
        )
    ]
    return [
        (CARE_ANY, _("全部关爱对象")),
        (CARE_ADVANCED_AGE, _("高龄（%(age)d岁以上）") % {"age": ADVANCED_AGE}),
        *tags,
    ]


def care_list(
    user,
    *,
    category: str = CARE_ANY,
    grid: Grid | None = None,
    building: Building | None = None,
    capability: str = "view",
) -> QuerySet[Resident]:
    """Living residents in ``user``'s reach who are cared for — aged 80 or over, or
    carrying the care tag ``category`` (any tag for ``CARE_ANY``) — optionally in one grid
    or building. Each carries ``last_contact``, the day of their latest 走访记录; those
    never visited, then those visited longest ago, come first."""
    qs = resident_list_visible_to(user, capability).living()
    aged = Q(birth_date__lte=elderly_cutoff(age=ADVANCED_AGE))
    tagged = Resident.care_tags.through.objects.filter(resident_id=OuterRef("pk"))
    if category == CARE_ANY:
        qs = qs.filter(aged | Q(Exists(tagged)))
    elif category == CARE_ADVANCED_AGE:
        qs = qs.filter(aged)
    else:
        qs = qs.filter(Exists(tagged.filter(caretag__code=category)))
    if grid is not None:
        qs = qs.filter(grid=grid)
    if building is not None:
        qs = qs.filter(building=building)
    latest = (
        ContactLog.objects.filter(resident_id=OuterRef("pk"))
        .order_by("-visited_on", "-id")
        .values("visited_on")[:1]
    )
    return (
        qs.annotate(last_contact=Subquery(latest))
        .select_related("household", "community")
        .prefetch_related("care_tags")
        .order_by(
            F("last_contact").asc(nulls_first=True),
            "community_id",
            "building__sort_key",
            "building__number",
            "household__floor",
            "household__door_number",
            "pk",
        )
    )


def household_occupancy(residents) -> str:
    """居住情况, derived from the household's residents so that it is never stale:
    空置 with nobody living there, 出租 when a living member is a tenant, else 自住."""
    living = [r for r in residents if r.status == ResidentStatus.LIVING]
    if not living:
        return _("空置（无在住居民）")
    if any(r.relation == Relation.TENANT for r in living):
        return _("有租户")
    return _("自住")


# --- naming a reach -------------------------------------------------------------------------

_NODE_QUERIES = {
    "subdistrict": lambda ids: Subdistrict.objects.filter(pk__in=ids),
    "community": lambda ids: Community.objects.filter(pk__in=ids),
    "grid": lambda ids: Grid.objects.filter(pk__in=ids).select_related("community"),
    "compound": lambda ids: Compound.objects.filter(pk__in=ids),
    "building": lambda ids: Building.objects.filter(pk__in=ids).select_related("compound"),
    "entrance": lambda ids: Entrance.objects.filter(pk__in=ids).select_related(
        "building__compound"
    ),
    "household": lambda ids: Household.objects.filter(pk__in=ids),
}


def _node_name(level: str, node) -> str:
    if level == "grid":
        return f"{node.community.name}{node.name}"
    if level == "building":
        return f"{node.compound.name}{node}"
    if level == "entrance":
        return f"{node.building.compound.name}{node}"
    return str(node.name if hasattr(node, "name") else node)


def reach_names(user, capability: str = "view") -> list[str]:
    """The places whose records ``user`` reaches for ``capability``, named for a page
    ("望江街社区", "甘露园1栋"): what a figure counted only within one's reach says it
    counts. A subdistrict post names the subdistrict, not each of its communities; an
    administrator, who reaches everything, gets no names."""
    scope = scope_for(user, capability)
    if scope.everything:
        return []
    names: list[str] = []
    for level in LEVELS:
        ids = scope.held.get(level)
        if not ids or (level == "community" and scope.held.get("subdistrict")):
            continue
        names += [_node_name(level, n) for n in _NODE_QUERIES[level](sorted(ids))]
    return names
