"""Who lives in a household: household types with their members, ages, relations,
identity numbers and phones. Pure Python, no database: ``generator`` writes the result.

Ages are drawn relative to ``REFERENCE_DATE``, a fixed day, so that a seed gives the same
people whenever it runs. Because people only grow older, the share aged 60+ counted "as of
today" can only rise after that day; the household mix below puts it at about 32–33%.
"""

from __future__ import annotations

import datetime as dt
import random
from bisect import bisect
from dataclasses import dataclass, field
from itertools import accumulate

from gongzhi.core.identity import birth_date_from_id, make_id_number
from gongzhi.places.enums import Relation, Residence, ResidentStatus

from .names import NameMaker

REFERENCE_DATE = dt.date(2026, 1, 1)

# Dong district, Xi district, Renhe district of Panzhihua; most people here were
# registered in Dong district, where the community is. Communities past the first
# hundred of a run draw from Miyi and Yanbian counties instead (see ``PeopleMaker``).
REGION_ROUNDS = (("510402", "510403", "510411"), ("510421", "510422", "510402"))
REGION_WEIGHTS = (0.72, 0.14, 0.14)
LANES = 100
MAX_COMMUNITIES = LANES * len(REGION_ROUNDS)

MOBILE_PREFIXES = [
    "130",
    "131",
    "132",
    "133",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "152",
    "153",
    "155",
    "156",
    "157",
    "158",
    "159",
    "166",
    "173",
    "176",
    "177",
    "178",
    "180",
    "181",
    "182",
    "183",
    "185",
    "186",
    "187",
    "188",
    "189",
    "191",
    "199",
]

# Where the 人在户不在 are registered: nearby counties people move to the city from.
ORIGINS = (
    "四川省会理市鹿厂镇",
    "四川省米易县攀莲镇",
    "四川省盐边县桐子林镇",
    "四川省西昌市安宁镇",
    "四川省德昌县德州街道",
    "云南省永仁县永定镇",
    "云南省华坪县中心镇",
    "四川省成都市成华区",
    "重庆市万州区",
)

# A member template: (relation, how the age is drawn, gender rule). Age rules:
# ("elder",) 60–95; ("range", lo, hi); ("spouse",) near the head; ("child", lo, hi) a
# child of the head, at least ``lo`` and at most ``hi`` years old; ("parent",) 22–36
# years older than the head; ("grandchild",) a child of a child.
# Gender rules: "M", "F", "any", "opposite" (of the head).
HOUSEHOLD_TYPES: list[tuple[str, int, list[tuple[str, tuple, str]]]] = [
    # (kind, households per 5,040, members)
    ("lone_elder", 520, [(Relation.HEAD, ("elder",), "any")]),
    (
        "elder_couple",
        880,
        [(Relation.HEAD, ("elder",), "M"), (Relation.SPOUSE, ("spouse",), "opposite")],
    ),
    ("single", 400, [(Relation.HEAD, ("range", 22, 57), "any")]),
    (
        "couple",
        480,
        [(Relation.HEAD, ("range", 25, 57), "M"), (Relation.SPOUSE, ("spouse",), "opposite")],
    ),
    (
        "one_child",
        1100,
        [
            (Relation.HEAD, ("range", 28, 56), "M"),
            (Relation.SPOUSE, ("spouse",), "opposite"),
            (Relation.CHILD, ("child", 0, 30), "any"),
        ],
    ),
    (
        "two_children",
        200,
        [
            (Relation.HEAD, ("range", 30, 52), "M"),
            (Relation.SPOUSE, ("spouse",), "opposite"),
            (Relation.CHILD, ("child", 0, 24), "any"),
            (Relation.CHILD, ("child", 0, 24), "any"),
        ],
    ),
    (
        "three_gen",
        530,
        [
            (Relation.HEAD, ("range", 36, 56), "M"),
            (Relation.SPOUSE, ("spouse",), "opposite"),
            (Relation.CHILD, ("child", 0, 22), "any"),
            (Relation.PARENT, ("parent",), "any"),
        ],
    ),
    (
        "three_gen_both",
        90,
        [
            (Relation.HEAD, ("range", 36, 54), "M"),
            (Relation.SPOUSE, ("spouse",), "opposite"),
            (Relation.CHILD, ("child", 0, 20), "any"),
            (Relation.PARENT, ("parent",), "M"),
            (Relation.PARENT, ("parent",), "F"),
        ],
    ),
    (
        "elder_with_child",
        360,
        [(Relation.HEAD, ("elder",), "any"), (Relation.CHILD, ("child", 26, 60), "any")],
    ),
    (
        "elder_couple_with_child",
        240,
        [
            (Relation.HEAD, ("elder",), "M"),
            (Relation.SPOUSE, ("spouse",), "opposite"),
            (Relation.CHILD, ("child", 26, 60), "any"),
        ],
    ),
    (
        "grandparents",
        120,
        [
            (Relation.HEAD, ("range", 56, 78), "M"),
            (Relation.SPOUSE, ("spouse",), "opposite"),
            (Relation.GRANDCHILD, ("grandchild",), "any"),
        ],
    ),
    (
        "tenants",
        120,
        [(Relation.HEAD, ("range", 20, 40), "any"), (Relation.TENANT, ("range", 20, 40), "any")],
    ),
]
TYPE_TOTAL = sum(n for _k, n, _m in HOUSEHOLD_TYPES)


