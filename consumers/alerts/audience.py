"""What a recipient may learn of a fact: all of it, only that its owner holds something, or nothing.

The distribution rule of the event that carries the fact decides (services.store.queries.visibility):
- visible  → case ids, event ids and identifiers appear in the recipient's alert;
- hit      → restricted (OWNER_ONLY, listed for others, or a restricting handling code such as SIENA H3
             INVESTIGATION_CONFIDENTIAL): the owner agency is named as a hidden holder, nothing else —
             the hit/no-hit principle, so an officer contacts the owner before approaching the seller;
- silent   → under embargo: the owner asked for silence until a date, so the fact is left out entirely
             (the alert that names it can only be raised once the embargo has ended).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from consumers.alerts.facts import Source
from consumers.visibility import Viewer, can_see


class Sight(StrEnum):
    VISIBLE = "visible"
    HIT = "hit"
    SILENT = "silent"


def sight(recipient: str, source: Source, now: datetime) -> Sight:
    if can_see(Viewer(agency=recipient, now=now), source.agency, source.distribution, source.embargo_until):
        return Sight.VISIBLE
    if source.embargo_until is not None and source.embargo_until > now:
        return Sight.SILENT
    return Sight.HIT
