from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from gongzhi.core.scoping import require, scope_for
from gongzhi.orgs.models import PartnerUnit
from gongzhi.orgs.selectors import partner_list_visible_to, unit_logins

from .forms import LoginForm, PartnerUserForm, TokenForm
from .selectors import token_of_or_404, tokens_of
from .services import (
    api_token_issue,
    api_token_revoke,
    login_check,
    partner_user_create,
)
from .services import partner_user_disable as partner_user_disable_service
from .throttling import throttle


def _login_page(request, *, form, error="", next_url="", status=200):
    return render(
        request,
        "accounts/login.html",
        {"form": form, "error": error, "next": next_url},
        status=status,
    )


def _too_many(request, message):
    # What was typed stays in the form (but never the password).
    return _login_page(
        request,
        form=LoginForm(initial={"login": request.POST.get("login", "")}),
        error=message,
        next_url=request.POST.get("next", ""),
    )


@throttle("login", methods=("POST",), refuse=_too_many)
def login_view(request):
    form = LoginForm(request.POST or None)
    error = ""
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if request.method == "POST" and form.is_valid():
        result = login_check(
            request, login=form.cleaned_data["login"], password=form.cleaned_data["password"]
        )
        if result.user is not None:
            login(request, result.user, backend="gongzhi.accounts.backends.PhoneOrUsernameBackend")
            if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
                next_url = ""
            return redirect(next_url or "home")
        error = result.error
    return _login_page(request, form=form, error=error, next_url=next_url)


@require_POST
def logout_view(request):
    logout(request)
    return redirect("accounts:login")


@login_required
@require_http_methods(["GET", "POST"])
def tokens(request):
    """One's own API tokens: make one (its key is shown on this answer only), see them all."""
    form = TokenForm(request.POST or None)
    new_key = ""
    if request.method == "POST" and form.is_valid():
        try:
            new_key = api_token_issue(user=request.user, name=form.cleaned_data["name"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            form = TokenForm()
    return render(
        request,
        "accounts/tokens.html",
        {"form": form, "tokens": list(tokens_of(request.user)), "new_key": new_key},
    )


@login_required
@require_POST
def token_revoke(request, pk: int):
    token = api_token_revoke(actor=request.user, token=token_of_or_404(request.user, pk))
    messages.success(request, _("已吊销令牌“%(name)s”。") % {"name": token.name or _("未命名")})
    return redirect("accounts:tokens")


# --- partner units' logins ----------------------------------------------------------------
# On the partner unit's page (``orgs``); here because the login is ``accounts``' and
# ``orgs`` sits below ``accounts``.


def _partner_unit_or_404(user, unit_id: int) -> PartnerUnit:
    """The unit, if the user manages organisations and sees it: 404 otherwise (as absent
    as a record out of reach), 403 when seen but not theirs to manage."""
    if scope_for(user, "manage_orgs").empty:
        raise Http404
    unit = partner_list_visible_to(user).filter(pk=unit_id).first()
    if unit is None:
        raise Http404
    require(user, "manage_orgs", unit)
    return unit


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def partner_user_new(request, unit_id: int):
    """开通账号: the page shows the initial password once, on the answer to the POST."""
    unit = _partner_unit_or_404(request.user, unit_id)
    form = PartnerUserForm(request.POST if request.method == "POST" else None)
    context = {"unit": unit, "form": form, "nav": "orgs", "sub": "partners"}
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                new = partner_user_create(
                    actor=request.user,
                    unit=unit,
                    username=data["username"],
                    display_name=data["display_name"],
                    phone=data["phone"],
                )
            except ValidationError as exc:
                for name, errors in exc.message_dict.items():
                    form.add_error(name if name in form.fields else None, errors)
            else:
                return render(
                    request,
                    "accounts/partner_user_created.html",
                    {**context, "new_user": new.user, "password": new.password},
                )
        return render(request, "accounts/partner_user_new.html", context, status=400)
    return render(request, "accounts/partner_user_new.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def partner_user_disable(request, unit_id: int, user_id: int):
    """停用, after a page that says what it means."""
    unit = _partner_unit_or_404(request.user, unit_id)
    login_ = unit_logins(unit).filter(pk=user_id).first()
    if login_ is None:
        raise Http404
    if request.method == "POST":
        try:
            partner_user_disable_service(actor=request.user, unit=unit, user=login_)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("已停用账号%(name)s。") % {"name": login_.get_username()})
        return redirect("orgs:partner", unit_id=unit.pk)
    return render(
        request,
        "accounts/partner_user_disable.html",
        {"unit": unit, "login": login_, "nav": "orgs", "sub": "partners"},
    )
