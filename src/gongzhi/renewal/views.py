"""Renewal pages: the staff project list and project page (phases, rounds, opinions to
answer, affected counts, milestones), the side-by-side version comparison, the printable
A4 stairwell notice with its QR code, and the residents' large-type "my building" page
with "你说 · 我改" and a three-step opinion.

Reads go through ``renewal.selectors`` (scoped), writes through ``renewal.services``; a
project out of reach answers 404 exactly like a missing one.
"""

from __future__ import annotations

import datetime as dt
import mimetypes
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.accounts.rules import is_staff_user
from gongzhi.core.qr import absolute_url, qr_svg
from gongzhi.core.scoping import scope_for
from gongzhi.places.enums import ResidentStatus
from gongzhi.places.models import Building, Entrance, Resident
from gongzhi.voices.models import Item

from . import rules, selectors, services
from .enums import TAKEN, Kind, PhaseStatus, ProjectStatus, RoundStatus
from .forms import (
    AnswerForm,
    DecideForm,
    DocumentForm,
    FundingForm,
    LinkItemForm,
    MilestoneForm,
    OpinionForm,
    PlacesForm,
    ProjectForm,
    PublishForm,
    RoundForm,
    StaffOpinionForm,
    apply_errors,
)
from .models import Document, Milestone, Opinion, Phase, ProjectEntrance

STAFF_LAYOUT = "renewal/base_staff.html"
RESIDENT_LAYOUT = "renewal/base_resident.html"
LIST_LIMIT = 200


