"""Response model of a seller's network (`GET /api/entities/{id}`): only what the caller may see."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from services.api.schemas import CaseSummary, SubjectSummary


class NetworkKeyItem(BaseModel):
    kind: str = Field(description="phone, tax_code, shop, email, national_id, bank_account, name, address")
    value: str = Field(description="The normalised value (keyed hashes stay hashes).")
    subjects: list[str] = Field(description="Shown subjects whose visible records carry it.")
    status: str = Field(
        description="links / not shared / weak: suggests only / stop-listed / over the cap (n > cap) / "
        "blocked for <subjects>"
    )


class NetworkLinkItem(BaseModel):
    subject_id: str
    other_subject_id: str
    kind: str
    value: str
    event_id: str | None = Field(description="The event that brought the key (when visible to you).")


class NetworkHistoryItem(BaseModel):
    at: datetime
    action: str = Field(description="link, unlink, unstop or unblock")
    subject_id: str
    other_subject_id: str | None
    kind: str | None
    value: str | None
    event_id: str | None
    reason: str


class EntityNetwork(BaseModel):
    entity_id: str
    members: list[SubjectSummary]
    keys: list[NetworkKeyItem]
    links: list[NetworkLinkItem]
    history: list[NetworkHistoryItem]
    cases: list[CaseSummary]
    hidden_holders: list[str] = Field(
        description="Agencies holding restricted records on these subjects: contact them before acting."
    )
