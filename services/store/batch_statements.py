"""The fixed statements a materialized batch sends on PostgreSQL, by the driver itself.

Every batch takes its cases' and subjects' locks, reads the locked cases with their restricted marks and
saves its offsets, whatever its size: on a steady stream of small batches these fixed costs were most of
the materializer's CPU (~9 ms a transaction on the session-18 machine, ~30 round trips). Fixed texts with
plain parameters go through psycopg directly (`driver`), not through SQLAlchemy.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Connection, String, Table, bindparam, func, select, text
from sqlalchemy.dialects.postgresql import ARRAY

from consumers.records import TopicPartitionOffset
from services.store.audience_tables import RESTRICTED_CASES
from services.store.tables import CaseRow

CASES = cast(Table, CaseRow.__table__)


CASE_LOCKS, SUBJECT_LOCKS = 1, 2
"""Seeds of the advisory-lock key hashes, one key space per kind of row."""


def lock_keys(connection: Connection, space: int, ids: list[str]) -> None:
    """Hold a lock per id until the transaction ends, taken in id order so writers never deadlock.

    PostgreSQL: transaction-scoped advisory locks keyed by a 64-bit hash of the id. They cover ids that
    have no row yet, which row locks cannot, without writing placeholder rows first. SQLite: nothing to
    do, the transaction already holds the database's single write lock (the batch wrote its events).
    """
    if not ids or connection.dialect.name != "postgresql":
        return
    driver(connection).execute(_LOCK_KEYS, {"ids": ids, "space": space})


_LOCK_KEYS = (
    "SELECT count(pg_advisory_xact_lock(hashtextextended(id, %(space)s))) "
    "FROM (SELECT unnest(%(ids)s::text[]) AS id ORDER BY 1) AS ordered"
)


def driver(connection: Connection) -> Any:
    """The connection's psycopg connection, for the fixed statements every batch sends (PostgreSQL):
    through SQLAlchemy each cost ~100 µs more of our CPU (~250 against ~140 µs on this machine), for
    nothing a fixed text with plain parameters needs. Its errors are psycopg's, which `store_error`
    sorts like SQLAlchemy's (services/store/failures.py)."""
    return connection.connection.driver_connection


_WANTED = func.unnest(bindparam("ids", type_=ARRAY(String))).table_valued("case_id").render_derived("wanted")
LOCKED_CASES = select(*CASES.columns, RESTRICTED_CASES.c.case_id.label("restricted_id")).select_from(
    _WANTED.outerjoin(CASES, CASES.c.case_id == _WANTED.c.case_id).outerjoin(
        RESTRICTED_CASES, RESTRICTED_CASES.c.case_id == _WANTED.c.case_id
    )
)
"""Each asked id with its case row (NULLs without one) and its restricted mark, if any (PostgreSQL): the
ids are joined as a relation, as `RESTRICTED_AMONG` does, so a batch's ids are hashed, not tested one by
one."""

RESTRICTED_AMONG = text(
    "SELECT case_id FROM unnest(CAST(:ids AS text[])) AS wanted (case_id) "
    "JOIN restricted_cases USING (case_id)"
)
"""Which of a batch's cases are restricted, the ids joined as a relation (PostgreSQL). As `= ANY(:ids)`,
the prepared statement's generic plan scanned every mark testing each against every id of the batch one
by one (an array parameter is not hashed as a literal one is): 3.7 ms a batch at 80,000 events, growing
with the marks; joined, they are hashed (0.2 ms). Same reason as services/store/subject_refold.py."""

_SAVE_OFFSETS = (
    "INSERT INTO consumer_offsets (consumer_group, topic, partition, next_offset, updated_at) "
    "SELECT %(group)s, topic, partition, next_offset, %(now)s FROM unnest("
    "%(topics)s::text[], %(partitions)s::integer[], %(offsets)s::bigint[]"
    ") AS given (topic, partition, next_offset) "
    "ON CONFLICT (consumer_group, topic, partition) DO UPDATE "
    "SET next_offset = EXCLUDED.next_offset, updated_at = EXCLUDED.updated_at "
    "WHERE consumer_offsets.next_offset < EXCLUDED.next_offset"
)
"""The forward-only offset upsert of every partition of a batch as one statement (PostgreSQL)."""


def save_offsets_at_once(
    connection: Connection, group: str, offsets: Sequence[TopicPartitionOffset], now: datetime
) -> None:
    """One statement for a batch's partitions, not one per partition (a batch of 2,000 events over 25
    partitions made 25 round trips, ~0.6 µs of materializer CPU per event). The same forward-only rule:
    a stored offset only moves forward; a partition given twice keeps its furthest offset (one statement
    cannot update a row twice, and the per-row upserts kept the furthest one too)."""
    furthest: dict[tuple[str, int], int] = {}
    for o in offsets:
        key = (o.topic, o.partition)
        furthest[key] = max(o.next_offset, furthest.get(key, o.next_offset))
    driver(connection).execute(
        _SAVE_OFFSETS,
        {
            "group": group,
            "now": now,
            "topics": [topic for topic, _ in furthest],
            "partitions": [partition for _, partition in furthest],
            "offsets": list(furthest.values()),
        },
    )
