"""Overlap: two or more agencies have open cases on the same seller entity, each perhaps unaware.

Every agency holding one of the open cases is told, in its own alert, which other agencies hold one:
with case ids and identifiers where it may see them, as a bare agency name (a hit) where it may not.
The key names the agencies disclosed, so a newly involved agency raises a new alert for everyone.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from consumers.alerts.building import new_alert
from consumers.alerts.entity_view import Evidence, shared_keys, view_for
from consumers.alerts.facts import AlertFacts, CaseLink
from schemas.alerts import Alert, AlertRule


def overlap_alerts(facts: AlertFacts, now: datetime) -> list[Alert]:
    keys_of = shared_keys(facts.keys)
    by_entity: dict[str, list[CaseLink]] = defaultdict(list)
    for link in facts.links:
        case = facts.cases.get(link.case_id)
        if case is not None and case.open and link.source.occurred_at <= now:
            by_entity[link.entity_id].append(link)
    alerts = []
    for entity_id, links in sorted(by_entity.items()):
        owner_of = {link.case_id: facts.cases[link.case_id].owner or link.source.agency for link in links}
        if len(set(owner_of.values())) < 2:
            continue
        sightings: dict[str, Evidence] = defaultdict(list)
        for link in links:
            sightings[link.case_id].append((link.source, link.subject_id))
        evidence = {case_id: [items] for case_id, items in sightings.items()}
        for recipient in sorted(set(owner_of.values())):
            view = view_for(recipient, evidence, owner_of, keys_of, now)
            if recipient not in view.visible_holders or len(view.holders) < 2 or view.last_seen_at is None:
                continue
            disclosed = sorted(view.holders)
            alerts.append(
                new_alert(
                    AlertRule.OVERLAP,
                    f"{entity_id}|{','.join(disclosed)}|to:{recipient}",
                    f"Chồng chéo: đối tượng {entity_id} đang có vụ việc mở tại {len(disclosed)} cơ quan "
                    f"({', '.join(disclosed)}); trao đổi trước khi xử lý.",
                    agencies=[recipient],
                    triggered_at=view.last_seen_at,
                    raised_at=now,
                    entity_id=entity_id,
                    case_ids=view.visible_cases,
                    event_ids=view.event_ids,
                    identifiers=view.identifiers,
                    counts={"open_cases_seen": len(view.visible_cases), "agencies": len(disclosed)},
                    hidden_holders=view.hidden_holders - view.visible_holders,
                )
            )
    return alerts
