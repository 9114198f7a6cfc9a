"""Every write to surveys. Each function is atomic, checks the actor against
``surveys.rules``, locks what it changes, and writes its audit event. Missing and
forbidden both raise ``Http404``; input that refuses raises ``ValidationError`` with a
Chinese message per field.

Records made on a phone carry the ``client_id`` the phone gave them. ``sync_apply`` runs
each record of a batch in its own savepoint: a refused record is reported with its own
Chinese error and the rest of the batch is kept; a record already applied is recognised by
its ``client_id`` and reported as replayed, changing nothing.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import uuid
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from gongzhi.core import audit
from gongzhi.core.scoping import may
from gongzhi.core.uploads import IMAGE_EXTENSIONS, ImageRejected, clean_image, sniff_image
from gongzhi.places.enums import ResidentStatus
from gongzhi.places.models import Building, Household, Resident
from gongzhi.voices import services as voices

from . import rules
from .enums import (
    CampaignStatus,
    Channel,
    Outcome,
    Pipeline,
    QuestionKind,
    ResponseStatus,
    Structure,
    VisitAim,
    VisitorKind,
)
from .models import (
    CLIENT_ID_MAX,
    TEXT_MAX,
    Assignment,
    BaseSurvey,
    BuildingSurvey,
    Campaign,
    CampaignHousehold,
    Question,
    Questionnaire,
    QuestionnaireVersion,
    Response,
    Visit,
    VisitLog,
)

PHOTO_MAX_BYTES = 2 * 1024 * 1024
ADULT_AGE = 18
SYNC_MAX_RECORDS = 500


# --- checks -----------------------------------------------------------------------------


def _text(value, *, field: str, limit: int = TEXT_MAX, required: bool = True) -> str:
    value = (value or "").strip() if isinstance(value, str) else ""
    if required and not value:
        raise ValidationError({field: _("此项必须填写。")})
    if len(value) > limit:
        raise ValidationError(
            {field: _("不能超过%(max)d个字，现在是%(n)d个字。") % {"max": limit, "n": len(value)}}
        )
    return value


def _client_id(value) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValidationError({"client_id": _("记录缺少手机生成的编号。")})
    value = value.strip()
    if len(value) > CLIENT_ID_MAX:
        raise ValidationError({"client_id": _("记录编号过长。")})
    return value


def _when(value, *, field: str) -> dt.datetime:
    if isinstance(value, dt.datetime):
        when = value
    else:
        when = parse_datetime(value) if isinstance(value, str) else None
    if when is None:
        raise ValidationError({field: _("请填写有效的日期和时间。")})
    if timezone.is_naive(when):
        when = timezone.make_aware(when)
    if when > timezone.now() + dt.timedelta(minutes=10):
        raise ValidationError({field: _("时间不能晚于现在。")})
    return when


def check_photo(data: bytes) -> tuple[bytes, str]:
    """A sheet photo's bytes, checked and written anew without EXIF (the photo was taken
    at a resident's door)."""
    if len(data) > PHOTO_MAX_BYTES:
        raise ValidationError({"photo": _("照片不能超过2MB，请压缩后再上传。")})
    if IMAGE_EXTENSIONS.get(sniff_image(data[:16]) or "") is None:
        raise ValidationError({"photo": _("只能上传 JPEG、PNG 或 WebP 格式的照片。")})
    try:
        clean = clean_image(data, thumb_edge=None)
    except ImageRejected:
        raise ValidationError({"photo": _("照片已损坏或无法打开，请换一张。")}) from None
    return clean.content, clean.extension


def photo_from_data_url(value: str) -> bytes:
    """The bytes of a ``data:image/...;base64,`` string as the phone sends it."""
    if not isinstance(value, str):
        raise ValidationError({"photo": _("照片格式不正确。")})
    _head, _sep, payload = value.partition(",")
    # Base64 is 4/3 of the bytes: refuse before decoding what is plainly too big.
    if len(payload) > PHOTO_MAX_BYTES * 4 // 3 + 4:
        raise ValidationError({"photo": _("照片不能超过2MB，请压缩后再上传。")})
    try:
        return base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        raise ValidationError({"photo": _("照片格式不正确。")}) from None


def _age_on(birth: dt.date | None, on: dt.date) -> int | None:
    if birth is None:
        return None
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def visible_questions(questions: Iterable[Question], answers: dict) -> list[Question]:
    """The questions shown for these answers: a show-if question only when the earlier
    question it names was answered with one of its values."""
    shown = []
    for q in questions:
        if q.show_if_key:
            given = answers.get(q.show_if_key)
            given = given if isinstance(given, list) else [given]
            if not any(str(v) in [str(x) for x in q.show_if_values] for v in given):
                continue
        shown.append(q)
    return shown


def clean_answers(questions: list[Question], answers, *, has_photo: bool = False) -> dict:
    """Answers checked against their questions: every shown required question answered,
    every answer of its question's kind. Answers to hidden or unknown questions are
    dropped. Raises one Chinese message per question."""
    if not isinstance(answers, dict):
        raise ValidationError({"answers": _("答案格式不正确。")})
    errors: dict[str, str] = {}
    out: dict = {}
    for q in visible_questions(questions, answers):
        value = answers.get(q.key)
        if q.kind == QuestionKind.PHOTO:
            value = True if has_photo or value is True else None
        empty = value is None or value == "" or value == []
        if empty:
            if q.required:
                errors[q.key] = _("第%(n)d题“%(text)s”必须回答。") % {
                    "n": q.position,
                    "text": q.text,
                }
            continue
        ok = True
        if q.kind == QuestionKind.SINGLE:
            ok = isinstance(value, str) and value in q.choices
        elif q.kind == QuestionKind.MULTIPLE:
            ok = isinstance(value, list) and all(
                isinstance(v, str) and v in q.choices for v in value
            )
            value = [c for c in q.choices if c in value] if ok else value
        elif q.kind == QuestionKind.YES_NO:
            ok = isinstance(value, bool)
        elif q.kind == QuestionKind.NUMBER:
            if isinstance(value, str):
                try:
                    value = float(value) if "." in value else int(value)
                except ValueError:
                    ok = False
            ok = ok and isinstance(value, int | float) and not isinstance(value, bool)
        elif q.kind == QuestionKind.TEXT:
            ok = isinstance(value, str) and len(value.strip()) <= TEXT_MAX
            value = value.strip() if ok else value
        if not ok:
            errors[q.key] = _("第%(n)d题“%(text)s”的答案不正确。") % {
                "n": q.position,
                "text": q.text,
            }
            continue
        out[q.key] = value
    if errors:
        raise ValidationError(errors)
    return out


def supports_from(questions: list[Question], answers: dict) -> bool | None:
    """The side the answer to the support question takes: True for, False against, None
    for none (no answer, or a neutral choice of a question that names its 'against')."""
    for q in questions:
        if q.is_support:
            value = answers.get(q.key)
            if value is None:
                return None
            if q.kind == QuestionKind.YES_NO:
                return value is True
            if str(value) == q.support_value:
                return True
            if not q.against_value or str(value) == q.against_value:
                return False
            return None
    return None


# --- questionnaires ---------------------------------------------------------------------


def _latest(questionnaire: Questionnaire, *, lock: bool = False) -> QuestionnaireVersion:
    qs = QuestionnaireVersion.objects.filter(questionnaire=questionnaire)
    if lock:
        qs = qs.select_for_update()
    return qs.order_by("-number").first()


@transaction.atomic
def questionnaire_create(*, actor, community, title: str) -> Questionnaire:
    """A new questionnaire with an empty first version."""
    if not rules.may_manage(actor, community):
        raise Http404
    title = _text(title, field="title", limit=100)
    questionnaire = Questionnaire.objects.create(community=community, title=title, created_by=actor)
    QuestionnaireVersion.objects.create(questionnaire=questionnaire, number=1)
    audit.record(actor=actor, action="surveys.questionnaire.created", obj=questionnaire)
    return questionnaire


