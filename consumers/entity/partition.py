"""Which subjects are one seller: connected components over the keys allowed to link.

A key links only if it is strong, not stop-listed, and carried by at most `cap` subjects; one subject's
key an analyst blocked does not link that subject. The partition is a function of the data and these
rules alone — never of arrival order — so incremental linking and a one-shot relink agree, and a key
crossing the cap undoes exactly the links it made. The cap is checked before any union: one phone on
10,000 subjects links nobody.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from consumers.entity.keys import MatchKey


@dataclass(frozen=True)
class LinkRules:
    cap: int = 20
    stopped: frozenset[MatchKey] = frozenset()
    blocked: frozenset[tuple[str, MatchKey]] = frozenset()
    """(subject id, key) pairs that do not link that subject."""

    def links(self, key: MatchKey, carriers: int) -> bool:
        """Whether a key shared by `carriers` subjects may join them."""
        return key.strong and 2 <= carriers <= self.cap and key not in self.stopped


@dataclass(frozen=True)
class Link:
    """An edge of the spanning forest: `key` joined `other` to `subject`'s group."""

    key: MatchKey
    subject_id: str
    other_subject_id: str


@dataclass
class Partition:
    entity_of: dict[str, str] = field(default_factory=dict)
    links: list[Link] = field(default_factory=list)


def entity_id_of(subject_ids: Iterable[str]) -> str:
    """'E-' + 16 hex of the smallest member's id: order-free, and opaque (a police subject id never shows)."""
    return "E-" + hashlib.sha256(min(subject_ids).encode()).hexdigest()[:16]


def partition(
    subjects: Iterable[str],
    occurrences: Iterable[tuple[str, MatchKey]],
    carriers: Mapping[MatchKey, int],
    rules: LinkRules,
) -> Partition:
    """Entities of `subjects` from their (subject, key) occurrences; `carriers` counts each key's subjects
    in the whole store (a region being relinked sees only part of them)."""
    parent = {s: s for s in subjects}
    by_key: dict[MatchKey, list[str]] = {}
    for subject_id, key in sorted(set(occurrences)):
        if (
            subject_id in parent
            and (subject_id, key) not in rules.blocked
            and rules.links(key, carriers[key])
        ):
            by_key.setdefault(key, []).append(subject_id)
    result = Partition()
    for key, members in sorted(by_key.items()):
        first = members[0]
        for other in members[1:]:
            a, b = _root(parent, first), _root(parent, other)
            if a != b:
                parent[max(a, b)] = min(a, b)
                result.links.append(Link(key, first, other))
    groups: dict[str, list[str]] = {}
    for subject_id in parent:
        groups.setdefault(_root(parent, subject_id), []).append(subject_id)
    for members in groups.values():
        entity_id = entity_id_of(members)
        result.entity_of.update(dict.fromkeys(members, entity_id))
    return result


def _root(parent: dict[str, str], node: str) -> str:
    while parent[node] != node:
        parent[node] = parent[parent[node]]
        node = parent[node]
    return node
