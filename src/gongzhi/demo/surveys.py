"""The surveys of the Wangjiang renewal, written through the surveys services as the
phones and the staff would have written them:

- the base survey (摸排) of every building of the community over two weeks;
- the 望江片区 household campaign over 47 days: every household of the area reached, 93.2%
  of them with a valid questionnaire; 1,327 of those for the renewal, 42 against and 8
  无所谓, so 96.93 % of those taking a side for (the article's figures at full size; a
  smaller seed keeps the same proportions);
- a year of 四访四促 visit logs.

Nothing here is a typed total: the outcomes are drawn per household so that counting the
records gives the figures, and the pages count them the same way.
"""

from __future__ import annotations

import datetime as dt
import io
import random

from django.utils import timezone
from PIL import Image

from gongzhi.accounts.models import User
from gongzhi.places.enums import ResidentStatus
from gongzhi.places.models import Area, Building, Community, Household, Resident
from gongzhi.surveys import services
from gongzhi.surveys.enums import Outcome, Pipeline, Structure, VisitAim

from .plans import SURVEY_AREA

# The article: 1,478 households, all reached; 1,377 valid; support 96.93 %. Support over
# every valid questionnaire cannot give 96.93 % (1,334 gives 96.88, 1,335 gives 96.95); over
# those that took a side it can: 1,327 for and 42 against, the other 8 无所谓.
ARTICLE_HOUSEHOLDS, ARTICLE_VALID = SURVEY_AREA[1], 1377
ARTICLE_SUPPORT, ARTICLE_AGAINST = 1327, 42
CAMPAIGN_DAYS = 47
BASE_SURVEY_DAYS = 14
VISIT_LOGS = 240
HEARD = {
    VisitAim.SENTIMENT: [
        "老人独居，身体还好，子女每周回来一次。",
        "家里孙子今年考学，想了解社区托管班。",
    ],
    VisitAim.OPINION: ["希望改造时把楼道扶手一起装上。", "建议小区停车位按楼栋划分。"],
    VisitAim.WORRY: ["楼顶防水层老化，下雨天屋里渗水。", "单元门禁坏了半个月，外人随便进。"],
    VisitAim.HEART: ["愿意参加楼栋议事会，帮忙动员邻居。", "退休党员，愿意当改造监督员。"],
}


def _sheet_photo() -> bytes:
    """A small picture standing for the photo of a signed paper sheet."""
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (240, 240, 235)).save(out, "JPEG")
    return out.getvalue()


def _adult(people: list[Resident], on: dt.date) -> Resident | None:
    for p in people:
        if p.birth_date and (on - p.birth_date).days >= 18 * 366:
            return p
    return None


