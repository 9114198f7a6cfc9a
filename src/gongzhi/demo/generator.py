"""Writes communities — grids, compounds, buildings, entrances, households, residents with
their care tags and status history — for the demo and for the city-scale benchmark.

Why bulk inserts and not ``places.services``: the services create one record per call,
each with its own transaction, scope check, uniqueness query and audit event. That is the
right door for a person at a desk, but a city is 1.2 million residents: through the
services it would take hours. The generator therefore inserts in large batches and sets
by hand every column the services derive, exactly as they would:

* the denormalised ancestor ids on entrances, households and residents (``place_resident``);
* ``Household.address_label`` / ``address_code`` from ``Household.labels_for``;
* ``Building.sort_key`` and ``Grid.sort_key`` (their ``save`` sets them, ``bulk_create``
  does not call ``save``);
* ``name_simplified`` / ``name_pinyin`` / ``name_initials`` (``apply_name``; see ``names``);
* ``id_number_bidx``, ``phone_bidx``, ``phone_last4``, birth date and gender consistent
  with the ID number (``apply_identity``);
* one "living" status entry per resident from the day they moved in, and the later
  moves for those who left or died (``resident_create`` / ``resident_set_status``).

ID numbers and phones are still encrypted one by one, each with a fresh nonce, by the
field's ``get_prep_value``: nothing is shared between rows. Audit events are not written:
the register did not change hands, it was generated (the command says so in its output).
"""

from __future__ import annotations

import datetime as dt
import itertools
import multiprocessing
import random
import time
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from gongzhi.core.crypto import blind_index
from gongzhi.core.text import grid_number, name_keys
from gongzhi.places.enums import ResidentStatus
from gongzhi.places.models import (
    Area,
    Building,
    CareTag,
    Community,
    Compound,
    Entrance,
    Grid,
    Household,
    Resident,
    ResidentStatusChange,
    Subdistrict,
)

from .population import PeopleMaker, household_kinds

# (code, name, English name)
CARE_TAGS = [
    ("alone", "独居", "Lives alone"),
    ("disabled", "残疾", "Disability"),
    ("low_income", "低保", "Subsistence allowance"),
    ("key_care", "重点关爱", "Priority care"),
]

GRID_NAMES = [
    "第一网格",
    "第二网格",
    "第三网格",
    "第四网格",
    "第五网格",
    "第六网格",
    "第七网格",
    "第八网格",
    "第九网格",
    "第十网格",
]


@dataclass
class CompoundPlan:
    name: str
    street: str
    buildings: int


@dataclass
class GridPlan:
    name: str
    compounds: list[CompoundPlan]


@dataclass
class CommunityPlan:
    code: str
    name: str
    grids: list[GridPlan]
    households: int
    founded_on: dt.date | None = None
    area_km2: str | None = None
    district: str = "东区"
    # (name, households, grids): a survey area made of the first ``grids`` grids, whose
    # buildings hold exactly that many households.
    survey_area: tuple[str, int, int] | None = None
    # Former residents kept in the register: (moved out, deceased) per 1,000 households.
    departed_per_mille: tuple[int, int] = (12, 8)
    # Building years, and how many of the tall ones have a lift.
    years: tuple[int, int] = (1982, 1999)


@dataclass
class Stats:
    rows: int = 0
    residents: int = 0
    households: int = 0
    seconds: float = 0.0
    per_table: dict[str, int] = field(default_factory=dict)

    def add(self, table: str, n: int) -> None:
        self.rows += n
        self.per_table[table] = self.per_table.get(table, 0) + n


def ensure_care_tags() -> dict[str, int]:
    for order, (code, name, name_en) in enumerate(CARE_TAGS):
        CareTag.objects.get_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "sort_order": order}
        )
    return dict(CareTag.objects.values_list("code", "id"))


