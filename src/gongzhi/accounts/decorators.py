"""View decorators on who the user is."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404

from .rules import is_staff_user


def staff_required(view):
    """Workbench pages exist only for people with a post; for anyone else they are as
    absent as a record outside their reach."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not is_staff_user(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper
