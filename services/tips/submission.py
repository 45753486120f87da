"""A public tip as the form (or API) sends it, bounded field by field, and the TipReceived event the hub
publishes for it on BCĐ 389's topic.

Every field has the contract's bound kind (schemas/bounds.py: one line ≤ 500 characters, prose without
control characters, links ≤ 2,048 bytes) and a tighter size of its own, so a tip that passes here is a
valid event and one that does not is refused with the field's name, before anything is sent. The contact
never leaves this module in clear: it becomes the reporter's keyed hash (schemas.identifiers.keyed_hash,
the same HMAC agencies use for national ids) and is dropped.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, SecretStr, field_validator

from schemas.bounds import check_line, check_prose, check_url
from schemas.events import CaseEvent, Distribution, DistributionLevel, TipChannel, TipReceived, new_event
from schemas.identifiers import keyed_hash
from schemas.reference import category, local_date, platform, province_on
from schemas.validation import check_event
from services.tips.keys import TipKeys

DESK_AGENCY = "bcd389"
"""Whose tips these are: BCĐ 389's hotline publishes them and its users triage them."""
DESK_UNIT = "Đường dây nóng BCĐ 389 (biểu mẫu công khai)"
PRODUCER = "casehub-public-tips"
TIP_NAMESPACE = uuid.UUID("5b0e7c1a-3f0d-5e62-9a38-1b389d0c7a11")
DESCRIPTION_MIN = 20
DESCRIPTION_MAX = 4000
CONTACT_MAX = 200


def _line(value: str) -> str:
    return check_line(value.strip())


def _prose(value: str) -> str:
    return check_prose(value.strip())


def _url(value: str) -> str:
    """A shop link as people paste it: 'shopee.vn/abc' gets https:// (the contract wants a scheme)."""
    value = value.strip()
    if value and "://" not in value:
        value = f"https://{value}"
    return check_url(value)


class TipForm(BaseModel):
    """What a citizen or business sends. Unknown fields are refused (a typo is not silently dropped)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    category: str = Field(pattern=r"^[a-z][a-z0-9_]{1,63}$", description="Suspected violation category code.")
    description: Annotated[
        str, AfterValidator(_prose), Field(min_length=DESCRIPTION_MIN, max_length=DESCRIPTION_MAX)
    ] = Field(description="What was seen, in the reporter's words.")
    platform: str | None = Field(default=None, pattern=r"^[a-z][a-z0-9_]{1,31}$")
    shop_url: Annotated[str, AfterValidator(_url), Field(max_length=500)] | None = Field(
        default=None, pattern=r"^(https?://)?\S+$", description="Link of the shop or listing."
    )
    province_code: str | None = Field(default=None, pattern=r"^\d{2}$")
    contact: Annotated[SecretStr, Field(max_length=CONTACT_MAX)] | None = Field(
        default=None,
        description="Phone or e-mail, optional; kept only as a keyed hash, never stored or logged in clear.",
    )
    token: str = Field(max_length=200, description="The signed form token (GET /api/public/tips/form).")

    @field_validator("contact")
    @classmethod
    def _contact_is_one_line(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value().strip():
            return None
        _line(value.get_secret_value())
        return SecretStr(value.get_secret_value().strip())

    @field_validator("platform", "province_code", "shop_url", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value


def reporter_ref(contact: SecretStr | None, keys: TipKeys) -> str | None:
    if contact is None:
        return None
    return keyed_hash(contact.get_secret_value(), key_id=keys.key_id, key=keys.contact)


def tip_event(form: TipForm, nonce: str, keys: TipKeys, now: datetime) -> CaseEvent:
    """BCĐ 389's TipReceived for a checked form; ContractViolation/ValueError name what is wrong.

    The event id and case id come from the form token's nonce, so the one tip a token allows has one id
    whatever happens to the request. The distribution is BCĐ 389's own (OWNER_ONLY): a tip is unverified
    and its reporter protected until triage hands it to an agency."""
    day = local_date(now)
    category(form.category, day)
    if form.platform is not None:
        platform(form.platform, day)
    if form.province_code is not None:
        province_on(form.province_code, day)
    event_id = uuid.uuid5(TIP_NAMESPACE, nonce)
    payload = TipReceived(
        received_via=TipChannel.WEB_FORM,
        reporter_ref=reporter_ref(form.contact, keys),
        summary=form.description,
        platform=form.platform,
        listing_urls=(form.shop_url,) if form.shop_url else (),
        province_code=form.province_code,
        suspected_category=form.category,
    )
    event = new_event(
        case_id=f"TIP-{day.strftime('%Y%m%d')}-{event_id.hex[:10].upper()}",
        agency=DESK_AGENCY,
        reporting_unit=DESK_UNIT,
        payload=payload,
        occurred_at=now,
        recorded_at=now,
        producer=PRODUCER,
        event_id=event_id,
        distribution=Distribution(level=DistributionLevel.OWNER_ONLY),
    )
    check_event(event)
    return event
