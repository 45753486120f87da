"""Early warnings for the caller's agency: alerts addressed to it, and aggregate ones shared with all.

Each alert was written for its recipients only (restricted records appear as hidden holders), so the
agency filter is the whole access rule; a reader without an agency sees only the shared ones.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request

from schemas.alerts import Alert, AlertRule
from services.api.alert_schemas import AlertItem, AlertList
from services.api.bounds import MAX_OFFSET, MAX_TEXT
from services.api.deps import ConnectionDep, Reader, record
from services.store.alert_store import list_alerts

router = APIRouter(prefix="/api/alerts", tags=["alerts"])
NOBODY = "-"  # an agency code no alert is addressed to


@router.get("", response_model=AlertList)
def alerts(
    request: Request,
    principal: Reader,
    connection: ConnectionDep,
    rule: Annotated[AlertRule | None, Query(description="Only this rule.")] = None,
    entity_id: Annotated[
        str | None, Query(max_length=MAX_TEXT, description="Only alerts about this seller entity.")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> AlertList:
    """Newest first."""
    rows, total = list_alerts(
        connection,
        agency=principal.agency or NOBODY,
        rule=rule.value if rule else None,
        entity_id=entity_id,
        limit=limit,
        offset=offset,
    )
    record(request, principal, rows=len(rows))
    return AlertList(data=[_item(row) for row in rows], count=total)


@router.get(
    "/{alert_id}", response_model=AlertItem, responses={404: {"description": "No such alert for you"}}
)
def alert(request: Request, alert_id: str, principal: Reader, connection: ConnectionDep) -> AlertItem:
    rows, _ = list_alerts(connection, agency=principal.agency or NOBODY, alert_id=alert_id, limit=1)
    record(request, principal, rows=len(rows), resource=alert_id)
    if not rows:
        raise HTTPException(404, f"no alert {alert_id} for you")
    return _item(rows[0])


def _item(row: dict[str, Any]) -> AlertItem:
    return AlertItem(alert=Alert.model_validate(row["alert"]), published_at=row["published_at"])
