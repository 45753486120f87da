"""Who may see an event, in SQL for set queries: the rule of consumers.visibility (the folds' Python form).

An event is visible to a viewer's agency when it published it; otherwise only once its embargo has ended,
and then when it is shared with all agencies (and carries no restricting handling code), or when the
viewer's agency is listed. A viewer without an agency (the public) sees only what is shared with all.
tests/integration/analyst/test_visibility_rule.py checks the two forms agree on every combination.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, Text, and_, cast, or_

from consumers.visibility import (
    ALL_AGENCIES,
    LISTED_AGENCIES,
    RESTRICTING_HANDLING,
    Viewer,
)
from services.store.sql_store import EVENTS


def visible_event(viewer: Viewer) -> ColumnElement[bool]:
    """The same rule over case_events, for WHERE clauses."""
    level = EVENTS.c.distribution["level"].as_string()
    handling = EVENTS.c.distribution["handling"].as_string()
    shared = and_(
        level == ALL_AGENCIES, or_(handling.is_(None), handling.not_in(sorted(RESTRICTING_HANDLING)))
    )
    embargo_over = or_(EVENTS.c.embargo_until.is_(None), EVENTS.c.embargo_until <= viewer.now)
    if viewer.agency is None:
        return and_(embargo_over, shared)
    listed = and_(
        level.in_([ALL_AGENCIES, LISTED_AGENCIES]),
        cast(EVENTS.c.distribution["agencies"], Text).like(f'%"{viewer.agency}"%'),
    )
    return or_(EVENTS.c.agency == viewer.agency, and_(embargo_over, or_(shared, listed)))
