"""`casehub lag` as an operator types it, in subprocesses, against the session's real broker."""

from __future__ import annotations

import json
import os
import subprocess
import uuid
from pathlib import Path

import pytest

from deploy.kafka_broker import free_port
from services.kafka_admin import ensure_topics
from tests.e2e.test_cli import CASEHUB, run
from tests.integration.helpers import admin_options
from tests.integration.lag_scenarios import commit_offsets, produce

pytestmark = pytest.mark.integration


@pytest.fixture
def lagging(kafka_bootstrap: str) -> tuple[str, str]:
    """(group, topic): a group 6 messages behind on a 10-message topic."""
    topic = f"lag-{uuid.uuid4().hex[:10]}"
    ensure_topics(kafka_bootstrap, [topic], partitions=1, security=admin_options())
    produce(kafka_bootstrap, topic, 10)
    group = f"g-{uuid.uuid4().hex[:8]}"
    commit_offsets(kafka_bootstrap, group, topic, [1, 4])
    return group, topic


def lag_env(bootstrap: str, home: Path) -> dict[str, str]:
    return {
        "CASEHUB_KAFKA_BOOTSTRAP": bootstrap,
        "CASEHUB_HOME": str(home),
        "CASEHUB_LAG_MIN_DISTANCE_S": "0.05",
    }


def test_lag_json_reports_the_group_per_partition(
    kafka_bootstrap: str, lagging: tuple[str, str], tmp_path: Path
) -> None:
    group, topic = lagging
    result = run(["lag", "--json", "--group", group], lag_env(kafka_bootstrap, tmp_path))
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    [entry] = report["groups"]
    [row] = entry["partitions"]
    assert (entry["group"], row["topic"], row["partition"]) == (group, topic, 0)
    assert (row["committed_offset"], row["log_end_offset"], row["lag_messages"]) == (4, 10, 6)
    assert row["lag_seconds"] > 0
    assert [c["offset"] for c in row["window"]] == [1, 4]
    assert entry["status"] in ("OK", "ERR") and report["window_min_distance_s"] == 0.05


def test_lag_prints_a_table_per_group(kafka_bootstrap: str, lagging: tuple[str, str], tmp_path: Path) -> None:
    group, topic = lagging
    env = {**lag_env(kafka_bootstrap, tmp_path), "COLUMNS": "200"}
    result = run(["lag", "--group", group], env)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"{group}  ") and "lag 6 messages" in lines[0]
    assert lines[1].split() == [
        "Topic", "Part", "Committed", "Log", "end", "Lag", "Behind", "Status", "Member", "Rate/s", "Catch-up"
    ]  # fmt: skip
    assert lines[2].split()[:5] == [topic, "0", "4", "10", "6"]


def test_lag_watch_json_emits_a_document_per_refresh(
    kafka_bootstrap: str, lagging: tuple[str, str], tmp_path: Path
) -> None:
    group, _ = lagging
    command = [CASEHUB, "lag", "--watch", "--json", "--interval", "0.2", "--group", group]
    env = {**os.environ, **lag_env(kafka_bootstrap, tmp_path)}
    with subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True) as watching:
        assert watching.stdout is not None
        documents = [json.loads(watching.stdout.readline()) for _ in range(2)]
        watching.terminate()
    assert [d["groups"][0]["group"] for d in documents] == [group, group]
    assert documents[0]["generated_at"] < documents[1]["generated_at"]


def test_lag_with_an_unreachable_broker_fails_with_one_line(tmp_path: Path) -> None:
    address = f"127.0.0.1:{free_port()}"
    env = {
        "CASEHUB_KAFKA_BOOTSTRAP": address,
        "CASEHUB_CONNECT_TIMEOUT_S": "2",
        "CASEHUB_HOME": str(tmp_path),
    }
    result = run(["lag"], env, timeout=60)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"error: cannot reach Kafka at {address} within 2s (KafkaTimeoutError)"
    ]


def test_lag_of_an_unknown_group_says_so(kafka_bootstrap: str, tmp_path: Path) -> None:
    result = run(["lag", "--group", "nobody-here"], lag_env(kafka_bootstrap, tmp_path))
    assert result.returncode == 1
    assert "consumer group 'nobody-here' has no committed offsets" in result.stderr
