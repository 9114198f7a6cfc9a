"""Pages of the organisations: posts (岗位) place by place, teams and their rosters, partner
units with their contacts, party members and the households they look after.

They are for those who hold ``manage_orgs`` somewhere (community and subdistrict staff);
for anyone else the pages are as absent as a record out of reach (404). A record out of
reach answers 404 like a missing one; one in sight but not the user's to manage, 403.
Reads go through ``orgs.selectors`` and ``core.scoping``; every write through
``orgs.services``. A refusal is shown beside the form with what was typed kept (400).
Logins of partner units are ``accounts``' pages: ``orgs`` sits below ``accounts``.
"""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.core.scoping import get_visible_or_404, require, scope_for, visible
from gongzhi.places.models import (
    Building,
    Community,
    Entrance,
    Grid,
    Household,
    Resident,
    Subdistrict,
)
from gongzhi.places.selectors import is_personal_query, parse_query, resident_search

from . import selectors, services
from .enums import POST_LEVEL, PostKind, TeamRole
from .forms import (
    AppointForm,
    ContactForm,
    EndForm,
    HandOverForm,
    HouseholdSearchForm,
    PartnerForm,
    TeamForm,
    TeamMemberForm,
    apply_errors,
)
from .models import PartnerUnit, PartyMember, Post, Team, TeamMembership

PAGE_SIZE = 30
SEARCH_LIMIT = 20
NODE_MODELS = {
    "subdistrict": Subdistrict,
    "community": Community,
    "grid": Grid,
    "building": Building,
    "entrance": Entrance,
}