@transaction.atomic
def question_add(
    *,
    actor,
    questionnaire: Questionnaire,
    key: str,
    text: str,
    kind: str,
    required: bool = True,
    choices: list[str] | None = None,
    show_if_key: str = "",
    show_if_values: list[str] | None = None,
    is_support: bool = False,
    support_value: str = "",
    against_value: str = "",
) -> Question:
    """Add a question at the end. When the latest version is frozen (it has answers), its
    questions are copied into a new version first and the question goes there: answers
    already given keep the questions they were given."""
    if not rules.may_manage(actor, questionnaire.community):
        raise Http404
    version = _latest(questionnaire, lock=True)
    errors: dict[str, str] = {}
    key = (key or "").strip()
    if not key or not key.replace("_", "").replace("-", "").isalnum() or len(key) > 40:
        errors["key"] = _("代码只能用字母、数字和下划线，最多40个字符。")
    try:
        text = _text(text, field="text", limit=200)
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
    if kind not in QuestionKind.values:
        errors["kind"] = _("请选择题型。")
    choices = [c.strip() for c in (choices or []) if c and c.strip()]
    if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE) and len(choices) < 2:
        errors["choices"] = _("选择题至少要有两个选项。")
    questions = list(version.questions.all())
    if any(q.key == key for q in questions):
        errors["key"] = _("这个代码已经用过了。")
    if show_if_key and not any(q.key == show_if_key for q in questions):
        errors["show_if_key"] = _("显示条件只能引用前面的题目。")
    if is_support:
        if any(q.is_support for q in questions):
            errors["is_support"] = _("每份问卷只能有一道支持率题目。")
        if kind not in (QuestionKind.SINGLE, QuestionKind.YES_NO):
            errors["is_support"] = _("支持率题目须是单选题或是/否题。")
        elif kind == QuestionKind.SINGLE and support_value not in choices:
            errors["support_value"] = _("请从选项中选择表示支持的答案。")
        elif (
            kind == QuestionKind.SINGLE
            and against_value
            and (against_value not in choices or against_value == support_value)
        ):
            errors["against_value"] = _("表示不支持的答案须是另一个选项，或者不填。")
    if errors:
        raise ValidationError(errors)
    if version.frozen_at is not None:
        old = version
        version = QuestionnaireVersion.objects.create(
            questionnaire=questionnaire, number=old.number + 1
        )
        for q in questions:
            q.pk = None
            q.version = version
        Question.objects.bulk_create(questions)
    question = Question.objects.create(
        version=version,
        position=len(questions) + 1,
        key=key,
        text=text,
        kind=kind,
        required=required,
        choices=choices,
        show_if_key=show_if_key or "",
        show_if_values=list(show_if_values or []),
        is_support=is_support,
        support_value=support_value if kind == QuestionKind.SINGLE else "",
        against_value=against_value if kind == QuestionKind.SINGLE and is_support else "",
    )
    audit.record(
        actor=actor,
        action="surveys.questionnaire.question_added",
        obj=questionnaire,
        changes={"version": version.number, "key": key},
    )
    return question


# --- campaigns --------------------------------------------------------------------------


