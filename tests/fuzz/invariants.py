"""What must hold after the hub has read any mix of poison and good records (see tests/fuzz/poison.py)."""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, select

from consumers.decoding import RecordDecoder
from consumers.materializer import Materializer
from schemas.codec import CaseEventCodec
from schemas.errors import CasehubError
from services.store.comparison import COMPARED, plain_value
from services.store.sql_store import DEAD_LETTERS, EVENTS, SqlCaseStore
from tests.fakes import ListSink, ListSource
from tests.fuzz.poison import Poison

GROUP = "casehub-fuzz"
STALL_AFTER_S = 120.0


@dataclass
class FuzzOutcome:
    stored: int = 0
    absorbed: int = 0
    dead_letters: Counter[str] = field(default_factory=Counter)
    stalls: int = 0
    lost: list[str] = field(default_factory=list)


def materialize(engine: Engine, poison: Sequence[Poison], batch_sizes: Sequence[int]) -> FuzzOutcome:
    """Feed the records to the real materializer over a real store, in batches of the given sizes; a
    batch still retrying after STALL_AFTER_S counts as a stall (the consumer would have stopped)."""
    store = SqlCaseStore(engine)
    materializer = Materializer(
        source=ListSource([]),
        store=store,
        dead_letter_sink=ListSink(),
        codec=CaseEventCodec(),
        group=GROUP,
        topic_agency=lambda topic: topic.rsplit(".", 1)[-1],
    )
    outcome = FuzzOutcome()
    records = [p.record for p in poison]
    start = 0
    sizes = iter(batch_sizes)
    while start < len(records):
        size = max(1, next(sizes, 200))
        stop = threading.Event()
        watchdog = threading.Timer(STALL_AFTER_S, stop.set)
        watchdog.start()
        try:
            materializer.process(records[start : start + size], stop)
        except CasehubError:
            outcome.stalls += 1
        finally:
            watchdog.cancel()
        start += size
    return outcome


def check_every_record_is_accounted_for(
    engine: Engine, poison: Sequence[Poison], outcome: FuzzOutcome
) -> None:
    """Each record is stored (from its own position), dead-lettered with a reason, or a re-delivery of
    a stored event with the same content. Anything else is lost."""
    with engine.connect() as connection:
        stored = {
            (row.source_topic, row.source_offset): row.event_id
            for row in connection.execute(
                select(EVENTS.c.source_topic, EVENTS.c.source_offset, EVENTS.c.event_id)
            )
        }
        dead = {
            (row.topic, row.offset): (row.error_class, row.error_message)
            for row in connection.execute(
                select(
                    DEAD_LETTERS.c.topic,
                    DEAD_LETTERS.c.offset,
                    DEAD_LETTERS.c.error_class,
                    DEAD_LETTERS.c.error_message,
                )
            )
        }
    decoder = RecordDecoder(codec=CaseEventCodec(), group=GROUP, topic_agency=lambda t: t.rsplit(".", 1)[-1])
    stored_ids = set(stored.values())
    for p in poison:
        position = (p.record.topic, p.record.offset)
        if position in stored:
            outcome.stored += 1
        elif p.kind == "canary" and not _over_a_case_bound(dead.get(position)):
            outcome.lost.append(f"canary at {position} did not arrive ({dead.get(position)})")
        elif position in dead:
            error_class, reason = dead[position]
            assert reason.strip(), f"dead letter without a reason at {position}"
            outcome.dead_letters[_reason_class(error_class, reason)] += 1
        else:
            try:
                event_id = decoder.decode_record(p.record).event_id
            except CasehubError as exc:
                outcome.lost.append(f"{p.kind} {p.note} at {position}: refused ({exc}) but not dead-lettered")
                continue
            if event_id in stored_ids:
                outcome.absorbed += 1
            else:
                outcome.lost.append(
                    f"{p.kind} {p.note} at {position}: valid, neither stored nor dead-lettered"
                )


def _over_a_case_bound(letter: tuple[str, str] | None) -> bool:
    """A canary may be refused for one reason only: an extreme but valid amount the fuzzer sent before it
    filled its case's total (MAX_CASE_TOTAL_VND), so the canary's amount would overflow it."""
    return letter is not None and letter[0] == "StoreRejected" and "VND bound" in letter[1]


def _reason_class(error_class: str, reason: str) -> str:
    """A reason without its particulars (values, ids, dates), to count dead letters by kind."""
    head = re.split(r"[:'(\d]", reason.removeprefix("write refused: "), maxsplit=1)[0].strip()
    return f"{error_class}: {head}" if head and error_class != "DecodeError" else error_class


def store_rows(engine: Engine) -> dict[str, list[Any]]:
    """Every compared table's rows as plain values, sorted in Python (collations differ between stores)."""
    rows: dict[str, list[Any]] = {}
    with engine.connect() as connection:
        for name, (table, columns) in COMPARED.items():
            result = connection.execute(select(*(table.c[c] for c in columns)))
            rows[name] = sorted(([plain_value(v) for v in row] for row in result), key=repr)
    return rows
