"""`inbound_records` (consumers/source.py) against the dataclass constructor it replaced in
KafkaRecordSource.poll, kept here as the oracle: the same records, equal, hashed and shown alike, for
any values kafka-python can hand over (None keys and values, empty and binary headers, NUL bytes)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from kafka.consumer.fetcher import ConsumerRecord

from consumers.source import InboundRecord, inbound_records

_headers = st.one_of(
    st.none(),
    st.lists(st.tuples(st.text(max_size=8), st.one_of(st.none(), st.binary(max_size=8))), max_size=3),
)
_consumer_records = st.builds(
    lambda topic, partition, offset, key, value, timestamp, headers: ConsumerRecord(
        topic, partition, 0, offset, timestamp, 0, key, value, headers, None, -1, -1, -1
    ),
    st.text(min_size=1, max_size=20),
    st.integers(0, 2**31 - 1),
    st.integers(0, 2**63 - 1),
    st.one_of(st.none(), st.binary(max_size=40)),
    st.one_of(st.none(), st.binary(max_size=200)),
    st.integers(-1, 2**63 - 1),
    _headers,
)


def _by_constructor(polled: list[list[ConsumerRecord]]) -> list[InboundRecord]:
    """The building before (git 3c086be, consumers/kafka_io.py KafkaRecordSource.poll), unchanged."""
    return [
        InboundRecord(r.topic, r.partition, r.offset, r.key, r.value, r.timestamp, tuple(r.headers or ()))
        for records in polled
        for r in records
    ]


@given(st.lists(st.lists(_consumer_records, max_size=5), max_size=4))
def test_the_same_records_as_the_constructor(polled: list[list[ConsumerRecord]]) -> None:
    built = inbound_records(polled)
    expected = _by_constructor(polled)
    assert built == expected
    assert [hash(r) for r in built] == [hash(r) for r in expected]
    assert [repr(r) for r in built] == [repr(r) for r in expected]
    assert all(type(r) is InboundRecord and type(r.headers) is tuple for r in built)


def test_headers_are_copied_not_shared() -> None:
    """The consumer's header list may be reused; the record keeps a tuple of its own."""
    headers = [("trace", b"\x00\x01")]
    record = ConsumerRecord("t", 0, 0, 7, 1, 0, b"k", b"v", headers, None, 1, 1, 7)
    (built,) = inbound_records([[record]])
    headers.append(("more", b""))
    assert built.headers == (("trace", b"\x00\x01"),)
