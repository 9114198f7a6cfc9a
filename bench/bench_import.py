"""Import benchmark: a 12,000-row household register into a community of 102 buildings.

``run(results_dir)`` expects Django set up on a migrated database it may fill. Each of three
rounds creates its own community (ID numbers are unique city-wide and the status history is
append-only, so a round cannot be undone) and times, on the same file:

* first import   — validate + import, every resident and most households new;
* re-import      — the same file again: every row matched by ID number, nothing changed;
* changed import — the file with a new phone and note on every row: the update path.

The upload check done in the request (size, format, headers) is timed separately.
Figures are the median of the three rounds, in seconds.

Standalone: ``python bench/bench_import.py`` migrates a temporary SQLite file and runs.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import pathlib
import statistics
import sys
import tempfile
import time

ROWS = 12_000
BUILDINGS = 102
ROUNDS = 3
FLOORS = 7
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂英华建国志红梅玉兰海燕文斌凤琴云林春晓丹宇辉鹏鑫波宁浩博晨欣怡子涵雨轩梓萱思远佳琪"


def _community(round_no: int):
    from gongzhi.accounts.models import User
    from gongzhi.orgs.enums import PostKind
    from gongzhi.orgs.models import Post
    from gongzhi.places.models import (
        Building,
        CareTag,
        Community,
        Compound,
        Entrance,
        Grid,
        Subdistrict,
    )

    for code, name in [("alone", "独居"), ("low_income", "低保"), ("disabled", "残疾")]:
        CareTag.objects.get_or_create(code=code, defaults={"name": name})
    sd, _ = Subdistrict.objects.get_or_create(code="BENCH-SD", defaults={"name": "基准街道"})
    stamp = f"{round_no}-{time.time_ns()}"
    community = Community.objects.create(
        subdistrict=sd, code=f"BENCH-{stamp}"[:32], name=f"基准社区{round_no}"
    )
    grid = Grid.objects.create(community=community, code=f"BG-{stamp}"[:32], name="基准网格")
    compound = Compound.objects.create(community=community, grid=grid, name="基准小区")
    for number in range(1, BUILDINGS + 1):
        building = Building.objects.create(
            community=community, grid=grid, compound=compound, number=str(number), floors=FLOORS
        )
        for entrance in (1, 2):
            Entrance.objects.create(
                building=building,
                community=community,
                grid=grid,
                compound=compound,
                number=entrance,
            )
    user = User.objects.create_user(username=f"bench-{stamp}"[:150], password=None)
    Post.objects.create(
        kind=PostKind.COMMUNITY_STAFF,
        user=user,
        holder_name="基准",
        community=community,
        started_on=dt.date(2020, 1, 1),
    )
    return community, user


def register_file(round_no: int, *, variant: int = 0) -> bytes:
    """A register as Excel writes one (shared strings, declared size)."""
    import openpyxl

    from gongzhi.core.identity import make_id_number
    from gongzhi.register.services import COLUMNS

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(COLUMNS)
    region = f"5104{round_no:02d}"
    for i in range(ROWS):
        building = i % BUILDINGS + 1
        j = i // BUILDINGS  # 0..117 within a building
        entrance = j % 2 + 1
        floor = (j // 6) % FLOORS + 1
        door = f"{floor}0{(j // 2) % 3 + 1}"
        name = (
            SURNAMES[i % len(SURNAMES)] + GIVEN[(i * 7) % len(GIVEN)] + GIVEN[(i // 3) % len(GIVEN)]
        )
        birth = dt.date(1935, 1, 1) + dt.timedelta(days=(i * 37) % 30000)
        sheet.append(
            [
                str(building),
                entrance,
                door,
                floor,
                name,
                make_id_number(region, birth, i),
                f"13{variant}{i:08d}",
                "户主" if j % 3 == 0 else "配偶",
                "人户一致",
                "四川省攀枝花市东区",
                "独居" if i % 17 == 0 else "",
                f"第{variant}版" if variant else "",
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _timed(community, user, data: bytes) -> tuple[float, float, dict]:
    from gongzhi.register.services import register_import_apply, register_import_validate

    started = time.perf_counter()
    validation = register_import_validate(community=community, data=data)
    validated = time.perf_counter()
    if not validation.ok:
        raise AssertionError(f"benchmark register has errors: {validation.errors[:3]}")
    result = register_import_apply(actor=user, validation=validation)
    done = time.perf_counter()
    return validated - started, done - validated, result.as_dict()


def run(results_dir: pathlib.Path) -> dict:
    from django.db import connection

    from gongzhi.core.text import name_keys
    from gongzhi.register.services import register_upload_check

    phases: dict[str, list[dict]] = {
        "first_import": [],
        "reimport_unchanged": [],
        "reimport_changed": [],
    }
    checks: list[float] = []
    for round_no in range(1, ROUNDS + 1):
        community, user = _community(round_no)
        data = register_file(round_no)
        changed = register_file(round_no, variant=round_no + 1)
        name_keys.cache_clear()  # each round starts as a fresh process would
        started = time.perf_counter()
        register_upload_check(data=data)
        checks.append(time.perf_counter() - started)
        for phase, payload in (
            ("first_import", data),
            ("reimport_unchanged", data),
            ("reimport_changed", changed),
        ):
            validate_s, apply_s, counts = _timed(community, user, payload)
            phases[phase].append(
                {
                    "validate_s": validate_s,
                    "apply_s": apply_s,
                    "total_s": validate_s + apply_s,
                    **counts,
                }
            )

    def summary(runs: list[dict]) -> dict:
        return {
            "median_s": round(statistics.median(r["total_s"] for r in runs), 3),
            "validate_median_s": round(statistics.median(r["validate_s"] for r in runs), 3),
            "apply_median_s": round(statistics.median(r["apply_s"] for r in runs), 3),
            "counts": {
                k: runs[-1][k] for k in ("created", "updated", "unchanged", "households_created")
            },
            "runs_s": [round(r["total_s"], 3) for r in runs],
        }

    results = {
        "benchmark": "register import (validate + import, one transaction)",
        "rows": ROWS,
        "buildings": BUILDINGS,
        "rounds": ROUNDS,
        "database": connection.vendor,
        "cpus": os.cpu_count(),
        "target_s": 5.0,
        "upload_check_median_s": round(statistics.median(checks), 3),
        **{phase: summary(runs) for phase, runs in phases.items()},
    }
    results_dir = pathlib.Path(results_dir)
    results_dir.mkdir(parents=True, exist_ok=True)
    (results_dir / "import.json").write_text(
        json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return results


def _standalone() -> None:
    root = pathlib.Path(__file__).resolve().parent.parent
    sys.path[:0] = [str(root / "src"), str(root)]
    workdir = tempfile.mkdtemp(prefix="bench-import-")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{workdir}/bench.sqlite3")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.config.settings_test")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    print(json.dumps(run(root / "bench" / "results"), indent=2, ensure_ascii=False))


if __name__ == "__main__":
    _standalone()