class Generator:
    """One run of the generator. Keeps what must be unique across communities (ID
    numbers) and the name-key memo, which pays off more the more people are made."""

    def __init__(self, seed: int, *, batch_size: int = 5000, log=None):
        self.seed = seed
        self.batch_size = batch_size
        self.lanes = 0
        self.stats = Stats()
        self.log = log or (lambda msg: None)
        self.tag_ids: dict[str, int] = {}
        self._writer: RowWriter | None = None

    @property
    def writer(self) -> RowWriter:
        # Made on first use, inside the caller's database connection and transaction.
        if self._writer is None:
            self._writer = RowWriter()
        return self._writer

    def rng_for(self, label: str) -> random.Random:
        # Seeding with a string is stable across processes (it is hashed with SHA-512),
        # and one stream per community keeps a community's data independent of the others.
        return random.Random(f"{self.seed}:{label}")

    # -- the place tree ----------------------------------------------------------------

    def subdistrict(
        self, *, code: str, name: str, district: str, city: str = "攀枝花市"
    ) -> Subdistrict:
        sd = Subdistrict.objects.create(code=code, name=name, district=district, city=city)
        self.stats.add("subdistrict", 1)
        return sd

    def community(self, plan: CommunityPlan, subdistrict: Subdistrict) -> Community:
        """Write one community and everyone in it."""
        community, job = self.community_tree(plan, subdistrict)
        self.people(job, make_people(job))
        return community

    def communities(
        self, plans: list[tuple[CommunityPlan, Subdistrict]], *, workers: int = 0
    ) -> list[Community]:
        """Write many communities. The people (names, ages, ID numbers, encryption: pure
        Python and most of the work) are made in ``workers`` other processes while this
        one writes the database; with ``workers=0`` everything runs here."""
        if workers <= 0:
            return [self.community(plan, sd) for plan, sd in plans]
        made = []
        jobs = []
        for plan, sd in plans:
            community, job = self.community_tree(plan, sd)
            made.append(community)
            jobs.append(job)
        # fork: the children inherit settings and keys and never touch the database.
        context = multiprocessing.get_context("fork")
        with context.Pool(workers) as pool:
            pending = []
            queue = iter(jobs)
            # Keep only a few communities in flight so that memory stays flat.
            for job in itertools.islice(queue, workers * 2):
                pending.append((job, pool.apply_async(make_people, (job,))))
            while pending:
                job, result = pending.pop(0)
                self.people(job, result.get())
                nxt = next(queue, None)
                if nxt is not None:
                    pending.append((nxt, pool.apply_async(make_people, (nxt,))))
        return made

    def community_tree(
        self, plan: CommunityPlan, subdistrict: Subdistrict
    ) -> tuple[Community, PeopleJob]:
        """Write the community's place tree and households; return the job that makes its
        people."""
        if not self.tag_ids:
            self.tag_ids = ensure_care_tags()
        started = time.perf_counter()
        rng = self.rng_for(plan.code)
        with transaction.atomic():
            community = Community.objects.create(
                subdistrict=subdistrict,
                code=plan.code,
                name=plan.name,
                founded_on=plan.founded_on,
                area_km2=plan.area_km2,
            )
            self.stats.add("community", 1)
            buildings, slots_by_building, quotas, grid_of = self._buildings(rng, plan, community)
            occupied = self._occupy(rng, buildings, slots_by_building, quotas, grid_of)
            area_grids = plan.survey_area[2] if plan.survey_area else 0
            area_buildings = [b for b, g in zip(buildings, grid_of, strict=True) if g < area_grids]
            households = self._households(community, occupied)
            if plan.survey_area:
                area = Area.objects.create(community=community, name=plan.survey_area[0])
                area.buildings.set(area_buildings)
                self.stats.add("area", 1 + len(area_buildings))
            self.writer.finish()
        job = PeopleJob(
            seed=self.seed,
            code=plan.code,
            lane=self.lanes,
            district=subdistrict.district or plan.district,
            departed_per_mille=plan.departed_per_mille,
            households=households,
            tag_ids=self.tag_ids,
            sqlite=self.writer.vendor == "sqlite",
        )
        self.lanes += 1
        self.stats.seconds += time.perf_counter() - started
        return community, job

    def people(self, job: PeopleJob, made: PeopleRows) -> None:
        """Insert the people ``make_people`` made for ``job``, in one transaction."""
        started = time.perf_counter()
        writer = self.writer
        now = writer.now
        with transaction.atomic():
            ids = writer.allocate(Resident, len(made.residents))
            history_ids = writer.allocate(ResidentStatusChange, len(made.history))
            batch = self.batch_size
            for i in range(0, len(made.residents), batch):
                writer.insert(
                    Resident,
                    RESIDENT_COLUMNS,
                    [
                        (pk, *row, now, now)
                        for pk, row in zip(
                            ids[i : i + batch], made.residents[i : i + batch], strict=True
                        )
                    ],
                )
            first = ids.start
            writer.insert(
                Resident.care_tags.through, TAG_COLUMNS, [(first + i, tag) for i, tag in made.tags]
            )
            for start in range(0, len(made.history), batch):
                chunk = zip(
                    history_ids[start : start + batch],
                    made.history[start : start + batch],
                    strict=True,
                )
                writer.insert(
                    ResidentStatusChange,
                    HISTORY_COLUMNS,
                    [
                        (hid, first + n, a, b, day, reason, None, now)
                        for hid, (n, a, b, day, reason) in chunk
                    ],
                )
            writer.finish()
        self.stats.add("resident", len(made.residents))
        self.stats.add("resident_care_tag", len(made.tags))
        self.stats.add("resident_status_change", len(made.history))
        self.stats.residents += len(made.residents)
        self.stats.seconds += time.perf_counter() - started
        self.log(f"{job.code} {len(made.residents)} residents")

    def _buildings(self, rng, plan: CommunityPlan, community: Community):
        grids = Grid.objects.bulk_create(
            [
                Grid(
                    community=community,
                    code=(code := f"{plan.code}-G{i + 1:02d}"),
                    name=g.name,
                    # Grid.save sets it; bulk_create does not call save.
                    sort_key=grid_number(g.name, code),
                )
                for i, g in enumerate(plan.grids)
            ]
        )
        compounds: list[Compound] = []
        compound_plans: list[CompoundPlan] = []
        compound_grid: list[int] = []  # the index of each compound's grid
        for g, (grid, gplan) in enumerate(zip(grids, plan.grids, strict=True)):
            for cplan in gplan.compounds:
                compounds.append(Compound(community=community, grid=grid, name=cplan.name))
                compound_plans.append(cplan)
                compound_grid.append(g)
        compounds = Compound.objects.bulk_create(compounds)
        self.stats.add("grid", len(grids))
        self.stats.add("compound", len(compounds))

        buildings: list[Building] = []
        shapes: list[tuple[int, int]] = []  # (entrances, doors per floor per entrance)
        number = 0
        grid_of: list[int] = []  # the index of each building's grid
        for compound, cplan, g in zip(compounds, compound_plans, compound_grid, strict=True):
            street_no = rng.randint(1, 40)
            for _ in range(cplan.buildings):
                number += 1
                street_no += rng.randint(1, 4)
                floors = rng.choices([5, 6, 7, 8, 11], weights=[26, 44, 24, 3, 3])[0]
                year = rng.randint(*plan.years) if floors < 8 else rng.randint(1996, 2005)
                # Lifts: the tall ones were built with one; a few walk-ups got one retrofitted.
                has_lift = floors >= 8 or rng.random() < 0.04
                entrances = rng.choices([1, 2, 3, 4, 5, 6], weights=[4, 15, 33, 28, 14, 6])[0]
                per_floor = rng.choices([2, 3, 4], weights=[60, 30, 10])[0]
                if floors >= 8:
                    entrances = min(entrances, 2)
                    per_floor = 4
                buildings.append(
                    Building(
                        community=community,
                        grid_id=compound.grid_id,
                        compound=compound,
                        number=str(number),
                        sort_key=number,
                        floors=floors,
                        has_lift=has_lift,
                        year_built=year,
                        address=f"{cplan.street}{street_no}号",
                    )
                )
                shapes.append((entrances, per_floor))
                grid_of.append(g)
        quotas = self._quotas(rng, plan)
        self._fit_capacity(rng, buildings, shapes, grid_of, quotas)
        buildings = Building.objects.bulk_create(buildings, batch_size=self.batch_size)
        self.stats.add("building", len(buildings))

        entrances = [
            Entrance(
                building=b,
                community=community,
                grid_id=b.grid_id,
                compound_id=b.compound_id,
                number=n,
            )
            for b, (count, _pf) in zip(buildings, shapes, strict=True)
            for n in range(1, count + 1)
        ]
        entrances = Entrance.objects.bulk_create(entrances, batch_size=self.batch_size)
        self.stats.add("entrance", len(entrances))
        by_building: dict[int, list[Entrance]] = {}
        for e in entrances:
            by_building.setdefault(e.building_id, []).append(e)
        slots_by_building: dict[int, list[tuple[Entrance, int, str]]] = {}
        for b, (_count, per_floor) in zip(buildings, shapes, strict=True):
            slots_by_building[b.pk] = [
                (e, floor, f"{floor}{door:02d}")
                for e in by_building[b.pk]
                for floor in range(1, b.floors + 1)
                for door in range(1, per_floor + 1)
            ]
        return buildings, slots_by_building, quotas, grid_of

    @staticmethod
    def _quotas(rng, plan: CommunityPlan) -> list[int]:
        """How many households each grid holds: a grid is drawn to hold about the same
        number of households as the next (a grid worker can know a few hundred), give or
        take 8%. The survey area's grids share its figure exactly, the others the rest."""
        n = len(plan.grids)
        _name, area_n, area_grids = plan.survey_area or ("", 0, 0)
        area_grids = min(area_grids, n - 1) if area_n else 0
        quotas: list[int] = []
        for count, total in ((area_grids, area_n), (n - area_grids, plan.households - area_n)):
            weights = [1 + rng.uniform(-0.08, 0.08) for _ in range(count)]
            shares = [total * w / sum(weights) for w in weights]
            parts = [int(x) for x in shares]
            # The largest remainders take what rounding down left, so the sum is exact.
            left = total - sum(parts)
            for i in sorted(range(count), key=lambda i: parts[i] - shares[i])[:left]:
                parts[i] += 1
            quotas += parts
        return quotas

    @staticmethod
    def _fit_capacity(rng, buildings, shapes, grid_of: list[int], quotas: list[int]) -> None:
        """Fit each grid's flats to its households: every household needs a door and a
        few flats stay empty (vacant or shops), 4 to 15%, as in life. Buildings gain or
        lose an entrance until they do."""

        def capacity(i):
            return buildings[i].floors * shapes[i][0] * shapes[i][1]

        members: dict[int, list[int]] = {}
        for i, g in enumerate(grid_of):
            members.setdefault(g, []).append(i)
        for g, indices in members.items():
            needed = int(quotas[g] * 1.04) + 1
            total = sum(capacity(i) for i in indices)
            while total < needed:
                i = rng.choice(indices)
                shapes[i] = (shapes[i][0] + 1, shapes[i][1])
                total += buildings[i].floors * shapes[i][1]
            while total > quotas[g] * 1.15:
                fewer = [
                    i
                    for i in indices
                    if shapes[i][0] > 1 and total - buildings[i].floors * shapes[i][1] >= needed
                ]
                if not fewer:
                    break
                i = rng.choice(fewer)
                shapes[i] = (shapes[i][0] - 1, shapes[i][1])
                total -= buildings[i].floors * shapes[i][1]

    @staticmethod
    def _occupy(rng, buildings, slots_by_building, quotas: list[int], grid_of: list[int]):
        """The flats lived in: each grid's quota of its own flats, drawn at random."""
        slots_of_grid: dict[int, list] = {}
        for b, g in zip(buildings, grid_of, strict=True):
            slots_of_grid.setdefault(g, []).extend(slots_by_building[b.pk])
        building_of = {b.pk: b for b in buildings}
        occupied = []
        for g in sorted(slots_of_grid):
            slots = slots_of_grid[g]
            if quotas[g] > len(slots):
                raise RuntimeError("not enough flats for the households planned")
            keep = set(rng.sample(range(len(slots)), quotas[g]))
            occupied += [
                (building_of[e.building_id], e, floor, door)
                for i, (e, floor, door) in enumerate(slots)
                if i in keep
            ]
        return occupied

    def _households(self, community: Community, occupied) -> list[tuple[HouseholdRow, str]]:
        writer = self.writer
        ids = writer.allocate(Household, len(occupied))
        rows = []
        out = []
        for pk, (building, entrance, floor, door) in zip(ids, occupied, strict=True):
            label, code = Household.labels_for(building.number, entrance.number, door)
            row = HouseholdRow(
                pk,
                entrance.pk,
                building.pk,
                building.compound_id,
                building.grid_id,
                community.pk,
                label,
            )
            rows.append(
                (
                    pk,
                    entrance.pk,
                    building.pk,
                    building.compound_id,
                    building.grid_id,
                    community.pk,
                    door,
                    floor,
                    label,
                    code,
                )
            )
            out.append((row, building.address))
        writer.insert(Household, HOUSEHOLD_COLUMNS, rows)
        self.stats.add("household", len(rows))
        self.stats.households += len(rows)
        return out


