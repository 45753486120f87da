"""A record batch damaged in the broker's own log segment, against the live materializer on a real broker
and PostgreSQL. The fetch served the damaged bytes from the file on every fetch; the consumer logged
CorruptRecordError and retried forever, and nothing behind the batch was ever materialized. Now the batch
is fetched a few times, then kept as one dead letter with the offsets its header claims, the partition
goes on past it, and the offsets past it are stored and committed together with the letter
(consumers/damaged_batches.py)."""

from __future__ import annotations

import struct
import threading
from pathlib import Path

import pytest
from kafka import KafkaProducer
from sqlalchemy import select
from structlog.testing import capture_logs

import consumers.kafka_io
from consumers.damaged_batches import FETCHES_BEFORE_DEAD_LETTER
from consumers.kafka_io import KafkaRecordSource
from schemas.codec import CaseEventCodec
from services.bootstrap import build_materializer, cluster_offsets, create_topics, open_store
from services.settings import Settings
from services.store.sql_store import CASES
from tests.factories import opened
from tests.integration.helpers import admin_options, isolated_settings, materialize_until_idle, read_all

pytestmark = pytest.mark.integration
CODEC = CaseEventCodec()
BATCHES = (("VN-DMG-A", 3), ("VN-DMG-B", 3), ("VN-DMG-C", 3))
"""Three batches of three events on partition 0: offsets 0-2, 3-5 (the one damaged), 6-8."""


def segment_batches(segment: Path) -> list[tuple[int, int, int]]:
    """(base offset, start, end) of each batch in a log segment file, as its headers frame them."""
    data = segment.read_bytes()
    batches, at = [], 0
    while at + 12 <= len(data):
        base, length = struct.unpack_from(">qi", data, at)
        if length <= 0:
            break
        batches.append((base, at, at + 12 + length))
        at += 12 + length
    return batches


def publish_and_damage(settings: Settings, kafka_bootstrap: str, kafka_log_dir: Path) -> bytes:
    """Three batches on partition 0 and one record on each other partition; the middle batch's last
    record damaged in the broker's segment, as a bad disk would. The damaged batch's bytes come back."""
    create_topics(settings)
    topic = settings.agency_topic("qltt")
    # lingering until flushed: each flush sends the records since the last one as one batch
    producer = KafkaProducer(
        bootstrap_servers=kafka_bootstrap, acks="all", linger_ms=60_000, **admin_options()
    )
    for prefix, count in BATCHES:
        for i in range(count):
            case_id = f"{prefix}{i}"
            producer.send(topic, key=case_id.encode(), value=CODEC.encode(opened(case_id)), partition=0)
        producer.flush()
    for partition in (1, 2):  # the other partitions, which must never wait for partition 0
        case_id = f"VN-DMG-P{partition}"
        producer.send(topic, key=case_id.encode(), value=CODEC.encode(opened(case_id)), partition=partition)
    producer.flush()
    producer.close()

    segment = kafka_log_dir / f"{topic}-0" / "00000000000000000000.log"
    framed = segment_batches(segment)
    assert [base for base, _start, _end in framed] == [0, 3, 6]
    _base, start, end = framed[1]
    with segment.open("r+b") as file:  # a byte inside the middle batch's last record, as a bad disk would
        file.seek(end - 4)
        byte = file.read(1)
        file.seek(end - 4)
        file.write(bytes([byte[0] ^ 0x5A]))
    return segment.read_bytes()[start:end]


def test_a_batch_damaged_in_the_brokers_log_is_set_aside_and_the_partition_goes_on(
    postgres_url: str, kafka_bootstrap: str, kafka_log_dir: Path
) -> None:
    settings = isolated_settings(kafka_bootstrap, postgres_url)
    topic = settings.agency_topic("qltt")
    damaged = publish_and_damage(settings, kafka_bootstrap, kafka_log_dir)

    engine, store = open_store(settings)
    try:
        with capture_logs() as logs:
            materialize_until_idle(settings, store)
        with engine.connect() as connection:
            stored = set(connection.execute(select(CASES.c.case_id)).scalars())
        letters = store.dead_letters(pending_only=False)
        offsets = store.stored_offsets(settings.consumer_group)
    finally:
        engine.dispose()

    expected = {f"{p}{i}" for p, n in BATCHES for i in range(n) if p != "VN-DMG-B"} | {
        "VN-DMG-P1",
        "VN-DMG-P2",
    }
    assert stored == expected  # before and after the batch, and the other partitions: nothing else lost
    (kept,) = [stored_letter.letter for stored_letter in letters]
    assert (kept.topic, kept.partition, kept.offset, kept.error_class) == (topic, 0, 3, "DamagedRecordBatch")
    assert "offsets 3-5 (as its header claims)" in kept.error_message
    assert "failed crc check" in kept.error_message and "goes on at 6" in kept.error_message
    assert kept.value == damaged and kept.key is None
    assert offsets[(topic, 0)] == 9 and offsets[(topic, 1)] == 1 and offsets[(topic, 2)] == 1
    events = [log["event"] for log in logs]
    assert events.count("damaged_batch_set_aside") == 1
    assert events.count("damaged_batch_fetched_again") == FETCHES_BEFORE_DEAD_LETTER - 1
    on_topic = read_all(kafka_bootstrap, settings.dead_letter_topic, expected=1)
    assert [record.value for record in on_topic] == [damaged]  # type: ignore[attr-defined]
    committed = cluster_offsets(settings).committed_offsets([settings.consumer_group])
    assert committed[settings.consumer_group][(topic, 0)] == 9


def test_on_the_librarys_own_path_the_partition_stalls_loudly_and_the_others_flow(
    postgres_url: str, kafka_bootstrap: str, kafka_log_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fetch fast path declined (as when kafka-python's internals change): the library's own error
    carries no offsets, so nothing is skipped — the partition stalls (judged so, not as a broker outage),
    while the records before the batch and the other partitions are materialized. Before, the consumer's
    next poll spun forever inside kafka-python and nothing was materialized at all."""
    monkeypatch.setattr(consumers.kafka_io, "install_fetch_fast_path", lambda _consumer: "internals changed")
    settings = isolated_settings(kafka_bootstrap, postgres_url)
    topic = settings.agency_topic("qltt")
    publish_and_damage(settings, kafka_bootstrap, kafka_log_dir)

    engine, store = open_store(settings)
    materializer = build_materializer(settings, store)
    source = materializer.source
    assert isinstance(source, KafkaRecordSource)
    try:
        materializer.run(threading.Event(), idle_exit_s=4)
        with engine.connect() as connection:
            stored = set(connection.execute(select(CASES.c.case_id)).scalars())
        offsets = store.stored_offsets(settings.consumer_group)
    finally:
        source.close()
        materializer.dead_letter_sink.close()
        engine.dispose()

    assert source.fetch_fast_path.counts == {"kafka_internals_changed": 1}  # the library's parse ran
    assert stored == {"VN-DMG-A0", "VN-DMG-A1", "VN-DMG-A2", "VN-DMG-P1", "VN-DMG-P2"}
    assert offsets[(topic, 0)] == 3 and offsets[(topic, 1)] == 1 and offsets[(topic, 2)] == 1
    assert store.dead_letters(pending_only=False) == []  # no range known: nothing set aside
    # judged a stall (after the retries), not an outage; what it logs then is checked in
    # tests/unit/test_damaged_batches.py (structlog's capture misses loggers another test cached)
    assert source.damaged_batches.stalled >= 1
