"""A year of residents' voice in Wangjiang, at the scale the report gives: 130+ opinion-
gathering events, 1,000+ opinions from every channel, 50+ hard problems solved with partner
units, return visits, and each item's timeline from submission to close.

Why the history is written directly and not through ``voices.services``: the services
take one item at a time with its locks, audit rows and notifications, which for ~1,200
items and ~15,000 timeline steps would cost minutes on every seed. Instead each item's
life is simulated here step by step with the same rules the services apply — the same
deadlines (``voices.deadlines``), the same status and dispatch transitions, the same event
types and data keys, the same notification texts — and then written in bulk. The columns
are those the services would set; nothing is stored that the services could not have made.

The year ends on the day the demo is seeded: its "now" (``end``) is the close of business
of the last working day before that day (``history_end``), so the newest items are days
old, some still waiting for their next step, a few past their time limit (with their
reminders and supervision), and the current month has figures. Tests pass a fixed ``end``.

Everything is drawn from ``random.Random`` seeded from the seed (one for the year's items,
one for each item's life), and what is drawn does not depend on the day: the year is laid out on the last ``WORKDAYS`` working days before the end, counted
back from it (``_Calendar``), and every moment is a working day of that count and a time of
day — or an evening, weekend or holiday after it, which the time limits count alike. Each
step of an item's life is then a span of office time, and its deadline is computed with
the working calendar from the real date, holidays where they fall. So the same seed gives
the same residents, texts, categories, statuses and satisfaction whatever the day; only
the dates move, and on the same day the same data. The shape of the year (how busy, which
season's troubles, the renewal project's phase) follows its months counted back from the
end, as if it ended in December; the residents' ages are the register's, as of
``REFERENCE_DATE``.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from bisect import bisect
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from itertools import accumulate

from django.db import connection
from django.db.models import DateTimeField, Model
from django.utils import timezone

from gongzhi.accounts.models import User
from gongzhi.core import redact, workcal
from gongzhi.core.bulk import bulk_insert
from gongzhi.orgs.enums import PostKind
from gongzhi.orgs.models import PartnerUnit, Post
from gongzhi.places.enums import ResidentStatus
from gongzhi.places.models import Building, Community, Compound, Entrance, Grid, Household, Resident
from gongzhi.voices import deadlines, routing
from gongzhi.voices.catalogue import ensure_categories
from gongzhi.voices.enums import (
    LEVEL_ORDER,
    Channel,
    DispatchStatus,
    EventFormat,
    EventType,
    ItemKind,
    Level,
    Publication,
    Satisfaction,
    Solved,
    Stage,
    Status,
    Supervision,
)
from gongzhi.voices.models import (
    Category,
    Dispatch,
    EventSession,
    Item,
    ItemEvent,
    ItemNumberCounter,
    ItemReporter,
    Notification,
    ReturnVisit,
)
from gongzhi.voices.selectors import register_names
from gongzhi.voices.services import _number_prefix

from . import voices_text as vt
from .plans import WANGJIANG_GRIDS
from .population import REFERENCE_DATE

# The year is laid out on this many working days before the end: fewer than any twelve
# months hold (some 245 to 250), so it always fits in the year before the end.
WORKDAYS = 240
# The share of residents' online reports sent in the evening, at weekends or on holidays.
OFF_HOURS_ONLINE = 0.3
OFF_HOURS_SESSIONS = 0.3  # 坝坝会 and the like held at the weekend (or in the evening)

SESSIONS = 138
STANDALONE_ITEMS = 470  # opinions that did not come from an event

RANK = {level: i for i, level in enumerate(LEVEL_ORDER)}
HARD = ("elevator_retrofit", "illegal_structure", "pipeline_relocation", "building_demolition")

# How often each category comes up in a year of this community, before the season.
CATEGORY_WEIGHTS = {
    "elevator_retrofit": 10,
    "illegal_structure": 5,
    "pipeline_relocation": 7,
    "building_demolition": 2,
    "parking": 9,
    "flying_wires": 6,
    "civility": 6,
    "space_beautification": 6,
    "sanitation": 9,
    "neighbour_dispute": 4,
    "safety_hazard": 4,
    "elderly_service": 6,
    "water_supply": 4,
    "power_supply": 3,
    "gas": 2,
    "property_service": 7,
    "roads": 4,
    "noise": 5,
    "greening": 3,
    "public_security": 2,
    "other": 2,
}
# The season: works run April to October, summer brings dancing, water and power trouble.
SEASON = {
    "noise": ((6, 7, 8, 9), 1.8),
    "pipeline_relocation": ((4, 5, 6, 7, 8, 9, 10), 1.6),
    "water_supply": ((6, 7, 8), 1.6),
    "power_supply": ((7, 8), 1.6),
    "elevator_retrofit": ((3, 4, 5, 6), 1.4),
    "elderly_service": ((12, 1, 2), 1.5),
    "greening": ((4, 5, 6), 1.6),
}
MONTH_ACTIVITY = {1: 0.6, 2: 0.5, 3: 1.0, 4: 1.2, 5: 1.3, 6: 1.2, 7: 1.1, 8: 1.0, 9: 1.2, 10: 0.9}
MONTH_ACTIVITY |= {11: 1.1, 12: 0.9}
# The renewal project's phase by month: what residents were being asked about.
PHASES = {1: "方案设计", 2: "方案设计", 3: "方案设计", 4: "细节调整", 5: "细节调整"}
PHASES |= {m: "工程实施" for m in range(6, 11)} | {11: "后期管理", 12: "后期管理"}
RENEWAL = {
    "elevator_retrofit": "{compound}既有住宅加装电梯",
    "pipeline_relocation": "望江片区管网改造（雨污分流、管线入地）",
    "illegal_structure": "望江片区城市更新项目",
    "building_demolition": "望江片区城市更新项目",
    "space_beautification": "望江片区公共空间微更新",
    "roads": "望江片区城市更新项目",
    "parking": "望江片区城市更新项目",
    "flying_wires": "望江片区城市更新项目",
}
TOPIC_CATEGORY = {
    "电梯加装": "elevator_retrofit",
    "管线迁改": "pipeline_relocation",
    "违建拆除": "illegal_structure",
    "停车规划": "parking",
    "飞线整治": "flying_wires",
    "口袋公园": "space_beautification",
    "楼栋拆除": "building_demolition",
    "老年助餐": "elderly_service",
    "环境整治": "sanitation",
    "红色物业": "property_service",
    "充电棚建设": "flying_wires",
    "雨污分流": "pipeline_relocation",
}
# Event formats: weight, attendance range, opinions recorded range, usual start times.
FORMATS = {
    EventFormat.BABA_LONGMENZHEN: (40, (15, 60), (3, 7), (dt.time(19, 30), dt.time(15, 0))),
    EventFormat.HEART_TO_HEART: (30, (8, 25), (2, 6), (dt.time(9, 30), dt.time(15, 0))),
    EventFormat.SOLICITATION: (20, (20, 80), (4, 9), (dt.time(15, 0), dt.time(19, 0))),
    EventFormat.RENEWAL_FORUM: (10, (40, 150), (6, 12), (dt.time(9, 0), dt.time(14, 30))),
}
CHANNELS = [(Channel.ONLINE, 40), (Channel.VISIT, 30), (Channel.PHONE, 19), (Channel.PAPER, 11)]
SUGGESTION_SHARE = {
    Channel.EVENT: 0.5,
    Channel.ONLINE: 0.2,
    Channel.VISIT: 0.25,
    Channel.PHONE: 0.1,
    Channel.PAPER: 0.35,
}
# Which units a category goes to when the community blows the whistle ("物业": the
# compound's property company), and how often a problem of it needs one.
ROUTES = {
    "elevator_retrofit": (("市住建局", "市住建局", "市住建局", "国网攀枝花供电公司"), 0.5),
    "illegal_structure": (("市城管局",), 0.5),
    "pipeline_relocation": (
        ("攀路", "攀路", "市水务集团", "市燃气公司", "国网攀枝花供电公司"),
        0.55,
    ),
    "building_demolition": (("市住建局",), 0.6),
    "water_supply": (("市水务集团",), 0.8),
    "power_supply": (("国网攀枝花供电公司",), 0.8),
    "gas": (("市燃气公司",), 0.85),
    "public_security": (("炳草岗派出所",), 0.6),
    "neighbour_dispute": (("炳草岗派出所",), 0.15),
    "property_service": (("物业",), 0.55),
    "sanitation": (("物业", "市城管局"), 0.3),
    "greening": (("物业",), 0.3),
    "roads": (("攀路", "市城管局"), 0.6),
    "parking": (("市城管局", "物业"), 0.3),
    "flying_wires": (("市城管局", "国网攀枝花供电公司"), 0.35),
    "noise": (("市城管局",), 0.25),
    "elderly_service": (("攀宾", "爱尔眼科"), 0.2),
}
ESCALATE_REASONS = {
    Level.COMMUNITY: ["涉及多个单元和产权单位，需社区统筹协调。", "网格协调未果，上报社区。"],
    Level.SUBDISTRICT: ["涉及多个部门，需街道协调。", "需街道综合党委召开协调会推进。"],
}
WITHDRAW_REASONS = ["问题已经自己解决了。", "和邻居协商好了，不麻烦社区了。", "重复提交了。"]
# Publication: the share of reports residents asked to keep private (不公开), and of the
# closed items staff have reviewed and published since.
PRIVATE_SHARE = 0.05
PUBLISHED_SHARE = 0.7


@dataclass
class HistoryStats:
    sessions: int = 0
    items: int = 0
    events: int = 0
    dispatches: int = 0
    return_visits: int = 0
    reporters: int = 0
    notifications: int = 0
    hard_solved_with_partners: int = 0
    published: int = 0
    private: int = 0
    wishes: int = 0
    statuses: dict = field(default_factory=dict)
    seconds: float = 0.0
    start: dt.date | None = None  # the first day of the year
    end: dt.datetime | None = None  # the history's "now"


@dataclass
class _Person:
    pk: int
    name: str
    age: int
    household_id: int
    entrance_id: int
    building_id: int
    compound_id: int
    grid_id: int


@dataclass
class _Plan:
    """One item while its life is simulated; written out at the end."""

    item: Item
    person: _Person
    reporter: ItemReporter
    events: list = field(default_factory=list)  # (at, seq, ItemEvent)
    notes: list = field(default_factory=list)  # (at, text template)
    reporters: list = field(default_factory=list)  # (joined at, resident id, user id)
    dispatches: list = field(default_factory=list)
    visits: list = field(default_factory=list)
    index: int = 0  # in the order the items were drawn


def history_end(now: dt.datetime | None = None) -> dt.datetime:
    """The history's "now" for a seed run at ``now`` (default: the present): the close of
    business of the last working day before that day, so that a seed run at any time of
    the same day gives the same history."""
    return _close_before(timezone.localdate(now or timezone.now()))


def _as_end(moment: dt.datetime) -> dt.datetime:
    """``moment`` if it is the close of a working day, else the last close before it."""
    local = timezone.localtime(moment)
    close = workcal.work_periods()[-1][1]
    if workcal.is_working_day(local.date()) and local.time() >= close:
        return timezone.make_aware(dt.datetime.combine(local.date(), close))
    return _close_before(local.date())


def _close_before(day: dt.date) -> dt.datetime:
    day -= dt.timedelta(days=1)
    while not workcal.is_working_day(day):
        day -= dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime.combine(day, workcal.work_periods()[-1][1]))


class _Calendar:
    """The working days of the history, newest first: day 0 is the end's own day. A moment
    of the history is a working day of this count and a time of day, or "off": in the
    evening after it or on a weekend or holiday day following it, before the next working
    day — which the time limits count the same, whichever of those it is."""

    def __init__(self, end: dt.datetime):
        day = timezone.localtime(end).date()
        self.days: list[dt.date] = []
        while len(self.days) < WORKDAYS:
            if workcal.is_working_day(day):
                self.days.append(day)
            day -= dt.timedelta(days=1)
        self.start = self.days[-1]

    @staticmethod
    def month(k: int) -> int:
        """The month of the year's shape for working day ``k``: December for the last
        twelfth, January for the first."""
        return 12 - k * 12 // WORKDAYS

    def moment(self, k: int, minutes: int, *, off: bool = False, pick: float = 0.0):
        """Working day ``k`` at ``minutes`` past midnight; ``off``: on one of the days off
        right after it (chosen by ``pick`` in [0, 1)), or that evening when there is none."""
        day = self.days[k]
        if off:
            free = []
            if k > 0:
                d = day + dt.timedelta(days=1)
                while d < self.days[k - 1]:
                    free.append(d)
                    d += dt.timedelta(days=1)
            if free:
                day = free[int(pick * len(free))]
            else:
                minutes = 19 * 60 + minutes % 60
        return timezone.make_aware(
            dt.datetime.combine(day, dt.time(0)) + dt.timedelta(minutes=minutes)
        )


class _Ref:
    """A value known only after numbering or inserting (an item's number, a dispatch's
    primary key), resolved when the rows are written."""

    def __init__(self, obj, attr: str):
        self.obj, self.attr = obj, attr

    def value(self):
        return getattr(self.obj, self.attr)


def write_history(
    *,
    seed: int,
    community: Community,
    scale: float = 1.0,
    end: dt.datetime | None = None,
    log=print,
) -> HistoryStats:
    """Write the year of residents' voice ending at ``end`` (default ``history_end()``: close
    of business of the last working day before today; any other moment is taken back to the
    last close of business at or before it)."""
    started = time.perf_counter()
    end = history_end() if end is None else _as_end(end)
    history = _History(seed, community, scale, end)
    history.load()
    history.run()
    stats = history.write()
    stats.start, stats.end = history.calendar.start, end
    stats.wishes = write_wishes(seed=seed, community=community, scale=scale, log=log)
    stats.seconds = time.perf_counter() - started
    log(
        f"民意历史：{stats.sessions} 场活动、{stats.items} 条诉求、{stats.events} 条办理记录，"
        f"用时 {stats.seconds:.1f} 秒"
    )
    return stats


class _History:
    def __init__(self, seed: int, community: Community, scale: float, end: dt.datetime):
        self.seed = seed
        self.rng = random.Random(f"{seed}:history")
        self.end = end
        self.calendar = _Calendar(end)
        self.community = community
        self.scale = scale
        self.seq = 0
        self.plans: list[_Plan] = []
        self.sessions: list[EventSession] = []

    # -- what the year is made of -----------------------------------------------------

    def load(self) -> None:
        ensure_categories()
        self.categories = {c.code: c for c in Category.objects.filter(is_active=True)}
        self.other = self.categories.get("other") or next(iter(self.categories.values()))
        self.units = {
            u.short_name: u
            for u in PartnerUnit.objects.filter(communities=self.community).order_by("pk")
        }
        users = {u.username: u for u in User.objects.filter(is_demo=True)}
        self.staff = users["demo-staff"]
        self.secretary = users["demo-secretary"]
        self.subdistrict_user = users.get("demo-subdistrict")
        self.grid_user = users.get("demo-grid")
        self.grid_worker = users.get("demo-gridworker")
        self.building_user = users.get("demo-building")
        self.partner_user = users.get("demo-partner")
        self.resident_user = users.get("demo-resident")

        self.grids = list(
            Grid.objects.filter(community=self.community).order_by("sort_key", "code")
        )
        self.grid_names = {g.pk: g.name for g in self.grids}
        self.grid_chiefs = dict(
            Post.objects.filter(kind=PostKind.GRID_CHIEF, grid__community=self.community)
            .order_by("pk")
            .values_list("grid_id", "holder_name")
        )
        self.grid_workers = dict(
            Post.objects.filter(kind=PostKind.GRID_WORKER, grid__community=self.community)
            .order_by("pk")
            .values_list("grid_id", "holder_name")
        )
        self.demo_grid_id = self.grid_user.posts.values_list("grid_id", flat=True).first()
        self.compounds = {
            c.pk: c for c in Compound.objects.filter(community=self.community).order_by("pk")
        }
        streets = {name: street for _g, cs in WANGJIANG_GRIDS for name, street, _n in cs}
        self.streets = {pk: streets.get(c.name, "望江路") for pk, c in self.compounds.items()}
        # Each compound's property company; 甘露园 governs itself (自治管家).
        companies = [u for u in ("安居物业", "金江物业") if u in self.units]
        self.property = {}
        for i, (pk, c) in enumerate(self.compounds.items()):
            if c.name != "甘露园" and companies:
                self.property[pk] = companies[i % len(companies)]
        self.buildings = {
            b.pk: b for b in Building.objects.filter(community=self.community).order_by("sort_key")
        }
        self.buildings_by_compound = defaultdict(list)
        for b in self.buildings.values():
            self.buildings_by_compound[b.compound_id].append(b)
        self.entrances = dict(
            Entrance.objects.filter(community=self.community).values_list("pk", "number")
        )
        self.households = {
            pk: (door, floor)
            for pk, door, floor in Household.objects.filter(community=self.community).values_list(
                "pk", "door_number", "floor"
            )
        }
        people = []
        for row in (
            Resident.objects.filter(community=self.community, status=ResidentStatus.LIVING)
            .order_by("pk")
            .values_list(
                "pk",
                "name",
                "birth_date",
                "household_id",
                "entrance_id",
                "building_id",
                "compound_id",
                "grid_id",
            )
        ):
            pk, name, birth, *rest = row
            age = REFERENCE_DATE.year - birth.year if birth else 40
            if age >= 18:
                people.append(_Person(pk, name, age, *rest))
        self.people = people
        self.person_by_pk = {p.pk: p for p in people}
        self.by_compound = defaultdict(list)
        self.by_building = defaultdict(list)
        for p in people:
            self.by_compound[p.compound_id].append(p)
            self.by_building[p.building_id].append(p)
        # Older people speak up more: at events, on visits, on the phone.
        self.cum_all = self._cum(people)
        self.cum_compound = {k: self._cum(v) for k, v in self.by_compound.items()}
        self.demo_person = (
            self.person_by_pk.get(self.resident_user.resident_id) if self.resident_user else None
        )
        self.prefix = _number_prefix(self.community)

    @staticmethod
    def _cum(people: list[_Person]) -> list[float]:
        return list(accumulate(3.0 if p.age >= 60 else 1.5 if p.age >= 45 else 1.0 for p in people))

    def _someone(self, compound_id: int | None = None) -> _Person:
        pool, cum = (
            (self.by_compound[compound_id], self.cum_compound[compound_id])
            if compound_id in self.cum_compound
            else (self.people, self.cum_all)
        )
        return pool[bisect(cum, self.rng.random() * cum[-1])]

    # -- time ---------------------------------------------------------------------------

    def _day(self) -> int:
        """A working day of the year (counted back from the end), busier in the months when
        works ran."""
        top = max(MONTH_ACTIVITY.values())
        while True:
            k = int(self.rng.random() * WORKDAYS)
            if self.rng.random() * top > MONTH_ACTIVITY[self.calendar.month(k)]:
                continue
            return k

    def _at(self, k: int, hour: float, *, off: bool = False) -> dt.datetime:
        minutes = int(hour * 60) + self.rng.randrange(0, 30)
        return self.calendar.moment(k, minutes, off=off, pick=self.rng.random())

    def _after(self, life: dict, late: float) -> dt.datetime:
        """When the running stage's step is done: within its limit, or (with probability
        ``late``) after it."""
        item = life["item"]
        span = deadlines.limit_hours(
            item.category or item.suggested_category, life["stage"], urgent=item.urgent
        )
        if self.rng.random() < late:
            return _add_hours(life["due"], span * self.rng.uniform(0.05, 0.9) + 0.1)
        return _add_hours(life["started"], max(0.05, span * self.rng.betavariate(1.4, 3.0)))

    # -- the year -------------------------------------------------------------------------

    def run(self) -> None:
        self._sessions()
        for session, count, topic, compound_id in self.session_plans:
            for _ in range(count):
                month = self.calendar.month(session._k)
                code = (
                    TOPIC_CATEGORY[topic]
                    if topic in TOPIC_CATEGORY and self.rng.random() < 0.5
                    else self._category(month)
                )
                person = self._someone(compound_id)
                end = session._starts + dt.timedelta(hours=2)
                submitted = _add_hours(end, self.rng.uniform(0.2, 6))
                self._new_item(Channel.EVENT, code, person, submitted, month, session=session)
        standalone = round(STANDALONE_ITEMS * self.scale)
        if self.demo_person is not None:
            # The demo resident's own items: a few to show on their timeline page.
            for code in ("property_service", "elevator_retrofit", "civility", "elderly_service"):
                k = self._day()
                off = self.rng.random() < OFF_HOURS_ONLINE
                self._new_item(
                    Channel.ONLINE,
                    code,
                    self.demo_person,
                    self._at(k, 9 + self.rng.random() * 11, off=off),
                    self.calendar.month(k),
                )
            # And one from the working day before the end, not yet taken up.
            hours = 17.5 - self.rng.randrange(2, 6)
            self._new_item(
                Channel.ONLINE,
                "sanitation",
                self.demo_person,
                self.calendar.moment(1, int(hours * 60)),
                self.calendar.month(1),
            )
        weights = [w for _c, w in CHANNELS]
        for _ in range(standalone):
            channel = self.rng.choices([c for c, _w in CHANNELS], weights)[0]
            k = self._day()
            off = False
            if channel == Channel.ONLINE:
                off = self.rng.random() < OFF_HOURS_ONLINE
                hour = self.rng.choice([7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 19, 20, 21, 22])
            else:
                hour = self.rng.choice(
                    [9, 10, 11, 15, 16] if channel != Channel.PAPER else [9, 9.5, 10]
                )
            submitted = self._at(k, hour, off=off)
            month = self.calendar.month(k)
            self._new_item(channel, self._category(month), self._someone(), submitted, month)
        # Each item lives on its own draws: in what order lives are simulated, or which
        # date a step falls on, moves no other item's.
        drawing = self.rng
        for plan in self.plans:
            self.rng = random.Random(f"{self.seed}:life:{plan.index}")
            self._live(plan)
        self.rng = drawing
        self._duplicates()

    def _sessions(self) -> None:
        rng = self.rng
        count = max(4, round(SESSIONS * self.scale))
        formats = list(FORMATS)
        weights = [FORMATS[f][0] for f in formats]
        compounds = list(self.compounds.values())
        sizes = [len(self.buildings_by_compound[c.pk]) for c in compounds]
        made = []
        titles = set()
        repeats: Counter = Counter()
        while len(made) < count:
            k = self._day() or 1  # not in the evening after the end
            off = rng.random() < OFF_HOURS_SESSIONS
            month = self.calendar.month(k)
            fmt = rng.choices(formats, weights)[0]
            compound = rng.choices(compounds, sizes)[0]
            grid = self.grid_names[compound.grid_id]
            month_topics = vt.EVENT_TOPICS[:8] if month < 9 else vt.EVENT_TOPICS
            topic = rng.choice(month_topics)
            forums = sum(1 for s, *_ in made if s.format == EventFormat.RENEWAL_FORUM)
            ctx = {"compound": compound.name, "grid": grid, "topic": topic, "n": forums + 1}
            title = vt.expand(rng.choice(vt.EVENT_TITLES[fmt]), rng, ctx)
            repeats[title] += 1
            if title in titles:
                title = f"{title}（第{repeats[title]}场）"
            titles.add(title)
            place = vt.expand(rng.choice(vt.EVENT_PLACES), rng, ctx)
            attendance = rng.randint(*FORMATS[fmt][1])
            start = rng.choice(FORMATS[fmt][3])
            if start.hour >= 19 and month in (12, 1, 2):
                start = dt.time(15, 0)  # winter evenings are too cold for the 坝坝
            starts = self.calendar.moment(
                k, start.hour * 60 + start.minute, off=off, pick=rng.random()
            )
            session = EventSession(
                community=self.community,
                title=title,
                format=fmt,
                held_on=timezone.localtime(starts).date(),
                place=place,
                attendance=attendance,
                created_by=self.staff,
            )
            session._k, session._starts = k, starts
            opinions = rng.randint(*FORMATS[fmt][2])
            scope = None if fmt == EventFormat.RENEWAL_FORUM else compound.pk
            made.append((session, opinions, topic, scope))
        made.sort(key=lambda m: (m[0].held_on, m[0].title))
        self.session_plans = made
        self.sessions = [m[0] for m in made]

    def _category(self, month: int) -> str:
        codes, weights = [], []
        for code, w in CATEGORY_WEIGHTS.items():
            if code not in self.categories:
                continue
            months, factor = SEASON.get(code, ((), 1.0))
            codes.append(code)
            weights.append(w * (factor if month in months else 1.0))
        return self.rng.choices(codes, weights)[0]

    # -- one item ------------------------------------------------------------------------

    def _context(self, person: _Person) -> dict:
        rng = self.rng
        building = self.buildings[person.building_id]
        door, floor = self.households[person.household_id]
        neighbours = [
            b for b in self.buildings_by_compound[building.compound_id] if b.pk != building.pk
        ]
        n = rng.randint(10, 14)
        return {
            "b": building.number,
            "ob": rng.choice(neighbours).number if neighbours else building.number,
            "u": self.entrances[person.entrance_id],
            "f": floor,
            "door": door,
            "compound": self.compounds[person.compound_id].name,
            "street": self.streets[person.compound_id],
            "grid": self.grid_names[person.grid_id],
            "n": n,
            "m": n - rng.randint(1, 3),
            "age": rng.randint(76, 92) if person.age < 70 else person.age,
            "surname": person.name[0],
            "year": building.year_built or 1988,
            "spot": rng.choice(vt.SPOTS),
        }

    def _new_item(
        self,
        channel: str,
        code: str,
        person: _Person,
        submitted: dt.datetime,
        month: int,
        *,
        session: EventSession | None = None,
        kind: str | None = None,
    ) -> _Plan | None:
        """``month``: the month of the year's shape the item falls in."""
        rng = self.rng
        if submitted >= self.end:
            return None
        if code not in self.categories:
            code = self.other.code
        category = self.categories[code]
        kind = kind or (
            ItemKind.SUGGESTION if rng.random() < SUGGESTION_SHARE[channel] else ItemKind.PROBLEM
        )
        ctx = self._context(person)
        title, text = vt.resident_text(code, kind, channel, rng, ctx)
        roll = rng.random()
        if roll < 0.04:
            text = vt.with_typo(text, rng)
        elif roll < 0.10:
            title, text = vt.traditional(title), vt.traditional(text)
        # What the classifier would have suggested: usually right, sometimes not.
        if rng.random() < 0.8:
            suggested = category
        else:
            suggested = self.categories[rng.choice(list(self.categories))]
        urgent = routing.is_urgent(text)
        level = suggested.default_level
        if urgent and RANK[level] < RANK[Level.COMMUNITY]:
            level = Level.COMMUNITY
        building = self.buildings[person.building_id]
        public_place = code in ("roads", "greening", "space_beautification", "parking", "noise")
        renewal = RENEWAL.get(code)
        item = Item(
            kind=kind,
            title=title[:80],
            text=text,
            channel=channel,
            event_session=session,
            project_label=renewal.format(compound=ctx["compound"]) if renewal else "",
            project_phase=PHASES[month] if renewal else "",
            community=self.community,
            grid_id=person.grid_id,
            compound_id=person.compound_id,
            building_id=building.pk,
            entrance_id=person.entrance_id,
            household_id=person.household_id,
            location_text=(
                f"{ctx['compound']}{ctx['spot']}"
                if public_place
                else f"{building.number}栋{ctx['u']}单元{ctx['door']}"
            ),
            category=None,
            suggested_category=suggested,
            suggestion_score=round(
                rng.uniform(0.55, 0.97) if suggested is category else rng.uniform(0.25, 0.6), 4
            ),
            category_confirmed=False,
            urgent=urgent,
            level=level,
            status=Status.SUBMITTED,
            submitted_at=submitted,
        )
        item._true_category = category
        item._month = month
        on_behalf = channel in (Channel.VISIT, Channel.PHONE, Channel.PAPER, Channel.EVENT)
        is_demo = self.demo_person is not None and person.pk == self.demo_person.pk
        reporter = ItemReporter(
            resident_id=person.pk,
            user=self.resident_user if is_demo and not on_behalf else None,
            name=person.name,
            entered_by=self._entered_by(channel, person) if on_behalf else None,
            channel=channel,
            is_original=True,
            share_phone_with_partner=rng.random() < 0.45,
            joined_at=submitted,
        )
        plan = _Plan(item=item, person=person, reporter=reporter, index=len(self.plans))
        plan.reporters.append((submitted, person.pk))
        self.plans.append(plan)
        return plan

    def _entered_by(self, channel: str, person: _Person) -> User | None:
        if channel == Channel.EVENT:
            return self.staff
        first_building = next(iter(self.buildings))
        if channel == Channel.VISIT and person.building_id == first_building and self.building_user:
            return self.building_user
        if person.grid_id == self.demo_grid_id:
            return self.grid_worker
        if channel == Channel.PHONE:
            return self.staff
        return None  # a grid worker without a login of their own in the demo

    # -- labels of who acted ----------------------------------------------------------------

    def _grid_actor(self, grid_id: int) -> tuple[User | None, str]:
        name = self.grid_chiefs.get(grid_id, "")
        user = self.grid_user if grid_id == self.demo_grid_id else None
        return user, (str(user) if user else f"{self.grid_names[grid_id]}网格长 {name}".strip())

    def _handler(self, level: str, grid_id: int) -> tuple[User | None, str]:
        if level == Level.GRID:
            return self._grid_actor(grid_id)
        if level == Level.SUBDISTRICT and self.subdistrict_user:
            return self.subdistrict_user, str(self.subdistrict_user)
        user = self.staff if self.rng.random() < 0.75 else self.secretary
        return user, str(user)

    def _unit_actor(self, unit: PartnerUnit) -> tuple[User | None, str]:
        if self.partner_user and self.partner_user.partner_unit_id == unit.pk:
            return self.partner_user, f"{unit.short_name} {self.partner_user.display_name}"
        return None, unit.short_name

    # -- the simulated life ------------------------------------------------------------

    def _event(
        self, plan: _Plan, at, type, actor=None, label: str = "", *, note="", public=True, **data
    ):
        self.seq += 1
        plan.events.append(
            (
                at,
                self.seq,
                ItemEvent(
                    type=type,
                    at=at,
                    actor=actor,
                    actor_label=(label or (str(actor) if actor else "系统"))[:120],
                    public=public,
                    note=note,
                    data={k: v for k, v in data.items() if v is not None},
                ),
            )
        )

    def _tell(self, plan: _Plan, at, text: str) -> None:
        plan.notes.append((at, text))

    def _restart(self, life: dict, stage: str, at: dt.datetime) -> None:
        item = life["item"]
        life.update(stage=stage, started=at, supervision=Supervision.NONE)
        life["due"] = deadlines.due_at(
            category=item.category or item.suggested_category,
            stage=stage,
            start=at,
            urgent=item.urgent,
        )

    def _follow(self, plan: _Plan, life: dict, until: dt.datetime) -> None:
        """The follow-up the periodic job would have sent while the current stage ran past
        its deadline, up to ``until``: reminder, supervision notice, then escalation (or a
        notice to the level above when the item cannot move up)."""
        item = life["item"]
        workday = deadlines.workday_hours()
        while life["supervision"] < Supervision.ESCALATED:
            step = life["supervision"] + 1
            # As ``deadlines.supervision_threshold``: by the confirmed category only.
            threshold = min(
                deadlines.limit_hours(item.category, life["stage"], urgent=item.urgent),
                workday,
            )
            # Reminded as soon as it is late; each later step one threshold further on.
            at = (
                life["due"] + dt.timedelta(minutes=1)
                if step == 1
                else _add_hours(life["due"], threshold * (step - 1))
            )
            if at > until or at > self.end:
                return
            can_escalate = (
                life["stage"] in (Stage.RESPOND, Stage.HANDLE) and item.level != Level.SUBDISTRICT
            )
            if step == Supervision.ESCALATED and can_escalate:
                before = item.level
                item.level = LEVEL_ORDER[RANK[before] + 1]
                self._event(
                    plan,
                    at,
                    EventType.ESCALATED,
                    note="超时自动上报",
                    to=item.level,
                    to_label=str(Level(item.level).label),
                    **{"from": before},
                )
                self._tell(
                    plan, at, f"您反映的事项{{number}}已上报至{Level(item.level).label}办理。"
                )
                self._restart(life, life["stage"], at)
                continue
            self._event(
                plan,
                at,
                EventType.REMINDED if step == Supervision.REMINDED else EventType.SUPERVISED,
                public=False,
                step=int(step),
                stage=life["stage"],
            )
            life["supervision"] = step

    def _reach(self, plan: _Plan, life: dict, end: dt.datetime | None) -> bool:
        """Whether the step ending at ``end`` happened before the history's "now"; the
        follow-ups of the running stage are sent up to then either way."""
        if end is None or end > self.end:
            self._follow(plan, life, self.end)
            return False
        self._follow(plan, life, end)
        return True

    def _live(self, plan: _Plan) -> None:
        rng = self.rng
        item = plan.item
        true = item._true_category
        code = true.code
        hard = code in HARD
        t0 = item.submitted_at
        life = {"item": item}
        self._restart(life, Stage.RESPOND, t0)
        actor = plan.reporter.user or plan.reporter.entered_by
        label = (
            str(actor)
            if actor
            else f"{self.grid_names[plan.person.grid_id]}网格员 {self.grid_workers.get(plan.person.grid_id, '')}".strip()
        )
        self._event(
            plan,
            t0,
            EventType.SUBMITTED,
            actor,
            label,
            channel=item.channel,
            entered_by=str(plan.reporter.entered_by) if plan.reporter.entered_by else None,
        )
        self._event(
            plan,
            t0,
            EventType.CATEGORISED,
            public=False,
            suggestions=[
                {
                    "category": item.suggested_category.code,
                    "unit": item.suggested_category.default_unit_id,
                    "level": str(item.suggested_category.default_level),
                    "score": item.suggestion_score,
                }
            ],
        )
        self._tell(
            plan, t0, f"您反映的事项已收到，编号{{number}}，我们将在{_fmt(life['due'])}前受理。"
        )
        stuck = item._month >= 9 and rng.random() < 0.04
        # Withdrawn before anyone took it up.
        if rng.random() < 0.01:
            at = self._after(life, 0)
            if self._reach(plan, life, at):
                item.status, item.closed_at = Status.WITHDRAWN, at
                self._event(
                    plan,
                    at,
                    EventType.WITHDRAWN,
                    plan.reporter.user,
                    plan.person.name,
                    note=rng.choice(WITHDRAW_REASONS),
                )
                self._tell(plan, at, "您已撤回诉求{number}。")
            return self._finish(plan, life)

        # 受理: the level the item should end at, reached by accepting lower or escalating.
        default = true.default_level
        r = rng.random()
        if default == Level.GRID:
            final = Level.GRID if r < 0.9 else Level.COMMUNITY if r < 0.985 else Level.SUBDISTRICT
        else:
            final = Level.GRID if r < 0.7 else Level.COMMUNITY if r < 0.95 else Level.SUBDISTRICT
        units, need = ROUTES.get(code, ((), 0.0))
        if item.kind == ItemKind.SUGGESTION:
            need *= 0.2
        unit = None
        if units and rng.random() < need:
            choice = rng.choice(units)
            choice = self.property.get(item.compound_id) if choice == "物业" else choice
            unit = self.units.get(choice) if choice else None
        if unit is not None and final == Level.GRID:
            final = Level.COMMUNITY
        if item.urgent and RANK[final] < RANK[Level.COMMUNITY]:
            final = Level.COMMUNITY

        accepted = self._after(life, 0.06)
        if not self._reach(plan, life, accepted):
            return self._finish(plan, life)
        accept_level = item.level if RANK[final] > RANK[item.level] else final
        who, who_label = self._handler(accept_level, item.grid_id)
        item.level = accept_level
        item.category, item.category_confirmed = true, True
        item.responsible_unit = true.default_unit
        item.accepted_at = accepted
        item.responded_on_time = accepted <= life["due"]
        item.lead_user = who
        item.status = Status.ACCEPTED
        self._restart(life, Stage.HANDLE, accepted)
        self._event(
            plan, accepted, EventType.ACCEPTED, who, who_label, category=true.name, level=item.level
        )
        self._event(
            plan,
            accepted,
            EventType.CATEGORISED,
            who,
            who_label,
            public=False,
            suggested=item.suggested_category_id,
            confirmed=true.pk,
            corrected=item.suggested_category_id != true.pk,
        )
        self._tell(
            plan,
            accepted,
            f"您反映的事项{{number}}已受理（{true.name}），由{Level(item.level).label}办理，"
            f"预计{_fmt(life['due'])}前办结。",
        )
        at = accepted
        while RANK[item.level] < RANK[final]:
            at = _add_hours(at, rng.uniform(0.5, 6))
            if not self._reach(plan, life, at):
                return self._finish(plan, life)
            before = item.level
            who, who_label = self._handler(before, item.grid_id)
            item.level = LEVEL_ORDER[RANK[before] + 1]
            self._event(
                plan,
                at,
                EventType.ESCALATED,
                who,
                who_label,
                note=rng.choice(ESCALATE_REASONS[item.level]),
                to=item.level,
                to_label=str(Level(item.level).label),
                **{"from": before},
            )
            self._tell(plan, at, f"您反映的事项{{number}}已上报至{Level(item.level).label}办理。")
            self._restart(life, Stage.HANDLE, at)

        ctx = self._context(plan.person)
        rounds = 0
        while True:
            rounds += 1
            if unit is not None and (rounds == 1 or rng.random() < 0.5):
                resolved = self._partner(plan, life, unit, at, hard, stuck, ctx)
                if resolved is None:
                    return self._finish(plan, life)
                at = resolved
            else:
                resolved = self._after(life, 0.2 if hard else 0.1)
                if stuck or not self._reach(plan, life, resolved):
                    if stuck:
                        self._follow(plan, life, self.end)
                    return self._finish(plan, life)
                who, who_label = self._handler(item.level, item.grid_id)
                note = vt.expand(rng.choice(vt.HANDLED.get(code, vt.HANDLED["other"])), rng, ctx)
                item.status = Status.RESOLVED
                item.resolved_at, item.resolved_on_time = resolved, resolved <= life["due"]
                self._restart(life, Stage.VERIFY, resolved)
                self._event(plan, resolved, EventType.RESOLVED, who, who_label, note=note)
                self._tell(
                    plan,
                    resolved,
                    f"您反映的事项{{number}}已办理：{note[:120]}。我们将回访听取您的意见。",
                )
                at = resolved
            stuck = False
            # 回访
            visit_at = self._after(life, 0.03)
            if not self._reach(plan, life, visit_at):
                return self._finish(plan, life)
            first = rounds == 1
            r = rng.random()
            solved = (
                Solved.NOT_SOLVED
                if first and r < 0.035
                else Solved.SOLVED
                if r < 0.87
                else Solved.PARTLY
            )
            satisfaction = self._satisfaction(solved)
            by_resident = plan.reporter.user is not None and rng.random() < 0.7
            visitor = (
                plan.reporter.user
                if by_resident
                else self.grid_worker
                if item.grid_id == self.demo_grid_id
                and item.level == Level.GRID
                and self.grid_worker
                else self.staff
            )
            comment = vt.expand(
                rng.choice(vt.VISIT_COMMENTS.get((solved, satisfaction), [""])), rng, ctx
            )
            plan.visits.append(
                ReturnVisit(
                    visited_by=visitor,
                    visited_at=visit_at,
                    solved=solved,
                    satisfaction=satisfaction,
                    comment=comment,
                    by_resident=by_resident,
                )
            )
            self._event(
                plan,
                visit_at,
                EventType.RETURN_VISIT,
                visitor,
                str(visitor),
                note=comment,
                solved=solved,
                satisfaction=satisfaction,
                solved_label=str(Solved(solved).label),
                satisfaction_label=str(Satisfaction(satisfaction).label),
                by_resident=by_resident,
            )
            if solved == Solved.NOT_SOLVED:
                item.status = Status.ACCEPTED
                self._restart(life, Stage.HANDLE, visit_at)
                self._event(plan, visit_at, EventType.REOPENED, visitor, str(visitor), note=comment)
                self._tell(plan, visit_at, "您反映的事项{number}回访为未解决，已重新办理。")
                at = visit_at
                continue
            item.status, item.closed_at = Status.CLOSED, visit_at
            self._event(plan, visit_at, EventType.CLOSED, visitor, str(visitor))
            self._tell(
                plan,
                visit_at,
                f"您反映的事项{{number}}已办结（{Solved(solved).label}）。感谢您的参与！",
            )
            return self._finish(plan, life)

    def _partner(self, plan, life, unit, at, hard, stuck, ctx) -> dt.datetime | None:
        """吹哨、报到: dispatch, sign, reply, verify. Returns when the item was resolved, or
        None when the history ends before that."""
        rng = self.rng
        item = plan.item
        wrong_first = rng.random() < 0.06
        rejected_once = False
        while True:
            target = unit
            if wrong_first:
                others = [
                    u for u in self.units.values() if u.pk != unit.pk and u.kind == "government"
                ]
                target = rng.choice(others) if others else unit
            sent = _add_hours(at, rng.uniform(0.5, 8))
            if not self._reach(plan, life, sent):
                return None
            sender = self.staff if rng.random() < 0.8 else self.secretary
            item.status, item.responsible_unit = Status.DISPATCHED, target
            self._restart(life, Stage.PARTNER_ACCEPT, sent)
            dispatch = Dispatch(
                unit=target,
                status=DispatchStatus.SENT,
                instructions=f"请核实{item.location_text}居民反映的情况，按时限签收并答复办理结果。",
                sent_by=sender,
                sent_at=sent,
                accept_due_at=life["due"],
            )
            plan.dispatches.append(dispatch)
            ref = _Ref(dispatch, "pk")
            self._event(
                plan,
                sent,
                EventType.DISPATCHED,
                sender,
                str(sender),
                unit=target.short_name or target.name,
                unit_id=target.pk,
                dispatch=ref,
            )
            self._tell(plan, sent, f"您反映的事项{{number}}已交由{target.short_name}办理。")
            partner, partner_label = self._unit_actor(target)
            signed = self._after(life, 0.08)
            if not self._reach(plan, life, signed):
                return None
            if wrong_first:
                wrong_first = False
                dispatch.status, dispatch.returned_at = DispatchStatus.RETURNED, signed
                dispatch.return_reason = vt.RETURN_REASONS[0].format(other=unit.short_name)
                item.status, item.responsible_unit = Status.ACCEPTED, None
                self._restart(life, Stage.HANDLE, signed)
                self._event(
                    plan,
                    signed,
                    EventType.PARTNER_RETURNED,
                    partner,
                    partner_label,
                    note=dispatch.return_reason,
                    dispatch=ref,
                )
                self._tell(plan, signed, "您反映的事项{number}正在重新安排办理。")
                at = signed
                continue
            dispatch.status, dispatch.accepted_at, dispatch.accepted_by = (
                DispatchStatus.ACCEPTED,
                signed,
                partner,
            )
            self._restart(life, Stage.PARTNER_HANDLE, signed)
            dispatch.reply_due_at = life["due"]
            self._event(
                plan, signed, EventType.PARTNER_ACCEPTED, partner, partner_label, dispatch=ref
            )
            self._tell(plan, signed, f"{target.short_name}已签收您反映的事项{{number}}，正在办理。")
            replied = self._after(life, 0.25 if hard else 0.12)
            if stuck or not self._reach(plan, life, replied):
                if stuck:
                    self._follow(plan, life, self.end)
                return None
            replies = vt.PARTNER_REPLIES.get(target.short_name) or ["已办理完毕。"]
            dispatch.status, dispatch.replied_at = DispatchStatus.REPLIED, replied
            dispatch.reply = vt.expand(rng.choice(replies), rng, ctx)
            self._restart(life, Stage.VERIFY, replied)
            self._event(
                plan,
                replied,
                EventType.PARTNER_REPLIED,
                partner,
                partner_label,
                note=dispatch.reply,
                dispatch=ref,
                evidence=rng.randint(1, 3),
            )
            self._tell(
                plan, replied, f"{target.short_name}已答复您反映的事项{{number}}，社区正在核实。"
            )
            verified = self._after(life, 0.05)
            if not self._reach(plan, life, verified):
                return None
            checker = self.staff if rng.random() < 0.7 else self.secretary
            dispatch.verified_at = verified
            if not rejected_once and rng.random() < 0.03:
                rejected_once = True
                dispatch.status = DispatchStatus.REJECTED
                dispatch.verify_note = vt.REJECT_REASONS[0]
                item.status, item.responsible_unit = Status.ACCEPTED, None
                self._restart(life, Stage.HANDLE, verified)
                self._event(
                    plan,
                    verified,
                    EventType.VERIFIED,
                    checker,
                    str(checker),
                    note=dispatch.verify_note,
                    public=False,
                    accepted=False,
                    dispatch=ref,
                )
                at = verified
                continue
            dispatch.status = DispatchStatus.VERIFIED
            dispatch.verify_note = "经现场核实，已办理完毕。"
            item.status = Status.RESOLVED
            item.resolved_at = verified
            item.resolved_on_time = replied <= dispatch.reply_due_at
            self._restart(life, Stage.VERIFY, verified)
            self._event(
                plan,
                verified,
                EventType.VERIFIED,
                checker,
                str(checker),
                note=dispatch.verify_note,
                accepted=True,
                dispatch=ref,
            )
            self._event(
                plan, verified, EventType.RESOLVED, checker, str(checker), note=dispatch.reply
            )
            self._tell(
                plan,
                verified,
                f"您反映的事项{{number}}已由{target.short_name}办理：{dispatch.reply[:100]}。"
                "我们将回访听取您的意见。",
            )
            return verified

    def _satisfaction(self, solved: str) -> str:
        r = self.rng.random()
        if solved == Solved.SOLVED:
            return (
                Satisfaction.SATISFIED
                if r < 0.88
                else Satisfaction.BASICALLY
                if r < 0.99
                else Satisfaction.DISSATISFIED
            )
        if solved == Solved.PARTLY:
            return (
                Satisfaction.SATISFIED
                if r < 0.3
                else Satisfaction.BASICALLY
                if r < 0.85
                else Satisfaction.DISSATISFIED
            )
        return Satisfaction.DISSATISFIED if r < 0.7 else Satisfaction.BASICALLY

    def _finish(self, plan: _Plan, life: dict) -> None:
        item = plan.item
        item.stage = life["stage"]
        item.stage_started_at = life["started"]
        item.due_at = life["due"]
        item.supervision = life["supervision"]
        # The job's warning before the deadline (临期提醒) counts as sent for a stage that was
        # due soon, or past due, at the history's "now".
        item.warned = life["due"] <= deadlines.due_soon_until(self.end)
        self._joiners(plan)

    def _joiners(self, plan: _Plan) -> None:
        """ "Me too": neighbours of the same building who joined while the item was open."""
        rng = self.rng
        item = plan.item
        if item.status in (Status.WITHDRAWN, Status.MERGED) or rng.random() > 0.06:
            return
        end = item.resolved_at or self.end
        # Open for a working day at least (in office time, so that it is the same whatever
        # weekends and holidays fell in between).
        hours = workcal.working_hours_between(item.submitted_at, end)
        if hours < deadlines.workday_hours():
            return
        taken = {pk for _at, pk in plan.reporters}
        neighbours = [p for p in self.by_building[plan.person.building_id] if p.pk not in taken]
        for person in rng.sample(neighbours, min(len(neighbours), rng.randint(1, 3))):
            at = _add_hours(item.submitted_at, hours * rng.uniform(0.05, 0.9))
            plan.reporters.append((at, person.pk))
            self._event(plan, at, EventType.JOINED, None, person.name)
            plan.notes.append((at, "您已附议诉求{number}，办理进展将通知您。", person.pk))

    def _duplicates(self) -> None:
        """Someone else reports what is already being handled; staff merge the two."""
        rng = self.rng
        for plan in list(self.plans):
            item = plan.item
            if item.channel == Channel.EVENT or item.accepted_at is None or rng.random() > 0.03:
                continue
            end = item.resolved_at or self.end
            span = workcal.working_hours_between(item.accepted_at, end)
            if span < 3 * deadlines.workday_hours():
                continue
            others = [
                p for p in self.by_building[plan.person.building_id] if p.pk != plan.person.pk
            ]
            if not others:
                continue
            person = rng.choice(others)
            submitted = _add_hours(item.accepted_at, span * rng.uniform(0.05, 0.5))
            if submitted >= end:
                continue
            dup = self._new_item(
                rng.choice([Channel.ONLINE, Channel.PHONE, Channel.VISIT]),
                item._true_category.code,
                person,
                submitted,
                item._month,
                kind=ItemKind.PROBLEM,
            )
            if dup is None:
                continue
            d = dup.item
            life = {"item": d}
            self._restart(life, Stage.RESPOND, submitted)
            actor = dup.reporter.user or dup.reporter.entered_by
            self._event(
                dup,
                submitted,
                EventType.SUBMITTED,
                actor,
                str(actor) if actor else person.name,
                channel=d.channel,
            )
            self._tell(
                dup,
                submitted,
                f"您反映的事项已收到，编号{{number}}，我们将在{_fmt(life['due'])}前受理。",
            )
            merged = _add_hours(submitted, rng.uniform(0.5, 4))
            if merged >= end or merged >= self.end:
                self.plans.remove(dup)
                continue
            who, who_label = self._handler(item.level, item.grid_id)
            d.status, d.merged_into, d.closed_at = Status.MERGED, item, merged
            d.stage, d.stage_started_at, d.due_at = Stage.RESPOND, submitted, life["due"]
            self._event(dup, merged, EventType.MERGED, who, who_label, into=_Ref(item, "number"))
            self._tell(
                dup,
                merged,
                "您反映的事项{number}与{into}为同一问题，已合并办理，结果将通知您。",
            )
            dup.into = plan
            self._event(
                plan, merged, EventType.MERGED, who, who_label, **{"from": _Ref(d, "number")}
            )
            if all(pk != person.pk for _at, pk in plan.reporters):
                plan.reporters.append((merged, person.pk))
                plan.merged_reporters = [*getattr(plan, "merged_reporters", []), (merged, dup)]

    # -- writing -------------------------------------------------------------------------

    def write(self) -> HistoryStats:
        stats = HistoryStats()
        EventSession.objects.bulk_create(self.sessions)
        stats.sessions = len(self.sessions)
        self.plans.sort(key=lambda p: (p.item.submitted_at, p.person.pk))
        counters: Counter = Counter()
        for plan in self.plans:
            year = timezone.localtime(plan.item.submitted_at).year
            counters[year] += 1
            plan.item.number = f"{self.prefix}{year}-{counters[year]:06d}"
        stats.published, stats.private = self._publication()
        # Merged items point at their target, which must exist first.
        plain = [p for p in self.plans if p.item.merged_into is None]
        merged = [p for p in self.plans if p.item.merged_into is not None]
        for group in (plain, merged):
            for plan in group:
                if plan.item.merged_into is not None:
                    plan.item.merged_into_id = plan.item.merged_into.pk
            Item.objects.bulk_create([p.item for p in group], batch_size=500)
        for year, last in counters.items():
            ItemNumberCounter.objects.update_or_create(
                prefix=self.prefix, year=year, defaults={"last": last}
            )
        dispatches = []
        for plan in self.plans:
            for d in plan.dispatches:
                d.item = plan.item
                dispatches.append(d)
        Dispatch.objects.bulk_create(dispatches, batch_size=500)

        reporters, events, visits, notes = [], [], [], []
        for plan in self.plans:
            item = plan.item
            first = plan.reporter
            first.item = item
            reporters.append(first)
            dups = dict((dup.person.pk, dup) for _at, dup in getattr(plan, "merged_reporters", []))
            for at, pk in plan.reporters[1:]:
                dup = dups.get(pk)
                source = dup.reporter if dup else None
                reporters.append(
                    ItemReporter(
                        item=item,
                        resident_id=pk,
                        user=source.user if source else None,
                        name=self.person_by_pk[pk].name,
                        entered_by=source.entered_by if source else None,
                        channel=source.channel if source else Channel.ONLINE,
                        is_original=False,
                        share_phone_with_partner=bool(source and source.share_phone_with_partner),
                        joined_at=at,
                    )
                )
            for _at, _seq, event in sorted(plan.events, key=lambda e: (e[0], e[1])):
                event.item = item
                event.data = {
                    k: (v.value() if isinstance(v, _Ref) else v) for k, v in event.data.items()
                }
                events.append(event)
            for visit in plan.visits:
                visit.item = item
                visits.append(visit)
            into = getattr(plan, "into", None)
            rng = random.Random(f"{self.seed}:notes:{plan.index}")
            for note in plan.notes:
                at, text = note[0], note[1]
                text = text.format(number=item.number, into=into.item.number if into else "")
                who = (
                    [note[2]]
                    if len(note) > 2
                    else [pk for joined, pk in plan.reporters if joined <= at]
                )
                for pk in who:
                    notes.append(self._notification(rng, item, pk, at, text))
        _insert_as_given(ItemReporter, reporters)
        bulk_insert(ItemEvent, events)
        bulk_insert(ReturnVisit, visits)
        _insert_as_given(Notification, notes)

        stats.items = len(self.plans)
        stats.events = len(events)
        stats.dispatches = len(dispatches)
        stats.return_visits = len(visits)
        stats.reporters = len(reporters)
        stats.notifications = len(notes)
        stats.statuses = dict(Counter(p.item.status for p in self.plans))
        stats.hard_solved_with_partners = sum(
            1
            for p in self.plans
            if p.item.status == Status.CLOSED
            and p.item.category_id
            and p.item.category.code in HARD
            and any(d.status == DispatchStatus.VERIFIED for d in p.dispatches)
        )
        return stats

    def _publication(self) -> tuple[int, int]:
        """Which items residents asked to keep private, and which closed ones staff have
        published since — the same fields and the same timeline event as
        ``voices.services.item_publish`` and intake's private flag, set here in bulk. The
        public text is the redaction the review screen suggests, approved as it stands by
        the staff of the item's level. Each item draws from its own seed, so the rest of the
        history is the same with or without this."""
        names = register_names(self.community.pk)
        published = private = 0
        for plan in self.plans:
            item = plan.item
            rng = random.Random(f"{self.seed}:publication:{plan.index}")
            asked, review, later = rng.random(), rng.random(), rng.uniform(0.5, 16)
            if asked < PRIVATE_SHARE or redact.asks_privacy(item.text):
                item.private, item.publication = True, Publication.WITHHELD
                item.withheld_reason = "居民要求不公开（私下反映）"
                for _at, _seq, event in plan.events:
                    if event.type == EventType.SUBMITTED:
                        event.data["private"] = True
                private += 1
                continue
            if item.status != Status.CLOSED or review >= PUBLISHED_SHARE:
                continue
            at = _add_hours(item.closed_at, later)
            if at >= self.end:
                continue  # closed too recently: still waiting in the review queue
            actor = self.subdistrict_user if item.level == Level.SUBDISTRICT else self.staff
            item.publication = Publication.PUBLISHED
            item.public_text = redact.redact(
                item.text, names=names.plus([plan.person.name, plan.reporter.name])
            )
            item.published_by, item.published_at = actor, at
            self._event(plan, at, EventType.PUBLISHED, actor, str(actor) if actor else "")
            published += 1
        return published, private

    def _notification(
        self, rng: random.Random, item: Item, resident_id: int, at: dt.datetime, text: str
    ) -> Notification:
        # Old messages have been read; the last week's may not have been.
        recent = self.end - at < dt.timedelta(days=7)
        # As many draws whatever the dates, so that the day moves no other draw.
        unread, after = rng.random() < 0.6, rng.uniform(0.2, 30)
        read = None if recent and unread else at + dt.timedelta(hours=after)
        return Notification(
            resident_id=resident_id,
            item=item,
            text=text[:300],
            created_at=at,
            read_at=read if read is None or read < self.end else None,
            sms_status="sent" if rng.random() < 0.6 else "no_phone",
        )