_ENCRYPTED = Resident._meta.get_field("id_number")

HOUSEHOLD_COLUMNS = (
    "id",
    "entrance",
    "building",
    "compound",
    "grid",
    "community",
    "door_number",
    "floor",
    "address_label",
    "address_code",
)
RESIDENT_COLUMNS = (
    "id",
    "household",
    "entrance",
    "building",
    "compound",
    "grid",
    "community",
    "name",
    "gender",
    "birth_date",
    "id_number",
    "id_number_bidx",
    "phone",
    "phone_bidx",
    "phone_last4",
    "relation",
    "residence",
    "registered_address",
    "status",
    "note",
    "name_simplified",
    "name_pinyin",
    "name_initials",
    "name_tail",
    "created_at",
    "updated_at",
)
TAG_COLUMNS = ("resident", "caretag")
HISTORY_COLUMNS = (
    "id",
    "resident",
    "from_status",
    "to_status",
    "effective_on",
    "reason",
    "actor",
    "at",
)


@dataclass
class PeopleJob:
    seed: int
    code: str
    lane: int
    district: str
    departed_per_mille: tuple[int, int]
    households: list[tuple[HouseholdRow, str]]
    tag_ids: dict[str, int]
    sqlite: bool


@dataclass
class PeopleRows:
    # Resident rows without id and timestamps, in RESIDENT_COLUMNS order.
    residents: list[tuple]
    # (index into residents, care tag id)
    tags: list[tuple[int, int]]
    # (index into residents, from status, to status, effective on, reason)
    history: list[tuple]


