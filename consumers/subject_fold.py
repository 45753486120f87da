"""The shared subject (seller) record folded from every agency's observations of it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from consumers.records import SubjectState


def fold_subject(subject_id: str, observations: Sequence[dict[str, Any]]) -> SubjectState:
    """Latest non-empty name and kind by (occurred_at, event_id); sets of platforms, agencies and cases."""
    ordered = sorted(observations, key=lambda o: (o["occurred_at"], o["event_id"]))
    named = [o["display_name"] for o in ordered if o.get("display_name")]
    kinds = [o["kind"] for o in ordered if o.get("kind") and o["kind"] != "UNKNOWN"]
    return SubjectState(
        subject_id=subject_id,
        kind=kinds[-1] if kinds else "UNKNOWN",
        display_name=named[-1] if named else None,
        platforms=tuple(sorted({o["platform"] for o in ordered if o.get("platform")})),
        agencies=tuple(sorted({o["agency"] for o in ordered})),
        case_count=len({o["case_id"] for o in ordered}),
        first_seen_at=ordered[0]["occurred_at"],
        last_seen_at=ordered[-1]["occurred_at"],
    )