WISHES = 36


def write_wishes(*, seed: int, community: Community, scale: float = 1.0, log=print) -> int:
    """微心愿 made through the wishes services, one step at a time as people would: a leader
    records the wish on a visit, staff verify it onto the wall, a sponsor claims and fulfils
    it, the resident (or a leader after a visit) confirms. The volume is small, so the
    services' own checks, events and notifications apply in full; their clock is the
    present, so these wishes are the wall as it stands now rather than part of the year."""
    from gongzhi.wishes import rules as wish_rules
    from gongzhi.wishes import services as wish_services
    from gongzhi.wishes.enums import Channel as WishChannel

    rng = random.Random(f"{seed}:wishes")
    users = {u.username: u for u in User.objects.filter(is_demo=True)}
    staff = users["demo-staff"]
    sponsors = [
        u
        for u in users.values()
        if u.username != "demo-resident" and wish_rules.sponsor_identities(u)
    ]
    people = list(
        Resident.objects.filter(community=community, status=ResidentStatus.LIVING)
        .filter(birth_date__lte=REFERENCE_DATE.replace(year=REFERENCE_DATE.year - 60))
        .order_by("pk")
    )
    if not people:
        return 0
    made = 0
    for i in range(max(3, round(WISHES * scale))):
        category = rng.choice(list(vt.WISHES))
        resident = rng.choice(people)
        channel = rng.choice(
            [WishChannel.VISIT, WishChannel.VISIT, WishChannel.PHONE, WishChannel.PAPER]
        )
        wish = wish_services.wish_submit(
            actor=staff,
            resident=resident,
            category=category,
            text=rng.choice(vt.WISHES[category]),
            channel=channel,
        )
        made += 1
        stage = rng.random()
        if i % 18 == 17:
            wish_services.wish_reject(
                actor=staff, wish=wish, reason="已纳入社区常态化服务，由网格员直接上门解决。"
            )
            continue
        if stage < 0.1:
            continue  # waiting for verification
        wish_services.wish_publish(actor=staff, wish=wish)
        candidates = [u for u in sponsors if wish_rules.sponsors_for(u, wish)]
        if stage < 0.25 or not candidates:
            continue  # on the wall, waiting for a sponsor
        sponsor = rng.choice(candidates)
        choice = wish_rules.sponsors_for(sponsor, wish)[0]
        wish_services.wish_claim(actor=sponsor, wish=wish, sponsor=choice.key)
        if stage < 0.4:
            continue
        wish_services.wish_fulfil(actor=sponsor, wish=wish, proof_text=rng.choice(vt.WISH_PROOFS))
        if stage < 0.5:
            continue
        wish_services.wish_confirm(actor=staff, wish=wish, note="已上门看过，东西收到了。")
        if stage < 0.75 and rng.random() < 0.6:
            wish_services.wish_thank(
                actor=staff, wish=wish, text=rng.choice(vt.WISH_THANKS), public=True
            )
    log(f"微心愿：{made} 个")
    return made


