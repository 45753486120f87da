"""Sellers as a viewer sees them: dossiers and searches built from the observations visible to them only,
and hit / no-hit, which answers over everything but discloses only which agencies hold something.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, FromClause, select

from consumers.event_types.subject_identified import identifiers_of
from consumers.records import SubjectState
from consumers.subject_fold import fold_subject
from consumers.visibility import Viewer, can_see
from services.store.queries.id_lists import among, id_chunks
from services.store.queries.identifiers import candidate_subject_ids, matches
from services.store.queries.text import contains_folded, fold_text
from services.store.queries.visibility import visible_event
from services.store.sql_store import EVENTS, OBSERVATIONS
from services.views.dossier_totals import CasePage, dossier_cases

OBSERVED = [
    *OBSERVATIONS.c,
    EVENTS.c.distribution,
    EVENTS.c.embargo_until,
    EVENTS.c.payload,
]


@dataclass(frozen=True)
class IdentifierSeen:
    kind: str
    value: str
    agencies: tuple[str, ...]
    first_seen_at: datetime
    last_seen_at: datetime


@dataclass(frozen=True)
class Dossier:
    subject: SubjectState
    names: tuple[str, ...]
    identifiers: tuple[IdentifierSeen, ...]
    case_ids: tuple[str, ...]
    observations: tuple[dict[str, Any], ...] = field(repr=False)
    cases: CasePage = field(repr=False)


@dataclass(frozen=True)
class Holder:
    agency: str
    visible_to_you: bool


def visible_observations(
    connection: Connection, viewer: Viewer, cases: FromClause, subject_ids: Iterable[str]
) -> dict[str, list[dict[str, Any]]]:
    """Each subject's observations the viewer may see, in cases the viewer may see, with their payloads."""
    ids = sorted(set(subject_ids))
    if not ids:
        return {}
    query = (
        select(*OBSERVED)
        .join(EVENTS, EVENTS.c.event_id == OBSERVATIONS.c.event_id)
        .where(OBSERVATIONS.c.subject_id.in_(ids), visible_event(viewer))
    )
    rows = [dict(row._mapping) for row in connection.execute(query)]
    seen = visible_case_ids(connection, cases, {row["case_id"] for row in rows})
    found: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        if row["case_id"] in seen:
            found[row["subject_id"]].append(row)
    return dict(found)


def visible_case_ids(connection: Connection, cases: FromClause, case_ids: Iterable[str]) -> set[str]:
    """Which of these cases the viewer may see: looked up by id inside each branch of `cases` (an id
    list is pushed into the union; a join to it would make the database build every visible case)."""
    ids = sorted(set(case_ids))
    seen: set[str] = set()
    for chunk in id_chunks(connection, ids):
        query = select(cases.c.case_id).where(among(connection, cases.c.case_id, chunk))
        seen.update(connection.execute(query).scalars())
    return seen


def dossier(
    connection: Connection,
    viewer: Viewer,
    cases: FromClause,
    subject_id: str,
    limit: int = 50,
    offset: int = 0,
) -> Dossier | None:
    """Everything the viewer may know of one seller, or None when they know nothing of it; its cases one
    page at a time (`limit` from `offset`, newest activity first), its totals over all of them.

    The seller's observations the viewer may see, then the viewer's rows of those observations' cases
    (looked up by id inside `cases`: one statement when they fit in the page, else the narrow columns
    of every one for the totals and the page's full rows); an observation whose case the viewer may not
    see is dropped, so the totals and the pages are exactly the dossier's cases.
    """
    query = (
        select(*OBSERVED)
        .join(EVENTS, EVENTS.c.event_id == OBSERVATIONS.c.event_id)
        .where(OBSERVATIONS.c.subject_id == subject_id, visible_event(viewer))
    )
    candidates = [dict(row._mapping) for row in connection.execute(query)]
    if not candidates:
        return None
    page = dossier_cases(connection, cases, {o["case_id"] for o in candidates}, limit, offset)
    observations = [o for o in candidates if o["case_id"] in page.case_ids]
    if not observations:
        return None
    ordered = sorted(observations, key=lambda o: (o["occurred_at"], o["event_id"]))
    names = dict.fromkeys(o["display_name"] for o in reversed(ordered) if o.get("display_name"))
    return Dossier(
        subject=fold_subject(subject_id, observations),
        names=tuple(names),
        identifiers=tuple(_identifiers(ordered)),
        case_ids=tuple(dict.fromkeys(o["case_id"] for o in ordered)),
        observations=tuple(ordered),
        cases=page,
    )