@transaction.atomic
def campaign_create(
    *,
    actor,
    community,
    name: str,
    area_name: str,
    questionnaire: Questionnaire,
    starts_on: dt.date,
    ends_on: dt.date,
    grids: Iterable = (),
    compounds: Iterable = (),
    buildings: Iterable = (),
) -> Campaign:
    """A campaign over the households of the chosen grids, compounds and buildings of the
    community, taken from the register as it is now."""
    if not rules.may_manage(actor, community):
        raise Http404
    errors: dict[str, str] = {}
    try:
        name = _text(name, field="name", limit=100)
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
    try:
        area_name = _text(area_name, field="area_name", limit=100)
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
    if questionnaire.community_id != community.pk:
        errors["questionnaire"] = _("请选择本社区的问卷。")
    if not starts_on or not ends_on or ends_on < starts_on:
        errors["ends_on"] = _("截止日期不能早于开始日期。")
    building_ids = set(
        Building.objects.filter(community=community, grid__in=list(grids)).values_list(
            "pk", flat=True
        )
    )
    building_ids |= set(
        Building.objects.filter(community=community, compound__in=list(compounds)).values_list(
            "pk", flat=True
        )
    )
    building_ids |= set(
        Building.objects.filter(
            community=community, pk__in=[getattr(b, "pk", b) for b in buildings]
        ).values_list("pk", flat=True)
    )
    if not building_ids and "ends_on" not in errors:
        errors["buildings"] = _("请选择调查范围（网格、小区或楼栋）。")
    if errors:
        raise ValidationError(errors)
    campaign = Campaign.objects.create(
        community=community,
        name=name,
        area_name=area_name,
        questionnaire=questionnaire,
        starts_on=starts_on,
        ends_on=ends_on,
        created_by=actor,
    )
    rows = []
    for h in Household.objects.filter(building_id__in=building_ids).order_by("pk"):
        row = CampaignHousehold(campaign=campaign)
        row.place_from(h)
        rows.append(row)
    CampaignHousehold.objects.bulk_create(rows, batch_size=1000)
    audit.record(
        actor=actor,
        action="surveys.campaign.created",
        obj=campaign,
        changes={"households": len(rows), "buildings": len(building_ids)},
    )
    return campaign


@transaction.atomic
def campaign_close(*, actor, campaign: Campaign) -> Campaign:
    """End a campaign: records synced after this are refused."""
    if not rules.may_manage(actor, campaign.community):
        raise Http404
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.status != CampaignStatus.OPEN:
        raise ValidationError({"status": _("这次调查已经结束。")})
    campaign.status = CampaignStatus.CLOSED
    campaign.save(update_fields=["status"])
    audit.record(actor=actor, action="surveys.campaign.closed", obj=campaign)
    return campaign


@transaction.atomic
def assignment_add(
    *, actor, campaign: Campaign, building: Building, visitor, visitor_kind: str
) -> Assignment:
    """Give the households of ``building`` in ``campaign`` to ``visitor``."""
    if not rules.may_manage(actor, campaign.community):
        raise Http404
    if not CampaignHousehold.objects.filter(campaign=campaign, building=building).exists():
        raise ValidationError({"building": _("这栋楼不在本次调查范围内。")})
    if visitor_kind not in VisitorKind.values:
        raise ValidationError({"visitor_kind": _("请选择走访人身份。")})
    if visitor is None or not visitor.is_active:
        raise ValidationError({"visitor": _("请选择走访人。")})
    assignment, created = Assignment.objects.get_or_create(
        campaign=campaign,
        building=building,
        visitor=visitor,
        defaults={
            "visitor_kind": visitor_kind,
            "compound_id": building.compound_id,
            "grid_id": building.grid_id,
            "community_id": building.community_id,
        },
    )
    if not created:
        raise ValidationError({"visitor": _("这栋楼已经分给这位走访人了。")})
    audit.record(
        actor=actor,
        action="surveys.assignment.created",
        obj=campaign,
        changes={"building": str(building), "visitor": str(visitor)},
    )
    return assignment


# --- visits and responses ---------------------------------------------------------------


def _campaign_household(
    actor, campaign: Campaign, household_id, *, own: bool = False
) -> CampaignHousehold:
    """The household's row in the campaign, locked; refuses a household outside the area
    or outside the actor's assignment, and a closed campaign."""
    # Read afresh: a phone's batch may arrive after the campaign was closed.
    status = Campaign.objects.filter(pk=campaign.pk).values_list("status", flat=True).first()
    if status != CampaignStatus.OPEN:
        raise ValidationError({"campaign": _("这次调查已经结束，不能再提交记录。")})
    if not isinstance(household_id, int) or isinstance(household_id, bool):
        raise ValidationError({"household_id": _("缺少住户。")})
    row = (
        CampaignHousehold.objects.select_for_update()
        .select_related("household")
        .filter(campaign=campaign, household_id=household_id)
        .first()
    )
    if row is None:
        raise ValidationError({"household_id": _("该住户不在本次调查范围内。")})
    if own:
        if not rules.lives_in(actor, row.household):
            raise Http404
    elif not rules.may_record_for(actor, campaign, row.household):
        raise ValidationError({"household_id": _("该住户不在您的走访分工内。")})
    return row


