"""Who may see an event: the rule the folds apply in Python. The store writes the same rule in SQL for set
queries (services.store.queries.visibility); tests/integration/analyst/test_visibility_rule.py checks that
the two agree on every combination. An event is visible to a viewer's agency when it published it;
otherwise only once its embargo has ended, and then when it is shared with all agencies (and carries no
restricting handling code), or when the viewer's agency is listed. A viewer without an agency (the public)
sees only what is shared with all."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

ALL_AGENCIES = "ALL_AGENCIES"
LISTED_AGENCIES = "LISTED_AGENCIES"
OWNER_ONLY = "OWNER_ONLY"
# SIENA H3: police investigation data is never shared beyond the agencies the owner names.
RESTRICTING_HANDLING = frozenset({"INVESTIGATION_CONFIDENTIAL"})


@dataclass(frozen=True)
class Viewer:
    """What visibility depends on: the reader's agency (None = public), province scope, and the time."""

    agency: str | None
    now: datetime
    provinces: frozenset[str] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        if self.now.tzinfo is None:
            raise ValueError("Viewer.now must be time-zone aware")


def can_see(viewer: Viewer, owner: str, distribution: dict[str, Any], embargo_until: datetime | None) -> bool:
    """The visibility rule for one event."""
    if viewer.agency is not None and viewer.agency == owner:
        return True
    if embargo_until is not None and embargo_until > viewer.now:
        return False
    level = distribution.get("level")
    listed = viewer.agency is not None and viewer.agency in (distribution.get("agencies") or ())
    if listed and level in (ALL_AGENCIES, LISTED_AGENCIES):
        return True
    return level == ALL_AGENCIES and distribution.get("handling") not in RESTRICTING_HANDLING
