"""A year of people's mediation in Wangjiang: about thirty disputes the 晓龙调解队 took on,
some from residents'-voice items about neighbour disputes (邻里纠纷), the others brought to
the mediators directly; mixed outcomes, agreements followed up, one broken and mediated
again. Written through ``mediation.services`` (with the history's "now" at each step), so
every figure on the mediation page is counted from records made the way staff make them;
the residents'-voice items some came from are linked to them.
"""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction

from gongzhi.mediation import services
from gongzhi.mediation.enums import FollowUpStatus
from gongzhi.mediation.models import Case
from gongzhi.orgs.enums import TeamKind
from gongzhi.orgs.models import Team
from gongzhi.places.models import Community, Resident
from gongzhi.voices.enums import Status as ItemStatus
from gongzhi.voices.models import Item

CASES = 30
FROM_ITEMS = 10
DISPUTES = [
    ("漏水纠纷", "楼上卫生间防水失效，渗水到楼下天花板，双方对维修和赔偿说法不一。"),
    ("噪音纠纷", "楼上住户夜间跳绳、拖动家具，楼下老人休息不好，多次沟通无果。"),
    ("占道纠纷", "楼道和单元门口长期堆放杂物，邻居认为影响通行和消防安全。"),
    ("宠物纠纷", "邻居家狗在楼道便溺、夜间吠叫，双方发生口角。"),
    ("停车纠纷", "院内车位占用引发争执，双方互不相让。"),
    ("油烟纠纷", "一楼住户在窗外加装排烟管，油烟直排到楼上住户窗口。"),
    ("装修纠纷", "邻居装修损坏了公共管道，影响整栋供水，费用分摊有争议。"),
]
OUTSIDERS = ["周师傅（装修工）", "钱女士（租户）", "孙先生（物业保洁）", "吴女士（外来租户）"]
PLACES = ["网格驿站", "社区调解室", "甘露园议事角", "当事人家中"]
AGREEMENTS = [
    "由责任方于十日内请专业师傅维修，并承担楼下墙面修补费用。",
    "双方约定晚上十点后不再发出噪声，责任方在地面加铺地垫。",
    "杂物三日内清走，今后楼道不再堆放；双方互相谅解。",
    "责任方向对方赔礼道歉，并承担维修费用的一半。",
]
# (outcome, weight)
OUTCOMES = [
    ("agreed", 16),
    ("partial", 3),
    ("failed", 3),
    ("referred", 3),
    ("in_mediation", 3),
    ("open", 2),
]
REFERRALS = ["judicial_office", "police_station", "court"]


