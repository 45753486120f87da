"""Micro-benchmark of `AuditLog.append` on a real PostgreSQL cluster (prints figures, asserts nothing).

    .venv/bin/python -m tests.bench.bench_audit_append [--appends 2000] [--durable] [--url URL]

Without --url a throwaway cluster is started (deploy/postgres_cluster.py); --durable keeps fsync and
synchronous commit on, as in production. Reports per-append latency serially (one writer) and the
throughput of two logs (two API processes' writers) appending from four threads, then verifies the chain.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import threading
import time
from pathlib import Path

from deploy.postgres_cluster import PostgresCluster, ensure_postgres_installed
from services.access.audit import AuditEntry, AuditLog, AuditQuery, read_audit, verify_chain
from services.access.audit_seal import AuditSeal
from services.access.principal import Principal, Role
from services.store.engine import make_engine, migrate

SOMEONE = Principal("bench", "Bench", "qltt", Role.ANALYST)

SEAL = AuditSeal(b"bench-audit-key")


def entry(i: int) -> AuditEntry:
    filters = {"q": "son", "i": str(i)}
    endpoint = "/api/subjects/{subject_id}"
    return AuditEntry(SOMEONE, "GET", endpoint, filters, rows_returned=i % 7, resource="S-1")


def run(url: str, appends: int) -> None:
    engine = make_engine(url)
    migrate(engine)
    log = AuditLog(engine, SEAL)
    for i in range(200):  # warm-up: connections, prepared plans
        log.append(entry(i))
    took = []
    for i in range(appends):
        start = time.perf_counter()
        log.append(entry(i))
        took.append(time.perf_counter() - start)
    took.sort()
    print(
        f"serial: {appends} appends, mean {statistics.fmean(took) * 1e3:.3f} ms, "
        f"p50 {took[len(took) // 2] * 1e3:.3f} ms, p95 {took[int(len(took) * 0.95)] * 1e3:.3f} ms, "
        f"p99 {took[int(len(took) * 0.99)] * 1e3:.3f} ms"
    )
    logs = [log, AuditLog(engine, SEAL)]
    per_thread = appends // 4

    def append(writer: AuditLog) -> None:
        for i in range(per_thread):
            writer.append(entry(i))

    threads = [threading.Thread(target=append, args=(logs[i % 2],)) for i in range(4)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    done = per_thread * 4
    print(f"concurrent: 2 logs x 4 threads, {done} appends in {elapsed:.2f} s = {done / elapsed:.0f}/s")
    with engine.connect() as connection:
        _, count = read_audit(connection, AuditQuery())
        print(f"rows {count}, chain intact: {verify_chain(connection, SEAL) is None}")
    for writer in logs:
        close = getattr(writer, "close", None)
        if close:
            close()
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--appends", type=int, default=2000)
    parser.add_argument("--durable", action="store_true")
    parser.add_argument("--url")
    args = parser.parse_args()
    if args.url:
        run(args.url, args.appends)
        return
    ensure_postgres_installed()
    data_dir = Path(tempfile.mkdtemp(prefix="casehub-bench-audit-"))
    cluster = PostgresCluster(data_dir=data_dir, durable=args.durable)
    try:
        run(cluster.start(), args.appends)
    finally:
        cluster.stop()
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