@transaction.atomic
def visit_record(
    *,
    actor,
    campaign: Campaign,
    household_id: int,
    outcome: str,
    client_id: str,
    visited_at,
    note: str = "",
) -> tuple[Visit, bool]:
    """Record one visit. Returns the visit and whether it was a replay of one already
    recorded under the same ``client_id`` (then nothing changes)."""
    client_id = _client_id(client_id)
    existing = Visit.objects.filter(client_id=client_id).first()
    if existing is not None:
        return existing, True
    errors: dict[str, str] = {}
    if outcome not in Outcome.values:
        errors["outcome"] = _("请选择走访结果。")
    try:
        visited_at = _when(visited_at, field="visited_at")
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
    try:
        note = _text(note, field="note", required=False)
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    row = _campaign_household(actor, campaign, household_id)
    visit = Visit(
        campaign=campaign,
        visitor=actor,
        outcome=outcome,
        note=note,
        visited_at=visited_at,
        client_id=client_id,
    )
    visit.place_from(row.household)
    visit.save()
    audit.record(
        actor=actor,
        action="surveys.visit.recorded",
        obj=campaign,
        changes={"household": row.household.address_label, "outcome": outcome},
    )
    return visit, False


def _respondent_problems(household_id: int, respondent, on: dt.date) -> list[str]:
    if respondent is None:
        return [_("未填写答卷人。")]
    if respondent.household_id != household_id or respondent.status != ResidentStatus.LIVING:
        return [_("答卷人不是本户在住居民。")]
    age = _age_on(respondent.birth_date, on)
    if age is None or age < ADULT_AGE:
        return [_("答卷人未满18周岁或出生日期不详。")]
    return []


