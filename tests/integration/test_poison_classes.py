"""Each class of message that once stopped the hub, against the live consumer (real Kafka, real stores):
it is dead-lettered with its reason or, when harmless, absorbed, and every good event around it flows."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from kafka import KafkaProducer
from sqlalchemy import Engine, select

from schemas import bounds
from schemas.codec import CaseEventCodec
from schemas.events import CaseEvent, SubjectIdentified
from services.access.principal import Principal, Role
from services.access.resolver import issue_token, save_principal
from services.api.app import create_app
from services.bootstrap import create_topics, open_store
from services.store.sql_store import CASES, DEAD_LETTERS, EVENTS
from tests.databases import module_database
from tests.factories import event, opened, penalty
from tests.integration.helpers import admin_options, isolated_settings, materialize_until_idle, read_all

pytestmark = pytest.mark.integration
CODEC = CaseEventCodec()


@dataclass(frozen=True)
class Sent:
    name: str
    key: bytes | None
    value: bytes
    expect: str | None  # a dead letter whose reason contains this; None: stored or absorbed


def _forged(base: CaseEvent, **payload_changes: object) -> CaseEvent:
    """An event the models would refuse, built without validation, as a careless sender's code would."""
    payload = type(base.payload).model_construct(**{**dict(base.payload), **payload_changes})
    return base.model_construct(**{**dict(base), "payload": payload})


def _messages() -> list[Sent]:
    canary = opened("VN-CANARY-1")
    reused = opened("VN-OTHER-1").model_copy(update={"event_id": canary.event_id})
    long_subject = event(
        SubjectIdentified.model_construct(
            subject_id="S" * 300, display_name="Shop", kind="PERSON", role="SELLER", platform=None
        ),
        case_id="VN-CANARY-1",
    )
    huge = b"\x00\x00\x00\x00\x02" + b"\xff" * 1_000_000
    future = opened("VN-FUTURE-1").model_copy(
        update={
            "occurred_at": datetime(2099, 1, 1, tzinfo=UTC),
            "recorded_at": datetime(2099, 1, 1, tzinfo=UTC),
        }
    )
    slash = opened("VN-OK-2").model_construct(**{**dict(opened("VN-OK-2")), "case_id": "VN/2025/1"})
    max_a, max_b = (
        penalty("VN-TOTAL-1", fine=bounds.MAX_VND),
        penalty("VN-TOTAL-1", fine=bounds.MAX_VND, minutes=90),
    )
    top = 2**63 - 1
    return [
        Sent("canary", b"VN-CANARY-1", CODEC.encode(canary), None),
        Sent(
            "nul",
            b"VN-NUL-1",
            CODEC.encode(_forged(opened("VN-NUL-1"), title="Son\x00giả")),
            "control character U+0000",
        ),
        Sent("long id", b"VN-CANARY-1", CODEC.encode(long_subject), "subject_id"),
        Sent(
            "fine at 2^63-1",
            b"VN-MAX-1",
            CODEC.encode(_forged(penalty("VN-MAX-1"), fine_vnd=top)),
            "fine_vnd",
        ),
        Sent(
            "second fine at 2^63-1",
            b"VN-MAX-1",
            CODEC.encode(_forged(penalty("VN-MAX-1", minutes=90), fine_vnd=top)),
            "fine_vnd",
        ),
        Sent("a case total at its bound", b"VN-TOTAL-1", CODEC.encode(max_a), None),
        Sent(
            "a case total beyond its bound",
            b"VN-TOTAL-1",
            CODEC.encode(max_b),
            "above the 1,000,000,000,000,000 VND bound",
        ),
        Sent("near 1 MB", b"VN-HUGE-1", huge, "does not match schema id 2"),
        Sent(
            "id re-used for another case",
            b"VN-OTHER-1",
            CODEC.encode(reused),
            "event id already stored with other content",
        ),
        Sent("identical re-delivery", b"VN-CANARY-1", CODEC.encode(canary), None),
        Sent("keyless", None, CODEC.encode(opened("VN-KEYLESS-1")), "message has no key"),
        Sent("mis-keyed", b"VN-SOMETHING-ELSE", CODEC.encode(opened("VN-MISKEYED-1")), "is not the case id"),
        Sent("dated 2099", b"VN-FUTURE-1", CODEC.encode(future), "is in the future"),
        Sent("case id with a slash", b"VN/2025/1", CODEC.encode(slash), "used in a link"),
        Sent("canary after", b"VN-CANARY-2", CODEC.encode(opened("VN-CANARY-2")), None),
    ]


