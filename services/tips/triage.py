"""BCĐ 389's triage list and its decisions, in the store.

A tip is listed from the store (`tips` projection + the event's payload), so what the list shows is what
reached the hub through the broker and the materializer; its state comes from `tip_triage`, written in the
same step that claims the decision (primary key = tip event id: a second decision on a tip is a 409, even
from two triagers at once). Only BCĐ 389's triagers read this list (services.tips.desk.may_triage).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, delete, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.store.projection_tables import TipRow
from services.store.tables import CaseEventRow
from services.store.tip_tables import TipTriageRow
from services.tips.submission import DESK_AGENCY

STATES = ("new", "assigned", "dismissed")


@dataclass(frozen=True)
class TipItem:
    event_id: str
    case_id: str
    received_at: datetime
    received_via: str
    summary: str
    platform: str | None
    listing_urls: tuple[str, ...]
    province_code: str | None
    category: str | None
    has_contact: bool
    state: str
    agency: str | None = None
    reason: str | None = None
    decision_event_id: str | None = None
    decided_by: str | None = None
    decided_at: datetime | None = None


class TriageRefused(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def list_tips(
    connection: Connection,
    *,
    state: str | None = None,
    provinces: frozenset[str] = frozenset(),
    event_id: str | None = None,
    limit: int = 200,
) -> list[TipItem]:
    """BCĐ 389's tips, newest first; a triager with a province scope sees tips of those provinces and
    tips that name none."""
    query = (
        select(TipRow, CaseEventRow.payload, TipTriageRow)
        .join(CaseEventRow, CaseEventRow.event_id == TipRow.event_id)
        .outerjoin(TipTriageRow, TipTriageRow.tip_event_id == TipRow.event_id)
        .where(TipRow.agency == DESK_AGENCY)
        .order_by(TipRow.occurred_at.desc(), TipRow.event_id)
        .limit(limit)
    )
    if event_id is not None:
        query = query.where(TipRow.event_id == event_id)
    if state == "new":
        query = query.where(TipTriageRow.tip_event_id.is_(None))
    elif state in ("assigned", "dismissed"):
        query = query.where(TipTriageRow.decision == state)
    if provinces:
        query = query.where(TipRow.province_code.is_(None) | TipRow.province_code.in_(sorted(provinces)))
    with Session(bind=connection) as session:  # ORM rows (a Core connection would flatten them)
        return [_item(tip, payload, triage) for tip, payload, triage in session.execute(query)]


def _item(tip: TipRow, payload: dict[str, Any], triage: TipTriageRow | None) -> TipItem:
    return TipItem(
        event_id=tip.event_id,
        case_id=tip.case_id,
        received_at=tip.occurred_at,
        received_via=tip.received_via,
        summary=str(payload.get("summary") or ""),
        platform=tip.platform,
        listing_urls=tuple(payload.get("listing_urls") or ()),
        province_code=tip.province_code,
        category=tip.suspected_category,
        has_contact=payload.get("reporter_ref") is not None,
        state=triage.decision if triage is not None else "new",
        agency=triage.agency if triage is not None else None,
        reason=triage.reason if triage is not None else None,
        decision_event_id=triage.event_id if triage is not None else None,
        decided_by=triage.decided_by if triage is not None else None,
        decided_at=triage.decided_at if triage is not None else None,
    )


def claim(
    engine: Engine,
    tip: TipItem,
    *,
    decision: str,
    agency: str | None,
    reason: str | None,
    event_id: str,
    decided_by: str,
    now: datetime,
) -> None:
    """Record the decision before its event is published; TriageRefused(409) if the tip has one."""
    try:
        with engine.begin() as connection:
            connection.execute(
                insert(TipTriageRow).values(
                    tip_event_id=tip.event_id,
                    case_id=tip.case_id,
                    decision=decision,
                    agency=agency,
                    reason=reason,
                    event_id=event_id,
                    decided_by=decided_by,
                    decided_at=now,
                )
            )
    except IntegrityError:
        raise TriageRefused(409, f"tin báo {tip.case_id} đã được xử lý (already triaged)") from None


def release(engine: Engine, tip_event_id: str) -> None:
    """Undo a claim whose event could not be published, so the tip can be triaged again."""
    with engine.begin() as connection:
        connection.execute(delete(TipTriageRow).where(TipTriageRow.tip_event_id == tip_event_id))