@transaction.atomic
def response_record(
    *,
    actor,
    campaign: Campaign,
    household_id: int,
    version_id: int,
    answers,
    respondent_id: int | None,
    consent: bool,
    channel: str,
    answered_at,
    client_id: str | None = None,
    visit_client_id: str | None = None,
    photo: bytes | None = None,
    own: bool = False,
) -> tuple[Response, bool]:
    """Record a household's answers to the campaign's current questionnaire version.

    Refused: an answer to a superseded version, a missing required answer, a household
    outside the area or the actor's assignment, a paper answer without its sheet photo.
    Recorded but not valid: the respondent is not an adult living member of the household,
    or consent is not recorded (the reasons are kept). Recorded for review: a valid answer
    for a household that already has one. The version is frozen by its first answer."""
    if client_id is not None:
        client_id = _client_id(client_id)
        existing = Response.objects.filter(client_id=client_id).first()
        if existing is not None:
            return existing, True
    if channel not in Channel.values:
        raise ValidationError({"channel": _("请选择答卷来源。")})
    answered_at = _when(answered_at, field="answered_at")
    latest = _latest(campaign.questionnaire, lock=True)
    if latest is None or version_id != latest.pk:
        raise ValidationError(
            {
                "version_id": _("问卷已更新为第%(n)d版，请刷新页面后按新问卷填写。")
                % {"n": latest.number if latest else 0}
            }
        )
    if photo is not None:
        photo_bytes, photo_ext = check_photo(photo)
    if channel == Channel.PAPER and photo is None:
        raise ValidationError({"photo": _("纸质问卷请上传签字页照片。")})
    questions = list(latest.questions.all())
    answers = clean_answers(questions, answers, has_photo=photo is not None)
    row = _campaign_household(actor, campaign, household_id, own=own)
    respondent = None
    if respondent_id is not None:
        respondent = Resident.objects.filter(pk=respondent_id).first()
        if respondent is None or respondent.household_id != row.household_id:
            raise ValidationError({"respondent_id": _("答卷人不是这一户的居民。")})
    visit = None
    if visit_client_id:
        visit = Visit.objects.filter(client_id=visit_client_id, campaign=campaign).first()
        if visit is None or visit.household_id != row.household_id:
            raise ValidationError({"visit_client_id": _("找不到对应的走访记录。")})
    problems = _respondent_problems(row.household_id, respondent, answered_at.date())
    if not consent:
        problems.append(_("未记录居民同意。"))
    if problems:
        status = ResponseStatus.INVALID
    elif Response.objects.filter(
        campaign=campaign, household_id=row.household_id, status=ResponseStatus.VALID
    ).exists():
        status = ResponseStatus.REVIEW
        problems = [_("该户已有一份有效答卷，这份待核。")]
    else:
        status = ResponseStatus.VALID
    response = Response(
        campaign=campaign,
        version=latest,
        visit=visit,
        respondent=respondent,
        consent=bool(consent),
        answers=answers,
        status=status,
        problems=[str(p) for p in problems],
        supports=supports_from(questions, answers),
        channel=channel,
        entered_by=actor,
        client_id=client_id,
        answered_at=answered_at,
    )
    response.place_from(row.household)
    if photo is not None:
        response.sheet_photo.save(
            f"{uuid.uuid4().hex}.{photo_ext}", ContentFile(photo_bytes), save=False
        )
    response.save()
    if latest.frozen_at is None:
        latest.frozen_at = timezone.now()
        latest.save(update_fields=["frozen_at"])
    audit.record(
        actor=actor,
        action="surveys.response.recorded",
        obj=campaign,
        changes={"household": row.household.address_label, "status": status, "channel": channel},
    )
    return response, False


@transaction.atomic
def resident_answer(
    *, actor, campaign: Campaign, version_id: int | None, answers, consent: bool
) -> Response:
    """A resident answers for their own household, online, as its respondent."""
    if not actor.resident_id:
        raise Http404
    resident = Resident.objects.get(pk=actor.resident_id)
    response, _replayed = response_record(
        actor=actor,
        campaign=campaign,
        household_id=resident.household_id,
        version_id=version_id,
        answers=answers,
        respondent_id=resident.pk,
        consent=consent,
        channel=Channel.ONLINE,
        answered_at=timezone.now(),
        own=True,
    )
    return response


@transaction.atomic
def response_resolve(*, actor, response: Response, keep: bool) -> Response:
    """Review a second answer: ``keep`` makes it the household's valid answer in place of
    the first (which goes to review); otherwise it is marked not valid. Nothing is deleted."""
    campaign = response.campaign
    if not rules.may_manage(actor, campaign.community):
        raise Http404
    CampaignHousehold.objects.select_for_update().filter(
        campaign=campaign, household_id=response.household_id
    ).first()
    response = Response.objects.select_for_update().get(pk=response.pk)
    if response.status != ResponseStatus.REVIEW:
        raise ValidationError({"status": _("这份答卷不需要复核。")})
    if keep:
        Response.objects.filter(
            campaign=campaign, household_id=response.household_id, status=ResponseStatus.VALID
        ).update(status=ResponseStatus.REVIEW)
        response.status = ResponseStatus.VALID
    else:
        response.status = ResponseStatus.INVALID
    response.save(update_fields=["status"])
    audit.record(
        actor=actor,
        action="surveys.response.reviewed",
        obj=campaign,
        changes={"response": response.pk, "status": response.status},
    )
    return response