def seed_mediation(*, seed: int, community: Community, end: dt.datetime, log=print) -> dict:
    """Write Wangjiang's mediations, the last of them before ``end``."""
    rng = random.Random(seed + 12)
    team = Team.objects.filter(community=community, kind=TeamKind.MEDIATION).first()
    if team is None:
        return {}
    members = list(Resident.objects.filter(team_memberships__team=team).order_by("pk"))
    residents = list(
        Resident.objects.filter(community=community).order_by("pk").values_list("pk", "grid_id")
    )
    if not members or len(residents) < 2:
        return {}
    by_grid: dict[int, list[int]] = {}
    for pk, grid_id in residents:
        by_grid.setdefault(grid_id, []).append(pk)
    # The year's neighbour disputes that staff took on: each became a mediation the day
    # after it was accepted.
    items = list(
        Item.objects.filter(
            community=community,
            category__code="neighbour_dispute",
            accepted_at__isnull=False,
            status__in=[ItemStatus.ACCEPTED, ItemStatus.RESOLVED, ItemStatus.CLOSED],
        )
        .select_related("grid")
        .order_by("submitted_at")[:FROM_ITEMS]
    )
    stats = {"cases": 0, "agreements": 0, "from_items": 0}
    with transaction.atomic():
        for n in range(CASES):
            item = items[n] if n < len(items) else None
            if item is not None:
                opened = item.accepted_at + dt.timedelta(hours=2)
                grid_id = item.grid_id or rng.choice(list(by_grid))
            else:
                opened = end - dt.timedelta(days=rng.randint(3, 360), hours=rng.randint(0, 6))
                grid_id = rng.choice(list(by_grid))
            if opened >= end:
                continue
            title, summary = rng.choice(DISPUTES)
            case = services.case_open(
                actor=None,
                community=community,
                grid=community.grids.filter(pk=grid_id).first(),
                title=title,
                summary=summary,
                arose_on=(opened - dt.timedelta(days=rng.randint(1, 10))).date(),
                mediators=rng.sample(members, k=min(len(members), rng.choice([1, 2]))),
                now=opened,
            )
            stats["cases"] += 1
            if item is not None:
                # The item's history is already written to its end: the case is linked to
                # it here, and its timeline (closed for most) is left as it was. On screen
                # the service opens the case from the item and notes the item itself.
                Case.objects.filter(pk=case.pk).update(item=item)
                case.item = item
                stats["from_items"] += 1
            pool = by_grid.get(grid_id) or [pk for pk, _g in residents]
            picked = rng.sample(pool, k=min(2, len(pool)))
            sides = ["applicant", "respondent"]
            for side, pk in zip(sides, picked, strict=False):
                services.party_add(
                    actor=None,
                    case=case,
                    side=side,
                    resident=Resident.objects.get(pk=pk),
                    statement=rng.choice(
                        ["对方态度不好，希望社区主持公道。", "我没有责任，愿意配合调查。"]
                    ),
                )
            if len(picked) < 2 or rng.random() < 0.2:
                services.party_add(
                    actor=None,
                    case=case,
                    side="respondent",
                    name=rng.choice(OUTSIDERS),
                    phone=f"139{rng.randint(0, 99_999_999):08d}",
                    statement="愿意配合调解。",
                )
            outcome = rng.choices([o for o, _w in OUTCOMES], [w for _o, w in OUTCOMES])[0]
            if item is not None and outcome == "open":
                outcome = "agreed"
            if outcome == "open":
                continue
            moment = opened
            for _ in range(rng.choice([1, 1, 2, 3])):
                moment = min(moment + dt.timedelta(days=rng.randint(1, 6)), end)
                services.session_record(
                    actor=None,
                    case=case,
                    held_at=moment,
                    place=rng.choice(PLACES),
                    notes="调解员分别听取双方意见，讲解相关规定，引导双方换位思考。",
                    attendees=list(case.parties.all()),
                    now=moment,
                )
            if outcome == "in_mediation":
                continue
            moment = min(moment + dt.timedelta(days=rng.randint(0, 3)), end)
            services.case_conclude(
                actor=None,
                case=case,
                outcome=outcome,
                agreement=rng.choice(AGREEMENTS) if outcome in ("agreed", "partial") else "",
                referred_to=rng.choice(REFERRALS) if outcome == "referred" else "",
                note="一方不同意调解方案。" if outcome == "failed" else "",
                now=moment,
            )
            if outcome in ("agreed", "partial"):
                stats["agreements"] += 1
                _follow_up(case, end, broken=n == 3)
    log(
        f"人民调解：{stats['cases']} 件（{stats['from_items']} 件来自民意诉求），"
        f"{stats['agreements']} 件达成协议"
    )
    return stats


def _follow_up(case: Case, end: dt.datetime, *, broken: bool) -> None:
    for visit in case.follow_ups.filter(status=FollowUpStatus.DUE).order_by("due_on"):
        moment = dt.datetime.combine(visit.due_on, dt.time(10), tzinfo=end.tzinfo)
        if moment >= end:
            return
        services.follow_up_record(
            actor=None,
            follow_up=visit,
            kept=not broken,
            note="防水仍未修好，楼下又渗水。" if broken else "双方均表示按协议履行。",
            now=moment,
        )
        if broken:
            return
