"""Analyst queries through the real API (access control and audit included): p50 / p95 per query."""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import quote

from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from services.access.demo import seed_demo_principals
from services.api.app import create_app
from services.api.startup_heap import settle_startup_heap

VIEWER = "demo-qltt-analyst"
BUDGET_S = 90.0


@dataclass(frozen=True)
class QueryTiming:
    name: str
    runs: int
    p50_ms: float
    p95_ms: float
    rows: int


def time_queries(engine: Engine, runs: int, seed: int = 7) -> list[QueryTiming]:
    """Case search, timeline, seller dossier, seller by identifier, statistics by month × province, and a
    ~10,000-row export."""
    tokens = seed_demo_principals(engine)
    client = TestClient(create_app(engine, demo_logins=True))  # demo principals: demo mode
    client.headers["Authorization"] = f"Bearer {tokens[VIEWER]}"
    rng = random.Random(seed)
    case_ids, subject_ids, provinces = _samples(engine, rng)
    identifiers = _identifiers(engine, subject_ids)
    export_filter = _export_filter(engine)
    settle_startup_heap()  # as `casehub api` does once started; the bench's own events are no server's
    words = ["mỹ phẩm", "giay", "điện thoại", "thuc pham", "quần áo", "thuoc la"]
    plans: dict[str, Callable[[], str]] = {
        "case search": lambda: f"/api/cases?q={rng.choice(words)}&province={rng.choice(provinces)}&limit=50",
        "case timeline": lambda: f"/api/cases/{rng.choice(case_ids)}",
        "seller dossier": lambda: f"/api/subjects/{rng.choice(subject_ids)}",
        "seller by identifier": lambda: f"/api/subjects?identifier={quote(rng.choice(identifiers))}",
        "stats month × province": lambda: "/api/stats?period=month&group_by=province",
        "export ~10,000 rows": lambda: f"/api/export?format=csv&{export_filter}",
    }
    timings = []
    for name, next_url in plans.items():
        samples: list[float] = []
        rows = 0
        budget_ends = time.perf_counter() + BUDGET_S
        for _ in range(runs if not name.startswith("export") else max(3, runs // 10)):
            if samples and time.perf_counter() > budget_ends:
                break  # a slow query gets fewer runs, never an unbounded benchmark
            url = next_url()
            started = time.perf_counter()
            response = client.get(url)
            samples.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                raise RuntimeError(f"{url} answered {response.status_code}: {response.text[:200]}")
            rows = max(rows, _rows(response))
        samples.sort()
        p95 = samples[min(len(samples) - 1, int(0.95 * len(samples)))]
        timings.append(QueryTiming(name, len(samples), statistics.median(samples), p95, rows))
    return timings


SHARED = (
    "e.distribution->>'level' = 'ALL_AGENCIES' "
    "AND e.distribution->>'handling' IS NULL AND e.embargo_until IS NULL"
)


def _samples(engine: Engine, rng: random.Random) -> tuple[list[str], list[str], list[str]]:
    """Cases and subjects the viewer can see (known through shared events), and the provinces in use."""
    with engine.connect() as connection:
        cases = (
            connection.execute(
                text(f"SELECT e.case_id FROM case_events e TABLESAMPLE SYSTEM (2) WHERE {SHARED} LIMIT 2000")
            )
            .scalars()
            .all()
        )
        subjects = (
            connection.execute(
                text(
                    "SELECT o.subject_id FROM subject_observations o TABLESAMPLE SYSTEM (10) "
                    f"JOIN case_events e ON e.event_id = o.event_id WHERE {SHARED} LIMIT 2000"
                )
            )
            .scalars()
            .all()
        )
        provinces = (
            connection.execute(
                text(
                    "SELECT DISTINCT current_province_code FROM cases WHERE current_province_code IS NOT NULL"
                )
            )
            .scalars()
            .all()
        )
    if not cases or not subjects:
        raise RuntimeError("the store has no shared cases or subjects to query")
    return list(cases), list(subjects), sorted(provinces) or ["01"]


def _identifiers(engine: Engine, subject_ids: list[str]) -> list[str]:
    """Phones, shop URLs and tax codes of the sampled sellers, as people would type them in."""
    query = text(
        "SELECT value FROM subject_identifiers WHERE subject_id = ANY(:ids) "
        "AND kind IN ('phone', 'shop_url', 'tax_code') ORDER BY subject_id, kind, value LIMIT 2000"
    )
    with engine.connect() as connection:
        values = list(connection.execute(query, {"ids": subject_ids}).scalars())
    if not values:
        raise RuntimeError("the sampled sellers carry no phone, shop URL or tax code to look up")
    return values


def _export_filter(engine: Engine) -> str:
    """The province × month whose case count is closest to 10,000."""
    query = text(
        "SELECT current_province_code, date_trunc('month', first_event_at) AS month, count(*) AS n "
        "FROM cases WHERE current_province_code IS NOT NULL "
        "GROUP BY 1, 2 ORDER BY abs(count(*) - 10000) LIMIT 1"
    )
    with engine.connect() as connection:
        province, month, _ = connection.execute(query).one()
    first = month.date()
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    return f"province={province}&date_from={first.isoformat()}&date_to={last.isoformat()}"


def _rows(response: object) -> int:
    body = getattr(response, "text", "")
    if getattr(response, "headers", {}).get("content-type", "").startswith("text/csv"):
        return max(0, body.count("\n") - 1)
    json = response.json() if hasattr(response, "json") else {}
    return int(json.get("count", 1)) if isinstance(json, dict) else 1
