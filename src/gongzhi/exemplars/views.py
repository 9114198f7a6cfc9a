"""Exemplar pages.

Residents (large type): ``/exemplars/`` the stories of their community, a story's page,
commendations by year, and nominating a neighbour or oneself in three steps.
Staff (the workbench menu 微典型, phone-wide): nominations to review, accept or decline,
write a story, record consent and publish, commend. Declining, publishing, taking down and
withdrawing consent ask first: a second page says what will happen.
"""

from __future__ import annotations

import mimetypes

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.accounts.decorators import staff_required
from gongzhi.core.forms import apply_errors
from gongzhi.core.scoping import scope_for, visible
from gongzhi.places.enums import ResidentStatus
from gongzhi.places.models import Community, Resident

from . import rules, selectors, services
from .enums import NominationStatus
from .forms import (
    CommendationForm,
    ConsentForm,
    DecideForm,
    NominateForm,
    NoteForm,
    PhotoForm,
    ReviewForm,
    StaffNominateForm,
    StoryForm,
)
from .models import Nomination

LIST_LIMIT = 200

# --- residents ----------------------------------------------------------------------------


@login_required
@require_GET
def stories(request):
    return render(
        request,
        "exemplars/stories.html",
        {"stories": list(selectors.stories_public(request.user)[:LIST_LIMIT])},
    )


@login_required
@require_GET
def story(request, pk: int):
    return render(
        request,
        "exemplars/story.html",
        {
            "story": selectors.story_public_or_404(request.user, pk),
        },
    )


@login_required
@require_GET
def photo(request, pk: int, photo_id: int):
    row = selectors.photo_or_404(request.user, pk, photo_id)
    f = row.thumbnail if request.GET.get("thumb") and row.thumbnail else row.file
    response = FileResponse(f.open("rb"), content_type=row.content_type)
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
@require_GET
def commendations(request):
    return render(
        request,
        "exemplars/commendations.html",
        {"years": selectors.by_year(selectors.commendations_public(request.user)[:500])},
    )


