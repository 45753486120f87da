"""A record whose Kafka framing kafka-python refuses although the broker stored it (a header name that is
not UTF-8: Java decodes names leniently, so the broker keeps it), against the live consumer. kafka-python
raised CorruptRecordError from every poll of the partition: the consumer retried forever and nothing
behind the record was materialized (found in session 9). The fetch fast path reads the name with U+FFFD
(consumers/kafka_fetch_fast_path.py): the record's event and every event behind it flow."""

from __future__ import annotations

from pathlib import Path

import pytest
from kafka import KafkaProducer
from sqlalchemy import select

from schemas.codec import CaseEventCodec
from services.bootstrap import create_topics, open_store
from services.store.sql_store import CASES
from tests.databases import upgraded
from tests.factories import opened
from tests.integration.helpers import admin_options, isolated_settings, materialize_until_idle

pytestmark = pytest.mark.integration
CODEC = CaseEventCodec()


class RawName(str):
    """A header name whose bytes are not UTF-8 (kafka-python encodes names with str.encode)."""

    def encode(self, encoding: str = "utf-8", errors: str = "strict") -> bytes:
        return b"casehub.\xff\xfe"


def test_a_header_name_that_is_not_utf8_stops_nothing(tmp_path: Path, kafka_bootstrap: str) -> None:
    url = upgraded(f"sqlite:///{tmp_path / 'casehub.db'}")
    settings = isolated_settings(kafka_bootstrap, url)
    create_topics(settings)
    producer = KafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all", **admin_options())
    topic = settings.agency_topic("qltt")
    producer.send(topic, key=b"VN-HDR-1", value=CODEC.encode(opened("VN-HDR-1")), partition=0)
    producer.send(
        topic,
        key=b"VN-HDR-2",
        value=CODEC.encode(opened("VN-HDR-2")),
        headers=[(RawName("x"), b"v")],
        partition=0,
    )
    producer.send(topic, key=b"VN-HDR-3", value=CODEC.encode(opened("VN-HDR-3")), partition=0)
    producer.flush()
    producer.close()
    engine, store = open_store(settings)
    materialize_until_idle(settings, store)
    with engine.connect() as connection:
        stored = set(connection.execute(select(CASES.c.case_id)).scalars())
    engine.dispose()
    assert {"VN-HDR-1", "VN-HDR-2", "VN-HDR-3"} <= stored