def make_people(job: PeopleJob) -> PeopleRows:
    """Everyone living in the job's households, as rows ready to insert: names with their
    search keys, ID numbers and phones sealed by the field and blind-indexed. Runs in a
    worker process: no database access here."""
    rng = random.Random(f"{job.seed}:{job.code}:people")
    maker = PeopleMaker(rng, lane=job.lane)
    households = job.households
    kinds = household_kinds(len(households), rng)
    moved_out = job.departed_per_mille[0] * len(households) // 1000
    deceased = job.departed_per_mille[1] * len(households) // 1000
    departed_at = {}
    lone = [i for i, k in enumerate(kinds) if k == "lone_elder"]
    families = [
        i for i, k in enumerate(kinds) if k in ("elder_couple", "elder_with_child", "one_child")
    ]
    for i in rng.sample(lone, min(deceased, len(lone))):
        departed_at[i] = True
    for i in rng.sample(families, min(moved_out, len(families))):
        departed_at[i] = False

    keys = _name_keys
    # The field encrypts: a fresh nonce per value, exactly as a save() would.
    seal = _ENCRYPTED.get_prep_value
    day = dt.date.isoformat if job.sqlite else _same
    living = ResidentStatus.LIVING
    out = PeopleRows([], [], [])
    residents, tags, history = out.residents, out.tags, out.history
    for index, ((h, street), kind) in enumerate(zip(households, kinds, strict=True)):
        local = f"四川省攀枝花市{job.district}{street}{h.label}"
        people = maker.household(kind, local)
        if index in departed_at:
            people.append(maker.departed(kind, local, deceased=departed_at[index]))
        for p in people:
            n = len(residents)
            simplified, pinyin, initials = keys(p.name)
            phone = p.phone
            residents.append(
                (
                    h.pk,
                    h.entrance_id,
                    h.building_id,
                    h.compound_id,
                    h.grid_id,
                    h.community_id,
                    p.name,
                    p.gender,
                    day(p.birth_date),
                    seal(p.id_number),
                    blind_index(p.id_number, purpose="id_number"),
                    seal(phone),
                    blind_index(phone, purpose="phone") if phone else "",
                    phone[-4:],
                    p.relation,
                    p.residence,
                    p.registered_address,
                    p.status,
                    "",
                    simplified,
                    pinyin,
                    initials,
                    simplified[1:],
                )
            )
            for tag in p.tags:
                tags.append((n, job.tag_ids[tag]))
            history.append((n, "", living, day(p.moved_in), ""))
            previous = living
            for status, when, reason in p.history:
                history.append((n, previous, status, day(when), reason))
                previous = status
    return out


