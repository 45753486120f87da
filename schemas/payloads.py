"""The payload records of case_event.v2.avsc: what happened in a case, one class per event type.

Field order and optionality mirror the .avsc (a unit test walks both); value rules live here,
code lists (provinces, categories, platforms, agencies) in schemas/validation.py.
"""

from __future__ import annotations

import uuid
from typing import ClassVar

from pydantic import Field, model_validator

from schemas.bounds import MAX_CASE_TOTAL_VND, MAX_QUANTITY
from schemas.record import Frozen, UtcMillis
from schemas.shapes import (
    AgencyCode,
    CaseId,
    CategoryCode,
    Email,
    Identifier,
    KeyedHash,
    PhoneNumber,
    PlatformCode,
    Prose,
    ProvinceCode,
    SubjectId,
    TaxCode,
    Text,
    Url,
    Vnd,
)
from schemas.vocabulary import (
    CaseOutcome,
    CaseSource,
    GoodsHandling,
    InspectionKind,
    InspectionResult,
    ReactionKind,
    ReferralKind,
    SalesChannel,
    SubjectKind,
    SubjectRole,
    TakedownOutcome,
    TipChannel,
)


class Payload(Frozen):
    """Base of every event payload; `event_type` is the Avro record name."""

    event_type: ClassVar[str]


class LegalBasis(Frozen):
    """A citation as Vietnamese documents write it: Điểm a Khoản 2 Điều 15 Nghị định 98/2020/NĐ-CP."""

    instrument: str = Field(pattern=r"^\d+/\d{4}/[^\s\x00-\x1f\x7f-\x9f]+$", max_length=64)
    article: str = Field(pattern=r"^\d{1,3}[a-z]?$")
    clause: str | None = Field(default=None, pattern=r"^\d{1,2}[a-z]?$")
    point: str | None = Field(default=None, pattern=r"^[a-zđ]$")


class CaseOpened(Payload):
    event_type: ClassVar[str] = "CaseOpened"

    title: Text
    source: CaseSource = CaseSource.UNKNOWN
    channel: SalesChannel = SalesChannel.UNKNOWN
    platform: PlatformCode | None = None
    goods: Prose
    province_code: ProvinceCode
    category: CategoryCode
    listing_urls: tuple[Url, ...] = ()
    goods_value_vnd: Vnd | None = None
    summary: Prose | None = None


class PenaltyDecided(Payload):
    event_type: ClassVar[str] = "PenaltyDecided"

    decision_number: Identifier
    fine_vnd: Vnd
    violator_name: Text | None = None
    additional_measures: tuple[Text, ...] = ()
    subject_id: SubjectId | None = None
    legal_basis: LegalBasis | None = None
    remedial_measures: tuple[Text, ...] = ()


class TipReceived(Payload):
    event_type: ClassVar[str] = "TipReceived"

    received_via: TipChannel = TipChannel.OTHER
    reporter_ref: KeyedHash | None = None
    summary: Prose = Field(min_length=1)
    platform: PlatformCode | None = None
    listing_urls: tuple[Url, ...] = ()
    province_code: ProvinceCode | None = None
    suspected_category: CategoryCode | None = None


class SubjectIdentified(Payload):
    event_type: ClassVar[str] = "SubjectIdentified"

    subject_id: SubjectId
    kind: SubjectKind = SubjectKind.UNKNOWN
    role: SubjectRole = SubjectRole.OTHER
    display_name: Text | None = None
    platform: PlatformCode | None = None
    shop_id: Identifier | None = None
    shop_url: Url | None = Field(default=None, max_length=500)
    phone: PhoneNumber | None = None
    email: Email | None = None
    tax_code: TaxCode | None = None
    national_id_hash: KeyedHash | None = None
    bank_account_hash: KeyedHash | None = None
    address: Text | None = None
    province_code: ProvinceCode | None = None

    @model_validator(mode="after")
    def _identifies_someone(self) -> SubjectIdentified:
        if self.shop_id is not None and self.platform is None:
            raise ValueError("shop_id is only meaningful with the platform it belongs to")
        if not any(getattr(self, name) is not None for name in IDENTIFIERS):
            raise ValueError(f"a subject needs at least one of {', '.join(IDENTIFIERS)}")
        return self


IDENTIFIERS = (
    "display_name",
    "shop_id",
    "shop_url",
    "phone",
    "email",
    "tax_code",
    "national_id_hash",
    "bank_account_hash",
)


