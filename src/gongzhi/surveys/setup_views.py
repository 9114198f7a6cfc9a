"""The survey set-up pages of the community's staff: questionnaires and their questions,
a campaign over grids or buildings, who visits which building, a base survey (楼栋摸排) and
one building's record. Everything the API offers for setting up a survey can be done here
on a phone, by those who may (``rules.may_manage``: ``edit_registry`` over the community;
a building's record: ``edit_registry`` over the building, so grid chiefs and workers too).

A refusal keeps what was typed and says why, in the service's words; pages and objects
out of reach answer 404, as everywhere.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from gongzhi.accounts.decorators import staff_required
from gongzhi.accounts.models import User
from gongzhi.core.forms import apply_errors
from gongzhi.core.scoping import get_visible_or_404, scope_for, visible
from gongzhi.orgs.models import Post
from gongzhi.places.models import Building, Community, Grid

from . import rules, selectors, services
from .enums import VisitorKind
from .forms import (
    AssignmentForm,
    BaseSurveyForm,
    BuildingRecordForm,
    CampaignForm,
    QuestionForm,
    QuestionnaireForm,
)
from .models import Assignment, BuildingSurvey, CampaignHousehold, Questionnaire

CHOICES_LIMIT = 300


def managed_communities(user) -> list[Community]:
    """The communities whose surveys the user sets up: those where they hold
    ``edit_registry`` over the whole community (a grid post reaches only its grid)."""
    scope = scope_for(user, "edit_registry")
    qs = Community.objects.order_by("name")
    if not scope.everything:
        qs = qs.filter(pk__in=sorted(scope.held.get("community", ())))
    return list(qs[:50])


def _require_managed(user) -> list[Community]:
    communities = managed_communities(user)
    if not communities:
        raise Http404
    return communities


def _pick(communities: list[Community], pk) -> Community | None:
    return next((c for c in communities if c.pk == pk), None)


# --- questionnaires ---------------------------------------------------------------------


@staff_required
@require_http_methods(["GET", "POST"])
def questionnaires(request):
    """问卷: the questionnaires of the communities the user manages, and a new one."""
    communities = _require_managed(request.user)
    form = QuestionnaireForm(request.POST or None, communities=communities)
    if request.method == "POST" and form.is_valid():
        try:
            q = services.questionnaire_create(
                actor=request.user,
                community=_pick(communities, form.cleaned_data["community"]),
                title=form.cleaned_data["title"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("问卷已建好，请逐题添加。"))
            return redirect("surveys:questionnaire", q.pk)
    rows = (
        Questionnaire.objects.filter(community__in=communities)
        .select_related("community")
        .order_by("-created_at", "-pk")[:100]
    )
    return render(
        request,
        "surveys/questionnaires.html",
        {"form": form, "questionnaires": list(rows)},
        status=422 if form.errors else 200,
    )


@staff_required
@require_http_methods(["GET", "POST"])
def questionnaire(request, pk: int):
    """One questionnaire: its latest version's questions in order, and a question added at
    the end (a version that has answers is kept as it is: the service starts a new one)."""
    q = get_visible_or_404(request.user, Questionnaire.objects.select_related("community"), pk=pk)
    if not rules.may_manage(request.user, q.community):
        raise Http404
    form = QuestionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            added = services.question_add(
                actor=request.user, questionnaire=q, **form.service_arguments()
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request,
                _("已添加第%(n)d题（第%(v)d版）。")
                % {"n": added.position, "v": added.version.number},
            )
            return redirect("surveys:questionnaire", q.pk)
    version = q.versions.order_by("-number").first()
    return render(
        request,
        "surveys/questionnaire.html",
        {
            "questionnaire": q,
            "version": version,
            "questions": list(version.questions.order_by("position")) if version else [],
            "form": form,
        },
        status=422 if form.errors else 200,
    )


# --- campaigns --------------------------------------------------------------------------


@staff_required
@require_http_methods(["GET", "POST"])
def campaign_new(request):
    """A campaign over whole grids or chosen buildings of one community; the households
    are taken from the register as it stands."""
    user = request.user
    communities = _require_managed(user)
    ids = [c.pk for c in communities]
    grids = Grid.objects.filter(community_id__in=ids).select_related("community")
    buildings = (
        Building.objects.filter(community_id__in=ids)
        .select_related("compound")
        .order_by("community_id", "compound__name", "number")[:CHOICES_LIMIT]
    )
    form = CampaignForm(
        request.POST or None,
        initial={"starts_on": timezone.localdate()},
        communities=communities,
        questionnaires=Questionnaire.objects.filter(community_id__in=ids).order_by("-pk")[:100],
        grids=grids.order_by("community_id", "sort_key", "code"),
        buildings=buildings,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        community = _pick(communities, data["community"])
        try:
            campaign = services.campaign_create(
                actor=user,
                community=community,
                name=data["name"],
                area_name=data["area_name"],
                questionnaire=Questionnaire.objects.get(pk=data["questionnaire"]),
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                grids=grids.filter(pk__in=data["grids"]),
                buildings=data["buildings"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("调查已开始，请给走访人分楼栋。"))
            return redirect("surveys:campaign", campaign.pk)
    return render(
        request, "surveys/campaign_new.html", {"form": form}, status=422 if form.errors else 200
    )


def _visitors(campaign) -> list[User]:
    """Who may be given a building: the post holders of the community (grid workers
    above all) and its residents with a login who are party members or in a team."""
    cid = campaign.community_id
    # A post names exactly one node: one at any level inside the community counts.
    posts = Post.objects.active().filter(
        Q(community_id=cid)
        | Q(grid__community_id=cid)
        | Q(compound__community_id=cid)
        | Q(building__community_id=cid)
        | Q(entrance__building__community_id=cid)
    )
    return list(
        User.objects.filter(is_active=True)
        .filter(
            Q(pk__in=posts.values("user_id"))
            | Q(resident__community_id=cid, resident__party_membership__isnull=False)
            | Q(resident__community_id=cid, resident__team_memberships__isnull=False)
        )
        .distinct()
        .order_by("display_name", "username")[:CHOICES_LIMIT]
    )


def assignment_form(campaign, data=None) -> AssignmentForm:
    buildings = (
        Building.objects.filter(
            pk__in=CampaignHousehold.objects.filter(campaign=campaign).values("building_id")
        )
        .select_related("compound")
        .order_by("compound__name", "number")[:CHOICES_LIMIT]
    )
    return AssignmentForm(
        data,
        auto_id="assign_%s",
        initial={"visitor_kind": VisitorKind.GRID_WORKER},
        buildings=buildings,
        visitors=_visitors(campaign),
    )


@staff_required
@require_POST
def assign(request, pk: int):
    """Give a building of the campaign to a visitor (from the campaign page)."""
    campaign = selectors.campaign_get_visible(request.user, pk)
    if not rules.may_manage(request.user, campaign.community):
        raise Http404
    form = assignment_form(campaign, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.assignment_add(
                actor=request.user,
                campaign=campaign,
                building=Building.objects.get(pk=data["building"]),
                visitor=User.objects.get(pk=data["visitor"]),
                visitor_kind=data["visitor_kind"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已分配。"))
            return redirect("surveys:campaign", campaign.pk)
    messages.error(request, " ".join(str(m) for ms in form.errors.values() for m in ms))
    return redirect("surveys:campaign", campaign.pk)


def assignments_of(campaign) -> list[Assignment]:
    return list(
        Assignment.objects.filter(campaign=campaign)
        .select_related("building__compound", "visitor")
        .order_by("building__compound__name", "building__number", "pk")[:CHOICES_LIMIT]
    )


# --- base surveys -----------------------------------------------------------------------


@staff_required
@require_http_methods(["GET", "POST"])
def base_survey_new(request):
    communities = _require_managed(request.user)
    form = BaseSurveyForm(
        request.POST or None,
        initial={"starts_on": timezone.localdate()},
        communities=communities,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            survey = services.base_survey_create(
                actor=request.user,
                community=_pick(communities, data["community"]),
                name=data["name"],
                starts_on=data["starts_on"],
                target_on=data["target_on"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("楼栋摸排已建立，可以逐栋录入了。"))
            return redirect("surveys:base_survey", survey.pk)
    return render(
        request, "surveys/base_survey_new.html", {"form": form}, status=422 if form.errors else 200
    )


def unsurveyed_buildings(user, survey) -> list[Building]:
    """Buildings of the survey's community the user may record and nobody has yet."""
    done = BuildingSurvey.objects.filter(base_survey=survey).values("building_id")
    return list(
        visible(user, Building.objects.filter(community_id=survey.community_id), "edit_registry")
        .exclude(pk__in=done)
        .select_related("compound")
        .order_by("compound__name", "number")[:CHOICES_LIMIT]
    )


