"""Alerts as their receiver may see them: the same visibility rule as every other read path.

An alert was written for its recipients when it was raised, but what a receiver may see is decided at read
time, over the cases visible to the reader now (distribution, embargo and province scope:
services.views.visible_cases):
- a repeat-offender alert counts only the confirmed cases its receiver can open: fewer than the alert's
  threshold, and the receiver is not told (it would learn that hidden cases were confirmed);
- an overlap alert says that cases are open at two or more agencies; a receiver who cannot open the open
  cases of at least two of them would learn that a hidden case is open, more than hit / no-hit may say,
  so the alert is withheld (hit / no-hit still names the holder of a hidden record);
- a province-scoped reader gets only alerts with a case in scope, and spikes of its provinces;
- the case ids an alert shows are the visible ones.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from consumers.visibility import Viewer
from services.views.subjects import visible_case_ids
from services.views.visible_cases import visible_cases


def visible_alerts(
    connection: Connection, viewer: Viewer, rows: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The rows the viewer may be told of, each with only its visible case ids."""
    ids = {case_id for row in rows for case_id in row["alert"].get("case_ids", ())}
    seen = visible_case_ids(connection, visible_cases(connection, viewer), ids) if ids else set()
    told = []
    for row in rows:
        alert = row["alert"]
        shown = [case_id for case_id in alert.get("case_ids", ()) if case_id in seen]
        if _may_tell(alert, shown, viewer):
            told.append({**row, "alert": {**alert, "case_ids": shown}})
    return told


def _may_tell(alert: dict[str, Any], shown: list[str], viewer: Viewer) -> bool:
    rule = alert.get("rule")
    evidence = alert.get("evidence", {})
    counts: dict[str, int] = evidence.get("counts", {})
    if rule == "REPEAT_OFFENDER":
        return len(shown) >= counts.get("threshold", 1)
    if rule == "OVERLAP":
        agencies_seen = counts.get("agencies", 0) - len(evidence.get("hidden_holders", ()))
        return bool(shown) and agencies_seen >= 2
    if rule == "SPIKE":
        province = str(alert.get("key", "")).split("|")[1:2]
        return not viewer.provinces or bool(set(province) & viewer.provinces)
    return bool(shown) or (not alert.get("case_ids") and not viewer.provinces)
