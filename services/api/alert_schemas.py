"""Response models of the alerts endpoints: the contract's Alert record, with its publication state."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from schemas.alerts import Alert


class AlertItem(BaseModel):
    alert: Alert
    published_at: datetime | None


class AlertList(BaseModel):
    data: list[AlertItem]
    count: int
