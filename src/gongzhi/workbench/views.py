"""The server-rendered workbench (staff) and the resident home.

Every read goes through ``core.scoping`` or ``places.selectors``, so a record outside the
user's reach answers 404 exactly like a missing one. The only write here is the audited
reveal of an ID number or phone (``places.services.resident_reveal``); the register's
changes are in ``workbench.residents``, the care lists in ``workbench.care``.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.accounts.decorators import staff_required
from gongzhi.accounts.rules import is_staff_user
from gongzhi.core import holidays, workcal
from gongzhi.core.crypto import DecryptionError, decrypt, encrypt
from gongzhi.core.scoping import get_visible_or_404, may, visible
from gongzhi.places import selectors, services
from gongzhi.places.enums import ResidentStatus
from gongzhi.places.models import (
    Building,
    Community,
    Compound,
    ContactLog,
    Entrance,
    Grid,
    Household,
    Resident,
    ResidentStatusChange,
)
from gongzhi.places.selectors import household_occupancy, is_personal_query
from gongzhi.voices import selectors as voice_selectors
from gongzhi.voices.forms import WORK_QUEUE_LABELS
from gongzhi.wishes.selectors import wish_list_visible_to

from .forms import SearchForm
from .menu import capabilities_held
from .status import allowed_actions

PII_FIELDS = ("id_number", "phone")
# Enough for a desk to pick from; the page says when there may be more.
SEARCH_LIMIT = 50
# The latest visits shown on a resident's page.
CONTACTS_SHOWN = 10
# The latest items and wishes of a resident shown on their page.
CASES_SHOWN = 10
# A resident's home: the items waiting for their rating, and their unread news.
RATE_PROMPTS = 5
NOTES_SHOWN = 3


def _may_reveal(user, obj) -> bool:
    return may(user, "reveal_pii", obj)


# --- home -----------------------------------------------------------------------------


@login_required
@require_GET
def home(request):
    user = request.user
    if is_staff_user(user):
        return render(
            request,
            "workbench/home_staff.html",
            {
                "figures": selectors.community_figures(user),
                "work": _todays_work(user),
                # A year whose days off nobody entered: time limits count Monday to Friday.
                "calendar_missing": workcal.missing_schedule_year(),
                "may_enter_calendar": holidays.may_manage_calendar(user),
            },
        )
    if user.partner_unit_id:
        # A partner unit's work is what was dispatched to it.
        return redirect("voices:partner_inbox")
    if user.resident_id:
        return _resident_home(request)
    return render(request, "workbench/home_none.html")


@dataclass(frozen=True)
class WorkCount:
    queue: str
    label: str
    count: int
    url: str


def _todays_work(user) -> list[WorkCount]:
    """今天的工作: each queue of items in the user's reach with its count, opening the inbox
    filtered to it. One query; nothing for a post that handles no items."""
    if "handle_items" not in capabilities_held(user):
        return []
    counts = voice_selectors.work_counts(user)
    inbox = reverse("voices:inbox")
    return [
        WorkCount(queue, str(WORK_QUEUE_LABELS[queue]), counts[queue], f"{inbox}?queue={queue}")
        for queue in voice_selectors.WORK_QUEUES
    ]


def _resident_home(request):
    user = request.user
    household = get_visible_or_404(
        user,
        Household.objects.select_related("community", "building", "entrance", "compound"),
        pk=Resident.objects.filter(pk=user.resident_id).values("household_id")[:1],
    )
    members = list(
        visible(user, Resident.objects.filter(household=household)).living().order_by("id")
    )
    return render(
        request,
        "workbench/home_resident.html",
        {
            "household": household,
            "members": members,
            "me_id": user.resident_id,
            "to_rate": list(voice_selectors.awaiting_rating(user)[:RATE_PROMPTS]),
            "notifications": list(
                voice_selectors.notifications_for(user).filter(read_at=None)[:NOTES_SHOWN]
            ),
        },
    )


# --- the place tree ---------------------------------------------------------------------


def _counts_by(qs, column: str) -> dict[int, int]:
    return dict(qs.values_list(column).annotate(n=Count("id")).order_by())


@staff_required
@require_GET
def community_detail(request, pk: int):
    user = request.user
    community = get_visible_or_404(user, Community.objects.all(), pk=pk)
    grids = list(
        visible(user, Grid.objects.filter(community=community)).order_by("sort_key", "code")
    )
    buildings = _counts_by(visible(user, Building.objects.filter(community=community)), "grid_id")
    households = _counts_by(visible(user, Household.objects.filter(community=community)), "grid_id")
    residents = _counts_by(
        visible(user, Resident.objects.filter(community=community)).living(), "grid_id"
    )
    rows = [
        {
            "grid": g,
            "buildings": buildings.get(g.pk, 0),
            "households": households.get(g.pk, 0),
            "residents": residents.get(g.pk, 0),
        }
        for g in grids
    ]
    return render(request, "workbench/community.html", {"community": community, "rows": rows})


@staff_required
@require_GET
def grid_detail(request, pk: int):
    user = request.user
    grid = get_visible_or_404(user, Grid.objects.select_related("community"), pk=pk)
    compounds = list(visible(user, Compound.objects.filter(grid=grid)).order_by("name"))
    buildings = visible(user, Building.objects.filter(grid=grid)).order_by("sort_key", "number")
    by_compound: dict[int, list[Building]] = {}
    for b in buildings:
        by_compound.setdefault(b.compound_id, []).append(b)
    rows = [{"compound": c, "buildings": by_compound.get(c.pk, [])} for c in compounds]
    return render(request, "workbench/grid.html", {"grid": grid, "rows": rows})


@staff_required
@require_GET
def compound_detail(request, pk: int):
    user = request.user
    compound = get_visible_or_404(user, Compound.objects.select_related("community", "grid"), pk=pk)
    buildings = list(
        visible(user, Building.objects.filter(compound=compound)).order_by("sort_key", "number")
    )
    households = _counts_by(
        visible(user, Household.objects.filter(compound=compound)), "building_id"
    )
    residents = _counts_by(
        visible(user, Resident.objects.filter(compound=compound)).living(), "building_id"
    )
    elderly = _counts_by(
        visible(user, Resident.objects.filter(compound=compound)).living().elderly(), "building_id"
    )
    rows = [
        {
            "building": b,
            "households": households.get(b.pk, 0),
            "residents": residents.get(b.pk, 0),
            "elderly": elderly.get(b.pk, 0),
        }
        for b in buildings
    ]
    return render(request, "workbench/compound.html", {"compound": compound, "rows": rows})


@dataclass
class Cell:
    household: Household
    living: int
    tags: list[str]
    has_elderly: bool


@dataclass
class FloorRow:
    floor: int
    cells: list[list[Cell]] = field(default_factory=list)  # one list per entrance


def building_layout(user, building: Building):
    """Entrances (columns) × floors (rows, top floor first). Residents and their care tags
    come in two prefetch queries, whatever the number of households."""
    entrances = list(visible(user, Entrance.objects.filter(building=building)).order_by("number"))
    # The page shows counts, care tags and age, never a phone or an ID number: leaving the
    # sealed columns unread saves decrypting every resident of the building (half the page).
    # Both prefetches land in plain lists (``to_attr``): a prefetch into the related manager
    # clones a queryset per resident, which cost more than the page's queries.
    living = (
        visible(user, Resident.objects.living())
        .defer(*Resident.BLIND_INDEXES)  # the encrypted fields
        .prefetch_related(Prefetch("care_tags", to_attr="care_tag_list"))
    )
    households = list(
        visible(user, Household.objects.filter(building=building))
        .order_by("floor", "door_number")
        .prefetch_related(Prefetch("residents", queryset=living, to_attr="living_residents"))
    )
    column = {e.pk: i for i, e in enumerate(entrances)}
    floors = set(range(1, building.floors + 1)) | {h.floor for h in households}
    rows = {f: FloorRow(f, [[] for _ in entrances]) for f in sorted(floors, reverse=True)}
    for h in households:
        if h.entrance_id not in column:
            continue
        tags: dict[str, None] = {}
        for r in h.living_residents:
            for t in r.care_tag_list:
                tags[t.name] = None
        cell = Cell(
            household=h,
            living=len(h.living_residents),
            tags=list(tags),
            has_elderly=any(r.is_elderly for r in h.living_residents),
        )
        rows[h.floor].cells[column[h.entrance_id]].append(cell)
    return entrances, list(rows.values()), len(households)


@staff_required
@require_GET
def building_detail(request, pk: int):
    user = request.user
    building = get_visible_or_404(
        user, Building.objects.select_related("community", "grid", "compound"), pk=pk
    )
    entrances, rows, household_count = building_layout(user, building)
    return render(
        request,
        "workbench/building.html",
        {
            "building": building,
            "entrances": entrances,
            "rows": rows,
            "household_count": household_count,
        },
    )


@staff_required
@require_GET
def household_detail(request, pk: int):
    user = request.user
    household = get_visible_or_404(
        user,
        Household.objects.select_related("community", "grid", "compound", "building", "entrance"),
        pk=pk,
    )
    residents = list(
        visible(user, Resident.objects.filter(household=household))
        .prefetch_related("care_tags")
        .order_by("id")
    )
    return render(
        request,
        "workbench/household.html",
        {
            "household": household,
            "residents": residents,
            "occupancy": household_occupancy(residents),
            "can_reveal": _may_reveal(user, household),
            "can_edit": may(user, "edit_registry", household),
            "living_status": ResidentStatus.LIVING,
        },
    )


def _resident_page(
    request,
    resident: Resident,
    revealed: dict[str, str] | None = None,
    reason_errors: dict[str, str] | None = None,
    reason_notes: dict[str, str] | None = None,
    status: int = 200,
    then: str = "",
):
    user = request.user
    history = list(
        ResidentStatusChange.objects.filter(resident=resident)
        .select_related("actor")
        .order_by("at", "id")
    )
    contacts = list(
        ContactLog.objects.filter(resident=resident)
        .select_related("by")
        .order_by("-visited_on", "-id")[:CONTACTS_SHOWN]
    )
    can_edit = may(user, "edit_registry", resident)
    cases = list(voice_selectors.items_of_resident(user, resident)[:CASES_SHOWN])
    wishes = list(
        wish_list_visible_to(user)
        .filter(resident=resident)
        .order_by("-created_at", "-id")[:CASES_SHOWN]
    )
    return render(
        request,
        "workbench/resident.html",
        {
            "resident": resident,
            "cases": cases,
            "wishes": wishes,
            "cases_shown": CASES_SHOWN,
            "then": then,
            "household": resident.household,
            "care_tags": list(resident.care_tags.all()),
            "history": history,
            "contacts": contacts,
            "can_edit": can_edit,
            "actions": allowed_actions(resident) if can_edit else [],
            # Asked whatever the status, so that the page costs the same queries.
            "can_visit": may(user, "submit_on_behalf", resident)
            and resident.status == ResidentStatus.LIVING,
            "can_reveal": _may_reveal(user, resident),
            "revealed": revealed or {},
            "reason_errors": reason_errors or {},
            "reason_notes": reason_notes or {},
        },
        status=status,
    )


def _get_resident(user, pk: int) -> Resident:
    return get_visible_or_404(
        user,
        Resident.objects.select_related(
            "household",
            "household__community",
            "household__grid",
            "household__compound",
            "household__building",
        ),
        pk=pk,
    )


@staff_required
@require_GET
def resident_detail(request, pk: int):
    return _resident_page(request, _get_resident(request.user, pk))


@never_cache
@staff_required
@require_POST
def resident_reveal(request, pk: int, field_name: str):
    """Show one full ID number or phone, for the reason (查看事由) the button pressed names.
    The service checks ``reveal_pii`` (404 outside the reach, 403 inside it without the
    capability), refuses a missing reason (400 here, nothing shown, nothing recorded) and
    writes the audit event with the reason."""
    if field_name not in PII_FIELDS:
        raise Http404
    resident = _get_resident(request.user, pk)
    note = request.POST.get("reason_note", "")
    # 拨打电话 is a reveal of the phone that ends on its tel: link.
    then = "call" if field_name == "phone" and request.POST.get("then") == "call" else ""
    try:
        value = services.resident_reveal(
            actor=request.user,
            resident=resident,
            field=field_name,
            reason=request.POST.get("reason", ""),
            reason_note=note,
        )
    except ValidationError as exc:
        message = " ".join(exc.messages)
        if request.htmx:
            return render(
                request,
                "workbench/_pii.html",
                {
                    "r": resident,
                    "field": field_name,
                    "revealed": False,
                    "can_reveal": True,
                    "reason_error": message,
                    "reason_note": note,
                    "offer_call": field_name == "phone",
                    "then": then,
                },
                status=400,
            )
        return _resident_page(
            request,
            resident,
            reason_errors={field_name: message},
            reason_notes={field_name: note},
            status=400,
            then=then,
        )
    if request.htmx:
        return render(
            request,
            "workbench/_pii.html",
            {"r": resident, "field": field_name, "value": value, "revealed": True, "then": then},
        )
    # Without JavaScript the form posts here and the whole page comes back, revealed.
    return _resident_page(request, resident, revealed={field_name: value}, then=then)


# --- search ---------------------------------------------------------------------------


# The last few searches of a session, sealed, under short random keys: the results page's
# URL carries the key, never what was typed.
SEARCH_SESSION_KEY = "wb_searches"
SEARCHES_KEPT = 10


def _remember_search(request, query: str) -> str:
    key = secrets.token_urlsafe(6)
    kept = dict(request.session.get(SEARCH_SESSION_KEY, {}))
    kept[key] = encrypt(query)
    request.session[SEARCH_SESSION_KEY] = dict(list(kept.items())[-SEARCHES_KEPT:])
    return key


def _recall_search(request, key: str) -> str:
    sealed = request.session.get(SEARCH_SESSION_KEY, {}).get(key)
    if not sealed:
        return ""
    try:
        return decrypt(sealed)
    except DecryptionError:
        return ""


def _search_page(request, form, query: str):
    results = (
        list(selectors.resident_search(request.user, query, limit=SEARCH_LIMIT)) if query else []
    )
    context = {
        "form": form,
        "query": query,
        "results": results,
        "limit_hit": len(results) >= SEARCH_LIMIT,
    }
    template = "workbench/_search_results.html" if request.htmx else "workbench/search.html"
    return render(request, template, context)


@staff_required
@require_http_methods(["GET", "POST"])
def search(request):
    """One box for names, pinyin, addresses, the last four digits of a phone, and full
    phones and ID numbers. The form posts (a full number in a URL would be written to every
    access log on its way); the answer redirects to ``?k=``, a key to the query kept sealed
    in the session, so that reloading and the back button show the same results. htmx's
    live search posts too and is told the same URL. A name in ``?q=`` still works, as old
    links do; a phone or ID number there is refused."""
    url = reverse("wb-search")
    if request.method == "POST":
        form = SearchForm(request.POST)
        query = form.cleaned_data["q"] if form.is_valid() else ""
        key = _remember_search(request, query) if query else ""
        target = f"{url}?k={key}" if key else url
        if not request.htmx:
            return redirect(target)
        response = _search_page(request, form, query)
        response["HX-Replace-Url"] = target
        return response
    if "q" in request.GET:
        form = SearchForm(request.GET)
        query = form.cleaned_data["q"] if form.is_valid() else ""
        if is_personal_query(query):
            # Not searched, and off the address bar at once (the page would otherwise
            # carry the URL on, e.g. in the language switcher).
            messages.error(
                request,
                _("为保护居民信息，身份证号和手机号不能放在网址里。请在搜索框中输入后按“搜索”。"),
            )
            return redirect(url)
        return _search_page(request, form, query)
    query = _recall_search(request, request.GET.get("k", ""))
    return _search_page(request, SearchForm(initial={"q": query}), query)