@dataclass
class LiveRun:
    engine: Engine
    messages: list[Sent]
    dead_letter_topic_values: dict[int, int]


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def live(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, kafka_bootstrap: str
) -> Iterator[LiveRun]:
    with module_database(request, tmp_path_factory, "p") as url:
        settings = isolated_settings(kafka_bootstrap, url)
        create_topics(settings)
        messages = _messages()
        producer = KafkaProducer(
            bootstrap_servers=kafka_bootstrap, acks="all", max_request_size=2 * 1024 * 1024, **admin_options()
        )
        for sent in messages:
            producer.send(settings.agency_topic("qltt"), key=sent.key, value=sent.value, partition=0)
        producer.flush()
        producer.close()
        engine, store = open_store(settings)
        materialize_until_idle(settings, store)
        letters = read_all(
            kafka_bootstrap, settings.dead_letter_topic, expected=sum(m.expect is not None for m in messages)
        )
        sizes = {int(dict(r.headers)["casehub.errors.offset"]): len(r.value) for r in letters}  # type: ignore[attr-defined]
        yield LiveRun(engine, messages, sizes)
        engine.dispose()


NAMES = [m.name for m in _messages()]


@pytest.mark.parametrize("name", NAMES)
def test_each_class_is_dead_lettered_with_its_reason_or_stored(live: LiveRun, name: str) -> None:
    offset = NAMES.index(name)
    sent = live.messages[offset]
    with live.engine.connect() as connection:
        letter = connection.execute(
            select(DEAD_LETTERS.c.error_message).where(DEAD_LETTERS.c.offset == offset)
        ).scalar_one_or_none()
        stored_here = connection.execute(
            select(EVENTS.c.event_id).where(EVENTS.c.source_offset == offset)
        ).first()
    if sent.expect is None:
        assert letter is None, f"{name}: dead-lettered ({letter})"
        if name != "identical re-delivery":
            assert stored_here is not None, f"{name}: not stored"
    else:
        assert letter is not None and sent.expect in letter, f"{name}: {letter!r}"


def test_the_event_at_the_bound_is_stored_and_the_one_beyond_it_is_not(live: LiveRun) -> None:
    with live.engine.connect() as connection:
        total = connection.execute(
            select(CASES.c.total_fines_vnd).where(CASES.c.case_id == "VN-TOTAL-1")
        ).scalar_one()
    assert total == bounds.MAX_VND


def test_a_dead_letter_close_to_the_agency_topics_limit_reaches_the_dead_letter_topic_whole(
    live: LiveRun,
) -> None:
    assert live.dead_letter_topic_values[NAMES.index("near 1 MB")] == 1_000_005


def test_statistics_and_open_data_answer_after_the_poison(live: LiveRun) -> None:
    client = TestClient(create_app(live.engine), raise_server_exceptions=False)
    principal = Principal("poison-qltt", "QLTT analyst", "qltt", Role.ANALYST)
    save_principal(live.engine, principal)
    headers = {"Authorization": f"Bearer {issue_token(live.engine, principal.principal_id)}"}
    for path in (
        "/api/stats?group_by=agency",
        "/api/stats/report?period=2025-Q4",
        "/api/public/stats",
        "/api/cases",
    ):
        assert client.get(path, headers=headers).status_code == 200, path