def manager_required(view):
    """Organisation pages exist only for people who manage organisations somewhere."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if scope_for(request.user, "manage_orgs").empty:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def _posted(request):
    # An empty POST is still a POST: the form is bound and says what is missing.
    return request.POST if request.method == "POST" else None


def _page(request, qs):
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


def _render(request, template, context, status=200):
    return render(request, template, {"nav": "orgs", **context}, status=status)


# --- whom a form names ------------------------------------------------------------------


def _residents_found(user, query: str, *, community=None, chosen=None) -> list[Resident]:
    """Living residents in reach matching ``query`` (name, pinyin, address...), the one
    already chosen first so that a search does not lose it."""
    found: list[Resident] = []
    if query:
        qs = resident_search(user, query, limit=None)
        if community is not None:
            qs = qs.filter(community=community)
        found = list(qs.select_related("household")[:SEARCH_LIMIT])
    if chosen is not None and chosen not in found:
        found.insert(0, chosen)
    return found


def _chosen_resident(user, form) -> Resident | None:
    """The resident a posted form names; 404 when out of reach, as in any URL."""
    pk = form.cleaned_data.get("resident") if form.is_valid() else None
    if not pk:
        raw = form.data.get("resident", "")
        pk = int(raw) if str(raw).isdigit() else None
    if not pk:
        return None
    return get_visible_or_404(
        user, Resident.objects.living().select_related("household"), "view", pk=pk
    )


def _login_named(form):
    username = form.cleaned_data.get("username", "")
    if not username:
        return None
    user = selectors.login_by_username(username)
    if user is None:
        form.add_error("username", _("没有用户名为“%(name)s”的账号。") % {"name": username})
    return user


def _personal_query_refused(form) -> bool:
    # A full phone or ID number is looked for in the register page's search, where it is
    # handled with care; here a name or an address is enough.
    if is_personal_query(form.cleaned_data.get("q", "")):
        form.add_error("q", _("这里请按姓名、拼音或地址查找，不要输入完整的手机号或身份证号。"))
        return True
    return False


# --- posts ------------------------------------------------------------------------------


def _board_url(node) -> str:
    level = getattr(type(node), "scope_level", "")
    url = reverse("orgs:posts")
    if level == "subdistrict":
        return url
    community_id = node.pk if level == "community" else node.community_id
    # The board's sections are the community and its grids.
    anchor = f"{level}-{node.pk}" if level in ("community", "grid") else f"grid-{node.grid_id}"
    return f"{url}?community={community_id}#{anchor}"


@manager_required
@require_GET
def posts(request):
    """岗位: who holds which post, place by place, in one community at a time."""
    user = request.user
    communities = list(selectors.managed_communities(user))
    raw = request.GET.get("community", "")
    community = None
    if raw.isdigit():
        community = next((c for c in communities if c.pk == int(raw)), None)
        if community is None:
            raise Http404
    elif communities:
        community = communities[0]
    return _render(
        request,
        "orgs/posts.html",
        {
            "communities": communities,
            "community": community,
            "subdistrict_sections": selectors.subdistrict_board(user),
            "sections": selectors.post_board(user, community) if community else [],
            "today": timezone.localdate(),
            "sub": "posts",
        },
    )


def _node_or_404(user, level: str, node_id: int):
    model = NODE_MODELS.get(level)
    if model is None:
        raise Http404
    qs = model.objects.all()
    if model is Entrance:
        qs = qs.select_related("building")
    node = get_visible_or_404(user, qs, "view", pk=node_id)
    services.require_manage(user, node)
    return node


def _person_context(user, form, *, community=None):
    chosen = _chosen_resident(user, form) if form.is_bound else None
    query = form.cleaned_data.get("q", "") if form.is_bound and form.is_valid() else ""
    if query and _personal_query_refused(form):
        query = ""
    return chosen, _residents_found(user, query, community=community, chosen=chosen)


@manager_required
@require_http_methods(["GET", "POST"])
def post_new(request, level: str, node_id: int):
    """任命: a post on one place, for a resident of the register, a login, or a name."""
    user = request.user
    node = _node_or_404(user, level, node_id)
    kinds = [k for k in PostKind if POST_LEVEL[k] == level]
    initial = {"kind": request.GET["kind"]} if request.GET.get("kind") in kinds else {}
    form = AppointForm(_posted(request), kinds=kinds, initial=initial)
    community = node if level == "community" else getattr(node, "community", None)
    chosen, found = _person_context(user, form, community=community)
    status = 200
    if request.method == "POST" and request.POST.get("action") == "save":
        status = 400
        if form.is_valid():
            login = _login_named(form)
            if not form.errors:
                try:
                    post = services.post_assign(
                        actor=user,
                        kind=form.cleaned_data["kind"],
                        node=node,
                        user=login,
                        resident=chosen,
                        holder_name=form.cleaned_data["holder_name"],
                        started_on=form.cleaned_data["started_on"],
                    )
                except ValidationError as exc:
                    apply_errors(form, exc)
                else:
                    messages.success(
                        request,
                        _("已任命%(name)s为%(node)s%(kind)s。")
                        % {"name": post.holder_name, "node": node, "kind": post.get_kind_display()},
                    )
                    return redirect(_board_url(node))
    return _render(
        request,
        "orgs/post_new.html",
        {"node": node, "level": level, "form": form, "found": found, "chosen": chosen},
        status=status,
    )


def _post_or_404(user, post_id: int) -> Post:
    post = (
        selectors.post_list_visible_to(user, include_ended=True)
        .select_related("resident")
        .filter(pk=post_id)
        .first()
    )
    if post is None:
        raise Http404
    services.require_manage_post(user, post)
    return post


@manager_required
@require_http_methods(["GET", "POST"])
def post_end(request, post_id: int):
    """离任, after a page that says what it means; the record stays as history."""
    user = request.user
    post = _post_or_404(user, post_id)
    form = EndForm(_posted(request))
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.post_end(actor=user, post=post, ended_on=form.cleaned_data["ended_on"])
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("%(name)s已离任%(node)s%(kind)s。")
                    % {
                        "name": post.holder_name,
                        "node": post.node,
                        "kind": post.get_kind_display(),
                    },
                )
                return redirect(_board_url(post.node))
    return _render(request, "orgs/post_end.html", {"post": post, "form": form}, status=status)


@manager_required
@require_http_methods(["GET", "POST"])
def post_hand_over(request, post_id: int):
    """交接: the holder leaves and the successor starts on the same day, in one step."""
    user = request.user
    post = _post_or_404(user, post_id)
    form = HandOverForm(_posted(request))
    node = post.node
    community = node if post.level == "community" else getattr(node, "community", None)
    chosen, found = _person_context(user, form, community=community)
    status = 200
    if request.method == "POST" and request.POST.get("action") == "save":
        status = 400
        if form.is_valid():
            login = _login_named(form)
            if not form.errors:
                try:
                    successor = services.post_hand_over(
                        actor=user,
                        post=post,
                        on=form.cleaned_data["on"],
                        user=login,
                        resident=chosen,
                        holder_name=form.cleaned_data["holder_name"],
                    )
                except ValidationError as exc:
                    apply_errors(form, exc)
                else:
                    messages.success(
                        request,
                        _("%(node)s%(kind)s已由%(old)s交接给%(new)s。")
                        % {
                            "node": node,
                            "kind": post.get_kind_display(),
                            "old": post.holder_name,
                            "new": successor.holder_name,
                        },
                    )
                    return redirect(_board_url(node))
    return _render(
        request,
        "orgs/post_hand_over.html",
        {"post": post, "form": form, "found": found, "chosen": chosen},
        status=status,
    )


def _history(posts_qs):
    return list(posts_qs.order_by("-started_on", "-pk"))


@manager_required
@require_GET
def resident_posts(request, resident_id: int):
    """A resident's posts, past and present, and the teams they serve in."""
    user = request.user
    resident = get_visible_or_404(
        user, Resident.objects.select_related("household", "community"), "view", pk=resident_id
    )
    history = _history(
        selectors.post_list_visible_to(user, include_ended=True).filter(resident=resident)
    )
    teams = list(selectors.memberships_visible_to(user, resident))
    return _render(
        request,
        "orgs/person.html",
        {"name": resident.name, "resident": resident, "history": history, "teams": teams},
    )


