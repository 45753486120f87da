"""A record source started by several threads at once (the materializer's loop and a thread asking whether
it holds partitions yet) connects one consumer: a second would join the group as a member nobody polls,
and every later rebalance would wait for it until the group's timeout (the benchmark's two members sat in
PreparingRebalance for 60 s that way)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from kafka import KafkaConsumer

from consumers.kafka_io import KafkaRecordSource
from services.bootstrap import cluster_offsets, create_topics, open_store
from services.broker_access.client_options import client_options
from services.broker_access.principals import Role
from services.settings import Settings
from services.store.engine import make_engine, migrate
from tests.integration.helpers import isolated_settings

pytestmark = pytest.mark.integration


def member_ids(settings: Settings) -> tuple[str, set[str]]:
    cluster = cluster_offsets(settings)
    try:
        view = cluster.members([settings.consumer_group])[settings.consumer_group]
    finally:
        cluster.close()
    return view.state, {owner.member_id for owner in view.owners.values()}


class CountedSource(KafkaRecordSource):
    """The hub's group source, counting the consumers it connects."""

    connected = 0

    def _connected(self, consumer: KafkaConsumer) -> None:
        type(self).connected += 1
        super()._connected(consumer)


def test_threads_starting_one_source_together_make_one_group_member(
    kafka_bootstrap: str, tmp_path: Path
) -> None:
    settings = isolated_settings(kafka_bootstrap, f"sqlite:///{tmp_path / 'hub.db'}")
    create_topics(settings)
    migrate(make_engine(settings.database_url))
    engine, store = open_store(settings)
    source = CountedSource(
        security=client_options(settings, Role.MATERIALIZER),
        bootstrap=settings.kafka_bootstrap,
        group=settings.consumer_group,
        topic_pattern=settings.agency_topic_pattern,
        stored_offsets=lambda: store.stored_offsets(settings.consumer_group),
    )
    gate = threading.Barrier(6)
    failures: list[BaseException] = []

    def ask_whether_assigned() -> None:
        gate.wait()
        try:
            source.is_assigned()
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=ask_whether_assigned) for _ in range(6)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert not failures
        assert CountedSource.connected == 1
        deadline = time.monotonic() + 30
        state, members = "unknown", set[str]()
        while time.monotonic() < deadline:
            source.poll(timeout_s=0.2)
            state, members = member_ids(settings)
            if state == "Stable" and members:
                break
        assert state == "Stable"
        assert len(members) == 1, f"{len(members)} members joined for one source"
    finally:
        source.close()
        engine.dispose()
