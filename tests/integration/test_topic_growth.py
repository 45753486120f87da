"""`casehub topics grow` on the real broker: agency topics created with 3 partitions grow to 8 while the
store already holds half the events; the rest, now keyed to other partitions for many cases, lands in the
same store as if nothing had changed (the fault suite's digest of every event and case, and every poison
message a dead letter once). Growing again is a no-op, and Kafka's refusal to shrink is never attempted."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from services.bootstrap import build_publisher, cluster_offsets, create_topics, open_store
from services.settings import Settings
from tests.e2e.test_cli import CASEHUB, casehub_env
from tests.integration.faults import FaultDataset
from tests.integration.helpers import isolated_settings, materialize_until_idle
from tests.integration.test_faults import assert_exactly_once

pytestmark = pytest.mark.integration


def agency_partitions(settings: Settings) -> set[int]:
    cluster = cluster_offsets(settings)
    try:
        counts = cluster.topic_partitions()
    finally:
        cluster.close()
    return {n for topic, n in counts.items() if topic.startswith(settings.topic_prefix)}


def grow(settings: Settings, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [CASEHUB, "topics", "grow", *args],
        env={**os.environ, **casehub_env(settings, home)},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_growing_the_agency_topics_mid_life_leaves_the_store_as_it_would_be(
    kafka_bootstrap: str, postgres_url: str, tmp_path: Path
) -> None:
    settings = isolated_settings(kafka_bootstrap, postgres_url)
    assert settings.topic_partitions == 3
    create_topics(settings)
    dataset = FaultDataset(600)
    half = len(dataset.events) // 2
    publisher = build_publisher(settings)
    try:
        assert not publisher.publish(dataset.events[:half]).failed
        engine, store = open_store(settings)
        materialize_until_idle(settings, store)

        result = grow(settings, tmp_path, "--partitions", "8")
        assert result.returncode == 0, result.stderr
        assert f"{settings.agency_topic('customs')}: 3 → 8 partitions" in result.stdout
        assert agency_partitions(settings) == {8}
        again = grow(settings, tmp_path, "--partitions", "4")
        assert again.returncode == 0 and "already has at least 4" in again.stdout
        assert agency_partitions(settings) == {8}, "never shrunk"

        dataset.publish_rest(settings, publisher, start=half)
    finally:
        publisher.close()
    materialize_until_idle(settings, store)
    assert_exactly_once(dataset, engine, settings)
