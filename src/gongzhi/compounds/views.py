"""Compound self-governance pages (the staff layout; they work on a 390 px phone), and the
resident's page of who is on duty at their grid station today.

- ``/compounds/``: the compounds in reach, who governs each today, and per property
  company its dispatches, answers on time and verified answers.
- ``/compounds/<id>/``: the compound's committee terms and members (with the 红色 share
  from the register), property contracts and staff, self-management group and stewards,
  meetings, notices, polls, and its open property cases with the way to route each.
- a form per write, for the holders of ``manage_orgs`` over the compound.
- ``/compounds/route/<item>/``: asks first, then sends a property case to the compound's
  company or stewards.
- ``/compounds/stations/``: the grid stations and who is on duty; a station's roster.
- ``/compounds/on-duty/``: 今天谁值班, for residents (their own grid's station) and staff.
"""

from __future__ import annotations

import datetime as dt
from functools import wraps

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from gongzhi.core.forms import apply_errors
from gongzhi.core.scoping import get_visible_or_404, visible
from gongzhi.orgs.enums import PartnerKind
from gongzhi.orgs.models import PartnerUnit, Team
from gongzhi.places.models import Building, Compound, Resident
from gongzhi.surveys.models import Questionnaire
from gongzhi.voices.enums import OPEN_STATUSES
from gongzhi.voices.models import Item

from . import rules, selectors, services
from .enums import PROPERTY_CATEGORY_CODES, Governance
from .forms import (
    ContractForm,
    EndForm,
    GroupForm,
    MeetingForm,
    MemberForm,
    NoticeForm,
    PollForm,
    ShiftForm,
    StaffForm,
    StewardForm,
    TermForm,
)
from .models import CommitteeTerm, DutyShift, PropertyContract, SelfManagement

LIST_LIMIT = 200
RESIDENTS_LIMIT = 500
ROSTER_DAYS = 14


