"""A seller's network as one reader may see it: the linked subjects, the identifiers that link them (or
were refused), why each link exists, their cases across agencies and platforms, and the history.

The entity tables are built from every observation, restricted ones included; this view keeps only what
the reader's own visible observations carry (`services.views.subjects.visible_observations`, in cases
the reader may see):
- a subject appears only when the reader sees an observation of it: a police-only subject never shows;
- an identifier appears on a subject only when a visible observation of that subject carries it;
- a link appears only when both ends and their shared key are visible; the network is the part of the
  entity connected to the asked subject by such links (asked by entity id: the largest such part), so
  a reader never learns that a hidden record joins two sellers they know separately;
- agencies holding restricted (not embargoed) records on the shown subjects are named, nothing more
  (hit / no-hit, as in alerts); embargoed records are not mentioned at all.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, FromClause, select

from consumers.entity.explain import explain, key_status
from consumers.entity.keys import MatchKey, keys_of
from consumers.entity.linker import EntityLinker
from consumers.records import SubjectState
from consumers.subject_fold import fold_subject
from consumers.visibility import Viewer, can_see
from schemas.bounds import check_url_safe_id
from services.store.sql_entity_store import SqlEntityTransaction
from services.store.sql_store import EVENTS, OBSERVATIONS
from services.views.dossier_totals import cases_of
from services.views.subjects import visible_observations


@dataclass(frozen=True)
class NetworkKey:
    kind: str
    value: str
    subjects: tuple[str, ...]
    """Shown subjects whose visible records carry it."""
    status: str
    """links / not shared / weak: suggests only / stop-listed / over the cap (n > cap) / blocked for ..."""


@dataclass(frozen=True)
class NetworkLink:
    subject_id: str
    other_subject_id: str
    kind: str
    value: str
    event_id: str | None
    """The event that brought the key to the later of the two, when the reader may see it."""


@dataclass
class Network:
    entity_id: str
    members: list[SubjectState]
    keys: list[NetworkKey] = field(default_factory=list)
    links: list[NetworkLink] = field(default_factory=list)
    history: list[dict[str, Any]] = field(default_factory=list)
    cases: list[dict[str, Any]] = field(default_factory=list)
    hidden_holders: list[str] = field(default_factory=list)


def network(
    connection: Connection, viewer: Viewer, cases: FromClause, linker: EntityLinker, entity_or_subject: str
) -> Network | None:
    """The network around an entity id or a subject id, or None when the reader sees nothing of it.
    Raises ValueError for text that cannot be an id (ids are URL-safe, at most 128 characters)."""
    if len(entity_or_subject) > 128:
        raise ValueError("an entity or subject id has at most 128 characters")
    check_url_safe_id(entity_or_subject)
    why = explain(SqlEntityTransaction(connection), linker, entity_or_subject)
    if why is None:
        return None
    observed = visible_observations(connection, viewer, cases, why.members)
    if not observed or (entity_or_subject in why.members and entity_or_subject not in observed):
        return None  # a subject the reader may not see answers as one that does not exist
    seen_keys = {
        (subject_id, key.kind, key.value)
        for subject_id, rows in observed.items()
        for row in rows
        for key, _raw in keys_of(row["payload"])
    }
    seen_events = {row["event_id"] for rows in observed.values() for row in rows}
    visible_links = [
        link
        for link in why.links
        if (link.subject_id, link.kind, link.value) in seen_keys
        and (link.other_subject_id, link.kind, link.value) in seen_keys
    ]
    edges = [(x.subject_id, x.other_subject_id) for x in visible_links]
    if entity_or_subject in observed:
        shown = _component(entity_or_subject, edges)
    else:  # asked by entity id: the largest part the reader sees linked (ties: the smallest id)
        parts = [_component(s, edges) for s in sorted(observed)]
        shown = max(parts, key=lambda part: (len(part), [-ord(c) for c in min(part)]))
    result = Network(
        entity_id=why.entity_id,
        members=sorted((fold_subject(s, observed[s]) for s in shown), key=lambda m: m.subject_id),
    )
    result.links = [
        NetworkLink(
            x.subject_id,
            x.other_subject_id,
            x.kind,
            x.value,
            x.event_id if x.event_id in seen_events else None,
        )
        for x in visible_links
        if x.subject_id in shown
    ]
    rules = linker.rules(SqlEntityTransaction(connection))
    for line in why.keys:
        carriers = tuple(s for s in line.subjects if s in shown and (s, line.kind, line.value) in seen_keys)
        if not carriers:
            continue
        status = key_status(
            MatchKey(line.kind, line.value),
            line.carriers,
            list(carriers),
            rules.cap,
            rules.stopped,
            rules.blocked,
        )
        if status == "links" and len(carriers) < 2:
            status = "not shared"  # the other carriers are records this reader may not see
        result.keys.append(NetworkKey(line.kind, line.value, carriers, status))
    result.history = [
        {**row, "event_id": row["event_id"] if row["event_id"] in seen_events else None}
        for row in why.history
        if row["subject_id"] in shown
        and (row["other_subject_id"] is None or row["other_subject_id"] in shown)
    ]
    case_ids = {row["case_id"] for s in shown for row in observed[s]}
    result.cases = cases_of(connection, cases, case_ids)
    result.hidden_holders = _hidden_holders(connection, viewer, shown)
    return result


def _component(start: str, edges: list[tuple[str, str]]) -> set[str]:
    """The subjects reachable from `start` over the edges."""
    neighbours: dict[str, set[str]] = defaultdict(set)
    for a, b in edges:
        neighbours[a].add(b)
        neighbours[b].add(a)
    reached, frontier = {start}, [start]
    while frontier:
        for other in neighbours[frontier.pop()] - reached:
            reached.add(other)
            frontier.append(other)
    return reached


def _hidden_holders(connection: Connection, viewer: Viewer, subject_ids: set[str]) -> list[str]:
    """Agencies holding records on these subjects that the reader may not see, embargoed ones excepted."""
    query = (
        select(OBSERVATIONS.c.agency, EVENTS.c.distribution, EVENTS.c.embargo_until)
        .join(EVENTS, EVENTS.c.event_id == OBSERVATIONS.c.event_id)
        .where(OBSERVATIONS.c.subject_id.in_(sorted(subject_ids)))
    )
    found = set()
    for row in connection.execute(query):
        silent = row.embargo_until is not None and row.embargo_until > viewer.now
        if not silent and not can_see(viewer, row.agency, row.distribution, row.embargo_until):
            found.add(row.agency)
    return sorted(found)
