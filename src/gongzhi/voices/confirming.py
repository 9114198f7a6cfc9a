"""Steps that cannot be taken back ask first: 办结, 上报, 派单, 核实, 签收, 退回 and the
resident's 撤回. The form on the item page posts to the action as before; without
``confirm=yes`` the action answers with a page of its own that says what will happen, the
filled-in values carried along in hidden fields, and two buttons: 确认 (the same POST with
``confirm=yes``) and 返回 (the item page again, with what was typed still in the form).
A plain form post, so it works without JavaScript under the CSP. The API is unchanged: an
API client confirms by calling.

The question is asked only of a step that would succeed: the service is tried first and
everything it wrote is rolled back, so a refusal (a missing reason, an action the status
no longer allows) shows on the item page at once, in the service's own words, instead of
after a question. Text messages leave only when a transaction commits (``voices.notify``),
so a rolled-back try sends none.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.db import transaction
from django.shortcuts import render

# The answers a confirmation page posts back in ``confirm``.
YES = "yes"
BACK = "back"
# Never carried into the confirmation page's hidden fields: the page writes its own.
NOT_CARRIED = frozenset({"csrfmiddlewaretoken", "confirm"})


@dataclass(frozen=True)
class Question:
    # The page's heading, e.g. "确认上报".
    title: str
    # What will happen, and the question: "将把诉求 WJ2026-000123 上报到社区，…确认上报吗？"
    text: str


class _RolledBack(Exception):
    pass


def confirmed(request) -> bool:
    return request.POST.get("confirm") == YES


def going_back(request) -> bool:
    return request.POST.get("confirm") == BACK


def try_out(call: Callable[[], object]) -> None:
    """Run ``call`` and undo every row it wrote. Its refusal (``ValidationError``,
    ``PermissionDenied``, ``Http404``) comes out as it would for real."""
    try:
        with transaction.atomic():
            call()
            raise _RolledBack
    except _RolledBack:
        pass


def carried(request) -> list[tuple[str, str]]:
    """Every value the form posted, in order, for the confirmation page's hidden fields."""
    return [
        (name, value)
        for name, values in request.POST.lists()
        if name not in NOT_CARRIED
        for value in values
    ]


def typed(form: forms.Form | None) -> list[tuple[str, str]]:
    """What the person wrote in the form's text boxes, shown back beside the question."""
    if form is None or not form.is_bound:
        return []
    shown = []
    for name, field in form.fields.items():
        if not isinstance(field.widget, forms.Textarea):
            continue
        value = (form.data.get(form.add_prefix(name)) or "").strip()
        if value:
            shown.append((str(field.label), value))
    return shown


def ask(
    request,
    question: Question,
    *,
    layout: str,
    form: forms.Form | None = None,
    nav: str = "",
):
    """The confirmation page: the question, what was typed, 确认 and 返回."""
    return render(
        request,
        "voices/confirm.html",
        {
            "question": question,
            "layout": layout,
            "carried": carried(request),
            "typed": typed(form),
            "action_url": request.path,
            "yes": YES,
            "back": BACK,
            "nav": nav,
        },
    )
