"""Which items of a batch the store refuses, found without writing anything — for any tracking consumer.

The batch is applied in a transaction that is always rolled back: each group in a savepoint; a refused
group is halved until each refused item stands alone. Groups that pass stay applied inside the probe, so
an item refused only on top of others (two fines that overflow a case's total together) is found too,
and the rest of the batch is then written exactly as it was probed. One bad item in 2,000 costs about
two extra applications of the batch; a store that names the refused events (`EventsRejected`) costs one.
The materializer probes events with the case folds, the entity linker sightings with the linker.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from typing import Protocol, TypeVar

from consumers.store_errors import EventsRejected, StoreRejected, StoreUnavailable
from schemas.errors import CasehubError


class Identified(Protocol):
    """An item of a batch, named by the event it came from (a stored event, a sighting)."""

    @property
    def event_id(self) -> str: ...


class Savepoints(Protocol):
    def savepoint(self) -> AbstractContextManager[None]: ...


Tx = TypeVar("Tx", bound=Savepoints)
Tx_co = TypeVar("Tx_co", bound=Savepoints, covariant=True)
Item = TypeVar("Item", bound=Identified)


class Transactional(Protocol[Tx_co]):
    def transaction(self) -> AbstractContextManager[Tx_co]: ...


class _ProbeFinished(CasehubError):
    """Raised to roll the probe back once every refusal is known (a CasehubError passes the store as is)."""


def refused_items(
    store: Transactional[Tx], apply: Callable[[Tx, Sequence[Item]], object], items: Sequence[Item]
) -> dict[str, str]:
    """Event id → the store's reason, for every item of `items` that `apply` cannot write."""
    refused: dict[str, str] = {}
    try:
        with store.transaction() as tx:
            _probe(tx, apply, list(items), refused)
            raise _ProbeFinished
    except _ProbeFinished:
        pass
    return refused


def _probe(
    tx: Tx, apply: Callable[[Tx, Sequence[Item]], object], group: list[Item], refused: dict[str, str]
) -> None:
    try:
        with tx.savepoint():
            apply(tx, group)
        return
    except EventsRejected as exc:
        named = {i.event_id for i in group} & exc.reasons.keys()
        if named:
            refused.update({event_id: exc.reasons[event_id] for event_id in named})
            rest = [i for i in group if i.event_id not in named]
            if rest:
                _probe(tx, apply, rest, refused)
            return
        reason = str(exc)
    except StoreUnavailable:
        raise
    except Exception as exc:  # a refusal of the store, or a fold or rule that cannot take these items
        reason = refusal_reason(exc)
    if len(group) == 1:
        refused[group[0].event_id] = reason
        return
    middle = len(group) // 2
    _probe(tx, apply, group[:middle], refused)
    _probe(tx, apply, group[middle:], refused)


def refusal_reason(exc: Exception) -> str:
    """The reason an item cannot be stored: the store's own words, or what the fold or rule found wrong."""
    return str(exc) if isinstance(exc, StoreRejected) else f"write refused: {type(exc).__name__}: {exc}"
