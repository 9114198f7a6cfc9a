"""Mediation pages for mediators, the secretary and staff (the staff layout; they work on a
390 px phone).

- ``/mediation/``: the cases in reach with the counted figures, and the way to open one.
- ``/mediation/<id>/``: what everyone in reach sees (that it exists, its outcome); for the
  case's mediators and the secretary also the parties, their statements, the sessions,
  the agreement (.docx), the signed copy and the follow-up visits, with their forms.
Recording an outcome and a broken agreement ask first: a second page says what will happen.
"""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.core.forms import apply_errors
from gongzhi.core.scoping import scope_for
from gongzhi.places.models import Community, Resident
from gongzhi.voices import selectors as voice_selectors

from . import rules, selectors, services
from .documents import agreement_docx
from .enums import AGREEMENTS, SESSION_STATUSES, CaseStatus
from .forms import CaseForm, ConcludeForm, FollowUpForm, PartyForm, SessionForm, SignedCopyForm

LIST_LIMIT = 200
RESIDENTS_LIMIT = 500
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def mediation_required(view):
    """Post holders and the members of a mediation team; for anyone else the pages are as
    absent as a record outside their reach."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not rules.uses_mediation(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def _openable_communities(user) -> list[Community]:
    candidates = scope_for(user, "handle_items").filter(Community.objects.all()) | (
        Community.objects.filter(pk__in=sorted(rules.mediator_communities(user)))
    )
    return [c for c in candidates.distinct().order_by("code") if rules.may_open(user, c)]


@mediation_required
@require_GET
def case_list(request):
    user = request.user
    cases = selectors.case_list(user)
    return render(
        request,
        "mediation/list.html",
        {
            "figures": selectors.figures(cases),
            "cases": list(cases.order_by("-opened_at", "-pk")[:LIST_LIMIT]),
            "may_open": bool(_openable_communities(user)),
            "nav": "mediation",
        },
    )


def _members(community):
    team = services.mediation_team(community)
    if team is None:
        return []
    return list(
        Resident.objects.filter(team_memberships__team=team).order_by("name", "pk").distinct()
    )


def _open(request, *, communities, item=None):
    user = request.user
    community = item.community if item is not None else communities[0]
    chosen = request.POST.get("community") if request.method == "POST" else None
    for c in communities:
        if str(c.pk) == chosen:
            community = c
    initial = {}
    if item is not None:
        initial = {
            "title": item.category.name if item.category_id else item.title,
            "summary": item.text,
            "arose_on": timezone.localtime(item.submitted_at).date(),
        }
    members = _members(community)
    kwargs = {"members": members, "communities": communities if item is None else ()}
    if request.method == "GET":
        form = CaseForm(initial=initial, **kwargs)
        status = 200
    else:
        form = CaseForm(request.POST, **kwargs)
        if form.is_valid():
            data = form.cleaned_data
            try:
                case = services.case_open(
                    actor=user,
                    community=community,
                    title=data["title"],
                    summary=data["summary"],
                    arose_on=data["arose_on"],
                    mediators=form.chosen_mediators(),
                    item=item,
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("已受理调解，编号%(n)s。") % {"n": case.number})
                return redirect("mediation:detail", case_id=case.pk)
        status = 400
    return render(
        request,
        "mediation/new.html",
        {"form": form, "item": item, "community": community, "nav": "mediation"},
        status=status,
    )


@mediation_required
@require_http_methods(["GET", "POST"])
def case_new(request):
    communities = _openable_communities(request.user)
    if not communities:
        raise Http404
    return _open(request, communities=communities)


@mediation_required
@require_http_methods(["GET", "POST"])
def from_item(request, item_id: int):
    user = request.user
    item = voice_selectors.get_item_visible_or_404(user, pk=item_id)
    if not rules.may_open_from_item(user, item):
        raise Http404
    existing = selectors.case_list(user).filter(item=item).first()
    if existing is not None:
        return redirect("mediation:detail", case_id=existing.pk)
    return _open(request, communities=[item.community], item=item)


def _residents(case):
    qs = Resident.objects.filter(community_id=case.community_id)
    if case.grid_id:
        qs = qs.filter(grid_id=case.grid_id)
    return list(qs.order_by("name", "pk")[:RESIDENTS_LIMIT])


def _detail(request, case_id: int, *, status: int = 200, **forms):
    user = request.user
    case = selectors.case_or_404(user, case_id)
    context = {"case": case, "outcome": services.outcome_words(case), "nav": "mediation"}
    if rules.may_read(user, case):
        case = selectors.statements_or_404(user, case_id)
        parties = list(case.parties.all())
        live = case.status in SESSION_STATUSES
        context.update(
            case=case,
            reader=True,
            parties=parties,
            sessions=list(case.sessions.all()),
            follow_ups=list(case.follow_ups.all()),
            mediators=list(case.mediators.all()),
            events=list(case.events.select_related("actor")),
            live=live,
            agreed=case.status in AGREEMENTS,
            party_form=forms.get("party") or PartyForm(residents=_residents(case) if live else ()),
            session_form=forms.get("session")
            or SessionForm(parties=parties, initial={"day": timezone.localdate()}),
            conclude_form=forms.get("conclude") or ConcludeForm(),
            signed_form=forms.get("signed") or SignedCopyForm(),
            follow_up_form=forms.get("follow_up") or FollowUpForm(),
            may_conclude=case.status == CaseStatus.IN_MEDIATION,
        )
    return render(request, "mediation/detail.html", context, status=status)


@mediation_required
@require_GET
def case_detail(request, case_id: int):
    return _detail(request, case_id)


def _readable(request, case_id: int):
    case = selectors.case_or_404(request.user, case_id)
    if not rules.may_read(request.user, case):
        raise Http404
    return case


@mediation_required
@require_POST
def party_add(request, case_id: int):
    case = _readable(request, case_id)
    form = PartyForm(request.POST, residents=_residents(case))
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.party_add(
                actor=request.user,
                case=case,
                side=data["side"],
                resident=form.residents.get(data["resident"] or ""),
                name=data["name"],
                phone=data["phone"],
                statement=data["statement"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已登记当事人。"))
            return redirect("mediation:detail", case_id=case.pk)
    return _detail(request, case_id, status=400, party=form)


@mediation_required
@require_POST
def session_add(request, case_id: int):
    case = _readable(request, case_id)
    form = SessionForm(request.POST, parties=list(case.parties.all()))
    if form.is_valid():
        try:
            services.session_record(
                actor=request.user,
                case=case,
                held_at=form.held_at(),
                place=form.cleaned_data["place"],
                notes=form.cleaned_data["notes"],
                attendees=form.chosen(),
            )
        except ValidationError as exc:
            apply_errors(form, _on_form(exc))
        else:
            messages.success(request, _("已记录这次调解。"))
            return redirect("mediation:detail", case_id=case.pk)
    return _detail(request, case_id, status=400, session=form)


def _on_form(exc: ValidationError) -> ValidationError:
    if not hasattr(exc, "error_dict"):
        return exc
    return ValidationError({{"held_at": "day"}.get(k, k): v for k, v in exc.message_dict.items()})


@mediation_required
@require_POST
def conclude(request, case_id: int):
    """The first POST shows what will happen; ``confirm`` records it."""
    case = _readable(request, case_id)
    form = ConcludeForm(request.POST)
    if form.is_valid() and request.POST.get("confirm") == "1":
        data = form.cleaned_data
        try:
            services.case_conclude(
                actor=request.user,
                case=case,
                outcome=data["outcome"],
                agreement=data["agreement"],
                referred_to=data["referred_to"],
                note=data["note"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
            return _detail(request, case_id, status=400, conclude=form)
        messages.success(request, _("已记录调解结果。"))
        return redirect("mediation:detail", case_id=case.pk)
    if not form.is_valid():
        return _detail(request, case_id, status=400, conclude=form)
    return render(
        request,
        "mediation/confirm.html",
        {"case": case, "form": form, "action": "conclude", "nav": "mediation"},
    )


@mediation_required
@require_POST
def signed_copy(request, case_id: int):
    case = _readable(request, case_id)
    form = SignedCopyForm(request.POST, request.FILES)
    form.is_valid()
    try:
        services.signed_copy_upload(actor=request.user, case=case, photo=request.FILES.get("photo"))
    except ValidationError as exc:
        apply_errors(form, exc)
        return _detail(request, case_id, status=400, signed=form)
    messages.success(request, _("已保存签字的协议书照片。"))
    return redirect("mediation:detail", case_id=case.pk)


@mediation_required
@require_GET
def signed_copy_photo(request, case_id: int):
    case = _readable(request, case_id)
    if not case.signed_copy:
        raise Http404
    response = FileResponse(case.signed_copy.open("rb"), content_type=case.signed_copy_type)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@mediation_required
@require_GET
def agreement(request, case_id: int):
    case = _readable(request, case_id)
    if case.status not in AGREEMENTS:
        raise Http404
    response = HttpResponse(agreement_docx(case), content_type=DOCX)
    response["Content-Disposition"] = f'attachment; filename="mediation-{case.number}.docx"'
    response["Cache-Control"] = "private, no-store"
    return response


@mediation_required
@require_POST
def follow_up(request, follow_up_id: int):
    user = request.user
    visit = selectors.follow_up_or_404(user, follow_up_id)
    form = FollowUpForm(request.POST)
    if not form.is_valid():
        return _detail(request, visit.case_id, status=400, follow_up=form)
    kept = form.cleaned_data["kept"] == "yes"
    if not kept and request.POST.get("confirm") != "1":
        return render(
            request,
            "mediation/confirm.html",
            {
                "case": visit.case,
                "visit": visit,
                "form": form,
                "action": "broken",
                "nav": "mediation",
            },
        )
    try:
        services.follow_up_record(
            actor=user, follow_up=visit, kept=kept, note=form.cleaned_data["note"]
        )
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as exc:
        # Each due visit has its own small form: the refusal is said at the top.
        messages.error(request, " ".join(exc.messages))
        return redirect("mediation:detail", case_id=visit.case_id)
    messages.success(
        request, _("已记录回访。") if kept else _("已记录：协议未履行，案件重新调解。")
    )
    return redirect("mediation:detail", case_id=visit.case_id)