@login_required
@require_http_methods(["GET", "POST"])
def nominate(request):
    """Step 1: a neighbour or oneself; step 2: for what and why; step 3: sent."""
    if not rules.may_nominate(request.user):
        raise Http404
    who = request.POST.get("who") or request.GET.get("who")
    if who not in ("neighbour", "self"):
        return render(request, "exemplars/nominate_who.html", {"step": 1})
    form = NominateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.nomination_submit(
                actor=request.user,
                category=data["category"],
                reasons=data["reasons"],
                nominee_name=data["nominee_name"],
                nominee_hint=data["nominee_hint"],
                myself=who == "self",
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return render(request, "exemplars/nominate_done.html", {"step": 3})
    return render(
        request,
        "exemplars/nominate_form.html",
        {"form": form, "who": who, "step": 2},
        status=422 if form.errors else 200,
    )


# --- staff --------------------------------------------------------------------------------


def _review_communities(user):
    return list(scope_for(user, rules.REVIEW).filter(Community.objects.all()).order_by("code"))


@staff_required
@require_GET
def queue(request):
    user = request.user
    status = request.GET.get("status", "")
    if status not in NominationStatus.values:
        status = ""
    return render(
        request,
        "exemplars/queue.html",
        {
            "nominations": list(selectors.nominations_for_review(user, status=status)[:LIST_LIMIT]),
            "stories": list(selectors.stories_for_staff(user)[:LIST_LIMIT]),
            "statuses": NominationStatus.choices,
            "status": status,
            "may_add": bool(_review_communities(user)),
            "nav": "exemplars",
        },
    )


@staff_required
@require_http_methods(["GET", "POST"])
def nomination_new(request):
    """社区发现: staff put forward someone the community found."""
    user = request.user
    communities = _review_communities(user)
    if not communities:
        raise Http404
    form = StaffNominateForm(request.POST or None, communities=communities)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        community = next(
            (c for c in communities if str(c.pk) == data.get("community")), communities[0]
        )
        try:
            nomination = services.nomination_submit(
                actor=user,
                category=data["category"],
                reasons=data["reasons"],
                nominee_name=data["nominee_name"],
                nominee_hint=data["nominee_hint"],
                community=community,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已登记。"))
            return redirect("exemplars:nomination", pk=nomination.pk)
    return render(
        request,
        "exemplars/nomination_new.html",
        {"form": form, "nav": "exemplars"},
        status=422 if form.errors else 200,
    )


def _candidates(user, nomination: Nomination) -> list[Resident]:
    """Residents the nomination may mean: the register's living residents of its community
    with the name as written, and the one already linked."""
    qs = visible(user, Resident.objects.all()).filter(
        community_id=nomination.community_id, status=ResidentStatus.LIVING
    )
    found = list(
        qs.filter(name=nomination.nominee_name).select_related("household").order_by("pk")[:20]
    )
    if nomination.nominee_id and all(r.pk != nomination.nominee_id for r in found):
        found += list(qs.filter(pk=nomination.nominee_id).select_related("household"))
    return found


def _nomination_page(
    request, nomination, *, review_form=None, decide_form=None, story_form=None, status=200
):
    user = request.user
    if review_form is None and nomination.status == NominationStatus.NOMINATED:
        review_form = ReviewForm(
            candidates=_candidates(user, nomination),
            initial={"nominee": nomination.nominee_id or ""},
        )
    if decide_form is None and nomination.status == NominationStatus.UNDER_REVIEW:
        decide_form = DecideForm()
    has_story = hasattr(nomination, "story")
    may_write = rules.may_publish(user, nomination)
    if story_form is None and nomination.status == NominationStatus.ACCEPTED and may_write:
        story_form = StoryForm()
    return render(
        request,
        "exemplars/nomination.html",
        {
            "n": nomination,
            "events": list(nomination.events.select_related("actor")),
            "review_form": review_form,
            "decide_form": decide_form,
            "story_form": story_form if not has_story else None,
            "story": nomination.story if has_story else None,
            "may_write": may_write,
            "nav": "exemplars",
        },
        status=status,
    )


@staff_required
@require_GET
def nomination(request, pk: int):
    return _nomination_page(request, selectors.nomination_or_404(request.user, pk))


@staff_required
@require_POST
def nomination_review(request, pk: int):
    user = request.user
    n = selectors.nomination_or_404(user, pk)
    form = ReviewForm(request.POST, candidates=_candidates(user, n))
    if form.is_valid():
        try:
            services.nomination_review(
                actor=user, nomination=n, nominee=form.candidates[form.cleaned_data["nominee"]]
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已确认被推荐人，进入审核。"))
            return redirect("exemplars:nomination", pk=n.pk)
    return _nomination_page(request, n, review_form=form, status=422)


def _confirm(request, *, title, facts, consequence, button, fields, back, danger=True, form=None):
    return render(
        request,
        "exemplars/confirm.html",
        {
            "title": title,
            "facts": facts,
            "consequence": consequence,
            "button": button,
            "fields": fields,
            "back": back,
            "danger": danger,
            "form": form,
            "nav": "exemplars",
        },
        status=422 if form is not None and form.errors else 200,
    )


@staff_required
@require_POST
def nomination_decide(request, pk: int):
    """Accept or decline: the first POST shows what will happen, ``confirm`` does it."""
    user = request.user
    n = selectors.nomination_or_404(user, pk)
    form = DecideForm(request.POST)
    if not form.is_valid():
        return _nomination_page(request, n, decide_form=form, status=422)
    decision, reason = form.cleaned_data["decision"], form.cleaned_data["reason"]
    if request.POST.get("confirm") == "1":
        try:
            if decision == "accept":
                services.nomination_accept(actor=user, nomination=n, reason=reason)
            else:
                services.nomination_decline(actor=user, nomination=n, reason=reason)
        except ValidationError as exc:
            apply_errors(form, exc)
            return _nomination_page(request, n, decide_form=form, status=422)
        messages.success(request, _("已采纳。") if decision == "accept" else _("已不采纳。"))
        return redirect("exemplars:nomination", pk=n.pk)
    accept = decision == "accept"
    return _confirm(
        request,
        title=_("请确认：采纳这条推荐") if accept else _("请确认：不采纳这条推荐"),
        facts=[
            (_("被推荐人"), n.nominee_name),
            (_("类别"), n.get_category_display()),
            (_("说明"), reason),
        ],
        consequence=_("采纳后可以撰写故事；这一步不能撤销，会记入审计日志。")
        if accept
        else _("不采纳后这条推荐就结束了；这一步不能撤销，会记入审计日志。"),
        button=_("确认采纳") if accept else _("确认不采纳"),
        fields={"decision": decision, "reason": reason},
        back=reverse("exemplars:nomination", args=[n.pk]),
        danger=not accept,
    )


@staff_required
@require_POST
def story_new(request, pk: int):
    user = request.user
    n = selectors.nomination_or_404(user, pk)
    if not rules.may_publish(user, n):
        raise Http404
    form = StoryForm(request.POST)
    if form.is_valid():
        try:
            created = services.story_create(actor=user, nomination=n, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("故事草稿已保存。"))
            return redirect("exemplars:story_edit", pk=created.pk)
    return _nomination_page(request, n, story_form=form, status=422)


def _story_page(request, s, *, story_form=None, photo_form=None, consent_form=None, status=200):
    consents = list(s.consents.select_related("recorded_by", "withdrawn_by"))
    live = next((c for c in consents if c.active), None)
    return render(
        request,
        "exemplars/story_edit.html",
        {
            "story": s,
            "story_form": story_form or StoryForm(initial={"title": s.title, "text": s.text}),
            "photo_form": photo_form or PhotoForm(),
            "consent_form": consent_form or (ConsentForm() if live is None else None),
            "consents": consents,
            "live": live,
            "photos": list(s.photos.all()),
            "nav": "exemplars",
        },
        status=status,
    )


def _story_to_write(request, pk: int):
    s = selectors.story_for_staff_or_404(request.user, pk)
    if not rules.may_publish(request.user, s):
        raise Http404
    return s


@staff_required
@require_http_methods(["GET", "POST"])
def story_edit(request, pk: int):
    user = request.user
    s = selectors.story_for_staff_or_404(user, pk)
    if request.method == "GET":
        if not rules.may_publish(user, s):
            raise Http404
        return _story_page(request, s)
    s = _story_to_write(request, pk)
    form = StoryForm(request.POST)
    if form.is_valid():
        try:
            services.story_edit(actor=user, story=s, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("故事已保存。"))
            return redirect("exemplars:story_edit", pk=s.pk)
    return _story_page(request, s, story_form=form, status=422)


@staff_required
@require_POST
def story_photos(request, pk: int):
    s = _story_to_write(request, pk)
    form = PhotoForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.story_add_photos(
                actor=request.user, story=s, photos=request.FILES.getlist("photos")
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("照片已上传。"))
            return redirect("exemplars:story_edit", pk=s.pk)
    return _story_page(request, s, photo_form=form, status=422)


@staff_required
@require_POST
def consent_record(request, pk: int):
    s = _story_to_write(request, pk)
    form = ConsentForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.consent_record(
                actor=request.user,
                story=s,
                method=data["method"],
                given_on=data["given_on"],
                note=data["note"],
                form_photo=data.get("form_photo"),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已记录本人同意。"))
            return redirect("exemplars:story_edit", pk=s.pk)
    return _story_page(request, s, consent_form=form, status=422)


@staff_required
@require_GET
def consent_photo(request, pk: int, consent_id: int):
    """The signed consent form: for those who publish the story, never public."""
    s = _story_to_write(request, pk)
    consent = s.consents.filter(pk=consent_id).exclude(form_photo="").first()
    if consent is None:
        raise Http404
    content_type = mimetypes.guess_type(consent.form_photo.name)[0] or "application/octet-stream"
    return FileResponse(consent.form_photo.open("rb"), content_type=content_type)


def _story_facts(s):
    return [(_("标题"), s.title), (_("居民"), s.resident.name), (_("状态"), s.get_status_display())]


@staff_required
@require_POST
def story_publish(request, pk: int):
    s = _story_to_write(request, pk)
    if request.POST.get("confirm") == "1":
        try:
            services.story_publish(actor=request.user, story=s)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("故事已发布，本社区居民可以看到。"))
        return redirect("exemplars:story_edit", pk=s.pk)
    return _confirm(
        request,
        title=_("请确认：发布这个故事"),
        facts=_story_facts(s),
        consequence=_("发布后本社区居民都能看到标题、正文和照片（推荐理由不会公开）。"),
        button=_("确认发布"),
        fields={},
        back=reverse("exemplars:story_edit", args=[s.pk]),
        danger=False,
    )


def _with_note(request, s, *, action):
    form = NoteForm(request.POST)
    form.is_valid()
    note = form.cleaned_data.get("note", "")
    if request.POST.get("confirm") == "1":
        try:
            if action == "consent":
                services.consent_withdraw(actor=request.user, story=s, note=note)
            else:
                services.story_withdraw(actor=request.user, story=s, reason=note)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                exc = ValidationError({"note": sum(exc.message_dict.values(), [])})
            apply_errors(form, exc)
        else:
            messages.success(
                request,
                _("已记录本人撤回同意，故事已撤下。") if action == "consent" else _("故事已撤下。"),
            )
            return redirect("exemplars:story_edit", pk=s.pk)
    consent = action == "consent"
    return _confirm(
        request,
        title=_("请确认：本人撤回同意") if consent else _("请确认：撤下这个故事"),
        facts=_story_facts(s),
        consequence=_("确认后故事立即不再公开；再次发布须重新记录本人同意。")
        if consent
        else _("确认后故事立即不再公开；这一步会记入审计日志。"),
        button=_("确认撤回同意") if consent else _("确认撤下"),
        fields={},
        back=reverse("exemplars:story_edit", args=[s.pk]),
        form=form,
    )


@staff_required
@require_POST
def consent_withdraw(request, pk: int):
    return _with_note(request, _story_to_write(request, pk), action="consent")


@staff_required
@require_POST
def story_withdraw(request, pk: int):
    return _with_note(request, _story_to_write(request, pk), action="story")


@staff_required
@require_POST
def story_redraft(request, pk: int):
    s = _story_to_write(request, pk)
    try:
        services.story_redraft(actor=request.user, story=s)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("已重新起草；再次发布须重新记录本人同意。"))
    return redirect("exemplars:story_edit", pk=s.pk)


def _commendable(user) -> list[Resident]:
    """Whom staff may commend from this page: the nominees of accepted nominations in the
    communities they publish for."""
    ids = (
        scope_for(user, rules.PUBLISH)
        .filter(Nomination.objects.filter(status=NominationStatus.ACCEPTED))
        .values_list("nominee_id", flat=True)
    )
    return list(Resident.objects.filter(pk__in=ids).order_by("name", "pk"))


@staff_required
@require_http_methods(["GET", "POST"])
def commendations_manage(request):
    user = request.user
    residents = _commendable(user)
    may_add = bool(scope_for(user, rules.PUBLISH).filter(Community.objects.all()).exists())
    form = CommendationForm(request.POST or None, residents=residents)
    if request.method == "POST":
        if not may_add:
            raise Http404
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.commendation_create(
                    actor=user,
                    resident=form.residents.get(data["resident"]),
                    title=data["title"],
                    year=data["year"],
                    citation=data["citation"],
                    consent_method=data["consent_method"],
                )
            except (ValidationError, PermissionDenied) as exc:
                if isinstance(exc, PermissionDenied):
                    raise Http404 from None
                apply_errors(form, exc)
            else:
                messages.success(request, _("已登记表彰。"))
                return redirect("exemplars:commendations_manage")
    return render(
        request,
        "exemplars/commendations_manage.html",
        {
            "form": form if may_add else None,
            "years": selectors.by_year(selectors.commendations_for_staff(user)[:500]),
            "nav": "exemplars",
        },
        status=422 if form.errors else 200,
    )