def household_kinds(n: int, rng: random.Random) -> list[str]:
    """Exactly ``n`` household kinds in the proportions above, shuffled. Quotas rather than
    independent draws keep the totals (residents, share 60+) the same for every seed."""
    kinds: list[str] = []
    for kind, share, _members in HOUSEHOLD_TYPES:
        kinds += [kind] * (share * n // TYPE_TOTAL)
    filler = ["one_child", "elder_couple", "couple", "lone_elder", "single"]
    i = 0
    while len(kinds) < n:
        kinds.append(filler[i % len(filler)])
        i += 1
    rng.shuffle(kinds)
    return kinds


MEMBERS = {kind: members for kind, _share, members in HOUSEHOLD_TYPES}


@dataclass
class Person:
    name: str
    gender: str
    birth_date: dt.date
    relation: str
    id_number: str
    phone: str = ""
    residence: str = Residence.BOTH
    registered_address: str = ""
    status: str = ResidentStatus.LIVING
    # (status, effective_on, reason) appended after the first "living" entry.
    history: list[tuple[str, dt.date, str]] = field(default_factory=list)
    moved_in: dt.date = REFERENCE_DATE
    tags: tuple[str, ...] = ()


class PeopleMaker:
    """Draws the members of a household.

    One ID number is one person in the whole register, and communities are generated in
    parallel processes, so they must not hand out the same number without talking to each
    other. Each community of a run gets a *lane*: the first two digits of the three-digit
    sequence number in its ID numbers (the third gives the gender). Lanes repeat after a
    hundred communities, with other region codes, so a run holds up to ``MAX_COMMUNITIES``.
    """

    def __init__(self, rng: random.Random, lane: int = 0):
        if not 0 <= lane < MAX_COMMUNITIES:
            raise ValueError(f"at most {MAX_COMMUNITIES} communities per run")
        self.rng = rng
        self.names = NameMaker(rng)
        self.lane = lane % LANES
        self.regions = REGION_ROUNDS[lane // LANES]
        self.used_ids: set[tuple[int, int]] = set()
        self._region_cum = list(accumulate(REGION_WEIGHTS))

    # -- ages and identities ---------------------------------------------------------

    def elder_age(self) -> int:
        # Many at 60–75, fewer towards 95.
        return 60 + int(self.rng.betavariate(1.3, 2.4) * 36)

    def birth_for_age(self, age: int) -> dt.date:
        # A birthday in the year before the reference day: exactly ``age`` years old then.
        start = (
            dt.date(
                REFERENCE_DATE.year - age - 1, REFERENCE_DATE.month, REFERENCE_DATE.day
            ).toordinal()
            + 1
        )
        end = dt.date(
            REFERENCE_DATE.year - age, REFERENCE_DATE.month, REFERENCE_DATE.day
        ).toordinal()
        return dt.date.fromordinal(self.rng.randint(start, end))

    def id_number(self, birth: dt.date, gender: str) -> str:
        rng = self.rng
        region_index = bisect(self._region_cum, rng.random() * self._region_cum[-1])
        digits = (1, 3, 5, 7, 9) if gender == "M" else (0, 2, 4, 6, 8)
        day = birth.toordinal()
        # Five numbers per region, day and gender in a lane; on the rare day they are all
        # taken, the person is born a day earlier.
        while True:
            for digit in rng.sample(digits, 5):
                key = (region_index * 1_000_000 + day, digit)
                if key not in self.used_ids:
                    self.used_ids.add(key)
                    return make_id_number(
                        self.regions[region_index], dt.date.fromordinal(day), self.lane * 10 + digit
                    )
            day -= 1

    def phone_for(self, age: int) -> str:
        if age < 14:
            share = 0.0
        elif age < 18:
            share = 0.45
        elif age < 70:
            share = 0.93
        elif age < 80:
            share = 0.7
        else:
            share = 0.38
        if self.rng.random() >= share:
            return ""
        return self.rng.choice(MOBILE_PREFIXES) + f"{self.rng.randrange(100_000_000):08d}"

    # -- households ------------------------------------------------------------------

    def household(self, kind: str, local_address: str) -> list[Person]:
        rng = self.rng
        people: list[Person] = []
        head_age = 0
        head_gender = "M"
        family = self.names.surname()
        for relation, age_rule, gender_rule in MEMBERS[kind]:
            if gender_rule == "any":
                gender = "M" if rng.random() < 0.5 else "F"
            elif gender_rule == "opposite":
                gender = "F" if head_gender == "M" else "M"
            else:
                gender = gender_rule
            if relation == Relation.HEAD and gender_rule == "M" and rng.random() < 0.18:
                gender = "F"  # a woman heads the household
            rule = age_rule[0]
            if rule == "elder":
                age = self.elder_age()
            elif rule == "range":
                age = rng.randint(age_rule[1], age_rule[2])
            elif rule == "spouse":
                age = max(20, head_age + rng.randint(-6, 3))
                if head_age >= 60:
                    age = max(60, age)
            elif rule == "child":
                age = min(
                    max(head_age - rng.randint(23, 36), age_rule[1]), age_rule[2], head_age - 18
                )
                age = max(0, age)
            elif rule == "parent":
                age = min(96, max(60, head_age + rng.randint(24, 34)))
            else:  # grandchild
                age = rng.randint(3, 16)
            birth = self.birth_for_age(age)
            if relation == Relation.HEAD:
                head_age, head_gender = age, gender
            # Children and a head's father share the family name; spouses, mothers and
            # tenants bring their own.
            shares_family = relation in (Relation.HEAD, Relation.CHILD, Relation.GRANDCHILD) or (
                relation == Relation.PARENT and gender == "M"
            )
            surname = family if shares_family and relation != Relation.TENANT else None
            name = self.names.full(birth.year, gender, surname)
            id_number = self.id_number(birth, gender)
            person = Person(
                name=name,
                gender=gender,
                birth_date=birth_date_from_id(id_number),
                relation=relation,
                id_number=id_number,
                phone=self.phone_for(age),
                registered_address=local_address,
            )
            people.append(person)
        self._residence(people, kind, local_address)
        self._moved_in(people)
        self._care_tags(people, kind)
        return people

    def _care_tags(self, people: list[Person], kind: str) -> None:
        rng = self.rng
        low_income = rng.random() < 0.03
        for i, p in enumerate(people):
            tags = []
            age = REFERENCE_DATE.year - p.birth_date.year
            if kind == "lone_elder":
                tags.append("alone")
            if rng.random() < (0.035 if age >= 60 else 0.012):
                tags.append("disabled")
            if low_income and i == 0:
                tags.append("low_income")
            if ("alone" in tags and age >= 80) or (
                "disabled" in tags and (low_income or "alone" in tags)
            ):
                tags.append("key_care")
            p.tags = tuple(tags)

    def _residence(self, people: list[Person], kind: str, local_address: str) -> None:
        rng = self.rng
        r = rng.random()
        if kind == "tenants" or r < 0.06:
            # 人在户不在: lives here, registered elsewhere.
            origin = rng.choice(ORIGINS)
            for p in people:
                p.residence = Residence.LIVES_ONLY
                p.registered_address = origin
        elif r < 0.085 and len(people) > 1:
            # 户在人不在: one member registered here works away.
            p = people[-1]
            p.residence = Residence.REGISTERED_ONLY

    def _moved_in(self, people: list[Person]) -> None:
        # Most families moved in when the buildings were new or bought later; children
        # born after that were "living" from birth.
        year = self.rng.randint(1990, 2023)
        moved = dt.date(year, self.rng.randint(1, 12), self.rng.randint(1, 28))
        for p in people:
            p.moved_in = max(moved, p.birth_date)

    def departed(self, kind: str, local_address: str, deceased: bool) -> Person:
        """A former member: a spouse who died, or a grown child who moved away. Kept in
        the register with their status history, as the services would leave them."""
        rng = self.rng
        if deceased:
            age = self.elder_age() + 3
            relation = Relation.SPOUSE
        else:
            age = rng.randint(22, 40)
            relation = Relation.CHILD
        gender = "M" if rng.random() < 0.5 else "F"
        birth = self.birth_for_age(age)
        id_number = self.id_number(birth, gender)
        birth = birth_date_from_id(id_number)
        person = Person(
            name=self.names.full(birth.year, gender),
            gender=gender,
            birth_date=birth,
            relation=relation,
            id_number=id_number,
            phone="" if deceased else self.phone_for(age),
            registered_address=local_address,
        )
        person.moved_in = max(dt.date(rng.randint(1992, 2012), rng.randint(1, 12), 1), birth)
        when = dt.date(rng.randint(2023, 2025), rng.randint(1, 12), rng.randint(1, 28))
        if deceased:
            person.status = ResidentStatus.DECEASED
            person.history.append((ResidentStatus.DECEASED, when, "病故"))
        else:
            person.status = ResidentStatus.MOVED_OUT
            person.history.append(
                (
                    ResidentStatus.MOVED_OUT,
                    when,
                    rng.choice(["迁往成都市", "工作调动", "购房迁出", "随子女迁居"]),
                )
            )
        return person
