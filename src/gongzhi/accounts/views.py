from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from .forms import LoginForm, TokenForm
from .selectors import token_of_or_404, tokens_of
from .services import api_token_issue, api_token_revoke, login_check
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
