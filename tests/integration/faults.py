"""A known data set with poison messages, and the check that a store holds exactly its valid events."""

from __future__ import annotations

import hashlib
import json
import struct
from dataclasses import dataclass, field
from datetime import UTC, datetime

from kafka import KafkaProducer
from sqlalchemy import Engine, func, select

from consumers.case_fold import fold_case
from consumers.projections import stored_event
from consumers.records import CaseState, StoredEvent
from producers.demo_data import demo_events
from producers.publisher import Publisher
from schemas.codec import CaseEventCodec
from schemas.events import CaseEvent, CaseOpened, PenaltyDecided
from services.bootstrap import build_publisher, create_topics
from services.settings import Settings
from services.store.sql_store import CASES, DEAD_LETTERS, EVENTS
from tests.factories import opened, penalty
from tests.integration.helpers import admin_options, send_raw
from tests.run_figures import record


@dataclass(frozen=True)
class Poison:
    agency_topic: str
    value: bytes
    reason: str


@dataclass
class FaultDataset:
    """`size` valid events (deterministic) and one of each kind of poison message."""

    size: int
    events: list[CaseEvent] = field(init=False)
    poison: list[Poison] = field(init=False)

    def __post_init__(self) -> None:
        self.events = demo_events(cases=self.size // 5 + 20, seed=2026)[: self.size]
        assert len(self.events) == self.size, "the demo stories give about six events per case"
        self.poison = poison_messages()

    def publish(self, settings: Settings, publisher: Publisher, times: int = 1) -> int:
        """Send the valid events `times` times and the poison once; returns records sent."""
        for _ in range(times - 1):
            assert not publisher.publish(self.events).failed
        return len(self.events) * (times - 1) + self.publish_rest(settings, publisher, start=0)

    def publish_rest(self, settings: Settings, publisher: Publisher, start: int) -> int:
        """Send the valid events from `start` on, then the poison; returns records sent."""
        assert not publisher.publish(self.events[start:]).failed
        raw = KafkaProducer(bootstrap_servers=settings.kafka_bootstrap, acks="all", **admin_options())
        for item in self.poison:
            raw.send(settings.agency_topic(item.agency_topic), key=b"poison", value=item.value)
        raw.flush()
        raw.close()
        return len(self.events) - start + len(self.poison)


def poison_messages() -> list[Poison]:
    codec = CaseEventCodec()
    good = codec.encode(opened("VN-POISON-1"))
    forged_fine = penalty("VN-POISON-2", fine=1_000_000)
    forged_fine = forged_fine.model_construct(
        **{
            **dict(forged_fine),
            "payload": PenaltyDecided.model_construct(**{**dict(forged_fine.payload), "fine_vnd": -5}),
        }
    )
    after_merger = datetime(2025, 10, 1, tzinfo=UTC)
    retired_province = opened("VN-POISON-3").model_copy(
        update={
            "occurred_at": after_merger,
            "payload": CaseOpened.model_construct(**{**dict(opened().payload), "province_code": "27"}),
        }
    )
    return [
        Poison("qltt", b"\xff\xfe garbage, not a Confluent frame", "wrong magic byte"),
        Poison("customs", b"\x00" + struct.pack(">I", 999_999) + good[5:], "unknown schema id"),
        Poison("tax", good[: len(good) // 2], "truncated body"),
        Poison("tax", codec.encode(opened("VN-POISON-4", agency="qltt")), "spoofed agency"),
        Poison("qltt", codec.encode(retired_province), "province 27 retired on 2025-07-01"),
        Poison("qltt", codec.encode(forged_fine), "negative fine"),
    ]


def digest_lines(lines: list[str]) -> str:
    return hashlib.sha256("\n".join(sorted(lines)).encode()).hexdigest()[:16]


def event_line(e: StoredEvent) -> str:
    return f"{e.event_id}|{e.case_id}|{e.event_type}|{e.agency}|{json.dumps(e.payload, sort_keys=True)}"


def case_line(c: CaseState) -> str:
    return f"{c.case_id}|{c.status}|{c.total_fines_vnd}|{c.event_count}|{','.join(c.agencies)}"


@dataclass(frozen=True)
class StoreDigest:
    events: int
    events_checksum: str
    cases: int
    cases_checksum: str


def expected_digest(events: list[CaseEvent]) -> StoreDigest:
    stored = [stored_event(e, "", 0, 0) for e in events]
    by_case: dict[str, list[StoredEvent]] = {}
    for e in stored:
        by_case.setdefault(e.case_id, []).append(e)
    cases = [fold_case(case_id, evs) for case_id, evs in by_case.items()]
    return StoreDigest(
        len(stored),
        digest_lines([event_line(e) for e in stored]),
        len(cases),
        digest_lines([case_line(c) for c in cases]),
    )


def store_digest(engine: Engine) -> StoreDigest:
    columns = [EVENTS.c.event_id, EVENTS.c.case_id, EVENTS.c.event_type, EVENTS.c.agency, EVENTS.c.payload]
    with engine.connect() as connection:
        event_lines = [
            f"{i}|{c}|{t}|{a}|{json.dumps(p, sort_keys=True)}"
            for i, c, t, a, p in connection.execute(select(*columns))
        ]
        case_rows = connection.execute(
            select(
                CASES.c.case_id,
                CASES.c.status,
                CASES.c.total_fines_vnd,
                CASES.c.event_count,
                CASES.c.agencies,
            )
        ).all()
    case_lines = [f"{c}|{s}|{f}|{n}|{','.join(a)}" for c, s, f, n, a in case_rows]
    return StoreDigest(len(event_lines), digest_lines(event_lines), len(case_lines), digest_lines(case_lines))


def stored_count(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(EVENTS)).scalar_one())


def dead_letter_reasons(engine: Engine) -> list[str]:
    with engine.connect() as connection:
        rows = connection.execute(select(DEAD_LETTERS.c.error_class, DEAD_LETTERS.c.error_message)).all()
    return sorted(f"{cls}: {message}" for cls, message in rows)


def record_figures(
    scenario: str, published: int, dataset: FaultDataset, engine: Engine, **extra: object
) -> None:
    digest = store_digest(engine)
    row: dict[str, object] = {
        "scenario": scenario,
        "published_records": published,
        "valid_events": len(dataset.events),
        "poison": len(dataset.poison),
        "stored_events": digest.events,
        "dead_letters": len(dead_letter_reasons(engine)),
        "duplicates_in_store": digest.events - len({str(e.event_id) for e in dataset.events}),
        **extra,
    }
    record("exactly-once under faults", "  ".join(f"{key}={value}" for key, value in row.items()))


def publish_log_with_retries_and_poison(settings: Settings, cases: int) -> tuple[list[CaseEvent], int]:
    """The agency topics created and filled as a live hub's log looks: the demo events, the first 10 again
    (a producer retry: duplicates in the log) and every poison message; the events and the record count."""
    create_topics(settings)
    events = demo_events(cases=cases)
    publisher = build_publisher(settings)
    publisher.publish(events)
    publisher.publish(events[:10])
    publisher.close()
    poison = poison_messages()
    for message in poison:
        send_raw(settings.kafka_bootstrap, settings.agency_topic(message.agency_topic), [message.value])
    return events, len(events) + 10 + len(poison)
