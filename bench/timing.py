"""Timing helpers shared by the in-process page benchmarks: percentiles of a list of
seconds, and N GETs of one URL through Django's test client (after one warm-up request,
so that the first request's template loading and cache filling are not counted)."""

from __future__ import annotations

import time


def percentiles(samples: list[float]) -> dict:
    ordered = sorted(samples)

    def pct(p: float) -> float:
        return ordered[min(len(ordered) - 1, round(p * (len(ordered) - 1)))]

    return {
        "n": len(ordered),
        "p50_ms": round(pct(0.50) * 1000, 2),
        "p95_ms": round(pct(0.95) * 1000, 2),
        "max_ms": round(ordered[-1] * 1000, 2),
    }


def timed_gets(client, url: str, n: int, *, expect: int = 200) -> dict:
    first = client.get(url)
    assert first.status_code == expect, (url, first.status_code)
    samples = []
    for _ in range(n):
        started = time.perf_counter()
        answer = client.get(url)
        samples.append(time.perf_counter() - started)
        assert answer.status_code == expect, (url, answer.status_code)
    return {"url": url, "bytes": len(first.content), **percentiles(samples)}


def login_client(user):
    from django.test import Client

    client = Client()
    client.force_login(user, backend="gongzhi.accounts.backends.PhoneOrUsernameBackend")
    return client
