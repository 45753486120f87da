"""Statistics over the cases a viewer may see: from the case tallies when the filter allows, exactly as
over `visible_cases` otherwise.

A viewer's tallies are the shared tallies (cases without restricted events), plus their audience's tallies
of restricted cases; a case whose embargo ended since its views were written is taken out with its stored
audience row and put back as refolded for this request, as `visible_cases` does. Province scope filters the
tallies' province like the cases'.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, FromClause, union_all

from consumers.audience_views import PUBLIC_AUDIENCE
from consumers.visibility import Viewer
from services.store.queries import tallies
from services.store.queries.case_filter import CaseFilter
from services.store.queries.stats import aggregate
from services.store.tally_tables import SHARED_AUDIENCE
from services.views.visible_cases import audience_views, refolded_cases, visible_cases


def visible_tallies(connection: Connection, viewer: Viewer) -> FromClause:
    """Tally rows adding up to this viewer's statistics."""
    stored = tallies.stored_tallies([SHARED_AUDIENCE, viewer.agency or PUBLIC_AUDIENCE], viewer.provinces)
    outdated = audience_views(viewer, fresh=False).subquery("outdated")
    parts = [stored, tallies.tally_rows(outdated, -1)]
    folded = refolded_cases(connection, viewer)
    if folded is not None:
        parts.append(tallies.tally_rows(folded.subquery("refolded"), 1))
    return union_all(*parts).subquery("visible_tallies")


def visible_aggregate(
    connection: Connection,
    viewer: Viewer,
    where: CaseFilter,
    group_by: Sequence[str] = (),
    period: str | None = None,
) -> list[dict[str, Any]]:
    """`stats.aggregate` over the viewer's visible cases (totals when not grouped)."""
    if not tallies.supports(where):
        return aggregate(connection, visible_cases(connection, viewer), where, group_by, period)
    if tallies.pending_tallies(connection) > tallies.COMPACT_AFTER:
        with connection.engine.begin() as own:
            tallies.compact_tallies(own)
    source = visible_tallies(connection, viewer)
    return tallies.aggregate_tallies(connection, source, where, group_by, period)
