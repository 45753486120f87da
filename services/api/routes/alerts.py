"""Early warnings for the caller's agency: alerts addressed to it, and aggregate ones shared with all.

Each alert was written for its recipients (restricted records appear as hidden holders); what the caller
may be told of it is judged again at read time over the cases the caller may see now (the counts a rule
needs, hidden open cases, province scope): services.views.alert_views.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query

from schemas.alerts import Alert, AlertRule
from services.api.alert_schemas import AlertItem, AlertList
from services.api.bounds import MAX_OFFSET, MAX_TEXT, NO_NUL
from services.api.deps import ConnectionDep, NowDep, Reader
from services.api.request_audit import RequestAuditDep
from services.store.alert_store import list_alerts
from services.views.alert_views import visible_alerts

router = APIRouter(prefix="/api/alerts", tags=["alerts"])
NOBODY = "-"  # an agency code no alert is addressed to
ALERTS_SCANNED = 10_000  # newest alerts of the caller's agency judged per request (alerts are few)


@router.get("", response_model=AlertList)
def alerts(
    audit: RequestAuditDep,
    principal: Reader,
    connection: ConnectionDep,
    now: NowDep,
    rule: Annotated[AlertRule | None, Query(description="Only this rule.")] = None,
    entity_id: Annotated[
        str | None,
        Query(max_length=MAX_TEXT, pattern=NO_NUL, description="Only alerts about this seller entity."),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> AlertList:
    """Newest first; only what the caller may be told (services.views.alert_views)."""
    rows, _ = list_alerts(
        connection,
        agency=principal.agency or NOBODY,
        rule=rule.value if rule else None,
        entity_id=entity_id,
        limit=ALERTS_SCANNED,
    )
    told = visible_alerts(connection, principal.viewer(now), rows)
    page = told[offset : offset + limit]
    audit.read(rows=len(page))
    return AlertList(data=[_item(row) for row in page], count=len(told))


@router.get(
    "/{alert_id}", response_model=AlertItem, responses={404: {"description": "No such alert for you"}}
)
def alert(
    audit: RequestAuditDep,
    alert_id: str,
    principal: Reader,
    connection: ConnectionDep,
    now: NowDep,
) -> AlertItem:
    found, _ = list_alerts(connection, agency=principal.agency or NOBODY, alert_id=alert_id, limit=1)
    rows = visible_alerts(connection, principal.viewer(now), found)
    audit.read(rows=len(rows), resource=alert_id)
    if not rows:
        raise HTTPException(404, f"no alert {alert_id} for you")
    return _item(rows[0])


def _item(row: dict[str, Any]) -> AlertItem:
    return AlertItem(alert=Alert.model_validate(row["alert"]), published_at=row["published_at"])