def write_surveys(*, seed: int, community: Community, log=print) -> dict:
    rng = random.Random(f"{seed}:surveys")
    users = {u.username: u for u in User.objects.filter(is_demo=True)}
    staff, worker = users["demo-staff"], users["demo-gridworker"]
    worker_grid = worker.posts.values_list("grid_id", flat=True).first()
    today = timezone.localdate()
    end = today - dt.timedelta(days=60)
    start = end - dt.timedelta(days=CAMPAIGN_DAYS - 1)
    base_start = start - dt.timedelta(days=BASE_SURVEY_DAYS + 3)

    # -- the base survey of every building ------------------------------------------
    base = services.base_survey_create(
        actor=staff,
        community=community,
        name="老旧小区改造楼栋摸排",
        starts_on=base_start,
        target_on=base_start + dt.timedelta(days=BASE_SURVEY_DAYS - 1),
    )
    buildings = list(Building.objects.filter(community=community).order_by("grid_id", "sort_key"))
    for i, b in enumerate(buildings):
        illegal = rng.choice([0, 0, 0, 1, 2, 3])
        services.building_survey_record(
            actor=staff,
            base_survey=base,
            building=b,
            surveyed_on=base_start + dt.timedelta(days=i * BASE_SURVEY_DAYS // len(buildings)),
            structure=Structure.BRICK_CONCRETE if b.floors <= 7 else Structure.FRAME,
            floors=b.floors,
            year_built=b.year_built,
            has_elevator=b.has_lift,
            gas=rng.choice([Pipeline.OVERHEAD, Pipeline.OVERHEAD, Pipeline.UNDERGROUND]),
            water=Pipeline.UNDERGROUND,
            power=rng.choice([Pipeline.OVERHEAD, Pipeline.OVERHEAD, Pipeline.UNDERGROUND]),
            comms=Pipeline.OVERHEAD,
            has_railings=rng.random() < 0.4,
            illegal_count=illegal,
            illegal_kind=rng.choice(["楼顶加建", "阳台外扩", "底层围院"]) if illegal else "",
        )

    # -- the 望江片区 campaign ----------------------------------------------------------
    area = Area.objects.filter(community=community, name=SURVEY_AREA[0]).first()
    if area is None:
        log("入户调查：没有望江片区，跳过")
        return {"buildings": len(buildings)}
    q = services.questionnaire_create(
        actor=staff, community=community, title="望江片区老旧小区改造居民意愿调查"
    )
    for key, text, kind, extra in [
        (
            "support",
            "您是否支持本片区实施老旧小区改造？",
            "single",
            {
                "choices": ["支持", "不支持", "无所谓"],
                "is_support": True,
                "support_value": "支持",
                "against_value": "不支持",
            },
        ),
        (
            "needs",
            "您最希望改造哪些方面？（可多选）",
            "multiple",
            {"choices": ["加装电梯", "管网入地", "屋面防水", "停车位", "适老化扶手", "绿化照明"]},
        ),
        (
            "why_not",
            "不支持的主要原因是什么？",
            "text",
            {"show_if_key": "support", "show_if_values": ["不支持"]},
        ),
        ("pay", "加装电梯是否愿意分摊费用？", "yes_no", {"required": False}),
        ("note", "其他意见和建议", "text", {"required": False}),
    ]:
        services.question_add(actor=staff, questionnaire=q, key=key, text=text, kind=kind, **extra)
    area_buildings = list(area.buildings.order_by("grid_id", "sort_key"))
    campaign = services.campaign_create(
        actor=staff,
        community=community,
        name="望江片区老旧小区改造入户调查",
        area_name=SURVEY_AREA[0],
        questionnaire=q,
        starts_on=start,
        ends_on=end,
        buildings=area_buildings,
    )
    for b in area_buildings:
        visitor = worker if b.grid_id == worker_grid else staff
        services.assignment_add(
            actor=staff, campaign=campaign, building=b, visitor=visitor, visitor_kind="grid_worker"
        )
    version_id = q.versions.get().pk
    households = list(Household.objects.filter(building__in=area_buildings).order_by("pk"))
    people: dict[int, list[Resident]] = {}
    for r in Resident.objects.filter(
        household__in=households, status=ResidentStatus.LIVING
    ).order_by("household_id", "birth_date"):
        people.setdefault(r.household_id, []).append(r)
    n = len(households)
    valid_target = round(n * ARTICLE_VALID / ARTICLE_HOUSEHOLDS)
    support_target = round(valid_target * ARTICLE_SUPPORT / ARTICLE_VALID)
    against_target = round(valid_target * ARTICLE_AGAINST / ARTICLE_VALID)
    # The day each household is settled, spread over the 47 days, each day some.
    days = sorted(start + dt.timedelta(days=i % CAMPAIGN_DAYS) for i in range(n))
    rng.shuffle(households)
    answerable = [h for h in households if _adult(people.get(h.pk, []), start)]
    others = [h for h in households if h not in set(answerable)]
    valid_set = answerable[:valid_target]
    rest = answerable[valid_target:] + others
    support_set = set(h.pk for h in valid_set[:support_target])
    against_set = set(h.pk for h in valid_set[support_target : support_target + against_target])

    def side(h) -> bool | None:
        # For, against, or 无所谓 (no side).
        return True if h.pk in support_set else (False if h.pk in against_set else None)

    photo = _sheet_photo()
    visitor_of = {b.pk: (worker if b.grid_id == worker_grid else staff) for b in area_buildings}
    order = {h.pk: i for i, h in enumerate(households)}
    paper = 0
    seq = 0

    def moment(day: dt.date, hour: int) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, rng.randrange(60))))

    def visit(h, outcome, at):
        nonlocal seq
        seq += 1
        return services.visit_record(
            actor=visitor_of[h.building_id],
            campaign=campaign,
            household_id=h.pk,
            outcome=outcome,
            client_id=f"demo-{seed}-v{seq}",
            visited_at=at,
        )[0]

    def answer(h, at, *, respondent, supports, consent=True, channel="visit", visit_obj=None):
        nonlocal seq
        seq += 1
        choice = {True: "支持", False: "不支持", None: "无所谓"}[supports]
        answers = {
            "support": choice,
            "needs": rng.sample(
                ["加装电梯", "管网入地", "屋面防水", "停车位", "适老化扶手", "绿化照明"], 2
            ),
        }
        if choice == "不支持":
            answers["why_not"] = rng.choice(["担心费用分摊", "一楼住户不需要电梯", "施工影响生活"])
        return services.response_record(
            actor=visitor_of[h.building_id] if channel == "visit" else staff,
            campaign=campaign,
            household_id=h.pk,
            version_id=version_id,
            answers=answers,
            respondent_id=respondent.pk if respondent else None,
            consent=consent,
            channel=channel,
            answered_at=at,
            client_id=f"demo-{seed}-r{seq}" if channel == "visit" else None,
            visit_client_id=visit_obj.client_id if visit_obj else None,
            photo=photo if channel == "paper" else None,
        )[0]

    for h in valid_set:
        day = days[order[h.pk]]
        if rng.random() < 0.12 and day > start:
            visit(h, Outcome.NOT_HOME, moment(day - dt.timedelta(days=1), 19))
        respondent = _adult(people[h.pk], day)
        if rng.random() < 0.03:
            paper += 1
            answer(
                h,
                moment(day, 10),
                respondent=respondent,
                supports=side(h),
                channel="paper",
            )
        else:
            v = visit(h, Outcome.ANSWERED, moment(day, 18))
            answer(h, moment(day, 18), respondent=respondent, supports=side(h), visit_obj=v)
    for i, h in enumerate(rest):
        day = days[order[h.pk]]
        at = moment(day, 18)
        if not people.get(h.pk):
            visit(h, Outcome.EMPTY, at)
        elif i % 5 == 0:
            # Answered, but without consent recorded: kept, not valid.
            v = visit(h, Outcome.ANSWERED, at)
            answer(
                h,
                at,
                respondent=_adult(people[h.pk], day),
                supports=True,
                consent=False,
                visit_obj=v,
            )
        elif i % 7 == 1:
            visit(h, Outcome.MOVED_OUT, at)
        else:
            visit(h, Outcome.REFUSED, at)
    # A few households answered twice (a family member on paper after the visit): the
    # second is kept for review and changes no figure.
    for h in valid_set[:6]:
        answer(
            h,
            moment(days[order[h.pk]] + dt.timedelta(days=2), 10),
            respondent=_adult(people[h.pk], start),
            supports=True,
            channel="paper",
        )

    # -- a year of 四访四促 visit logs ---------------------------------------------------
    pool = list(
        Household.objects.filter(community=community, residents__status=ResidentStatus.LIVING)
        .distinct()
        .order_by("pk")[:2000]
    )
    logs = 0
    for i in range(VISIT_LOGS):
        h = rng.choice(pool)
        aim = list(VisitAim)[i % 4]
        services.visit_log_record(
            actor=worker if h.grid_id == worker_grid else staff,
            household=h,
            aim=aim,
            heard=rng.choice(HEARD[aim]),
            visited_on=today - dt.timedelta(days=365 - i * 365 // VISIT_LOGS),
        )
        logs += 1
    log(
        f"入户调查：摸排 {len(buildings)} 栋；{campaign.area_name} {n} 户，"
        f"有效问卷 {valid_target} 份（支持 {support_target}，不支持 {against_target}），纸质 {paper} 份；民情日志 {logs} 条"
    )
    return {"buildings": len(buildings), "households": n, "campaign": campaign.pk}
