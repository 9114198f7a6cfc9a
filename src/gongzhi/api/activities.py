"""Activities over the API, through the same rules, selectors and services as the pages:
an activity is seen by everyone whose reach lies in its community (drafts by those who
manage it); a resident signs themselves up; staff and the organisers' volunteers check
people in by QR token or by resident id."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.http import Http404
from ninja import Field, Schema, Status

from gongzhi.activities import rules, selectors, services
from gongzhi.activities.enums import CheckInRole
from gongzhi.activities.models import Activity, CheckIn, Signup
from gongzhi.core.choices import choice_label
from gongzhi.places.models import Resident

from .api import ERRORS, api
from .inputs import Id, filter_, limited

TAGS = ["activities"]


class ActivityOut(Schema):
    id: int
    title: str
    kind: str
    kind_label: str
    outreach_format: str
    service_area: str
    community: str = Field(..., description="社区编码")
    organiser: str
    where: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    capacity: int
    signed_up: int = Field(..., description="有效报名人数（按报名记录统计）")
    checked_in: int = Field(..., description="签到人次（按签到记录统计）")
    status: str
    status_label: str


class ActivitySignupOut(Schema):
    activity_id: int
    title: str
    starts_at: dt.datetime
    signed_up_at: dt.datetime


class ActivityCheckInOut(Schema):
    id: int
    activity_id: int
    resident_name: str
    role: str
    method: str
    hours: Decimal
    at: dt.datetime


def _activity_out(a: Activity) -> dict:
    return {
        "id": a.pk,
        "title": a.title,
        "kind": a.kind,
        "kind_label": choice_label(a, "kind"),
        "outreach_format": a.outreach_format,
        "service_area": a.service_area,
        "community": a.community.code,
        "organiser": str(a.organiser),
        "where": a.where,
        "starts_at": a.starts_at,
        "ends_at": a.ends_at,
        "capacity": a.capacity,
        "signed_up": a.signed,
        "checked_in": a.came,
        "status": a.status,
        "status_label": choice_label(a, "status"),
    }


def _signup_out(s: Signup) -> dict:
    return {
        "activity_id": s.activity_id,
        "title": s.activity.title,
        "starts_at": s.activity.starts_at,
        "signed_up_at": s.created_at,
    }


@api.get("/activities", response={200: list[ActivityOut], **ERRORS}, tags=TAGS)
def activity_list(
    request,
    status: str = filter_(12, description="状态：draft/published/running/finished/cancelled"),
):
    """Activities in the caller's reach, newest first (at most 200)."""
    qs = selectors.with_counts(selectors.activity_list(request.auth))
    if status:
        qs = qs.filter(status=status)
    return [_activity_out(a) for a in qs.order_by("-starts_at", "-pk")[:200]]


@api.get("/activities/near", response={200: list[ActivityOut], **ERRORS}, tags=TAGS)
def activity_near(request):
    """This week in the resident's own community, soonest first (empty for a login that is
    not a resident)."""
    return [_activity_out(a) for a in selectors.near_me(request.auth)[:50]]


@api.get("/activities/my-signups", response={200: list[ActivitySignupOut], **ERRORS}, tags=TAGS)
def activity_my_signups(request):
    """The caller's own sign-ups that are not cancelled, newest first."""
    resident_id = getattr(request.auth, "resident_id", None)
    rows = (
        Signup.objects.filter(resident_id=resident_id, cancelled_at__isnull=True)
        .select_related("activity")
        .order_by("-activity__starts_at")[:100]
        if resident_id
        else []
    )
    return [_signup_out(s) for s in rows]


def _one(user, activity_id: int) -> Activity:
    selectors.activity_or_404(user, activity_id)
    return selectors.with_counts(selectors.activity_list(user)).get(pk=activity_id)


@api.get("/activities/{activity_id}", response={200: ActivityOut, **ERRORS}, tags=TAGS)
def activity_detail(request, activity_id: Id):
    return _activity_out(_one(request.auth, activity_id))


@api.post(
    "/activities/{activity_id}/signup", response={201: ActivitySignupOut, **ERRORS}, tags=TAGS
)
def activity_sign_up(request, activity_id: Id):
    """Sign oneself up. Full, not open for sign-up, or signed up already → 422 in Chinese."""
    activity = selectors.activity_or_404(request.auth, activity_id)
    signup = services.signup_create(actor=request.auth, activity=activity)
    return Status(201, _signup_out(signup))


@api.post(
    "/activities/{activity_id}/signup/cancel",
    response={200: ActivitySignupOut, **ERRORS},
    tags=TAGS,
)
def activity_sign_up_cancel(request, activity_id: Id):
    activity = selectors.activity_or_404(request.auth, activity_id)
    return _signup_out(services.signup_cancel(actor=request.auth, activity=activity))


class ActivityCheckInIn(Schema):
    token: str = limited(200, description="居民签到码的内容（扫码所得）")
    resident_id: Id | None = Field(None, description="按姓名签到时：居民 id（不扫码时）")
    role: CheckInRole = CheckInRole.ATTENDEE
    hours: Decimal | None = Field(None, ge=0, le=24, description="志愿者服务时长；不填按活动时长")


@api.post(
    "/activities/{activity_id}/check-ins",
    response={201: ActivityCheckInOut, **ERRORS},
    tags=TAGS,
)
def activity_check_in(request, activity_id: Id, payload: ActivityCheckInIn):
    """Check a resident in (staff, or a volunteer of the organising group or team). Twice,
    outside the activity's time, or for an activity not published → 422 in Chinese."""
    user = request.auth
    activity = selectors.activity_or_404(user, activity_id)
    if not rules.may_check_in(user, activity):
        raise Http404
    resident = None
    if payload.resident_id is not None and not payload.token:
        resident = Resident.objects.filter(
            pk=payload.resident_id, community_id=activity.community_id
        ).first()
        if resident is None:
            raise Http404
    row: CheckIn = services.check_in(
        actor=user,
        activity=activity,
        token=payload.token,
        resident=resident,
        role=payload.role,
        hours=payload.hours,
    )
    return Status(
        201,
        {
            "id": row.pk,
            "activity_id": row.activity_id,
            "resident_name": row.resident.name,
            "role": row.role,
            "method": row.method,
            "hours": row.hours,
            "at": row.at,
        },
    )