def staff_required(view):
    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not is_staff_user(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def _manage_or_403(user, project):
    # The project is visible (it was fetched through the selectors): 403, not 404.
    if not rules.may_manage(user, project):
        raise PermissionDenied


# --- staff ------------------------------------------------------------------------------


@staff_required
@require_GET
def project_list(request):
    kind = request.GET.get("kind", "")
    kind = kind if kind in Kind.values else ""
    status = request.GET.get("status", "")
    status = status if status in ProjectStatus.values else ""
    projects = list(selectors.project_list(request.user, kind=kind, status=status)[:LIST_LIMIT])
    communities = scope_for(request.user, rules.MANAGE)
    return render(
        request,
        "renewal/list.html",
        {
            "projects": projects,
            "kinds": Kind.choices,
            "statuses": ProjectStatus.choices,
            "kind": kind,
            "status": status,
            "can_create": not communities.empty,
        },
    )


def _communities_to_manage(user):
    from gongzhi.core.scoping import visible
    from gongzhi.places.models import Community

    return list(visible(user, Community.objects.all(), rules.MANAGE))


@staff_required
@require_http_methods(["GET", "POST"])
def project_new(request):
    communities = _communities_to_manage(request.user)
    if not communities:
        raise Http404
    form = ProjectForm(request.POST or None)
    chosen = request.POST.get("community") or str(communities[0].pk)
    if request.method == "POST":
        community = next((c for c in communities if str(c.pk) == chosen), None)
        if community is None:
            # A community out of reach answers as a missing one.
            raise Http404
        if form.is_valid():
            try:
                project = services.project_create(
                    actor=request.user, community=community, **form.cleaned_data
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("项目已立项，请选择涉及的楼栋。"))
                return redirect("renewal:places", pk=project.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "renewal/project_form.html",
        {"form": form, "communities": communities, "chosen": chosen},
        status=status,
    )


@staff_required
@require_http_methods(["GET", "POST"])
def project_edit(request, pk: int):
    project = selectors.project_get_visible(request.user, pk)
    _manage_or_403(request.user, project)
    initial = {
        "kind": project.kind,
        "name": project.name,
        "description": project.description,
        "budget": project.budget,
    }
    form = ProjectForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.project_edit(actor=request.user, project=project, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("renewal:project", pk=project.pk)
    return render(
        request,
        "renewal/project_form.html",
        {"form": form, "project": project},
        status=400 if request.method == "POST" else 200,
    )


@staff_required
@require_http_methods(["GET", "POST"])
def places(request, pk: int):
    project = selectors.project_get_visible(request.user, pk)
    _manage_or_403(request.user, project)
    buildings = list(
        Building.objects.filter(community_id=project.community_id).select_related("compound")
    )
    entrances = list(
        Entrance.objects.filter(community_id=project.community_id).select_related("building")
    )
    touches = list(ProjectEntrance.objects.filter(project=project))
    whole = {
        b.pk
        for b in buildings
        if {e.pk for e in entrances if e.building_id == b.pk} <= {t.entrance_id for t in touches}
        and any(t.building_id == b.pk for t in touches)
    }
    initial = {
        "buildings": [str(b) for b in whole],
        "entrances": [str(t.entrance_id) for t in touches if t.building_id not in whole],
    }
    form = PlacesForm(
        request.POST or None, initial=initial, buildings=buildings, entrances=entrances
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.project_set_places(
                actor=request.user,
                project=project,
                buildings=[int(b) for b in form.cleaned_data["buildings"]],
                entrances=[int(e) for e in form.cleaned_data["entrances"]],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已保存涉及的楼栋。"))
            return redirect("renewal:project", pk=project.pk)
    return render(
        request,
        "renewal/places.html",
        {"form": form, "project": project},
        status=400 if request.method == "POST" else 200,
    )


def _project_page(request, project, *, status: int = 200, **forms):
    user = request.user
    can_manage = rules.may_manage(user, project)
    rounds = selectors.rounds_of(project)
    opinions = list(selectors.opinions_of(project))
    pending = [o for o in opinions if o.answer == "pending"]
    last = rounds[-1] if rounds else None
    taken = [o for o in opinions if o.answer in TAKEN]
    residents = []
    if can_manage or scope_for(user, rules.ENTER).held:
        # Only the name and the address go into the picker: nothing encrypted is read
        # (decrypting every affected resident's ID number and phone was half the page).
        residents = list(
            selectors.affected_residents(project)
            .select_related("household")
            .only("pk", "name", "household__address_label")[:LIST_LIMIT]
        )
    done, total, percent = selectors.progress(project)
    context = {
        "project": project,
        "can_manage": can_manage,
        "phases": list(project.phases.order_by("order")),
        "rounds": rounds,
        "last_round": last,
        "can_draft": can_manage
        and project.current_phase_id is not None
        and len(rounds) < 3
        and (last is None or last.status in (RoundStatus.CLOSED, RoundStatus.DECIDED)),
        "pending": pending,
        "opinions": opinions,
        "affected": selectors.affected(project),
        "buildings": list(
            Building.objects.filter(
                pk__in=ProjectEntrance.objects.filter(project=project).values("building_id")
            ).select_related("compound")
        ),
        "milestones": list(project.milestones.all()),
        "progress": {"done": done, "total": total, "percent": percent},
        "funding": list(project.funding.all()),
        "funding_total": sum((f.amount for f in project.funding.all()), start=0),
        "units": list(project.unit_links.select_related("unit")),
        "documents": list(project.documents.all()),
        "events": list(selectors.events_of(project)[:50]),
        "residents": residents,
        "answer_form": forms.get("answer_form") or AnswerForm(),
        "answer_for": forms.get("answer_for"),
        "round_form": forms.get("round_form") or RoundForm(opinions=taken),
        "publish_form": forms.get("publish_form") or PublishForm(),
        "decide_form": forms.get("decide_form") or DecideForm(),
        "milestone_form": forms.get("milestone_form") or MilestoneForm(),
        "funding_form": forms.get("funding_form") or FundingForm(),
        "document_form": forms.get("document_form") or DocumentForm(),
        "opinion_form": forms.get("opinion_form") or StaffOpinionForm(residents=residents),
        "link_form": forms.get("link_form") or LinkItemForm(),
        "phase_error": forms.get("phase_error"),
        "round_error": forms.get("round_error"),
    }
    return render(request, "renewal/project.html", context, status=status)


@staff_required
@require_GET
def project(request, pk: int):
    return _project_page(request, selectors.project_get_visible(request.user, pk))


def _post_action(request, pk, action, *, form=None, form_key=None, ok, error_key=None):
    """Run ``action`` on the project from a POST; on refusal show the project page again
    with the form and its errors kept."""
    project = selectors.project_get_visible(request.user, pk)
    if form is not None and not form.is_valid():
        return _project_page(request, project, status=400, **{form_key: form})
    try:
        action(project)
    except ValidationError as exc:
        if form is not None:
            apply_errors(form, exc)
            return _project_page(request, project, status=400, **{form_key: form})
        return _project_page(request, project, status=400, **{error_key: exc.messages})
    messages.success(request, ok)
    return redirect("renewal:project", pk=pk)


@staff_required
@require_POST
def funding_add(request, pk: int):
    form = FundingForm(request.POST)
    return _post_action(
        request,
        pk,
        lambda p: services.funding_add(actor=request.user, project=p, **form.cleaned_data),
        form=form,
        form_key="funding_form",
        ok=_("已登记资金来源。"),
    )


@staff_required
@require_POST
def milestone_add(request, pk: int):
    form = MilestoneForm(request.POST)
    return _post_action(
        request,
        pk,
        lambda p: services.milestone_add(actor=request.user, project=p, **form.cleaned_data),
        form=form,
        form_key="milestone_form",
        ok=_("已登记节点。"),
    )


@staff_required
@require_POST
def milestone_done(request, pk: int, mid: int):
    def act(project):
        milestone = Milestone.objects.filter(project=project, pk=mid).first()
        if milestone is None:
            raise Http404
        services.milestone_done(actor=request.user, milestone=milestone)

    return _post_action(request, pk, act, ok=_("节点已完成。"), error_key="phase_error")


@staff_required
@require_POST
def document_add(request, pk: int):
    form = DocumentForm(request.POST, request.FILES)
    return _post_action(
        request,
        pk,
        lambda p: services.document_add(
            actor=request.user,
            project=p,
            title=form.cleaned_data["title"],
            upload=form.cleaned_data.get("file"),
        ),
        form=form,
        form_key="document_form",
        ok=_("资料已上传。"),
    )


@login_required
@require_GET
def document(request, pk: int, did: int):
    project = selectors.project_get_visible(request.user, pk)
    doc = Document.objects.filter(project=project, pk=did).first()
    if doc is None:
        raise Http404
    f = doc.thumbnail if request.GET.get("thumb") and doc.thumbnail else doc.file
    content_type = doc.content_type or mimetypes.guess_type(f.name)[0]
    return FileResponse(f.open("rb"), content_type=content_type)


@staff_required
@require_http_methods(["GET", "POST"])
def phase_close(request, pk: int, phase_id: int):
    """Closing a phase cannot be undone: a page asks first, then the POST closes it."""
    project = selectors.project_get_visible(request.user, pk)
    _manage_or_403(request.user, project)
    phase = Phase.objects.filter(project=project, pk=phase_id).first()
    if phase is None:
        raise Http404
    error = None
    if request.method == "POST":
        try:
            services.phase_close(actor=request.user, phase=phase, note=request.POST.get("note", ""))
        except ValidationError as exc:
            error = exc.messages
        else:
            messages.success(
                request, _("“%(phase)s”阶段已完成。") % {"phase": phase.get_kind_display()}
            )
            return redirect("renewal:project", pk=pk)
    from . import inputs

    return render(
        request,
        "renewal/phase_close.html",
        {
            "project": project,
            "phase": phase,
            "error": error,
            "missing": inputs.missing_input(phase) if phase.status == PhaseStatus.OPEN else None,
            "note": request.POST.get("note", ""),
        },
        status=400 if error else 200,
    )


@staff_required
@require_POST
def round_draft(request, pk: int):
    project = selectors.project_get_visible(request.user, pk)
    taken = Opinion.objects.filter(project=project, answer__in=TAKEN)
    form = RoundForm(request.POST, opinions=list(taken))
    return _post_action(
        request,
        pk,
        lambda p: services.round_draft(
            actor=request.user,
            project=p,
            title=form.cleaned_data["title"],
            summary=form.cleaned_data["summary"],
            text=form.cleaned_data["text"],
            changes=form.change_list(),
        ),
        form=form,
        form_key="round_form",
        ok=_("方案版本已保存，发布后会通知涉及的居民。"),
    )


def _round(project, number):
    return selectors.round_get(project, number)


@staff_required
@require_POST
def round_publish(request, pk: int, number: int):
    form = PublishForm(request.POST)

    def act(project):
        closes_on = form.cleaned_data.get("closes_on")
        closes_at = None
        if closes_on:
            closes_at = timezone.make_aware(
                dt.datetime.combine(closes_on, dt.time(18, 0)), timezone.get_current_timezone()
            )
        services.round_publish(
            actor=request.user, round=_round(project, number), closes_at=closes_at
        )

    return _post_action(
        request,
        pk,
        act,
        form=form,
        form_key="publish_form",
        ok=_("方案已下发，已通知涉及的居民。"),
    )


@staff_required
@require_POST
def round_close(request, pk: int, number: int):
    return _post_action(
        request,
        pk,
        lambda p: services.round_close(actor=request.user, round=_round(p, number)),
        ok=_("本轮意见征集已结束。"),
        error_key="round_error",
    )


@staff_required
@require_POST
def round_decide(request, pk: int, number: int):
    form = DecideForm(request.POST)
    return _post_action(
        request,
        pk,
        lambda p: services.round_decide(
            actor=request.user, round=_round(p, number), **form.cleaned_data
        ),
        form=form,
        form_key="decide_form",
        ok=_("已形成决定。"),
    )


@staff_required
@require_POST
def opinion_enter(request, pk: int):
    project = selectors.project_get_visible(request.user, pk)
    residents = list(selectors.affected_residents(project).select_related("household"))
    form = StaffOpinionForm(request.POST, residents=residents)

    def act(p):
        resident = next(r for r in residents if str(r.pk) == form.cleaned_data["resident"])
        services.opinion_submit(
            actor=request.user,
            project=p,
            resident=resident,
            text=form.cleaned_data["text"],
            channel=form.cleaned_data["channel"],
        )

    return _post_action(
        request, pk, act, form=form, form_key="opinion_form", ok=_("已录入居民意见。")
    )


@staff_required
@require_POST
def opinion_link(request, pk: int):
    form = LinkItemForm(request.POST)

    def act(p):
        item = Item.objects.filter(number=form.cleaned_data["number"].strip()).first()
        if item is None:
            raise ValidationError({"number": [_("没有找到这个编号的诉求。")]})
        try:
            services.opinion_from_item(actor=request.user, project=p, item=item)
        except Http404:
            raise ValidationError({"number": [_("没有找到这个编号的诉求。")]}) from None

    return _post_action(
        request, pk, act, form=form, form_key="link_form", ok=_("诉求已关联为本阶段的意见。")
    )


@staff_required
@require_POST
def opinion_answer(request, pk: int, oid: int):
    form = AnswerForm(request.POST)
    project = selectors.project_get_visible(request.user, pk)
    opinion = Opinion.objects.filter(project=project, pk=oid).first()
    if opinion is None:
        raise Http404
    if not form.is_valid():
        return _project_page(request, project, status=400, answer_form=form, answer_for=oid)
    try:
        services.opinion_answer(
            actor=request.user,
            opinion=opinion,
            answer=form.cleaned_data["answer"],
            reason=form.cleaned_data["reason"],
            public_text=form.cleaned_data["public_text"] or None,
        )
    except ValidationError as exc:
        apply_errors(form, exc)
        return _project_page(request, project, status=400, answer_form=form, answer_for=oid)
    messages.success(request, _("已答复。"))
    return redirect(reverse("renewal:project", args=[pk]) + "#opinions")


@login_required
@require_GET
def compare(request, pk: int):
    project = selectors.project_get_visible(request.user, pk)
    try:
        a = int(request.GET.get("a", 1))
        b = int(request.GET.get("b", 2))
    except ValueError:
        raise Http404 from None
    comparison = selectors.compare(project, a, b)
    staff = is_staff_user(request.user)
    return render(
        request,
        "renewal/compare.html",
        {
            "project": project,
            "c": comparison,
            "layout": STAFF_LAYOUT if staff else RESIDENT_LAYOUT,
            "staff": staff,
        },
    )


@staff_required
@require_GET
def notice(request, pk: int, number: int):
    """The printable A4 stairwell notice: the version, where to give an opinion and until
    when, and a QR code holding the address of the residents' project page."""
    project = selectors.project_get_visible(request.user, pk)
    rnd = _round(project, number)
    if rnd.status == RoundStatus.DRAFT:
        raise Http404
    url = absolute_url(request, reverse("renewal:resident_project", args=[project.pk]))
    return render(
        request,
        "renewal/notice.html",
        {
            "project": project,
            "round": rnd,
            "version": rnd.version,
            "url": url,
            "qr": qr_svg(url, scale=5, title=_("扫码查看方案并提意见")),
            "affected": selectors.affected(project),
        },
    )


# --- residents --------------------------------------------------------------------------


def _resident(user) -> Resident | None:
    if not user.resident_id:
        return None
    return (
        Resident.objects.filter(pk=user.resident_id, status=ResidentStatus.LIVING)
        .select_related("household__building", "household__community")
        .first()
    )


@login_required
@require_GET
def my_building(request):
    """我的楼栋: the projects touching the resident's building, each with its phase, its
    latest plan version, the notices sent down, and what changed because of residents."""
    resident = _resident(request.user)
    if resident is None:
        if is_staff_user(request.user):
            return redirect("renewal:list")
        raise Http404
    building = resident.household.building
    cards = []
    for project in selectors.projects_for_building(building.pk):
        rounds = selectors.public_rounds(project)
        cards.append(
            {
                "project": project,
                "rounds": rounds,
                "latest": rounds[0] if rounds else None,
                "changes": selectors.said_and_changed(project),
            }
        )
    return render(
        request,
        "renewal/my_building.html",
        {"building": building, "community": resident.household.community, "cards": cards},
    )


def _resident_project(request, pk):
    project = selectors.project_get_visible(request.user, pk)
    return project


@login_required
@require_GET
def resident_project(request, pk: int):
    """The page the stairwell QR code opens: the plan as it stands, earlier versions, what
    changed because of residents, and the button to give an opinion."""
    project = _resident_project(request, pk)
    rounds = selectors.public_rounds(project)
    resident = _resident(request.user)
    return render(
        request,
        "renewal/resident_project.html",
        {
            "project": project,
            "rounds": rounds,
            "latest": rounds[0] if rounds else None,
            "changes": selectors.said_and_changed(project),
            "mine": list(selectors.my_opinions(resident.pk, project)) if resident else [],
            "can_opine": resident is not None
            and bool(rounds)
            and rounds[0].status == RoundStatus.OPEN,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def opinion_new(request, pk: int):
    """提意见 in at most three steps: write (1), check (2), send (3 is the confirmation)."""
    project = _resident_project(request, pk)
    resident = _resident(request.user)
    if resident is None:
        raise Http404
    rounds = selectors.public_rounds(project)
    latest = rounds[0] if rounds else None
    form = OpinionForm(request.POST or None)
    context = {"project": project, "latest": latest, "form": form}
    if request.method == "GET":
        return render(request, "renewal/opinion_new.html", context)
    action = request.POST.get("action")
    if not form.is_valid() or action == "edit":
        return render(request, "renewal/opinion_new.html", context)
    text = form.cleaned_data["text"]
    if action != "save":
        if not text.strip():
            form.add_error("text", _("请写下您的意见。"))
            return render(request, "renewal/opinion_new.html", context, status=400)
        return render(request, "renewal/opinion_confirm.html", {**context, "text": text})
    try:
        opinion = services.opinion_submit(actor=request.user, project=project, text=text)
    except ValidationError as exc:
        apply_errors(form, exc)
        return render(request, "renewal/opinion_new.html", context, status=400)
    return render(request, "renewal/opinion_done.html", {**context, "opinion": opinion}, status=200)
