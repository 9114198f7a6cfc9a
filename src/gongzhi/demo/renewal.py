"""Urban renewal projects for the demo, drawn from the year of residents' voice already
written: every hard problem of the history (加装电梯, 违建拆除, 管线迁改, 楼栋拆除) about a
building becomes, with the others about the same building and kind, one renewal project
touching that building, and those items are attached to it as opinions with their answers.
One elevator retrofit goes through a complete 三上三下: three versions, each after the first
saying what changed and which residents' opinions caused it, the third ending in a decision.

Everything goes through ``renewal.services`` as the demo staff would do it, so the counts a
page shows (projects, affected households, opinions) are counted from these records.
"""

from __future__ import annotations

import random
from collections import defaultdict

from gongzhi.accounts.models import User
from gongzhi.places.enums import ResidentStatus
from gongzhi.places.models import Community, Resident
from gongzhi.renewal import services
from gongzhi.renewal.models import Project
from gongzhi.voices.models import Item, Notification

# The history's hard categories and the kind of project each becomes.
KINDS = {
    "elevator_retrofit": ("elevator", "{compound}{building}加装电梯"),
    "illegal_structure": ("illegal_removal", "{compound}{building}违建拆除"),
    "pipeline_relocation": ("pipeline", "{compound}{building}管线迁改"),
    "building_demolition": ("demolition", "{compound}{building}危旧楼栋拆除"),
}
ANSWERS = [("adopted", "已纳入方案"), ("partly", "部分采纳，其余因规范限制无法调整")]
ANSWERS += [("not_adopted", "不符合消防规范，暂不采纳")]

FLAGSHIP_OPINIONS = [
    ("电梯井道放在北侧会挡住一楼的采光，能不能换个位置？", "adopted"),
    ("一楼住户不用电梯，分摊比例希望低一些。", "adopted"),
    ("施工期间希望避开中午和晚上休息时间。", "partly"),
    ("电梯口的无障碍坡道要做宽一点，方便轮椅。", "adopted"),
    ("电梯费用能不能全部由政府出？", "not_adopted"),
    ("希望电梯厅加装照明和监控。", "adopted"),
]
FLAGSHIP_VERSIONS = [
    ("加装电梯初步方案", "在楼栋北侧加装一部电梯，平层入户，费用按楼层分摊。"),
    ("加装电梯调整方案", "电梯移至东侧山墙，一楼不分摊，施工避开午休。"),
    ("加装电梯实施方案", "东侧加装，电梯厅增加照明与监控，坡道加宽至1.5米。"),
]


def write_renewal(*, seed: int, community: Community, log=print) -> int:
    """Write the projects; returns how many were made (none when they exist already)."""
    if Project.objects.filter(community=community).exists():
        return 0
    rng = random.Random(f"{seed}:renewal")
    staff = User.objects.get(username="demo-staff")
    last_note = Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    groups: dict[tuple[str, int], list[Item]] = defaultdict(list)
    items = (
        Item.objects.filter(
            community=community, category__code__in=list(KINDS), building__isnull=False
        )
        .select_related("building__compound", "category")
        .order_by("submitted_at", "pk")
    )
    for item in items:
        groups[(item.category.code, item.building_id)].append(item)
    made = 0
    flagship = None
    for (code, _building_id), group in sorted(groups.items(), key=lambda kv: kv[1][0].pk):
        building = group[0].building
        kind, name = KINDS[code]
        project = services.project_create(
            actor=staff,
            community=community,
            kind=kind,
            name=name.format(compound=building.compound.name, building=building),
            description=group[0].title,
            budget=rng.choice([300000, 450000, 600000, 800000]),
        )
        services.project_set_places(actor=staff, project=project, buildings=[building])
        services.milestone_add(actor=staff, project=project, title="方案征求意见")
        services.milestone_add(actor=staff, project=project, title="开工")
        for item in group[:5]:
            opinion = services.opinion_from_item(actor=staff, project=project, item=item)
            answer, reason = rng.choice(ANSWERS)
            services.opinion_answer(actor=staff, opinion=opinion, answer=answer, reason=reason)
        made += 1
        if flagship is None and kind == "elevator":
            flagship = project
    if flagship is not None:
        _three_rounds(flagship, staff, rng)
    # The services told residents of each round and answer, dated today; the demo's messages
    # belong to its year of history, which ends before today, so these are not kept.
    Notification.objects.filter(pk__gt=last_note).delete()
    log(f"城市更新：{made} 个项目")
    return made


def _three_rounds(project: Project, staff, rng: random.Random) -> None:
    """三上三下 in full for one elevator retrofit, with the building's own residents."""
    residents = list(
        Resident.objects.filter(
            household__building__in=project.touches.values("building_id"),
            status=ResidentStatus.LIVING,
        ).order_by("pk")[:40]
    )
    if not residents:
        return
    adopted: list[int] = []
    for number, (title, summary) in enumerate(FLAGSHIP_VERSIONS, start=1):
        changes = []
        if number == 2:
            changes = [
                ("电梯由北侧改到东侧山墙，不再遮挡一楼采光", adopted[:1]),
                ("一楼住户不分摊电梯费用", adopted[1:2]),
            ]
        elif number == 3:
            changes = [
                ("坡道加宽至1.5米，方便轮椅", adopted[2:3]),
                ("电梯厅增加照明和监控", adopted[3:4]),
            ]
        rnd = services.round_draft(
            actor=staff,
            project=project,
            title=title,
            summary=summary,
            text=summary + "\n具体图纸见社区公示栏。",
            changes=changes,
        )
        services.round_publish(actor=staff, round=rnd)
        opinions = FLAGSHIP_OPINIONS[(number - 1) * 2 : number * 2]
        for i, (text, answer) in enumerate(opinions):
            resident = residents[(number * 7 + i) % len(residents)]
            opinion = services.opinion_submit(
                actor=staff,
                project=project,
                resident=resident,
                text=text,
                channel=rng.choice(["paper", "visit", "meeting"]),
            )
            services.opinion_answer(
                actor=staff, opinion=opinion, answer=answer, reason="经居民议事会讨论"
            )
            if answer in ("adopted", "partly"):
                adopted.append(opinion.pk)
        services.round_close(actor=staff, round=rnd)
    services.round_decide(
        actor=staff, round=rnd, decision="approved", note="三轮征求意见，业主签字同意率超过三分之二"
    )
    project.refresh_from_db()
    services.phase_close(actor=staff, phase=project.current_phase, note="方案经三上三下确定")
