"""Reads of mediation cases, through the one scoping mechanism.

``case_list(user)``: the cases whose community or grid lies in the user's reach
(``core.scoping``), and those they mediate. The confidential record is read only through
``statements_or_404``, which answers 404 to anyone ``rules.may_read`` refuses — the same
answer as for a case that does not exist.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass

from django.db.models import Prefetch, Q
from django.http import Http404

from gongzhi.core.scoping import scope_for

from . import rules
from .enums import AGREEMENTS, FollowUpStatus
from .models import Case, FollowUp, Party, Session


def case_list(user):
    scope = scope_for(user, "view")
    qs = Case.objects.select_related("community", "grid", "team")
    if scope.everything:
        return qs
    q = Q(pk__in=[])
    if not scope.empty:
        q |= scope.q_for(Case)
    if getattr(user, "resident_id", None):
        q |= Q(
            pk__in=Case.mediators.through.objects.filter(resident_id=user.resident_id).values(
                "case_id"
            )
        )
    return qs.filter(q)


def case_or_404(user, pk: int) -> Case:
    case = case_list(user).filter(pk=pk).first()
    if case is None:
        raise Http404
    return case


def statements_or_404(user, pk: int) -> Case:
    """The case with its confidential record loaded: parties, sessions (with who came),
    follow-ups, mediators. 404 for anyone who may not read it."""
    case = case_or_404(user, pk)
    if not rules.may_read(user, case):
        raise Http404
    return (
        Case.objects.select_related("community", "grid", "team", "item")
        .prefetch_related(
            Prefetch("parties", queryset=Party.objects.select_related("resident")),
            Prefetch("sessions", queryset=Session.objects.prefetch_related("attendees")),
            "follow_ups",
            "mediators",
        )
        .get(pk=case.pk)
    )


def follow_up_or_404(user, pk: int) -> FollowUp:
    follow_up = (
        FollowUp.objects.select_related("case").filter(pk=pk, case__in=case_list(user)).first()
    )
    if follow_up is None or not rules.may_read(user, follow_up.case):
        raise Http404
    return follow_up


def due_follow_ups(user, cases):
    return FollowUp.objects.filter(case__in=cases, status=FollowUpStatus.DUE).order_by(
        "due_on", "pk"
    )


@dataclass
class Figures:
    opened: int
    mediated: int
    agreements: int
    success_rate: float | None
    median_days: float | None


def figures(cases) -> Figures:
    """Counted from the cases: opened; mediated (an outcome was recorded); agreements (an
    agreement, full or partial, was reached at least once); the share of mediated cases that
    reached one; the median days from opening to the first agreement. Two queries."""
    rows = list(cases.values_list("concluded_at", "agreed_at", "opened_at").order_by())
    mediated = sum(1 for concluded, _agreed, _opened in rows if concluded is not None)
    days = [
        (agreed - opened).total_seconds() / 86400
        for _concluded, agreed, opened in rows
        if agreed is not None
    ]
    return Figures(
        opened=len(rows),
        mediated=mediated,
        agreements=len(days),
        success_rate=round(100 * len(days) / mediated, 1) if mediated else None,
        median_days=round(statistics.median(days), 1) if days else None,
    )


def is_agreement(case: Case) -> bool:
    return case.status in AGREEMENTS
