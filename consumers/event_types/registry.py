"""The entries of every event type, keyed by payload class, and the dispatch the consumers use.

Entries are found, not listed: every module of this package other than the machinery below defines
`ENTRY`, so adding an event type is its model, its .avsc, its entry module and its test, with no
table elsewhere to extend. A module without an ENTRY, two entries for one payload class, or a stage
outside STAGES stop the import with a message naming the module; a payload class of the contract
without an entry fails tests/unit/test_event_type_registry.py.

Stored events keep their payload as the log's JSON; `payload_of` turns it back into the typed
payload, so folds and rows read `penalty.fine_vnd`, not `payload["fine_vnd"]`.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import consumers.event_types as package
from consumers.event_types.entry import STAGES, EventType, no_rows
from consumers.records import ProjectionRow, StoredEvent
from schemas.errors import ContractViolation
from schemas.payloads import Payload

MACHINERY = frozenset({"entry", "columns", "registry"})
"""Modules of this package that are not entries."""

Entry = EventType[Any]


class EventTypeRegistry(Mapping[type[Payload], Entry]):
    """Entries by payload class, and by the record name the log stores."""

    def __init__(self, entries: Iterable[Entry]) -> None:
        self._by_class: dict[type[Payload], Entry] = {}
        for entry in entries:
            if entry.payload in self._by_class:
                raise ValueError(f"two entries for the event type {entry.name}")
            if entry.stage is not None and entry.stage not in STAGES:
                raise ValueError(f"{entry.name}: stage {entry.stage!r} is not one of {', '.join(STAGES)}")
            self._by_class[entry.payload] = entry
        self._by_name = {entry.name: entry for entry in self._by_class.values()}

    def __getitem__(self, payload_class: type[Payload]) -> Entry:
        return self._by_class[payload_class]

    def __iter__(self) -> Iterator[type[Payload]]:
        return iter(self._by_class)

    def __len__(self) -> int:
        return len(self._by_class)

    def named(self, event_type: str) -> Entry:
        """The entry of a stored event type; a name without one is a contract violation, not a skip."""
        try:
            return self._by_name[event_type]
        except KeyError:
            raise ContractViolation(f"no entry for the event type {event_type!r}") from None

    def with_entries(self, *entries: Entry) -> EventTypeRegistry:
        """This registry and more entries (a type being added, in its test)."""
        return EventTypeRegistry([*self._by_class.values(), *entries])


def discovered_entries() -> list[Entry]:
    """The ENTRY of every entry module of this package, in module-name order."""
    entries = []
    for module_info in sorted(pkgutil.iter_modules(package.__path__), key=lambda info: info.name):
        if module_info.name in MACHINERY:
            continue
        module = importlib.import_module(f"{__package__}.{module_info.name}")
        entry = getattr(module, "ENTRY", None)
        if not isinstance(entry, EventType):
            raise ValueError(f"{module.__name__} is in consumers/event_types but defines no ENTRY")
        entries.append(entry)
    return entries


EVENT_TYPES = EventTypeRegistry(discovered_entries())


def entry_named(event_type: str) -> Entry:
    """The entry of a stored event type (looked up at each call, so a test can add a type)."""
    return EVENT_TYPES.named(event_type)


_DECODED: dict[int, tuple[StoredEvent, Payload]] = {}
"""Typed payloads of the stored events the decoder built last, by the event object's id."""
_DECODED_LIMIT = 10_000
"""Batches are 2,000-5,000 events; beyond this the table starts afresh (a miss only costs a validation)."""


def remember_payload(event: StoredEvent, payload: Payload) -> None:
    """Keep the payload model `event.payload` was dumped from, so the fold need not validate it again.

    A side table, not a field: a StoredEvent's fields are its log row (`vars()` in the store) and its
    identity (`same_content`), which a cache must change neither. The table holds the event itself, so
    its id cannot be reused by another object while the entry exists, and it is bounded (cleared when
    full; a weak reference per event cost three times the dict entry).
    """
    if len(_DECODED) >= _DECODED_LIMIT:
        _DECODED.clear()
    _DECODED[id(event)] = (event, payload)


def forget_payloads() -> None:
    """Drop the remembered payloads: their batch is done (consumers/heap.py: what outlives a batch is what
    the collector walks after it)."""
    _DECODED.clear()


def _remembered(event: StoredEvent, payload_class: type[Payload]) -> Payload | None:
    found = _DECODED.get(id(event))
    if found is None or found[0] is not event or type(found[1]) is not payload_class:
        return None
    return found[1]


class EventRead:
    """A stored event with its entry, and its typed payload: the one the decoder validated
    (`remember_payload`), else validated again by its model from the log's JSON (events read back from
    the log) on first use and at most once: the rows, the case fold and the subject fold of one batch
    share it, and an event whose entry needs nothing from its payload is never validated again at all.
    """

    __slots__ = ("_payload", "entry", "event")

    def __init__(self, event: StoredEvent) -> None:
        self.event = event
        self.entry: Entry = entry_named(event.event_type)
        self._payload: Payload | None = _remembered(event, self.entry.payload)

    @property
    def payload(self) -> Payload:
        if self._payload is None:
            self._payload = self.entry.payload.model_validate(self.event.payload)
        return self._payload

    def rows(self) -> list[ProjectionRow]:
        """The per-event rows the event adds (penalties, seizures, referrals, tips, observations, ...)."""
        if self.entry.rows is no_rows:
            return []
        return self.entry.rows(self.event, self.payload)

    def observed_subject(self) -> str | None:
        """The subject the event is an observation of, which the subject fold must refold."""
        observed = self.entry.observed_subject
        return observed(self.payload) if observed is not None else None


def payload_of(event: StoredEvent) -> Payload:
    """The typed payload of a stored event."""
    return EventRead(event).payload


def projection_rows(event: StoredEvent) -> list[ProjectionRow]:
    """The per-event rows an event adds."""
    return EventRead(event).rows()
