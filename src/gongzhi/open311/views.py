"""Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2) in JSON and XML.

Reads are public, as the specification makes them; posting needs an ``api_key``. Errors
are the specification's arrays, ``[{"code": 400, "description": "..."}]``, with the same
HTTP status. Posting is exempt from CSRF: a client proves itself with its key, not with a
browser session.

What is public is what staff published: a posted request is filed at once and answered
with its ``service_request_id`` and ``token``, but until staff approve its public text
``GET requests/{id}`` answers 404, exactly as for an id that does not exist, and the lists
leave it out; ``GET tokens/{token}`` still gives the id. A private request (私下反映) is
never published. The discovery document and the POST's ``service_notice`` say so.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal, InvalidOperation
from functools import wraps

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt

from gongzhi.accounts.throttling import throttle
from gongzhi.core.dates import MAX_YEAR, MIN_YEAR, parse_moment
from gongzhi.places.models import Community

from . import selectors, serializers, services
from .serializers import errors, respond

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-01-01T00:00:00+08:00"
MAX_SPAN = dt.timedelta(days=90)
PUBLICATION_NOTICE = gettext_lazy(
    "居民反映的内容经社区工作人员审核、隐去个人信息后才公开。公开之前，按编号查询"
    "（requests/{id}）答复404，与编号不存在相同，列表中也没有；凭token仍可查到编号。"
    "居民要求不公开（私下反映）的诉求永不公开。"
)


class Open311Error(Exception):
    def __init__(self, status: int, *descriptions: str):
        super().__init__(descriptions)
        self.status = status
        self.descriptions = descriptions


def _endpoint(methods: tuple[str, ...] = ("GET",)):
    """Answer the methods given, and turn refusals into the specification's error arrays."""

    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, fmt: str, **kwargs):
            if request.method not in methods:
                response = errors(fmt, 405, _("不支持的请求方法。"))
                response["Allow"] = ", ".join(methods)
                return response
            try:
                return view(request, *args, fmt=fmt, **kwargs)
            except Open311Error as exc:
                return errors(fmt, exc.status, *exc.descriptions)

        return wrapper

    return decorate


def _community(request) -> Community | None:
    """``jurisdiction_id`` is optional here (one deployment, one subdistrict); given, it
    must be a community's code and narrows the requests to that community."""
    code = request.GET.get("jurisdiction_id") or request.POST.get("jurisdiction_id")
    if not code:
        return None
    community = Community.objects.filter(code=code).first()
    if community is None:
        raise Open311Error(404, _("jurisdiction_id 不存在。"))
    return community


@_endpoint()
def discovery(request, fmt: str):
    root = request.build_absolute_uri(reverse("open311:discovery", kwargs={"fmt": fmt}))
    return respond(
        fmt,
        "discovery",
        {
            "changeset": CHANGESET,
            "contact": _("望江街社区党群服务中心"),
            "key_service": _("请向社区工作人员申请接口密钥。"),
            # Not a field of the specification; clients ignore what they do not know.
            "publication": str(PUBLICATION_NOTICE),
            "endpoints": [
                {
                    "specification": SPECIFICATION,
                    "url": root.rsplit("/", 1)[0],
                    "changeset": CHANGESET,
                    "type": "production",
                    "formats": ["application/json", "text/xml"],
                }
            ],
        },
    )


@_endpoint()
def services_list(request, fmt: str):
    _community(request)
    return respond(fmt, "services", [serializers.service_out(c) for c in selectors.services()])


@_endpoint()
def service_definition(request, service_code: str, fmt: str):
    category = selectors.service_get(service_code)
    if category is None:
        raise Open311Error(404, _("service_code %(code)s 不存在。") % {"code": service_code})
    return respond(fmt, "service_definition", serializers.definition_out(category))


def _moment(value: str, name: str, *, end: bool = False) -> dt.datetime | None:
    if not value:
        return None
    try:
        # A "+08:00" offset arrives as " 08:00" when a client forgets to encode the plus.
        return parse_moment(value.replace(" ", "+"), end_of_day=end)
    except ValidationError as exc:
        if exc.error_list[0].code == "out_of_range":
            # Outside 1900–2100 a 90-day window can overflow Python's dates.
            message = _("%(name)s 须在%(min)d年至%(max)d年之间。") % {
                "name": name,
                "min": MIN_YEAR,
                "max": MAX_YEAR,
            }
        else:
            message = _("%(name)s 须为 ISO 8601 时间。") % {"name": name}
        raise Open311Error(400, message) from None


def _csv(value: str) -> list[str]:
    return [v.strip() for v in (value or "").split(",") if v.strip()]


