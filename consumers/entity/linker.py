"""Incremental linking inside one transaction: only the entities a batch (or a correction) can change are
relinked, with `partition` — the same function a one-shot relink applies to everything.

A batch's new keys decide the region: a key that links now brings its carriers (at most the cap); a key
that has just crossed the cap brings the entity it used to hold together, which then falls apart along
its remaining links. The region is widened until no linking key leaves it, then partitioned; subjects
whose entity changed are moved, and every merge and split is written to the history with its key,
subjects and the event behind it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from consumers.clock import utcnow
from consumers.entity.keys import MatchKey, Sighting
from consumers.entity.partition import LinkRules, Partition, entity_id_of, partition
from consumers.entity.stoplist import StopList, bundled_stop_list
from consumers.entity.store_port import EntityTransaction, Key, Occurrence


@dataclass
class LinkReport:
    """What one linking step changed."""

    subjects_added: int = 0
    merges: int = 0
    splits: int = 0
    moved_subjects: int = 0
    changed_entities: set[str] = field(default_factory=set)


class EntityLinker:
    """Keeps the entity tables a function of the recorded keys, the cap, the stop-lists and the blocks."""

    def __init__(
        self, cap: int = 20, stop_list: StopList | None = None, clock: Callable[[], datetime] = utcnow
    ) -> None:
        if cap < 2:
            raise ValueError("the link cap must allow at least two subjects to share a key")
        self.cap = cap
        self.stop_list = stop_list or bundled_stop_list()
        self.clock = clock

    def link(self, tx: EntityTransaction, sightings: Sequence[Sighting]) -> LinkReport:
        """Record a batch's sightings and relink what they can change (the caller commits)."""
        before = tx.lock_linker(self.cap, self.stop_list.version, self.clock())
        rows = _identifier_rows(sightings)
        subjects = {s.subject_id for s in sightings}
        known = tx.known_occurrences(subjects)
        fresh = [r for r in rows if (r["subject_id"], r["kind"], r["value"]) not in known]
        tx.add_identifiers(rows)
        new_subjects = subjects - set(tx.entities_of(subjects))
        tx.enrol({s: entity_id_of([s]) for s in new_subjects})
        rules = self.rules(tx)
        if before is not None and before != (self.cap, self.stop_list.version):
            report = self.relink_all(tx, f"rules changed from cap {before[0]}, stop-list {before[1]}")
        else:
            seeds, causes = self._region_of(tx, subjects, fresh, rules)
            report = self._relink(tx, seeds, rules, causes)
        report.subjects_added = len(new_subjects)
        return report

    def relink_all(self, tx: EntityTransaction, reason: str = "relink") -> LinkReport:
        """Recompute every entity from the recorded keys (after a rule change, or to check the increments)."""
        tx.lock_linker(self.cap, self.stop_list.version, self.clock())
        members = tx.all_members()
        occurrences = tx.all_occurrences()
        counts: dict[Key, int] = defaultdict(int)
        for o in occurrences:
            counts[(o.kind, o.value)] += 1
        return self._apply(tx, members, occurrences, counts, self.rules(tx), {}, reason)

    def stop(self, tx: EntityTransaction, key: MatchKey, reason: str, by: str) -> LinkReport:
        """Add a key to the run-time stop-list and undo the links it made."""
        tx.lock_linker(self.cap, self.stop_list.version, self.clock())
        tx.add_stop((key.kind, key.value), reason, by, self.clock())
        carriers = tx.carriers((key.kind, key.value), self.cap + 1)
        seeds = set(carriers) if len(carriers) <= self.cap else set()
        cause = f"{key} stop-listed by {by}: {reason}"
        return self._relink(tx, seeds, self.rules(tx), {(key.kind, key.value): cause})

    def block(
        self, tx: EntityTransaction, subject_id: str, keys: Iterable[MatchKey] | None, reason: str, by: str
    ) -> LinkReport:
        """Stop some (default: all) of one subject's keys from linking it; others sharing them stay linked."""
        tx.lock_linker(self.cap, self.stop_list.version, self.clock())
        held = {(o.kind, o.value) for o in tx.occurrences_of([subject_id])}
        chosen = held if keys is None else {(k.kind, k.value) for k in keys} & held
        tx.add_blocks(subject_id, chosen, reason, by, self.clock())
        causes = {k: f"{k[0]} {k[1]} blocked for {subject_id} by {by}: {reason}" for k in chosen}
        return self._relink(tx, {subject_id}, self.rules(tx), causes)

    def unstop(self, tx: EntityTransaction, key: MatchKey, reason: str, by: str) -> LinkReport:
        """Take a key off the run-time stop-list (a mistaken stop) and let it link again; the bundled
        stop-list is versioned with the code and changes only by editing its file."""
        tx.lock_linker(self.cap, self.stop_list.version, self.clock())
        if key in self.stop_list:
            raise ValueError(
                f"{key} is on the bundled stop-list ({self.stop_list.reasons[key]}); edit the file"
            )
        if not tx.remove_stop((key.kind, key.value)):
            raise ValueError(f"{key} is not on the run-time stop-list")
        carriers = tx.carriers((key.kind, key.value), self.cap + 1)
        cause = f"{key} taken off the stop-list by {by}: {reason}"
        self._note(tx, "unstop", carriers, (key.kind, key.value), cause)
        seeds = set(carriers) if len(carriers) <= self.cap else set()
        return self._relink(tx, seeds, self.rules(tx), {}, cause)

    def unblock(
        self, tx: EntityTransaction, subject_id: str, keys: Iterable[MatchKey] | None, reason: str, by: str
    ) -> LinkReport:
        """Undo an unmerge: the subject's blocked keys (all, or those given) link it again."""
        tx.lock_linker(self.cap, self.stop_list.version, self.clock())
        wanted = None if keys is None else {(k.kind, k.value) for k in keys}
        lifted = tx.remove_blocks(subject_id, wanted)
        if not lifted:
            raise ValueError(f"{subject_id} has no such blocked key")
        for key in lifted:
            cause = f"{key[0]} {key[1]} unblocked for {subject_id} by {by}: {reason}"
            self._note(tx, "unblock", [subject_id], key, cause)
        cause = f"unblocked for {subject_id} by {by}: {reason}"
        return self._relink(tx, {subject_id}, self.rules(tx), {}, cause)

    def _note(
        self, tx: EntityTransaction, action: str, subjects: Sequence[str], key: Key, cause: str
    ) -> None:
        """A correction in the history of every subject it concerns, whether or not anything moves."""
        entity_of = tx.entities_of(subjects)
        now = self.clock()
        rows = [
            {
                "at": now,
                "action": action,
                "entity_id": entity_of[s],
                "subject_id": s,
                "other_subject_id": None,
                "kind": key[0],
                "value": key[1],
                "event_id": None,
                "reason": cause,
            }
            for s in sorted(entity_of)
        ]
        tx.add_history(rows)

    def rules(self, tx: EntityTransaction) -> LinkRules:
        stopped = set(self.stop_list.keys) | {MatchKey(*k) for k in tx.stopped_keys()}
        blocked = {(s, MatchKey(*k)) for s, k in tx.blocked_keys()}
        return LinkRules(cap=self.cap, stopped=frozenset(stopped), blocked=frozenset(blocked))

    def _region_of(
        self, tx: EntityTransaction, subjects: set[str], fresh: list[dict[str, Any]], rules: LinkRules
    ) -> tuple[set[str], dict[Key, str]]:
        """Subjects whose entities the fresh keys can change, and why keys that crossed the cap stopped."""
        fresh_by_key: dict[Key, set[str]] = defaultdict(set)
        for row in fresh:
            if row["strong"]:
                fresh_by_key[(row["kind"], row["value"])].add(row["subject_id"])
        counts = tx.carrier_counts(fresh_by_key)
        seeds, causes = set(subjects), {}
        for key, newcomers in sorted(fresh_by_key.items()):
            now, before = counts[key], counts[key] - len(newcomers)
            if rules.links(MatchKey(*key), now):
                seeds.update(tx.carriers(key, self.cap))
            elif rules.links(MatchKey(*key), before):  # crossed the cap: undo what it held together
                old = tx.carriers(key, self.cap + len(newcomers) + 1)
                seeds.update(s for s in old if s not in newcomers)
                causes[key] = f"{key[0]} {key[1]} is on {now} subjects, over the cap of {self.cap}"
        return seeds, causes

    def _relink(
        self,
        tx: EntityTransaction,
        seeds: set[str],
        rules: LinkRules,
        causes: dict[Key, str],
        reason: str = "",
    ) -> LinkReport:
        """Partition the seeds' entities, widened until no linking key leads outside them."""
        entity_ids = set(tx.entities_of(seeds).values())
        while True:
            members = tx.members_of(entity_ids)
            occurrences = tx.occurrences_of(members)
            counts = tx.carrier_counts({(o.kind, o.value) for o in occurrences})
            linking = {k for k, n in counts.items() if rules.links(MatchKey(*k), n)}
            wider = tx.entities_carrying(linking, set(members)) - entity_ids
            if not wider:
                return self._apply(tx, members, occurrences, counts, rules, causes, reason)
            entity_ids |= wider

    def _apply(
        self,
        tx: EntityTransaction,
        members: dict[str, str],
        occurrences: list[Occurrence],
        counts: dict[Key, int],
        rules: LinkRules,
        causes: dict[Key, str],
        reason: str,
    ) -> LinkReport:
        result = partition(
            members,
            [(o.subject_id, MatchKey(o.kind, o.value)) for o in occurrences],
            {MatchKey(*k): n for k, n in counts.items()},
            rules,
        )
        moved = {s: e for s, e in result.entity_of.items() if members[s] != e}
        tx.move_members(moved)
        history = _merges(members, result, occurrences, reason) + _splits(
            members, result, occurrences, causes, reason
        )
        now = self.clock()
        tx.add_history([{**row, "at": now} for row in history])
        return LinkReport(
            merges=sum(1 for r in history if r["action"] == "link"),
            splits=sum(1 for r in history if r["action"] == "unlink"),
            moved_subjects=len(moved),
            changed_entities=set(moved.values()) | {members[s] for s in moved},
        )