def _identifiers(ordered: list[dict[str, Any]]) -> list[IdentifierSeen]:
    seen: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for observation in ordered:
        for kind, value in identifiers_of(observation["payload"]):
            seen[(kind, value)].append(observation)
    return [
        IdentifierSeen(
            kind=kind,
            value=value,
            agencies=tuple(sorted({o["agency"] for o in sightings})),
            first_seen_at=sightings[0]["occurred_at"],
            last_seen_at=sightings[-1]["occurred_at"],
        )
        for (kind, value), sightings in sorted(seen.items())
    ]


def find_by_identifier(
    connection: Connection, viewer: Viewer, cases: FromClause, typed: str
) -> list[SubjectState]:
    """Sellers the viewer may see that carry the typed identifier in an observation they may see."""
    candidates = candidate_subject_ids(connection, typed)
    observed = visible_observations(connection, viewer, cases, candidates)
    return _folded(
        (subject_id, rows)
        for subject_id, rows in observed.items()
        if any(_carries(row["payload"], typed) for row in rows)
    )


def find_by_name(connection: Connection, viewer: Viewer, cases: FromClause, name: str) -> list[SubjectState]:
    """Sellers whose name, as seen by the viewer, contains every typed word (diacritics optional).

    Like the identifier search, the database only proposes candidates; the match is re-checked on the
    observations the viewer may see (one visibility rule, `visible_observations`)."""
    words = name.split()
    if not words:
        return []
    named = select(OBSERVATIONS.c.subject_id).where(
        *(contains_folded(OBSERVATIONS.c.display_name, word) for word in words)
    )
    ids = {row.subject_id for row in connection.execute(named.distinct())}
    observed = visible_observations(connection, viewer, cases, ids)
    folded_words = [fold_text(word) for word in words]
    return _folded(
        (subject_id, rows)
        for subject_id, rows in observed.items()
        if any(_named(row.get("display_name"), folded_words) for row in rows)
    )


def holders(connection: Connection, viewer: Viewer, typed: str) -> list[Holder]:
    """Hit / no-hit: which agencies recorded a seller with this identifier, whatever its visibility.

    Only the agency codes leave this function, and whether the viewer can see that agency's record;
    never a case, a date, a count or another identifier.
    """
    candidates = sorted(candidate_subject_ids(connection, typed))
    if not candidates:
        return []
    query = (
        select(OBSERVATIONS.c.agency, EVENTS.c.distribution, EVENTS.c.embargo_until, EVENTS.c.payload)
        .join(EVENTS, EVENTS.c.event_id == OBSERVATIONS.c.event_id)
        .where(OBSERVATIONS.c.subject_id.in_(candidates))
    )
    found: dict[str, bool] = {}
    for row in connection.execute(query):
        if _carries(row.payload, typed):
            seen = can_see(viewer, row.agency, row.distribution, row.embargo_until)
            found[row.agency] = found.get(row.agency, False) or seen
    return [Holder(agency, visible) for agency, visible in sorted(found.items())]


def _named(display_name: str | None, folded_words: list[str]) -> bool:
    """Does a visible observation's name hold every word? The SQL above only narrows candidates: a name
    recorded in a hidden observation (a confidential alias) must not find the seller."""
    name = fold_text(display_name or "")
    return all(word in name for word in folded_words)


def _carries(payload: dict[str, Any], typed: str) -> bool:
    return any(matches(kind, value, typed) for kind, value in identifiers_of(payload))


def _folded(items: Iterable[tuple[str, list[dict[str, Any]]]]) -> list[SubjectState]:
    subjects = [fold_subject(subject_id, rows) for subject_id, rows in items if rows]
    return sorted(subjects, key=lambda s: (s.last_seen_at, s.subject_id), reverse=True)