def _add_hours(start: dt.datetime, hours: float) -> dt.datetime:
    """``workcal.add_working_hours`` in naive local time. The same walk over the same
    calendar, but without a time-zone lookup per period: the simulation asks this some
    twenty thousand times. Deadlines themselves still come from ``voices.deadlines``."""
    tz = timezone.get_default_timezone()
    moment = start.astimezone(tz).replace(tzinfo=None)
    remaining = dt.timedelta(hours=hours)
    day = moment.date()
    periods = workcal.work_periods()
    while True:
        if workcal.is_working_day(day):
            for begin, end in periods:
                period_start = dt.datetime.combine(day, begin)
                period_end = dt.datetime.combine(day, end)
                if moment >= period_end:
                    continue
                cursor = max(moment, period_start)
                if remaining <= period_end - cursor:
                    return (cursor + remaining).replace(tzinfo=tz)
                remaining -= period_end - cursor
                moment = period_end
        day += dt.timedelta(days=1)
        moment = dt.datetime.combine(day, dt.time(0))


def _fmt(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%m-%d %H:%M")


def _insert_as_given(model: type[Model], objects: list[Model]) -> None:
    """INSERT rows keeping every column as given. ``bulk_create`` (and ``bulk_insert``)
    stamp ``auto_now_add`` columns with the present moment, which would date a reporter's
    joining or a notification to the day of the seed instead of the day in the history."""
    if not objects:
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    converters = [(f.attname, _converter(f)) for f in fields]
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        quote(model._meta.db_table),
        ", ".join(quote(f.column) for f in fields),
        ", ".join(["%s"] * len(fields)),
    )
    with connection.cursor() as cursor:
        for start in range(0, len(objects), 2000):
            cursor.executemany(
                sql,
                [
                    [convert(getattr(obj, attname)) for attname, convert in converters]
                    for obj in objects[start : start + 2000]
                ],
            )


def _converter(field):
    if isinstance(field, DateTimeField) and connection.vendor == "sqlite":
        # What the SQLite backend stores for an aware datetime: naive UTC, as text.
        # Done here directly, since the backend's adapter looks up the zone every call.
        return lambda v: None if v is None else str(v.astimezone(dt.UTC).replace(tzinfo=None))
    return lambda v: field.get_db_prep_save(v, connection)
