"""Reads of activities, sign-ups, check-ins and volunteer groups, through the one scoping
mechanism: an activity is seen by everyone whose reach lies in its community
(``rules.communities``), a draft only by those who manage it. Figures — people signed up,
person-times, service hours — are counted from the rows, in grouped queries.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from gongzhi.core.scoping import scope_for

from . import rules
from .enums import OPEN, SHOWN, ActivityStatus, CheckInRole
from .models import Activity, CheckIn, GroupMembership, Signup, VolunteerGroup

WEEK = dt.timedelta(days=7)


def activity_list(user):
    """Activities in the user's reach: published and later ones in their communities, and
    drafts in the communities they manage."""
    scope = scope_for(user, "view")
    qs = Activity.objects.select_related("community", "team", "group", "partner", "venue")
    if scope.everything:
        return qs
    managed = set(scope_for(user, "manage_orgs").held.get("community", ()))
    return qs.filter(
        Q(
            community_id__in=sorted(rules.communities(user)),
            status__in=[*SHOWN, ActivityStatus.CANCELLED],
        )
        | Q(community_id__in=sorted(managed))
    )


def with_counts(qs):
    """People signed up (not cancelled) and person-times checked in, as correlated counts:
    no join multiplies the rows, and a page of activities counts only its own."""
    signed = (
        Signup.objects.filter(activity=OuterRef("pk"), cancelled_at__isnull=True)
        .order_by()
        .values("activity")
        .annotate(n=Count("*"))
        .values("n")
    )
    came = (
        CheckIn.objects.filter(activity=OuterRef("pk"))
        .order_by()
        .values("activity")
        .annotate(n=Count("*"))
        .values("n")
    )
    return qs.annotate(
        signed=Coalesce(Subquery(signed, output_field=IntegerField()), 0),
        came=Coalesce(Subquery(came, output_field=IntegerField()), 0),
    )


def activity_or_404(user, pk: int) -> Activity:
    activity = activity_list(user).filter(pk=pk).first()
    if activity is None:
        raise Http404
    return activity


def near_me(user, *, now: dt.datetime | None = None):
    """This week in the resident's own community, soonest first: what they may still sign
    up for or is running now, with the places taken and whether they are in."""
    now = now or timezone.now()
    resident_id = getattr(user, "resident_id", None)
    if not resident_id:
        return Activity.objects.none()
    from gongzhi.places.models import Resident

    community_id = Resident.objects.filter(pk=resident_id).values("community_id")[:1]
    return (
        with_counts(
            Activity.objects.filter(
                community_id=community_id,
                status__in=OPEN,
                ends_at__gt=now,
                starts_at__lt=now + WEEK,
            ).select_related("venue", "team", "group", "partner")
        )
        .annotate(
            mine=Exists(
                Signup.objects.filter(
                    activity=OuterRef("pk"), resident_id=resident_id, cancelled_at__isnull=True
                )
            )
        )
        .order_by("starts_at", "pk")
    )


def signup_of(user, activity: Activity) -> Signup | None:
    resident_id = getattr(user, "resident_id", None)
    if not resident_id:
        return None
    return Signup.objects.filter(
        activity=activity, resident_id=resident_id, cancelled_at__isnull=True
    ).first()


def my_activities(user):
    """The resident's sign-ups (not cancelled) and check-ins, newest first."""
    resident_id = getattr(user, "resident_id", None)
    if not resident_id:
        return []
    return list(
        Activity.objects.filter(
            Q(signups__resident_id=resident_id, signups__cancelled_at__isnull=True)
            | Q(check_ins__resident_id=resident_id)
        )
        .distinct()
        .select_related("venue", "team", "group", "partner")
        .annotate(
            checked=Count("check_ins", filter=Q(check_ins__resident_id=resident_id), distinct=True)
        )
        .order_by("-starts_at", "-pk")[:100]
    )


def roster(activity: Activity) -> list[dict]:
    """Who signed up and who came (walk-ins too), by name, for the check-in page. Nothing
    but the name and the building is shown."""
    signups = list(
        Signup.objects.filter(activity=activity, cancelled_at__isnull=True)
        .select_related("resident", "resident__building")
        .order_by("resident__name", "pk")
    )
    checks = {
        c.resident_id: c
        for c in CheckIn.objects.filter(activity=activity).select_related(
            "resident", "resident__building"
        )
    }
    rows = [{"resident": s.resident, "check_in": checks.pop(s.resident_id, None)} for s in signups]
    rows += [{"resident": c.resident, "check_in": c} for c in checks.values()]
    return rows


def figures(activity: Activity) -> dict:
    """Person-times and service hours of one activity, counted from its check-ins."""
    rows = (
        CheckIn.objects.filter(activity=activity)
        .values("role")
        .annotate(n=Count("id"), hours=Sum("hours"))
    )
    out = {"attendee": 0, "volunteer": 0, "served": 0, "hours": Decimal(0)}
    for r in rows.order_by():
        out[r["role"]] = r["n"]
        if r["role"] == CheckInRole.VOLUNTEER:
            out["hours"] = r["hours"] or Decimal(0)
    out["total"] = out["attendee"] + out["volunteer"] + out["served"]
    return out


def group_list(user):
    scope = scope_for(user, "view")
    qs = VolunteerGroup.objects.select_related("community").annotate(n=Count("memberships"))
    if scope.everything:
        return qs
    return qs.filter(community_id__in=sorted(rules.communities(user)))


def group_or_404(user, pk: int) -> VolunteerGroup:
    group = group_list(user).filter(pk=pk).first()
    if group is None:
        raise Http404
    return group


def member_hours(group: VolunteerGroup, year: int) -> list[dict]:
    """Each member of ``group`` with their hours of volunteer service in ``year``, counted
    from check-ins as a volunteer (at any activity), most hours first."""
    tz = timezone.get_current_timezone()
    since = dt.datetime(year, 1, 1, tzinfo=tz)
    until = dt.datetime(year + 1, 1, 1, tzinfo=tz)
    members = list(
        GroupMembership.objects.filter(group=group)
        .select_related("resident")
        .order_by("resident__name")
    )
    ids = [m.resident_id for m in members]
    hours = {
        r["resident_id"]: (r["hours"], r["n"])
        for r in CheckIn.objects.filter(
            resident_id__in=ids, role=CheckInRole.VOLUNTEER, at__gte=since, at__lt=until
        )
        .values("resident_id")
        .annotate(hours=Sum("hours"), n=Count("id"))
        .order_by()
    }
    rows = [
        {
            "resident": m.resident,
            "joined_on": m.joined_on,
            "hours": hours.get(m.resident_id, (Decimal(0), 0))[0],
            "times": hours.get(m.resident_id, (Decimal(0), 0))[1],
        }
        for m in members
    ]
    rows.sort(key=lambda r: (-r["hours"], r["resident"].name))
    return rows