class InspectionConducted(Payload):
    event_type: ClassVar[str] = "InspectionConducted"

    kind: InspectionKind = InspectionKind.OTHER
    result: InspectionResult = InspectionResult.UNKNOWN
    record_number: Identifier | None = None
    place: Text | None = None
    province_code: ProvinceCode | None = None
    subject_id: SubjectId | None = None
    joint_agencies: tuple[AgencyCode, ...] = ()


class ViolationConfirmed(Payload):
    event_type: ClassVar[str] = "ViolationConfirmed"

    category: CategoryCode
    legal_basis: LegalBasis
    subject_id: SubjectId | None = None
    record_number: Identifier | None = None
    description: Prose | None = None
    goods_value_vnd: Vnd | None = None


class SeizedItem(Frozen):
    """One line of a seizure record: what, how many of which unit, worth how much."""

    description: Text
    quantity: float = Field(gt=0, le=MAX_QUANTITY, allow_inf_nan=False)
    unit: Text = Field(max_length=32)
    value_vnd: Vnd | None = None
    brand: Text | None = None


class GoodsSeized(Payload):
    event_type: ClassVar[str] = "GoodsSeized"

    items: tuple[SeizedItem, ...] = Field(min_length=1)
    handling: GoodsHandling = GoodsHandling.UNKNOWN
    record_number: Identifier | None = None
    storage_place: Text | None = None

    @model_validator(mode="after")
    def _value_within_a_cases_bound(self) -> GoodsSeized:
        total = sum(item.value_vnd or 0 for item in self.items)
        if total > MAX_CASE_TOTAL_VND:
            raise ValueError(
                f"the items are worth {total:,} VND together, above the {MAX_CASE_TOTAL_VND:,} VND bound"
            )
        return self


class CaseReferred(Payload):
    event_type: ClassVar[str] = "CaseReferred"

    to_agency: AgencyCode
    to_unit: Text | None = None
    kind: ReferralKind = ReferralKind.OTHER
    reason: Prose = Field(min_length=1)
    legal_basis: LegalBasis | None = None
    document_number: Identifier | None = None


class ReactionRecorded(Payload):
    event_type: ClassVar[str] = "ReactionRecorded"

    reacting_agency: AgencyCode
    kind: ReactionKind = ReactionKind.OTHER
    note: Prose | None = None
    refers_to_event_id: uuid.UUID | None = None
    own_case_id: CaseId | None = None


class TakedownRequested(Payload):
    event_type: ClassVar[str] = "TakedownRequested"

    platform: PlatformCode
    listing_urls: tuple[Url, ...] = Field(min_length=1)
    request_reference: Identifier
    reason: Prose | None = None
    legal_basis: LegalBasis | None = None
    due_at: UtcMillis | None = None


class TakedownCompleted(Payload):
    event_type: ClassVar[str] = "TakedownCompleted"

    platform: PlatformCode
    listing_urls: tuple[Url, ...] = Field(min_length=1)
    request_reference: Identifier
    outcome: TakedownOutcome = TakedownOutcome.UNKNOWN
    platform_reference: Identifier | None = None


class CaseClosed(Payload):
    event_type: ClassVar[str] = "CaseClosed"

    outcome: CaseOutcome = CaseOutcome.OTHER
    note: Prose | None = None
    merged_into_case_id: CaseId | None = None

    @model_validator(mode="after")
    def _merged_names_the_surviving_case(self) -> CaseClosed:
        if (self.outcome == CaseOutcome.MERGED) != (self.merged_into_case_id is not None):
            raise ValueError("merged_into_case_id is required for outcome MERGED and only then")
        return self


AnyPayload = (
    CaseOpened
    | PenaltyDecided
    | TipReceived
    | SubjectIdentified
    | InspectionConducted
    | ViolationConfirmed
    | GoodsSeized
    | CaseReferred
    | ReactionRecorded
    | TakedownRequested
    | TakedownCompleted
    | CaseClosed
)
PAYLOAD_TYPES: dict[str, type[Payload]] = {
    cls.event_type: cls
    for cls in (
        CaseOpened,
        PenaltyDecided,
        TipReceived,
        SubjectIdentified,
        InspectionConducted,
        ViolationConfirmed,
        GoodsSeized,
        CaseReferred,
        ReactionRecorded,
        TakedownRequested,
        TakedownCompleted,
        CaseClosed,
    )
}