# Cached per name and per character, so repeats across communities cost nothing.
_name_keys = name_keys


@dataclass(frozen=True, slots=True)
class HouseholdRow:
    pk: int
    entrance_id: int
    building_id: int
    compound_id: int
    grid_id: int
    community_id: int
    label: str


class RowWriter:
    """Plain multi-row inserts for the big tables: ``executemany`` on SQLite, ``COPY`` on
    PostgreSQL. Primary keys are handed out here (the generator is the only writer while it
    runs), so that children can point at parents without reading ids back; ``finish``
    moves PostgreSQL's sequences past them."""

    def __init__(self):
        self.vendor = connection.vendor
        self._next: dict[type, int] = {}
        self.now = timezone.now()
        if self.vendor == "sqlite":
            self.now = connection.ops.adapt_datetimefield_value(self.now)
            self.date = dt.date.isoformat
        else:
            self.date = _same

    def allocate(self, model, n: int) -> range:
        if model not in self._next:
            self._next[model] = (model._default_manager.aggregate(m=Max("pk"))["m"] or 0) + 1
        start = self._next[model]
        self._next[model] = start + n
        return range(start, start + n)

    def insert(self, model, names: tuple[str, ...], rows: list[tuple]) -> None:
        if not rows:
            return
        opts = model._meta
        columns = [opts.get_field(name).column for name in names]
        qn = connection.ops.quote_name
        table = qn(opts.db_table)
        column_sql = ", ".join(qn(c) for c in columns)
        with connection.cursor() as cursor:
            if self.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {table} ({column_sql}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                placeholders = ", ".join(["%s"] * len(columns))
                cursor.executemany(
                    f"INSERT INTO {table} ({column_sql}) VALUES ({placeholders})", rows
                )

    def finish(self) -> None:
        if self.vendor != "postgresql":
            return
        with connection.cursor() as cursor:
            for model in self._next:
                table = model._meta.db_table
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence(%s, 'id'), (SELECT MAX(id) FROM {connection.ops.quote_name(table)}))",
                    [table],
                )


