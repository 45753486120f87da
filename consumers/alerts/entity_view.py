"""What one recipient may learn about some of a seller entity's cases (see audience.py for the rule)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from consumers.alerts.audience import Sight, sight
from consumers.alerts.facts import EntityKey, Source

_RANK = {Sight.SILENT: 0, Sight.HIT: 1, Sight.VISIBLE: 2}


@dataclass
class EntityView:
    visible_cases: set[str] = field(default_factory=set)
    event_ids: set[str] = field(default_factory=set)
    identifiers: set[tuple[str, str]] = field(default_factory=set)
    hidden_holders: set[str] = field(default_factory=set)
    visible_holders: set[str] = field(default_factory=set)
    last_seen_at: datetime | None = None

    @property
    def holders(self) -> set[str]:
        """Agencies the recipient learns hold a case: the visible ones and the hits."""
        return self.visible_holders | self.hidden_holders


def shared_keys(keys: Iterable[EntityKey]) -> dict[str, set[tuple[str, str]]]:
    """subject → the keys it shares with another member of its entity (what links them)."""
    carriers: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    for k in keys:
        carriers[(k.entity_id, k.kind, k.value)].add(k.subject_id)
    found: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for (_entity, kind, value), subjects in carriers.items():
        if len(subjects) > 1:
            for subject in subjects:
                found[subject].add((kind, value))
    return found


Evidence = list[tuple[Source, str | None]]
"""(source event, subject id it concerns) pairs of one kind, e.g. the sightings tying a case to an entity."""


def view_for(
    recipient: str,
    evidence: Mapping[str, list[Evidence]],
    owner_of: Mapping[str, str],
    keys_of: Mapping[str, set[tuple[str, str]]],
    now: datetime,
) -> EntityView:
    """`evidence`: case → the kinds of evidence the rule needs about it (e.g. a sighting and a violation).
    A case is as visible as its least visible kind, each kind counting at its most visible event."""
    view = EntityView()
    for case_id, kinds in sorted(evidence.items()):
        judged = [
            [(sight(recipient, source, now), source, subject) for source, subject in kind] for kind in kinds
        ]
        level = min(max(_RANK[s] for s, _, _ in kind) for kind in judged)
        if level == _RANK[Sight.VISIBLE]:
            view.visible_cases.add(case_id)
            view.visible_holders.add(owner_of[case_id])
            for s, source, subject in (item for kind in judged for item in kind):
                if s == Sight.VISIBLE:
                    view.event_ids.add(source.event_id)
                    view.identifiers |= keys_of.get(subject or "", set())
                    seen = view.last_seen_at
                    view.last_seen_at = source.occurred_at if seen is None else max(seen, source.occurred_at)
        elif level == _RANK[Sight.HIT]:
            view.hidden_holders.add(owner_of[case_id])
    return view
