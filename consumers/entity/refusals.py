"""Sightings the entity store refuses, found without writing anything, so that one seller's odd identifier
never stops the linking of everyone else (the materializer's isolation, consumers/isolation.py, for the
entity group): each group of sightings is linked in a savepoint of a transaction that is rolled back, and
a refused group is halved until each refused sighting stands alone."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Engine

from consumers.entity.keys import Sighting
from consumers.entity.linker import EntityLinker
from consumers.store_errors import StoreUnavailable
from services.store.sql_store import SqlTransaction


def refused_sightings(engine: Engine, linker: EntityLinker, sightings: Sequence[Sighting]) -> dict[str, str]:
    """Event id → reason, for each sighting the entity store refuses."""
    refused: dict[str, str] = {}
    with engine.connect() as connection:
        transaction = connection.begin()
        try:
            _probe(SqlTransaction(connection), linker, list(sightings), refused)
        finally:
            transaction.rollback()
    return refused


def _probe(tx: SqlTransaction, linker: EntityLinker, group: list[Sighting], refused: dict[str, str]) -> None:
    try:
        with tx.savepoint():
            linker.link(tx.connection, group)
        return
    except StoreUnavailable:
        raise
    except Exception as exc:  # a refusal of the store, or a rule that cannot take these sightings
        reason = (
            str(exc)
            if str(exc).startswith("write refused")
            else f"write refused: {type(exc).__name__}: {exc}"
        )
    if len(group) == 1:
        refused[group[0].event_id] = reason
        return
    middle = len(group) // 2
    _probe(tx, linker, group[:middle], refused)
    _probe(tx, linker, group[middle:], refused)