def staff_required(view):
    """Post holders only; for anyone else the pages are as absent as a record out of reach."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not rules.uses_compounds(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def _today():
    return timezone.localdate()


def _compound(user, compound_id) -> Compound:
    return get_visible_or_404(
        user, Compound.objects.select_related("community", "grid"), pk=compound_id
    )


def _managed(user, compound_id) -> Compound:
    compound = _compound(user, compound_id)
    if not rules.may_manage(user, compound):
        raise Http404
    return compound


@staff_required
@require_GET
def compound_list(request):
    user = request.user
    today = _today()
    compounds = list(selectors.compound_list(user)[:LIST_LIMIT])
    governing = selectors.governance_of(compounds, today)
    rows = []
    for c in compounds:
        g = governing[c.pk]
        if g.contract is not None:
            who = g.contract.company.short_name or g.contract.company.name
        else:
            who = g.group.name if g.group is not None else ""
        rows.append({"compound": c, "how": Governance(g.governance).label, "who": who})
    return render(
        request,
        "compounds/list.html",
        {"rows": rows, "measures": selectors.company_measures(user), "nav": "compounds"},
    )


def _property_cases(user, compound):
    return list(
        visible(
            user,
            Item.objects.filter(
                compound=compound,
                status__in=OPEN_STATUSES,
                category__code__in=PROPERTY_CATEGORY_CODES,
            ).select_related("responsible_unit"),
        ).order_by("-submitted_at")[:50]
    )


@staff_required
@require_GET
def compound_detail(request, compound_id: int):
    user = request.user
    compound = _compound(user, compound_id)
    view = selectors.compound_view(compound)
    today = _today()
    return render(
        request,
        "compounds/detail.html",
        {
            "v": view,
            "compound": compound,
            "governance": Governance(selectors.governance_on(compound, today)).label,
            "terms": [
                {
                    "term": t,
                    "share": selectors.red_share_of_members(t.members.all(), view.party_ids),
                }
                for t in view.terms
            ],
            "contracts": [
                {
                    "contract": c,
                    "share": selectors.red_share_of_members(c.staff.all(), view.party_ids),
                }
                for c in view.contracts
            ],
            "cases": _property_cases(user, compound),
            "may_manage": rules.may_manage(user, compound),
            "today": today,
            "nav": "compounds",
        },
    )


def _residents(user, compound):
    return visible(user, Resident.objects.filter(compound=compound)).order_by("name", "pk")[
        :RESIDENTS_LIMIT
    ]


def _form_page(request, compound, form, title, save):
    """GET shows ``form``; a valid POST calls ``save(data)`` and goes back to the compound;
    a refusal is shown on the form with what was typed kept."""
    if request.method == "POST" and form.is_valid():
        try:
            save(form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("compounds:detail", compound.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "compounds/form.html",
        {"form": form, "compound": compound, "title": title, "nav": "compounds"},
        status=status,
    )


def _data(request):
    return request.POST if request.method == "POST" else None


@staff_required
@require_http_methods(["GET", "POST"])
def term_add(request, compound_id: int):
    user = request.user
    compound = _managed(user, compound_id)
    form = TermForm(_data(request))
    return _form_page(
        request,
        compound,
        form,
        _("登记业主委员会任期"),
        lambda d: services.committee_term_create(
            actor=user,
            compound=compound,
            name=d["name"],
            elected_on=d["elected_on"],
            starts_on=d["starts_on"],
            ends_on=d["ends_on"],
            votes_cast=d["votes_cast"] or 0,
            note=d["note"],
        ),
    )


@staff_required
@require_http_methods(["GET", "POST"])
def member_add(request, compound_id: int):
    user = request.user
    compound = _managed(user, compound_id)
    form = MemberForm(
        _data(request),
        terms=CommitteeTerm.objects.filter(compound=compound),
        residents=_residents(user, compound),
    )
    return _form_page(
        request,
        compound,
        form,
        _("登记业主委员会成员"),
        lambda d: services.committee_member_add(
            actor=user, term=d["term"], post=d["post"], resident=d["resident"], name=d["name"]
        ),
    )


@staff_required
@require_http_methods(["GET", "POST"])
def contract_add(request, compound_id: int):
    user = request.user
    compound = _managed(user, compound_id)
    form = ContractForm(
        _data(request), companies=PartnerUnit.objects.filter(kind=PartnerKind.ENTERPRISE)
    )
    return _form_page(
        request,
        compound,
        form,
        _("登记物业服务合同"),
        lambda d: services.property_contract_create(actor=user, compound=compound, **d),
    )


def _end_page(request, obj, what: str, end):
    """提前终止, asked first: the form (day and reason), then a page that says what will
    change, then the change. A refusal goes back to the form with what was typed kept."""
    user = request.user
    compound = obj.compound
    if not rules.may_manage(user, compound):
        raise Http404
    form = EndForm(_data(request))
    confirming = False
    if request.method == "POST" and form.is_valid():
        on, reason = form.cleaned_data["on"], form.cleaned_data["reason"]
        try:
            if request.POST.get("confirm") == "1":
                end(on, reason)
                messages.success(request, _("已提前终止。"))
                return redirect("compounds:detail", compound.pk)
            services.end_check(obj, on, reason)
            confirming = True
        except ValidationError as exc:
            apply_errors(form, exc)
    status = 400 if request.method == "POST" and not confirming else 200
    return render(
        request,
        "compounds/end.html",
        {
            "form": form,
            "compound": compound,
            "obj": obj,
            "what": what,
            "confirming": confirming,
            "nav": "compounds",
        },
        status=status,
    )


@staff_required
@require_http_methods(["GET", "POST"])
def contract_end(request, contract_id: int):
    user = request.user
    contract = get_visible_or_404(
        user,
        PropertyContract.objects.select_related("compound", "compound__community", "company"),
        pk=contract_id,
    )
    what = _("%(company)s的物业服务合同") % {"company": contract.company.name}
    return _end_page(
        request,
        contract,
        what,
        lambda on, reason: services.property_contract_end(
            actor=user, contract=contract, on=on, reason=reason
        ),
    )


@staff_required
@require_http_methods(["GET", "POST"])
def term_end(request, term_id: int):
    user = request.user
    term = get_visible_or_404(
        user, CommitteeTerm.objects.select_related("compound", "compound__community"), pk=term_id
    )
    what = _("业主委员会%(name)s") % {"name": term.name}
    return _end_page(
        request,
        term,
        what,
        lambda on, reason: services.committee_term_end(actor=user, term=term, on=on, reason=reason),
    )


@staff_required
@require_http_methods(["GET", "POST"])
def staff_add(request, compound_id: int):
    user = request.user
    compound = _managed(user, compound_id)
    form = StaffForm(
        _data(request),
        contracts=PropertyContract.objects.filter(compound=compound).select_related("company"),
        residents=visible(user, Resident.objects.filter(community=compound.community_id))[
            :RESIDENTS_LIMIT
        ],
    )
    return _form_page(
        request,
        compound,
        form,
        _("登记物业服务人员"),
        lambda d: services.property_staff_add(
            actor=user,
            contract=d["contract"],
            role=d["role"],
            resident=d["resident"],
            name=d["name"],
        ),
    )


@staff_required
@require_http_methods(["GET", "POST"])
def group_add(request, compound_id: int):
    user = request.user
    compound = _managed(user, compound_id)
    form = GroupForm(_data(request), initial={"name": _("自治管理小组")})
    return _form_page(
        request,
        compound,
        form,
        _("成立小区自治管理小组"),
        lambda d: services.self_management_create(
            actor=user, compound=compound, name=d["name"], started_on=d["started_on"]
        ),
    )


@staff_required
@require_http_methods(["GET", "POST"])
def steward_add(request, compound_id: int):
    user = request.user
    compound = _managed(user, compound_id)
    form = StewardForm(_data(request), residents=_residents(user, compound))

    def save(d):
        group = SelfManagement.objects.filter(compound=compound).first()
        if group is None:
            raise ValidationError(_("请先成立小区自治管理小组。"))
        login = None
        if d["username"]:
            login = get_user_model().objects.filter(username=d["username"], is_active=True).first()
            if login is None or not (
                login.resident_id and login.resident.community_id == compound.community_id
            ):
                raise ValidationError({"username": [_("没有找到本社区居民的这个账号。")]})
        services.steward_add(
            actor=user,
            group=group,
            resident=d["resident"],
            name=d["name"],
            duty=d["duty"],
            user=login,
        )

    return _form_page(request, compound, form, _("登记小区自治管家"), save)


@staff_required
@require_http_methods(["GET", "POST"])
def meeting_add(request, compound_id: int):
    user = request.user
    compound = _managed(user, compound_id)
    form = MeetingForm(_data(request))
    return _form_page(
        request,
        compound,
        form,
        _("记录小区议事会议"),
        lambda d: services.meeting_record(
            actor=user,
            compound=compound,
            body=d["body"],
            held_on=d["held_on"],
            title=d["title"],
            minutes=d["minutes"],
            decisions=d["decisions"].splitlines(),
        ),
    )


@staff_required
@require_http_methods(["GET", "POST"])
def notice_add(request, compound_id: int):
    user = request.user
    compound = _managed(user, compound_id)
    form = NoticeForm(
        _data(request),
        buildings=Building.objects.filter(compound=compound).order_by("sort_key", "number"),
    )
    return _form_page(
        request,
        compound,
        form,
        _("发布小区公告"),
        lambda d: services.notice_post(
            actor=user,
            compound=compound,
            body=d["body"],
            title=d["title"],
            text=d["text"],
            buildings=list(d["buildings"]),
        ),
    )


@staff_required
@require_http_methods(["GET", "POST"])
def poll_add(request, compound_id: int):
    user = request.user
    compound = _managed(user, compound_id)
    form = PollForm(
        _data(request),
        initial={"year": _today().year},
        questionnaires=Questionnaire.objects.filter(community=compound.community_id),
    )
    return _form_page(
        request,
        compound,
        form,
        _("发起物业服务满意度调查"),
        lambda d: services.poll_create(actor=user, compound=compound, **d),
    )


@staff_required
@require_http_methods(["GET", "POST"])
def route(request, item_id: int):
    """Asks first (which unit, what happens), then dispatches."""
    user = request.user
    item = get_visible_or_404(
        user, Item.objects.select_related("compound", "category", "community"), pk=item_id
    )
    error = ""
    unit = None
    try:
        unit = services.route_check(item=item)
    except ValidationError as exc:
        error = " ".join(exc.messages)
    if request.method == "POST" and request.POST.get("confirm") == "1" and unit is not None:
        try:
            services.item_route_to_compound(actor=user, item=item)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(
                request,
                _("已转%(unit)s办理。") % {"unit": unit.short_name or unit.name},
            )
            if item.compound_id:
                return redirect("compounds:detail", item.compound_id)
            return redirect("compounds:list")
    return render(
        request,
        "compounds/route_confirm.html",
        {"item": item, "unit": unit, "error": error, "nav": "compounds"},
        status=400 if error and request.method == "POST" else 200,
    )


# --- grid stations ------------------------------------------------------------------


@staff_required
@require_GET
def station_list(request):
    user = request.user
    stations = list(selectors.station_list(user)[:LIST_LIMIT])
    duty = selectors.on_duty(stations, _today())
    return render(
        request,
        "compounds/stations.html",
        {
            "rows": [{"station": s, "shifts": duty.get(s.pk, [])} for s in stations],
            "nav": "compounds",
        },
    )


@staff_required
@require_http_methods(["GET", "POST"])
def roster(request, station_id: int):
    user = request.user
    station = get_visible_or_404(user, selectors.station_list(user), pk=station_id)
    may_keep = rules.may_keep_roster(user, station)
    if request.method == "POST" and not may_keep:
        raise Http404
    form = ShiftForm(
        _data(request),
        initial={"on": _today()},
        residents=visible(user, Resident.objects.filter(community=station.community_id)).order_by(
            "name", "pk"
        )[:RESIDENTS_LIMIT],
        teams=Team.objects.filter(community=station.community_id).order_by("name"),
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.duty_shift_add(actor=user, station=station, **d)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("已安排值班。"))
                return redirect("compounds:roster", station.pk)
        status = 400
    today = _today()
    shifts = list(
        DutyShift.objects.filter(
            station=station, on__gte=today, on__lt=today + dt.timedelta(days=ROSTER_DAYS)
        ).select_related("team")
    )
    return render(
        request,
        "compounds/roster.html",
        {
            "station": station,
            "shifts": shifts,
            "form": form if may_keep else None,
            "nav": "compounds",
        },
        status=status,
    )


@staff_required
@require_http_methods(["GET", "POST"])
def shift_remove(request, shift_id: int):
    user = request.user
    shift = get_visible_or_404(
        user, DutyShift.objects.select_related("station", "station__grid"), pk=shift_id
    )
    if not rules.may_keep_roster(user, shift.station):
        raise Http404
    if request.method == "POST" and request.POST.get("confirm") == "1":
        station_id = shift.station_id
        services.duty_shift_remove(actor=user, shift=shift)
        messages.success(request, _("已取消值班。"))
        return redirect("compounds:roster", station_id)
    return render(request, "compounds/shift_confirm.html", {"shift": shift, "nav": "compounds"})


@login_required
@require_GET
def on_duty(request):
    """今天谁值班: a resident's own grid station (and the notices posted to their building);
    staff see the stations in reach."""
    user = request.user
    if getattr(user, "resident_id", None) and not rules.uses_compounds(user):
        stations = list(selectors.resident_stations(user))
        notices = list(selectors.resident_notices(user))
    else:
        stations = list(selectors.station_list(user)[:LIST_LIMIT])
        notices = []
    duty = selectors.on_duty(stations, _today())
    return render(
        request,
        "compounds/on_duty.html",
        {
            "rows": [{"station": s, "shifts": duty.get(s.pk, [])} for s in stations],
            "notices": notices,
            "today": _today(),
        },
    )