def _int(value):
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _apply_one(actor, record, campaigns: dict[int, Campaign]) -> str:
    if not isinstance(record, dict):
        raise ValidationError(_("记录格式不正确。"))
    kind = record.get("type")
    client_id = _client_id(record.get("client_id"))
    campaign_id = _int(record.get("campaign_id"))
    if campaign_id not in campaigns:
        campaign = Campaign.objects.select_related("questionnaire").filter(pk=campaign_id).first()
        if campaign is None:
            raise ValidationError({"campaign_id": _("找不到这次调查。")})
        campaigns[campaign_id] = campaign
    campaign = campaigns[campaign_id]
    if kind == "visit":
        _visit, replayed = visit_record(
            actor=actor,
            campaign=campaign,
            household_id=_int(record.get("household_id")),
            outcome=record.get("outcome"),
            client_id=client_id,
            visited_at=record.get("visited_at"),
            note=record.get("note") or "",
        )
    elif kind == "response":
        photo = record.get("photo")
        _response, replayed = response_record(
            actor=actor,
            campaign=campaign,
            household_id=_int(record.get("household_id")),
            version_id=_int(record.get("version_id")),
            answers=record.get("answers"),
            respondent_id=_int(record.get("respondent_id")),
            consent=record.get("consent") is True,
            channel=Channel.VISIT,
            answered_at=record.get("answered_at"),
            client_id=client_id,
            visit_client_id=record.get("visit_client_id") or None,
            photo=photo_from_data_url(photo) if photo else None,
        )
    else:
        raise ValidationError({"type": _("记录类型只能是 visit 或 response。")})
    return "replayed" if replayed else "ok"