def _list(request, fmt: str):
    params = request.GET
    community = _community(request)
    ids = _csv(params.get("service_request_id", ""))
    statuses = _csv(params.get("status", "").lower())
    if set(statuses) - {"open", "closed"}:
        raise Open311Error(400, _("status 只能为 open 或 closed。"))
    start = _moment(params.get("start_date", ""), "start_date")
    end = _moment(params.get("end_date", ""), "end_date", end=True)
    if start and end and start > end:
        raise Open311Error(400, _("start_date 不能晚于 end_date。"))
    if not ids:
        # The specification's default window: the most recent 90 days, never more.
        if start is None and end is None:
            end = timezone.now()
        if start is None:
            start = end - MAX_SPAN
        elif end is None:
            end = start + MAX_SPAN
        if end - start > MAX_SPAN:
            raise Open311Error(400, _("查询时间范围不能超过90天。"))
    items = selectors.request_list(
        ids=ids,
        codes=_csv(params.get("service_code", "")),
        start=start,
        end=end,
        statuses=statuses,
        community_id=community.pk if community else None,
    )
    return respond(fmt, "service_requests", [serializers.request_out(i) for i in items])


def _decimal(value: str, name: str, bound: int) -> Decimal:
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise Open311Error(400, _("%(name)s 须为数字。") % {"name": name}) from None
    if not number.is_finite() or abs(number) > bound:
        raise Open311Error(400, _("%(name)s 超出范围。") % {"name": name})
    return number.quantize(Decimal("0.000001"))


def _posted_fields(request) -> dict:
    if request.content_type == "application/json":
        try:
            body = json.loads(request.body or b"{}")
        except ValueError:
            raise Open311Error(400, _("请求内容不是有效的 JSON。")) from None
        if not isinstance(body, dict):
            raise Open311Error(400, _("请求内容不是有效的 JSON。"))
        return {k: "" if v is None else str(v) for k, v in body.items()}
    return {k: request.POST.get(k, "") for k in request.POST}


def _create(request, fmt: str):
    fields = _posted_fields(request)
    key = services.api_key_check(fields.get("api_key") or request.GET.get("api_key"))
    if key is None:
        raise Open311Error(403, _("api_key 缺失或无效。"))
    problems = []
    if not fields.get("service_code"):
        problems.append(_("缺少 service_code。"))
    if not (fields.get("description") or "").strip():
        problems.append(_("缺少 description（问题描述）。"))
    lat, long = fields.get("lat", ""), fields.get("long", "")
    address = fields.get("address_string", "") or fields.get("address_id", "")
    if bool(lat) != bool(long):
        problems.append(_("lat 与 long 须同时提供。"))
    if not (lat and long) and not address.strip():
        problems.append(_("须提供位置：lat/long 或 address_string。"))
    if problems:
        raise Open311Error(400, *problems)
    posted = services.Posted(
        service_code=fields["service_code"],
        description=fields["description"],
        lat=_decimal(lat, "lat", 90) if lat else None,
        long=_decimal(long, "long", 180) if long else None,
        address_string=address,
        email=fields.get("email", ""),
        phone=fields.get("phone", ""),
        first_name=fields.get("first_name", ""),
        last_name=fields.get("last_name", ""),
        media_url=fields.get("media_url", ""),
    )
    try:
        posted_request = services.request_submit(
            key=key, posted=posted, idempotency_key=request.headers.get("Idempotency-Key", "")
        )
    except ValidationError as exc:
        messages = (
            [m for ms in exc.message_dict.values() for m in ms]
            if hasattr(exc, "error_dict")
            else exc.messages
        )
        raise Open311Error(400, *messages) from None
    item = posted_request.item
    notice = _(
        "已受理登记，编号%(number)s，将于%(due)s前答复。内容经工作人员审核、隐去个人信息后"
        "才公开，公开前按编号查询答复404。"
    ) % {"number": item.number, "due": serializers.when(item.due_at)}
    if item.private:
        notice += _("内容要求不公开（私下反映），不会公开。")
    return respond(
        fmt,
        "service_requests",
        [
            {
                "service_request_id": item.number,
                "token": posted_request.token,
                "service_notice": notice,
                "account_id": None,
            }
        ],
        status=201,
    )


@csrf_exempt
@_endpoint(methods=("GET", "POST"))
@throttle("open311_post", refuse=lambda request, message, fmt: errors(fmt, 429, message))
def requests(request, fmt: str):
    if request.method == "POST":
        return _create(request, fmt)
    return _list(request, fmt)


@_endpoint()
def request_detail(request, service_request_id: str, fmt: str):
    item = selectors.request_get(service_request_id)
    if item is None:
        raise Open311Error(
            404, _("service_request_id %(id)s 不存在。") % {"id": service_request_id}
        )
    return respond(fmt, "service_requests", [serializers.request_out(item)])


@_endpoint()
def token(request, token: str, fmt: str):
    posted = selectors.token_get(token)
    if posted is None:
        raise Open311Error(404, _("token 不存在。"))
    return respond(
        fmt,
        "service_requests",
        [{"service_request_id": posted.item.number, "token": posted.token}],
    )