def _identifier_rows(sightings: Sequence[Sighting]) -> list[dict[str, Any]]:
    """One row per (subject, key), from the earliest sighting in the batch."""
    rows: dict[tuple[str, str, str], dict[str, Any]] = {}
    for s in sorted(sightings, key=lambda s: (s.occurred_at, s.event_id)):
        for key, raw in s.keys:
            rows.setdefault(
                (s.subject_id, key.kind, key.value),
                {
                    "subject_id": s.subject_id,
                    "kind": key.kind,
                    "value": key.value,
                    "strong": key.strong,
                    "raw": raw,
                    "first_event_id": s.event_id,
                    "first_seen_at": s.occurred_at,
                },
            )
    return list(rows.values())


def _merges(
    old: dict[str, str], result: Partition, occurrences: list[Occurrence], reason: str
) -> list[dict[str, Any]]:
    """A 'link' row for each spanning link that joined subjects of two former entities."""
    first = {(o.subject_id, o.kind, o.value): o for o in occurrences}
    rows = []
    for link in result.links:
        if old[link.subject_id] == old[link.other_subject_id]:
            continue
        key = link.key
        later = max(
            first[(link.subject_id, key.kind, key.value)],
            first[(link.other_subject_id, key.kind, key.value)],
            key=lambda o: (o.first_seen_at, o.first_event_id),
        )
        rows.append(
            {
                "action": "link",
                "entity_id": result.entity_of[link.subject_id],
                "subject_id": link.subject_id,
                "other_subject_id": link.other_subject_id,
                "kind": key.kind,
                "value": key.value,
                "event_id": later.first_event_id,
                "reason": f"both carry {key}; {reason}" if reason else f"both carry {key}",
            }
        )
    return rows