def _message(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return "；".join(str(m) for msgs in exc.message_dict.values() for m in msgs)
    return "；".join(str(m) for m in exc.messages)


def sync_apply(*, actor, records: list) -> list[dict]:
    """Apply a batch of phone records in order, each in its own savepoint. Returns, per
    record, ``{"client_id", "status": "ok" | "replayed" | "error", "error"}``. A record
    refused leaves no trace; the others are kept. Replaying a batch changes nothing."""
    if actor is None or not actor.is_authenticated:
        raise PermissionDenied
    if not isinstance(records, list):
        raise ValidationError({"records": _("应为列表。")})
    if len(records) > SYNC_MAX_RECORDS:
        raise ValidationError({"records": _("每次最多同步%(n)d条记录。") % {"n": SYNC_MAX_RECORDS}})
    results = []
    campaigns: dict[int, Campaign] = {}
    for record in records:
        cid = record.get("client_id") if isinstance(record, dict) else None
        cid = cid if isinstance(cid, str) else ""
        try:
            with transaction.atomic():
                status = _apply_one(actor, record, campaigns)
            results.append({"client_id": cid, "status": status, "error": ""})
        except ValidationError as exc:
            results.append({"client_id": cid, "status": "error", "error": _message(exc)})
        except IntegrityError:
            # Another sync of the same record won the race and committed first.
            results.append({"client_id": cid, "status": "replayed", "error": ""})
    return results


# --- base survey ------------------------------------------------------------------------


@transaction.atomic
def base_survey_create(*, actor, community, name: str, starts_on, target_on) -> BaseSurvey:
    """摸排 over every building of the community, with a target date."""
    if not rules.may_manage(actor, community):
        raise Http404
    name = _text(name, field="name", limit=100)
    if not starts_on or not target_on or target_on < starts_on:
        raise ValidationError({"target_on": _("目标日期不能早于开始日期。")})
    survey = BaseSurvey.objects.create(
        community=community, name=name, starts_on=starts_on, target_on=target_on
    )
    audit.record(actor=actor, action="surveys.base_survey.created", obj=survey)
    return survey


PIPELINES = ("gas", "water", "power", "comms")


@transaction.atomic
def building_survey_record(
    *,
    actor,
    base_survey: BaseSurvey,
    building: Building,
    surveyed_on: dt.date,
    structure: str,
    floors: int,
    year_built: int | None = None,
    has_elevator: bool = False,
    gas: str = Pipeline.NONE,
    water: str = Pipeline.NONE,
    power: str = Pipeline.NONE,
    comms: str = Pipeline.NONE,
    has_railings: bool = False,
    illegal_count: int = 0,
    illegal_kind: str = "",
    note: str = "",
    photo: bytes | None = None,
) -> BuildingSurvey:
    """What the surveyor observed of one building, once per base survey."""
    if building.community_id != base_survey.community_id or not may(
        actor, "edit_registry", building
    ):
        raise Http404
    errors: dict[str, str] = {}
    if structure not in Structure.values:
        errors["structure"] = _("请选择房屋结构。")
    if not isinstance(floors, int) or not 1 <= floors <= 100:
        errors["floors"] = _("层数应在1到100之间。")
    if year_built is not None and not 1900 <= year_built <= timezone.localdate().year:
        errors["year_built"] = _("请填写有效的建成年份。")
    values = {"gas": gas, "water": water, "power": power, "comms": comms}
    for field, value in values.items():
        if value not in Pipeline.values:
            errors[field] = _("请选择管线走向。")
    if not isinstance(illegal_count, int) or illegal_count < 0:
        errors["illegal_count"] = _("违章搭建数不能小于0。")
    elif illegal_count and not (illegal_kind or "").strip():
        errors["illegal_kind"] = _("有违章搭建时请写明类型。")
    if surveyed_on is None or surveyed_on > timezone.localdate():
        errors["surveyed_on"] = _("摸排日期不能晚于今天。")
    if BuildingSurvey.objects.filter(base_survey=base_survey, building=building).exists():
        errors["building"] = _("这栋楼已经摸排过了。")
    if errors:
        raise ValidationError(errors)
    record = BuildingSurvey(
        base_survey=base_survey,
        building=building,
        compound_id=building.compound_id,
        grid_id=building.grid_id,
        community_id=building.community_id,
        surveyed_by=actor,
        surveyed_on=surveyed_on,
        structure=structure,
        year_built=year_built,
        floors=floors,
        has_elevator=has_elevator,
        has_railings=has_railings,
        illegal_count=illegal_count,
        illegal_kind=(illegal_kind or "").strip()[:200],
        note=_text(note, field="note", required=False),
        **values,
    )
    if photo is not None:
        content, ext = check_photo(photo)
        record.photo.save(f"{uuid.uuid4().hex}.{ext}", ContentFile(content), save=False)
    record.save()
    audit.record(
        actor=actor,
        action="surveys.building.surveyed",
        obj=base_survey,
        changes={"building": str(building)},
    )
    return record


# --- visit log --------------------------------------------------------------------------


@transaction.atomic
def visit_log_record(
    *,
    actor,
    household: Household,
    aim: str,
    heard: str,
    visited_on: dt.date,
    raise_item: bool = False,
    resident: Resident | None = None,
) -> VisitLog:
    """民情日志: who visited which household, the aim and what was heard. With
    ``raise_item`` the problem heard becomes a residents'-voice item in the same step
    (entered on the resident's behalf when one is named), linked to the log."""
    if not rules.may_log_visit(actor, household):
        raise Http404
    errors: dict[str, str] = {}
    if aim not in VisitAim.values:
        errors["aim"] = _("请选择走访目的。")
    try:
        heard = _text(heard, field="heard")
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
    if visited_on is None or visited_on > timezone.localdate():
        errors["visited_on"] = _("走访日期不能晚于今天。")
    if resident is not None and resident.household_id != household.pk:
        errors["resident"] = _("请选择这一户的居民。")
    if errors:
        raise ValidationError(errors)
    log = VisitLog(visitor=actor, aim=aim, heard=heard, visited_on=visited_on)
    log.place_from(household)
    if raise_item:
        if resident is not None:
            item = voices.item_submit(
                actor=actor, kind="problem", text=heard, channel="visit", on_behalf_of=resident
            )
        else:
            item = voices.item_submit(
                actor=actor,
                kind="problem",
                text=heard,
                channel="visit",
                household=household,
                reporter_name=_("走访住户"),
            )
        log.item = item
    log.save()
    audit.record(
        actor=actor,
        action="surveys.visit_log.recorded",
        obj=log,
        place=household,
        changes={"aim": aim, "item": log.item_id},
    )
    return log
