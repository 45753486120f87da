"""Why an entity is what it is: its members, each key and whether it links, the links that hold it
together (with the events that brought them), its history of merges and splits, and weak suggestions."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from consumers.entity.keys import MatchKey
from consumers.entity.linker import EntityLinker
from consumers.entity.partition import partition
from consumers.entity.store_port import EntityTransaction


@dataclass(frozen=True)
class KeyLine:
    kind: str
    value: str
    subjects: tuple[str, ...]
    """Members of this entity carrying it."""
    carriers: int
    """Subjects carrying it in the whole store."""
    status: str


@dataclass(frozen=True)
class LinkLine:
    subject_id: str
    other_subject_id: str
    kind: str
    value: str
    event_id: str


@dataclass
class Explanation:
    entity_id: str
    members: list[str]
    keys: list[KeyLine] = field(default_factory=list)
    links: list[LinkLine] = field(default_factory=list)
    history: list[dict[str, Any]] = field(default_factory=list)
    suggestions: list[tuple[str, str, str, str]] = field(default_factory=list)
    """(kind, value, other subject, its entity) for shared names and addresses."""


def explain(tx: EntityTransaction, linker: EntityLinker, entity_or_subject: str) -> Explanation | None:
    """The explanation of an entity, given its id or one of its subjects' ids; None when unknown."""
    entity_id = tx.entities_of([entity_or_subject]).get(entity_or_subject, entity_or_subject)
    members = sorted(tx.members_of([entity_id]))
    if not members:
        return None
    rules = linker.rules(tx)
    occurrences = tx.occurrences_of(members, strong_only=False)
    counts = tx.carrier_counts({(o.kind, o.value) for o in occurrences})
    holders: dict[tuple[str, str], list[str]] = defaultdict(list)
    for o in occurrences:
        holders[(o.kind, o.value)].append(o.subject_id)
    result = Explanation(entity_id, members)
    for (kind, value), subjects in sorted(holders.items()):
        key = MatchKey(kind, value)
        status = key_status(key, counts[(kind, value)], subjects, rules.cap, rules.stopped, rules.blocked)
        result.keys.append(KeyLine(kind, value, tuple(sorted(subjects)), counts[(kind, value)], status))
    strong = [o for o in occurrences if MatchKey(o.kind, o.value).strong]
    first = {(o.subject_id, o.kind, o.value): o for o in strong}
    spanning = partition(members, [(o.subject_id, MatchKey(o.kind, o.value)) for o in strong],
                         {MatchKey(*k): n for k, n in counts.items()}, rules)  # fmt: skip
    for link in spanning.links:
        ends = [first[(s, link.key.kind, link.key.value)] for s in (link.subject_id, link.other_subject_id)]
        later = max(ends, key=lambda o: (o.first_seen_at, o.first_event_id))
        result.links.append(
            LinkLine(
                link.subject_id, link.other_subject_id, link.key.kind, link.key.value, later.first_event_id
            )
        )
    result.history = tx.history_of(members)
    neighbours = tx.weak_neighbours(members, rules.cap)
    others = tx.entities_of({other for _, _, other in neighbours})
    result.suggestions = sorted(
        (kind, value, other, others.get(other, "?"))
        for kind, value, other in neighbours
        if others.get(other) != entity_id
    )
    return result


def key_status(
    key: MatchKey,
    carriers: int,
    subjects: list[str],
    cap: int,
    stopped: frozenset[MatchKey],
    blocked: frozenset[tuple[str, MatchKey]],
) -> str:
    if not key.strong:
        return "weak: suggests only"
    if key in stopped:
        return "stop-listed"
    if carriers > cap:
        return f"over the cap ({carriers} subjects > {cap})"
    blocked_for = sorted(s for s in subjects if (s, key) in blocked)
    if blocked_for:
        return f"blocked for {', '.join(blocked_for)}"
    return "links" if carriers > 1 else "not shared"
