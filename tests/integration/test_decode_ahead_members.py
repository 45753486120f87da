"""Decode-ahead through rebalances on the real broker and PostgreSQL: two `casehub consume` members whose
polls are big enough to be cut into overlapping parts (consumers/decode_ahead.py) join and leave one group
mid-run (half the events published before the second joins, the rest once both own partitions, the first
stopped while they are written), and every event is stored exactly once (the fault suite's digest and
dead-letter checks)."""

from __future__ import annotations

import json
import signal
import subprocess
from pathlib import Path

import pytest

from consumers.decode_ahead import OVERLAP_FLOOR
from services.bootstrap import build_publisher, create_topics, open_store
from tests.integration.faults import FaultDataset, stored_count
from tests.integration.helpers import isolated_settings
from tests.integration.test_consumer_members import CASEHUB, Lines, member_env, owners
from tests.integration.test_faults import assert_exactly_once, wait_until

pytestmark = pytest.mark.integration
EVENTS = 6_000


def written_parts(lines: Lines) -> list[int]:
    """Records per transaction a member wrote, from its `batch_materialized` log lines (JSON lines)."""
    logged = (json.loads(line) for line in lines.lines if line.startswith("{"))
    return [int(entry["records"]) for entry in logged if entry.get("event") == "batch_materialized"]


def test_two_decoding_ahead_members_store_every_event_once_through_rebalances(
    kafka_bootstrap: str, postgres_url: str, tmp_path: Path
) -> None:
    settings = isolated_settings(kafka_bootstrap, postgres_url).model_copy(
        update={"topic_partitions": 4, "consumer_session_timeout_ms": 6_000}
    )
    create_topics(settings)
    dataset, publisher = FaultDataset(EVENTS), build_publisher(settings)
    assert not publisher.publish(dataset.events[: EVENTS // 2]).failed
    engine, _store = open_store(settings)
    env = {
        **member_env(settings, tmp_path),
        "CASEHUB_MAX_POLL_RECORDS": "1000",  # polls of 500+ are cut in parts: the first is decoded on the
        "CASEHUB_BATCH_BUDGET_MS": "0",  # loop, the next ones in the worker while the loop writes
    }

    def member() -> subprocess.Popen[str]:
        command = [CASEHUB, "consume"]
        pipes = {"stdout": subprocess.DEVNULL, "stderr": subprocess.PIPE}
        return subprocess.Popen(command, env=env, text=True, **pipes)

    first = member()
    first_lines = Lines(first)
    second: subprocess.Popen[str] | None = None
    try:
        wait_until(lambda: stored_count(engine) > 0, 90, "the first member to store events")
        second = member()  # joins mid-run: the first gives up partitions between two polls
        second_lines = Lines(second)
        wait_until(lambda: len(owners(settings)) == 2, 90, "both members to own partitions")
        dataset.publish_rest(settings, publisher, start=EVENTS // 2)  # both members have work
        wait_until(lambda: stored_count(engine) > EVENTS // 2, 60, "the second half to be under way")
        first.send_signal(signal.SIGTERM)  # leaves mid-run: the second takes every partition over
        first.wait(timeout=60)
        wait_until(lambda: stored_count(engine) >= len(dataset.events), 120, "every event to be stored")
    finally:
        publisher.close()
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.send_signal(signal.SIGTERM)
                process.wait(timeout=60)
    assert first.returncode == 0 and second is not None and second.returncode == 0
    assert_exactly_once(dataset, engine, settings)
    parts = written_parts(first_lines) + written_parts(second_lines)
    assert OVERLAP_FLOOR in parts, f"no poll was cut for decode-ahead: {sorted(set(parts))}"
    assert written_parts(second_lines), "the second member wrote nothing: no rebalance mid-run"
