from django.contrib.auth import login, logout
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from .forms import LoginForm
from .services import login_check


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
    return render(
        request, "accounts/login.html", {"form": form, "error": error, "next": next_url}, status=200
    )


@require_POST
def logout_view(request):
    logout(request)
    return redirect("accounts:login")