def _same(value):
    return value


class fast_sqlite_writes:
    """On SQLite, skip fsync while the generator runs: a crash mid-way leaves a database
    to throw away anyway. Restored on exit; a no-op on other databases, and inside an
    open transaction (tests), where SQLite refuses to change it."""

    def __enter__(self):
        self.active = connection.vendor == "sqlite" and not connection.in_atomic_block
        if self.active:
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA synchronous=OFF")
        return self

    def __exit__(self, *exc):
        if self.active:
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA synchronous=NORMAL")
        return False


class deferred_indexes:
    """Drop the secondary indexes of the big tables while a city is loaded and build them
    again at the end. A resident row feeds fifteen indexes; keeping them up to date row by
    row costs several times the insert itself, while building an index once over sorted
    data is cheap. Unique indexes stay, so that a duplicate ID number still fails at once.
    The definitions are read back from the database itself and replayed verbatim, so the
    schema after loading is exactly what the migrations made."""

    TABLES = (Household, Resident, Resident.care_tags.through, ResidentStatusChange)

    def __enter__(self):
        self.saved: list[tuple[str, str]] = []
        with connection.cursor() as cursor:
            for model in self.TABLES:
                table = model._meta.db_table
                if connection.vendor == "sqlite":
                    cursor.execute(
                        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s AND sql IS NOT NULL",
                        [table],
                    )
                elif connection.vendor == "postgresql":
                    cursor.execute(
                        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s", [table]
                    )
                else:
                    continue
                for name, sql in cursor.fetchall():
                    if "UNIQUE" in sql.upper().split("INDEX")[0] or name.endswith("_pkey"):
                        continue
                    self.saved.append((name, sql))
            for name, _sql in self.saved:
                cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
        return self

    def __exit__(self, *exc):
        with connection.cursor() as cursor:
            for _name, sql in self.saved:
                cursor.execute(sql)
            # Fresh statistics, so that the planner knows the new tables' sizes.
            cursor.execute("ANALYZE")
        return False
