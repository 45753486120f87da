"""Repeat offender: a seller entity with violations confirmed in N or more cases (any agency) within a
window of W days.

Cases are taken in order of their first confirmed violation. The N-th case inside a trailing window
flags the entity for one window from then: every agency holding a case of the qualifying run, or a
case confirmed while the flag lasts, is told once (its own alert). Counting starts afresh after the flag
ends, so a seller that keeps offending raises one round of alerts per window, never one per case. The
key holds the case that triggered the flag (hashed: it may be hidden from a recipient) and the recipient.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from consumers.alerts.building import new_alert, opaque
from consumers.alerts.config import AlertConfig
from consumers.alerts.entity_view import Evidence, shared_keys, view_for
from consumers.alerts.facts import AlertFacts, Source
from schemas.alerts import Alert, AlertRule


def repeat_offender_alerts(facts: AlertFacts, config: AlertConfig, now: datetime) -> list[Alert]:
    keys_of = shared_keys(facts.keys)
    ties: dict[str, dict[str, Evidence]] = defaultdict(lambda: defaultdict(list))
    for link in facts.links:
        ties[link.entity_id][link.case_id].append((link.source, link.subject_id))
    confirmed: dict[str, list[Source]] = defaultdict(list)
    for v in facts.violations:
        if v.source.occurred_at <= now:
            confirmed[v.case_id].append(v.source)
        if v.subject_id in facts.entity_of:  # a violation naming a member ties its case to the entity
            ties[facts.entity_of[v.subject_id]][v.case_id].append((v.source, v.subject_id))
    alerts = []
    for entity_id, cases in sorted(ties.items()):
        dated = sorted((min(s.occurred_at for s in confirmed[c]), c) for c in cases if c in confirmed)
        for episode in episodes(dated, config.repeat_cases, timedelta(days=config.repeat_window_days)):
            alerts += _alerts_of(entity_id, episode, cases, confirmed, facts, keys_of, config, now)
    return alerts


@dataclass(frozen=True)
class Episode:
    run: list[tuple[datetime, str]]
    """The N confirmations within a window that flagged the entity; the last one triggered it."""
    followers: list[tuple[datetime, str]]
    """Confirmations while the flag lasted (one window after the trigger)."""

    @property
    def trigger(self) -> tuple[datetime, str]:
        return self.run[-1]


def episodes(dated: list[tuple[datetime, str]], n: int, window: timedelta) -> list[Episode]:
    """The flags raised over a time-ordered list of (confirmed at, case id)."""
    found: list[Episode] = []
    first = 0
    while (trigger := _first_run(dated, first, n, window)) is not None:
        start, end = trigger
        until = dated[end][0] + window
        followers = [item for item in dated[end + 1 :] if item[0] <= until]
        found.append(Episode(dated[start : end + 1], followers))
        first = end + 1 + len(followers)
    return found


def _first_run(
    dated: list[tuple[datetime, str]], first: int, n: int, window: timedelta
) -> tuple[int, int] | None:
    start = first
    for end in range(first, len(dated)):
        while dated[end][0] - dated[start][0] > window:
            start += 1
        if end - start + 1 >= n:
            return start, end
    return None


def _alerts_of(
    entity_id: str,
    episode: Episode,
    cases: dict[str, Evidence],
    confirmed: dict[str, list[Source]],
    facts: AlertFacts,
    keys_of: dict[str, set[tuple[str, str]]],
    config: AlertConfig,
    now: datetime,
) -> list[Alert]:
    involved = [c for _, c in episode.run + episode.followers]
    owner_of = {
        c: (facts.cases[c].owner if c in facts.cases else None) or confirmed[c][0].agency for c in involved
    }
    violations: dict[str, Evidence] = {c: [(s, None) for s in confirmed[c]] for c in involved}
    evidence = {c: [cases[c], violations[c]] for c in involved}
    run = {c for _, c in episode.run}
    alerts = []
    for recipient in sorted(set(owner_of.values())):
        told = {c: evidence[c] for c in involved if c in run or owner_of[c] == recipient}
        view = view_for(recipient, told, owner_of, keys_of, now)
        if not view.visible_cases:
            continue
        alerts.append(
            new_alert(
                AlertRule.REPEAT_OFFENDER,
                f"{entity_id}|{opaque(episode.trigger[1])}|to:{recipient}",
                f"Tái phạm: đối tượng {entity_id} bị xác nhận vi phạm trong {config.repeat_cases} vụ việc "
                f"trở lên trong {config.repeat_window_days} ngày.",
                agencies=[recipient],
                triggered_at=max(t for t, c in episode.run + episode.followers if c in view.visible_cases),
                raised_at=now,
                entity_id=entity_id,
                case_ids=view.visible_cases,
                event_ids=view.event_ids,
                identifiers=view.identifiers,
                counts={
                    "cases_seen": len(view.visible_cases),
                    "threshold": config.repeat_cases,
                    "window_days": config.repeat_window_days,
                },
                hidden_holders=view.hidden_holders - view.visible_holders,
            )
        )
    return alerts