@staff_required
@require_http_methods(["GET", "POST"])
def building_record(request, pk: int):
    """One building's 摸排 record: structure, floors, pipelines, railings, illegal
    structures, a photo. Offered for the buildings not yet recorded."""
    survey = selectors.base_surveys_visible_to(request.user).filter(pk=pk).first()
    if survey is None:
        raise Http404
    buildings = unsurveyed_buildings(request.user, survey)
    if not buildings and request.method == "GET":
        messages.info(request, _("您负责的楼栋都已摸排。"))
        return redirect("surveys:base_survey", survey.pk)
    form = BuildingRecordForm(
        request.POST or None,
        request.FILES or None,
        initial={"surveyed_on": timezone.localdate(), "building": request.GET.get("building")},
        buildings=buildings,
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        upload = data.pop("photo")
        building = next(b for b in buildings if b.pk == data.pop("building"))
        try:
            if upload is not None and upload.size > services.PHOTO_MAX_BYTES:
                raise ValidationError({"photo": _("照片不能超过2MB，请压缩后再上传。")})
            services.building_survey_record(
                actor=request.user,
                base_survey=survey,
                building=building,
                photo=upload.read() if upload is not None else None,
                **data,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("%(b)s 已摸排。") % {"b": building})
            return redirect("surveys:building_record", survey.pk)
    return render(
        request,
        "surveys/building_record.html",
        {"survey": survey, "form": form},
        status=422 if form.errors else 200,
    )
