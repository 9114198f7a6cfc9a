"""The register's everyday changes on screens: a person joins a household (迁入, a tenant
or 流动人口), their details change, they move out, come back or die; a visit is recorded.

Every page reads through ``core.scoping`` (404 outside the reach) and asks for the
capability before showing a form (403 to whoever sees the person but may not change
them); every write is a ``places.services`` call, whose refusals come back on the form with
everything that was typed. Moving out and death are confirmed on a page of their own that
names the person and says what will happen.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from gongzhi.core.scoping import get_visible_or_404, require
from gongzhi.places import services
from gongzhi.places.enums import RESIDENT_TRANSITIONS, Relation, Residence, ResidentStatus
from gongzhi.places.models import Household

from .forms import ContactForm, ResidentForm, StatusChangeForm, apply_errors
from .status import STATUS_ACTIONS
from .views import _get_resident, staff_required

HOUSEHOLD_RELATED = ("community", "grid", "compound", "building", "entrance")


def _household(user, pk: int) -> Household:
    return get_visible_or_404(user, Household.objects.select_related(*HOUSEHOLD_RELATED), pk=pk)


# --- add a person to a household ----------------------------------------------------------


@staff_required
@require_http_methods(["GET", "POST"])
def resident_new(request, pk: int):
    """添加家庭成员 (迁入), or 登记租户/流动人口 with ``?kind=tenant``: the same form, set up
    for a tenant who lives here with a household registration elsewhere."""
    user = request.user
    household = _household(user, pk)
    require(user, "edit_registry", household)
    tenant = (request.POST if request.method == "POST" else request.GET).get("kind") == "tenant"
    if request.method == "POST":
        form = ResidentForm(request.POST)
        if form.is_valid():
            try:
                resident = services.resident_create(
                    actor=user, household=household, **form.service_fields()
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("已登记%(name)s，住%(address)s。")
                    % {"name": resident.name, "address": household.address_label},
                )
                return redirect("wb-resident", pk=resident.pk)
        status = 400
    else:
        initial = {"moved_in_on": timezone.localdate(), "residence": Residence.BOTH}
        if tenant:
            initial.update(relation=Relation.TENANT, residence=Residence.LIVES_ONLY)
        form = ResidentForm(initial=initial)
        status = 200
    return render(
        request,
        "workbench/resident_form.html",
        {"form": form, "household": household, "resident": None, "tenant": tenant},
        status=status,
    )


# --- change a person's details ------------------------------------------------------------


@staff_required
@require_http_methods(["GET", "POST"])
def resident_edit(request, pk: int):
    user = request.user
    resident = _get_resident(user, pk)
    require(user, "edit_registry", resident)
    if request.method == "POST":
        form = ResidentForm(request.POST, resident=resident)
        if form.is_valid():
            try:
                services.resident_update(actor=user, resident=resident, **form.service_fields())
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("已保存%(name)s的信息。") % {"name": resident.name})
                return redirect("wb-resident", pk=resident.pk)
        status = 400
    else:
        form = ResidentForm(
            resident=resident,
            initial={
                "name": resident.name,
                "gender": resident.gender,
                "birth_date": resident.birth_date,
                "relation": resident.relation,
                "residence": resident.residence,
                "registered_address": resident.registered_address,
                "note": resident.note,
                "care_tags": list(resident.care_tags.all()),
            },
        )
        status = 200
    return render(
        request,
        "workbench/resident_form.html",
        {"form": form, "household": resident.household, "resident": resident},
        status=status,
    )


# --- move out, death, move back -----------------------------------------------------------


def _status_view(key: str):
    action = STATUS_ACTIONS[key]

    @staff_required
    @require_http_methods(["GET", "POST"])
    def view(request, pk: int):
        user = request.user
        resident = _get_resident(user, pk)
        require(user, "edit_registry", resident)
        if action.target not in RESIDENT_TRANSITIONS[ResidentStatus(resident.status)]:
            messages.error(
                request,
                _("%(name)s的状态是“%(status)s”，不能%(action)s。")
                % {
                    "name": resident.name,
                    "status": resident.get_status_display(),
                    "action": action.title,
                },
            )
            return redirect("wb-resident", pk=resident.pk)

        def page(form, status=200, template="workbench/status_form.html"):
            return render(
                request,
                template,
                {
                    "form": form,
                    "resident": resident,
                    "household": resident.household,
                    "action": action,
                    "key": key,
                },
                status=status,
            )

        kwargs = {
            "day_label": action.day_label,
            "reason_label": action.reason_label,
            "reason_help": action.reason_help,
        }
        if request.method == "GET":
            return page(StatusChangeForm(initial={"effective_on": timezone.localdate()}, **kwargs))
        form = StatusChangeForm(request.POST, **kwargs)
        if not form.is_valid():
            return page(form, 400)
        if "edit" in request.POST:  # 返回修改: the form again, as it was typed
            return page(form)
        day, reason = form.cleaned_data["effective_on"], form.cleaned_data["reason"]
        try:
            if action.confirm and "confirm" not in request.POST:
                services.check_status_change(
                    resident, status=action.target, effective_on=day, reason=reason
                )
                return page(form, template="workbench/status_confirm.html")
            services.resident_set_status(
                actor=user, resident=resident, status=action.target, effective_on=day, reason=reason
            )
        except ValidationError as exc:
            apply_errors(form, exc)
            return page(form, 400)
        messages.success(request, action.done % {"name": resident.name})
        return redirect("wb-resident", pk=resident.pk)

    view.__name__ = f"resident_{key}"
    return view


resident_move_out = _status_view("move_out")
resident_death = _status_view("death")
resident_move_back = _status_view("move_back")


# --- record a visit -----------------------------------------------------------------------


def _next_url(request, fallback: str) -> str:
    """Where to go after the form: the page that sent us (a care list with its filters),
    when it is one of ours."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


@staff_required
@require_http_methods(["GET", "POST"])
def contact_new(request, pk: int):
    """记录走访: a visit, a call or a talk with the resident, and what was found."""
    user = request.user
    resident = _get_resident(user, pk)
    require(user, "submit_on_behalf", resident)
    back = _next_url(request, "")
    if resident.status != ResidentStatus.LIVING:
        messages.error(
            request,
            _("%(name)s的状态是“%(status)s”，不能再记录走访。")
            % {"name": resident.name, "status": resident.get_status_display()},
        )
        return redirect("wb-resident", pk=resident.pk)
    if request.method == "POST":
        form = ContactForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.contact_log_create(
                    actor=user,
                    resident=resident,
                    visited_on=data["visited_on"],
                    method=data["method"],
                    note=data["note"],
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("已记录对%(name)s的走访。") % {"name": resident.name})
                return redirect(back) if back else redirect("wb-resident", pk=resident.pk)
        status = 400
    else:
        form = ContactForm(initial={"visited_on": timezone.localdate()})
        status = 200
    return render(
        request,
        "workbench/contact_form.html",
        {"form": form, "resident": resident, "household": resident.household, "next": back},
        status=status,
    )