def _splits(
    old: dict[str, str],
    result: Partition,
    occurrences: list[Occurrence],
    causes: dict[Key, str],
    reason: str,
) -> list[dict[str, Any]]:
    """An 'unlink' row for each fragment a former entity fell into (beyond the first), with its cause."""
    fragments: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for subject_id, entity_id in result.entity_of.items():
        fragments[old[subject_id]][entity_id].append(subject_id)
    keys_of: dict[str, set[Key]] = defaultdict(set)
    for o in occurrences:
        keys_of[o.subject_id].add((o.kind, o.value))
    rows = []
    for parts in fragments.values():
        if len(parts) < 2:
            continue
        ordered = sorted(parts.items(), key=lambda item: min(item[1]))
        anchor_members = ordered[0][1]
        anchor_keys = set().union(*(keys_of[s] for s in anchor_members))
        for entity_id, subjects in ordered[1:]:
            shared = sorted(set().union(*(keys_of[s] for s in subjects)) & anchor_keys & set(causes))
            key = shared[0] if shared else (sorted(causes)[0] if causes else None)
            rows.append(
                {
                    "action": "unlink",
                    "entity_id": entity_id,
                    "subject_id": min(subjects),
                    "other_subject_id": min(anchor_members),
                    "kind": key[0] if key else None,
                    "value": key[1] if key else None,
                    "event_id": None,
                    "reason": causes[key] if key else reason or "no longer linked",
                }
            )
    return rows
