"""Where an intake request's time goes: ``POST /api/v1/voices/items`` as a resident with a
bearer token, through Django's test client (the whole middleware and view, in process),
under cProfile, on the database in ``DATABASE_URL``. The HTTP benchmark's fixture must
exist (``bench/http_bench.py`` writes it). Output: ``bench/results/intake_profile.txt``.

``python bench/profile_intake.py [--requests N]``
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pathlib
import pstats
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=30)
    args = parser.parse_args()
    sys.path[:0] = [str(ROOT / "src"), str(ROOT)]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.config.settings")
    os.environ["GONGZHI_ALLOWED_HOSTS"] = "127.0.0.1,localhost,testserver"
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    fixture = json.loads((ROOT / "var" / "bench" / "http_fixture.json").read_text("utf-8"))
    token = fixture["residents"][-1]["token"]
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")

    def post(n: int):
        response = client.post(
            "/api/v1/voices/items",
            data={"text": f"楼道灯不亮，晚上走路看不见，请尽快修理。PROFILE-{time.time()}-{n}"},
            content_type="application/json",
        )
        assert response.status_code == 201, response.content[:300]

    post(-1)  # warm: imports, caches, the connection
    # Counted by a wrapper: Django empties its own query log when a request starts.
    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        post(-2)
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    for n in range(args.requests):
        post(n)
    profiler.disable()
    elapsed = time.perf_counter() - started
    out = io.StringIO()
    out.write(
        f"Intake profile: {args.requests} requests of POST /api/v1/voices/items as a resident "
        f"(bearer token), in process through Django's test client, database "
        f"{connection.vendor}; {elapsed / args.requests * 1000:.1f} ms per request under "
        f"the profiler, {len(queries)} queries per request.\n\n"
    )
    stats = pstats.Stats(profiler, stream=out)
    out.write("== by cumulative time\n")
    stats.sort_stats("cumulative").print_stats(60)
    out.write("== by own time\n")
    stats.sort_stats("tottime").print_stats(30)
    text = out.getvalue().replace(str(ROOT) + "/", "").replace(sys.prefix + "/", "")
    (ROOT / "bench" / "results" / "intake_profile.txt").write_text(text, encoding="utf-8")
    print(text[:3000])
    return 0


if __name__ == "__main__":
    sys.exit(main())