@manager_required
@require_GET
def user_posts(request, user_id: int):
    """A login's posts, past and present, in the places the reader reaches: a login is
    seen here only through a post of it in reach."""
    history = _history(
        selectors.post_list_visible_to(request.user, include_ended=True).filter(user_id=user_id)
    )
    if not history:
        raise Http404
    login = history[0].user
    return _render(
        request,
        "orgs/person.html",
        {"name": login.display_name or login.get_username(), "login": login, "history": history},
    )


# --- teams ------------------------------------------------------------------------------


@manager_required
@require_GET
def teams(request):
    return _render(
        request,
        "orgs/teams.html",
        {"page": _page(request, selectors.team_rows_visible_to(request.user)), "sub": "teams"},
    )


@manager_required
@require_http_methods(["GET", "POST"])
def team_new(request):
    user = request.user
    communities = selectors.managed_communities(user)
    form = TeamForm(_posted(request), communities=communities)
    if request.method == "GET":
        return _render(request, "orgs/team_new.html", {"form": form, "sub": "teams"})
    raw = request.POST.get("community", "")
    if raw.isdigit():
        # Out of reach is 404 before anything typed is looked at.
        get_visible_or_404(user, Community.objects.all(), "manage_orgs", pk=int(raw))
    if form.is_valid():
        data = form.cleaned_data
        try:
            team = services.team_create(
                actor=user,
                community=data["community"],
                name=data["name"],
                kind=data["kind"],
                description=data["description"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已新建队伍“%(name)s”。") % {"name": team.name})
            return redirect("orgs:team", team_id=team.pk)
    return _render(request, "orgs/team_new.html", {"form": form, "sub": "teams"}, status=400)


def _team_or_404(user, team_id: int) -> Team:
    team = get_visible_or_404(user, Team.objects.select_related("community"), pk=team_id)
    require(user, "manage_orgs", team)
    return team


def _team_page(request, team, *, form=None, found=(), chosen=None, status=200):
    roster = list(selectors.team_roster(team))
    return _render(
        request,
        "orgs/team.html",
        {
            "team": team,
            "roster": roster,
            "form": form or TeamMemberForm(),
            "found": found,
            "chosen": chosen,
            "leader": TeamRole.LEADER,
            "member": TeamRole.MEMBER,
            "sub": "teams",
        },
        status=status,
    )


@manager_required
@require_GET
def team(request, team_id: int):
    return _team_page(request, _team_or_404(request.user, team_id))


@manager_required
@require_POST
def team_member_add(request, team_id: int):
    """Find a resident of the team's community (查找) and add them (加入队伍)."""
    user = request.user
    team = _team_or_404(user, team_id)
    form = TeamMemberForm(request.POST)
    chosen, found = _person_context(user, form, community=team.community)
    if request.POST.get("action") != "save":
        return _team_page(request, team, form=form, found=found, chosen=chosen)
    if form.is_valid() and chosen is None:
        form.add_error("q", _("请先查找并选中要加入的居民。"))
    if form.is_valid():
        try:
            services.team_member_add(
                actor=user, team=team, resident=chosen, role=form.cleaned_data["role"]
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request,
                _("%(name)s已加入%(team)s。") % {"name": chosen.name, "team": team.name},
            )
            return redirect("orgs:team", team_id=team.pk)
    return _team_page(request, team, form=form, found=found, chosen=chosen, status=400)


def _membership_or_404(user, team_id: int, resident_id: int) -> tuple[Team, TeamMembership]:
    team = _team_or_404(user, team_id)
    membership = selectors.membership_of(team, resident_id)
    if membership is None:
        raise Http404
    return team, membership


@manager_required
@require_POST
def team_member_role(request, team_id: int, resident_id: int):
    """设为队长 (the sitting one becomes a 队员), or back to 队员."""
    user = request.user
    team, membership = _membership_or_404(user, team_id, resident_id)
    role = request.POST.get("role", "")
    try:
        services.team_member_set_role(
            actor=user, team=team, resident=membership.resident, role=role
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _team_page(request, team, status=400)
    label = TeamRole(role).label
    messages.success(
        request, _("%(name)s现在是%(role)s。") % {"name": membership.resident.name, "role": label}
    )
    return redirect("orgs:team", team_id=team.pk)


@manager_required
@require_http_methods(["GET", "POST"])
def team_member_remove(request, team_id: int, resident_id: int):
    """移出队伍, after a page that names who leaves which team."""
    user = request.user
    team, membership = _membership_or_404(user, team_id, resident_id)
    if request.method == "POST":
        try:
            services.team_member_remove(actor=user, team=team, resident=membership.resident)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                _("%(name)s已移出%(team)s。")
                % {"name": membership.resident.name, "team": team.name},
            )
        return redirect("orgs:team", team_id=team.pk)
    return _render(
        request,
        "orgs/team_member_remove.html",
        {"team": team, "membership": membership, "sub": "teams"},
    )


# --- partner units ----------------------------------------------------------------------


@manager_required
@require_GET
def partners(request):
    units = (
        selectors.partner_list_visible_to(request.user)
        .annotate(contact_count=Count("contacts", distinct=True))
        .prefetch_related("communities")
        .order_by("kind", "name")
    )
    return _render(
        request, "orgs/partners.html", {"page": _page(request, units), "sub": "partners"}
    )


def _unit_or_404(user, unit_id: int) -> PartnerUnit:
    unit = selectors.partner_list_visible_to(user).filter(pk=unit_id).first()
    if unit is None:
        raise Http404
    require(user, "manage_orgs", unit)
    return unit


def _partner_page(request, unit, *, contact_form=None, status=200):
    return _render(
        request,
        "orgs/partner.html",
        {
            "unit": unit,
            "communities": list(unit.communities.order_by("code")),
            "contacts": list(selectors.unit_contacts(unit)),
            "logins": list(selectors.unit_logins(unit)),
            "contact_form": contact_form or ContactForm(),
            "sub": "partners",
        },
        status=status,
    )


@manager_required
@require_GET
def partner(request, unit_id: int):
    return _partner_page(request, _unit_or_404(request.user, unit_id))


def _checked_communities(user, raw: list[str]) -> None:
    """Every community ticked must be the user's: 404 otherwise, before anything else."""
    for value in raw:
        if value.isdigit():
            get_visible_or_404(user, Community.objects.all(), "manage_orgs", pk=int(value))


@manager_required
@require_http_methods(["GET", "POST"])
def partner_new(request):
    user = request.user
    communities = selectors.managed_communities(user)
    initial = {"communities": list(communities)} if len(communities) == 1 else {}
    form = PartnerForm(_posted(request), communities=communities, initial=initial)
    if request.method == "GET":
        return _render(request, "orgs/partner_form.html", {"form": form, "sub": "partners"})
    _checked_communities(user, request.POST.getlist("communities"))
    if form.is_valid():
        data = form.cleaned_data
        try:
            unit = services.partner_unit_create(
                actor=user,
                name=data["name"],
                short_name=data["short_name"],
                kind=data["kind"],
                offers=data["offers"],
                in_alliance=data["in_alliance"],
                communities=list(data["communities"]),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已新建共建单位“%(name)s”。") % {"name": unit.name})
            return redirect("orgs:partner", unit_id=unit.pk)
    return _render(request, "orgs/partner_form.html", {"form": form, "sub": "partners"}, status=400)


@manager_required
@require_http_methods(["GET", "POST"])
def partner_edit(request, unit_id: int):
    """Details and the communities served. Communities outside the user's reach that the
    unit also serves stay as they are: they are not the user's to remove."""
    user = request.user
    unit = _unit_or_404(user, unit_id)
    communities = selectors.managed_communities(user)
    mine = {c.pk for c in communities}
    current = list(unit.communities.all())
    initial = {
        "name": unit.name,
        "short_name": unit.short_name,
        "kind": unit.kind,
        "offers": unit.offers,
        "in_alliance": unit.in_alliance,
        "communities": [c for c in current if c.pk in mine],
    }
    form = PartnerForm(_posted(request), communities=communities, initial=initial)
    others = [c for c in current if c.pk not in mine]
    context = {"form": form, "unit": unit, "others": others, "sub": "partners"}
    if request.method == "GET":
        return _render(request, "orgs/partner_form.html", context)
    _checked_communities(user, request.POST.getlist("communities"))
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.partner_unit_update(
                actor=user,
                unit=unit,
                name=data["name"],
                short_name=data["short_name"],
                kind=data["kind"],
                offers=data["offers"],
                in_alliance=data["in_alliance"],
                communities=[*data["communities"], *others],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已保存“%(name)s”的修改。") % {"name": data["name"]})
            return redirect("orgs:partner", unit_id=unit.pk)
    return _render(request, "orgs/partner_form.html", context, status=400)


@manager_required
@require_POST
def partner_contact_add(request, unit_id: int):
    user = request.user
    unit = _unit_or_404(user, unit_id)
    form = ContactForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            contact = services.partner_contact_add(
                actor=user, unit=unit, name=data["name"], title=data["title"], phone=data["phone"]
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已添加联系人%(name)s。") % {"name": contact.name})
            return redirect("orgs:partner", unit_id=unit.pk)
    return _partner_page(request, unit, contact_form=form, status=400)


@manager_required
@require_http_methods(["GET", "POST"])
def partner_contact_remove(request, unit_id: int, contact_id: int):
    user = request.user
    unit = _unit_or_404(user, unit_id)
    contact = selectors.unit_contact(unit, contact_id)
    if contact is None:
        raise Http404
    if request.method == "POST":
        try:
            services.partner_contact_remove(actor=user, contact=contact)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("已删除联系人%(name)s。") % {"name": contact.name})
        return redirect("orgs:partner", unit_id=unit.pk)
    return _render(
        request,
        "orgs/partner_contact_remove.html",
        {"unit": unit, "contact": contact, "sub": "partners"},
    )


# --- party members ----------------------------------------------------------------------


@manager_required
@require_GET
def party(request):
    """党员 of the communities in reach, each with the households they look after."""
    user = request.user
    qs = selectors.party_member_list_visible_to(user, "manage_orgs").annotate(
        household_count=Count("linked_households")
    )
    name = request.GET.get("name", "").strip()
    if name:
        qs = qs.filter(resident__name_simplified__startswith=name)
    qs = qs.order_by("resident__community__code", "resident__name_pinyin", "pk")
    return _render(
        request,
        "orgs/party.html",
        {
            "page": _page(request, qs),
            "name": name,
            "query": urlencode({"name": name}) if name else "",
            "sub": "party",
        },
    )


def _member_or_404(user, member_id: int) -> PartyMember:
    member = selectors.party_member_list_visible_to(user).filter(pk=member_id).first()
    if member is None:
        raise Http404
    require(user, "manage_orgs", member)
    return member


def _households_at(user, member: PartyMember, query: str) -> list[Household]:
    parsed = parse_query(query)
    qs = selectors.households_at(
        user,
        member.resident.community_id,
        building=parsed.building,
        entrance=parsed.entrance,
        door=parsed.door,
    )
    return list(qs[:SEARCH_LIMIT])


def _member_page(request, member, *, form=None, found=None, status=200):
    user = request.user
    linked = list(
        visible(user, member.linked_households.all(), "view").order_by(
            "building_id", "entrance_id", "floor", "door_number"
        )
    )
    return _render(
        request,
        "orgs/party_member.html",
        {
            "member": member,
            "linked": linked,
            "linked_ids": {h.pk for h in linked},
            "form": form or HouseholdSearchForm(),
            "found": found,
            "sub": "party",
        },
        status=status,
    )


@manager_required
@require_http_methods(["GET", "POST"])
def party_member(request, member_id: int):
    """One member's 联系户, and finding a household by its address to add."""
    user = request.user
    member = _member_or_404(user, member_id)
    if request.method == "GET":
        return _member_page(request, member)
    form = HouseholdSearchForm(request.POST)
    found = None
    status = 200
    if form.is_valid():
        query = form.cleaned_data["q"]
        if parse_query(query).kind != "address":
            form.add_error("q", _("请按“3栋2单元501”或“3-2-501”的格式输入地址。"))
            status = 400
        else:
            found = _households_at(user, member, query)
    return _member_page(request, member, form=form, found=found, status=status)


@manager_required
@require_POST
def party_member_link(request, member_id: int):
    user = request.user
    member = _member_or_404(user, member_id)
    raw = request.POST.get("household", "")
    if not raw.isdigit():
        form = HouseholdSearchForm({"q": request.POST.get("q", "")})
        form.is_valid()
        form.add_error(None, _("请先查找并选中住户。"))
        return _member_page(request, member, form=form, status=400)
    household = get_visible_or_404(user, Household.objects.all(), "view", pk=int(raw))
    services.party_member_link_household(actor=user, member=member, household=household)
    messages.success(
        request,
        _("%(name)s已联系%(household)s。")
        % {"name": member.resident.name, "household": household.address_label},
    )
    return redirect("orgs:party_member", member_id=member.pk)


@manager_required
@require_POST
def party_member_unlink(request, member_id: int, household_id: int):
    user = request.user
    member = _member_or_404(user, member_id)
    household = get_visible_or_404(user, member.linked_households.all(), "view", pk=household_id)
    services.party_member_unlink_household(actor=user, member=member, household=household)
    messages.success(
        request,
        _("%(name)s不再联系%(household)s。")
        % {"name": member.resident.name, "household": household.address_label},
    )
    return redirect("orgs:party_member", member_id=member.pk)
