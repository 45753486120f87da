"""The dead-letter filter against hostile words on both stores: never an error, always the right count;
and the API answers 422 (not 500) for what a store cannot take."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine

from consumers.records import DeadLetter
from services.access.principal import Principal, Role
from services.access.resolver import issue_token, save_principal
from services.api.app import create_app
from services.settings import Settings
from services.store.queries.dead_letters import DeadLetterQuery, read_dead_letters
from services.store.sql_store import SqlCaseStore

pytestmark = pytest.mark.integration
START = datetime(2026, 12, 1, tzinfo=UTC)
TOPIC = "casehub.cases.qltt"
MESSAGES = [
    "wrong magic byte 0xff",
    "unknown schema id 777777 (not bundled, not in the hub's registry)",
    "fine_vnd: 100% of the legal maximum_exceeded \\ backslash",
    "Tỉnh 27 đã giải thể từ 2025-07-01",
    "",
]
CLASSES = ["DecodeError", "UnknownSchemaError", "ContractViolation", "ContractViolation", "DecodeError"]
WORDS = st.lists(
    st.sampled_from([*"abcdefmnosuyz_%\\ '\"-.01279()", "ệ", "Đ", "\u200b", "DE", "Id", "schema id"]),
    max_size=8,
).map("".join)


def matches(word: str, letter_class: str, message: str) -> bool:
    """The filter's promise: the words anywhere in class or message, ASCII letters in any case."""
    lowered = word.lower()
    return lowered in letter_class.lower() or lowered in message.lower()


@pytest.fixture
def letters(migrated_engine: Engine) -> Engine:
    store = SqlCaseStore(migrated_engine)
    with store.transaction() as tx:
        tx.add_dead_letters(
            [
                DeadLetter(
                    "g", "casehub.cases.qltt", 0, n, cls, msg, b"k", b"v" * n, START + timedelta(hours=n)
                )
                for n, (cls, msg) in enumerate(zip(CLASSES, MESSAGES, strict=True))
            ]
        )
    return migrated_engine


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(word=WORDS, hours=st.integers(min_value=-1, max_value=6))
def test_any_words_and_times_filter_exactly(letters: Engine, word: str, hours: int) -> None:
    since = START + timedelta(hours=hours)
    expected = [
        n
        for n, (cls, msg) in enumerate(zip(CLASSES, MESSAGES, strict=True))
        if matches(word, cls, msg) and n >= hours
    ]
    with letters.connect() as connection:
        rows, count = read_dead_letters(connection, DeadLetterQuery(reason=word, since=since, limit=2))
    assert count == len(expected)
    assert [row["offset"] for row in rows] == expected[:2]


def test_the_api_refuses_what_a_store_cannot_take_with_422(letters: Engine) -> None:
    save_principal(letters, Principal("ops-1", "Ops", None, Role.OPS))
    headers = {"Authorization": f"Bearer {issue_token(letters, 'ops-1')}"}
    api = TestClient(create_app(letters, Settings(kafka_bootstrap="127.0.0.1:1", connect_timeout_s=1)))
    for params in (
        {"reason": "a\x00b"},
        {"reason": "\x1b[31m"},
        {"topic": "t\x00"},
        {"since": "2026-13-40"},
        {"until": "9" * 40},
        {"limit": 10**12},
    ):
        answer = api.get("/api/ops/deadletters", params=params, headers=headers)
        assert answer.status_code == 422, (params, answer.status_code, answer.text)
    assert api.get("/api/ops/deadletters", params={"reason": "Tỉnh 27"}, headers=headers).json()["count"] == 1
