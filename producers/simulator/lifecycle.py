"""One simulated case from tip to closure, told as the events its agencies would publish.

Tip (sometimes) → opened → seller identified → inspection → violation → seizure → penalty, or for
large banned/counterfeit/smuggled cases a referral from QLTT to the police, who open an investigation →
takedown on the platform → another agency that already knows the seller says so → closure.
"""

from __future__ import annotations

import hashlib
import random
import uuid
from datetime import date, datetime, timedelta
from functools import cache

from producers.citations import citation
from producers.simulator.catalog import GOODS, GoodsLine
from producers.simulator.penalties import fine_for
from producers.simulator.sellers import Seller, SellerPool
from producers.simulator.weights import pick
from schemas.errors import ContractViolation
from schemas.events import (
    AnyPayload,
    CaseClosed,
    CaseEvent,
    CaseOpened,
    CaseOutcome,
    CaseReferred,
    CaseSource,
    Distribution,
    DistributionLevel,
    GoodsHandling,
    GoodsSeized,
    InspectionConducted,
    InspectionKind,
    InspectionResult,
    LegalBasis,
    PenaltyDecided,
    ReactionKind,
    ReactionRecorded,
    ReferralKind,
    SalesChannel,
    SeizedItem,
    TakedownCompleted,
    TakedownOutcome,
    TakedownRequested,
    TipChannel,
    TipReceived,
    ViolationConfirmed,
)
from schemas.normalisation.organisation import is_organisation_name
from schemas.reference import category, current_province, local_date, province_on

PRODUCER = "casehub-simulator"
CONFIDENTIAL = "INVESTIGATION_CONFIDENTIAL"
MERGER = date(2025, 7, 1)
_SOURCES = {
    "qltt": (CaseSource.PATROL, CaseSource.PLATFORM_REPORT, CaseSource.HOTLINE_TIP, CaseSource.CONTROL_PLAN),
    "customs": (CaseSource.CONTROL_PLAN, CaseSource.DATA_ANALYSIS),
    "tax": (CaseSource.DATA_ANALYSIS, CaseSource.REFERRAL),
    "police": (CaseSource.HOTLINE_TIP, CaseSource.PATROL, CaseSource.REFERRAL),
    "ipvn": (CaseSource.RIGHTS_HOLDER_COMPLAINT,),
}
_INSPECTIONS = {
    "qltt": InspectionKind.TEST_PURCHASE,
    "customs": InspectionKind.DOCUMENT_REVIEW,
    "police": InspectionKind.SURPRISE,
}
_CHANNELS = {
    "website": SalesChannel.WEBSITE,
    "zalo": SalesChannel.MESSAGING,
    "telegram": SalesChannel.MESSAGING,
    "facebook": SalesChannel.SOCIAL_NETWORK,
    "instagram": SalesChannel.SOCIAL_NETWORK,
    "youtube": SalesChannel.SOCIAL_NETWORK,
}
_CRIMINAL = frozenset({"banned", "counterfeit", "smuggled", "counterfeit_labels"})
_EVERYONE = Distribution(level=DistributionLevel.ALL_AGENCIES)
_POLICE_ONLY = Distribution(level=DistributionLevel.OWNER_ONLY, handling=CONFIDENTIAL)
_TO_POLICE = Distribution(level=DistributionLevel.LISTED_AGENCIES, agencies=("police",))


class CaseLifecycle:
    """The events of case `number`, with a clock that only moves forward."""

    def __init__(
        self,
        rng: random.Random,
        pool: SellerPool,
        number: int,
        *,
        agency: str,
        category_code: str,
        platform: str,
        province: str,
        opened_at: datetime,
        run_tag: str = "",
    ) -> None:
        self.rng = rng
        self.pool = pool
        self.agency = agency
        self.platform = platform
        self.province = province
        self.opened_at = self.clock = opened_at
        self.category = _category_on(category_code, local_date(opened_at))
        self.case_id = f"VN-{opened_at:%Y}-{agency.upper()}-S{run_tag}{number:07d}"
        self.case_ref = f"HS-{number:06d}/{opened_at:%Y}"
        self.unit = _unit(rng, agency, province_on(self.province_at(opened_at), local_date(opened_at)).name)
        self.seller: Seller = pool.choose(platform)
        self.goods: GoodsLine = pick(rng, GOODS.get(self.category, GOODS["unknown_origin"]))
        self.quantity = int(rng.lognormvariate(3.5, 1.0)) + 1
        self.value = self.quantity * int(rng.uniform(*self.goods.price_vnd)) // 1000 * 1000
        self.listing = f"{self.seller.shop_url(platform)}/{rng.randint(10**6, 10**9)}"
        self.events: list[CaseEvent] = []
        self.subject_id: str | None = None

    def tell(self) -> list[CaseEvent]:
        rng = self.rng
        source = pick(rng, _SOURCES[self.agency])
        if source == CaseSource.HOTLINE_TIP or rng.random() < 0.1:
            at = self.opened_at - timedelta(days=rng.randint(1, 6), hours=rng.randint(0, 9))
            self._emit(self._tip(at), at)
        opening = self._emit(self._opened(source), self.opened_at)
        if rng.random() < 0.9:
            subject = self.pool.identified(self.seller, self.agency, self.platform, self._province())
            self.subject_id = subject.subject_id
            embargo = self.clock + timedelta(days=90) if self.agency == "police" else None
            self._emit(subject, self.clock, embargo_until=embargo)
        found = rng.random() < 0.85
        if self.agency in _INSPECTIONS:
            at = self._later(1, 10)
            self._emit(self._inspection(found), at)
        referred = penalised = False
        if found:
            at = self._later(0, 2)
            basis = citation(self.category, local_date(at))
            self._emit(self._violation(basis), at)
            if self.category not in ("tax_evasion", "tax_misdeclaration") and rng.random() < 0.6:
                self._emit(self._seizure(), self.clock)
            referred = self.agency == "qltt" and self._criminal()
            if referred:
                self._refer()
            else:
                at = self._later(3, 30)
                self._emit(self._penalty(basis), at)
                penalised = True
        if self.platform != "website" and rng.random() < 0.4:
            self._takedown()
        self._partner_reaction(opening)
        self._close(found, penalised, referred)
        return self.events

    def _criminal(self) -> bool:
        large = self.value >= 100_000_000
        return self.category in _CRIMINAL and self.rng.random() < (0.5 if large else 0.02)

    def _tip(self, at: datetime) -> TipReceived:
        return TipReceived(
            received_via=pick(self.rng, (TipChannel.HOTLINE, TipChannel.WEB_FORM, TipChannel.SOCIAL_MEDIA)),
            summary=f"Người dân phản ánh: bán {self.goods.description} trên {self.platform}",
            platform=self.platform,
            listing_urls=(self.listing,),
            province_code=self._province(at),
            suspected_category=self.category,
        )

    def _opened(self, source: CaseSource) -> CaseOpened:
        name = category(self.category, local_date(self.opened_at)).name_vi
        return CaseOpened(
            title=f"{name} trên {self.platform}",
            source=source,
            channel=_CHANNELS.get(self.platform, SalesChannel.MARKETPLACE),
            platform=self.platform,
            goods=self.goods.description,
            province_code=self._province(),
            category=self.category,
            listing_urls=(self.listing,),
            goods_value_vnd=self.value,
        )

    def _inspection(self, found: bool) -> InspectionConducted:
        return InspectionConducted(
            kind=_INSPECTIONS[self.agency],
            result=InspectionResult.VIOLATION_FOUND if found else InspectionResult.NO_VIOLATION,
            record_number=f"{self.rng.randint(1, 999)}/BB-KT",
            place=self.listing,
            province_code=self._province(),
            subject_id=self.subject_id,
            joint_agencies=("police",) if self.agency == "qltt" and self.rng.random() < 0.1 else (),
        )

    def _violation(self, basis: LegalBasis) -> ViolationConfirmed:
        return ViolationConfirmed(
            category=self.category,
            legal_basis=basis,
            subject_id=self.subject_id,
            record_number=f"{self.rng.randint(1, 999)}/BB-VPHC",
            description=f"{self.goods.description}, {self.quantity} {self.goods.unit}",
            goods_value_vnd=self.value,
        )

    def _seizure(self) -> GoodsSeized:
        brand = pick(self.rng, self.goods.brands) if self.goods.brands else None
        item = SeizedItem(
            description=self.goods.description,
            quantity=self.quantity,
            unit=self.goods.unit,
            value_vnd=self.value,
            brand=brand,
        )
        handling = GoodsHandling.SEIZED if self.rng.random() < 0.6 else GoodsHandling.CONFISCATED
        return GoodsSeized(
            items=(item,), handling=handling, record_number=f"{self.rng.randint(1, 999)}/BB-TG"
        )

    def _penalty(self, basis: LegalBasis) -> PenaltyDecided:
        # fined as an organisation only with a legal form; a household business is fined as an individual
        # (the contract's fine ceiling reads the name the same way: schemas/fine_limits.py)
        organisation = is_organisation_name(self.seller.name)
        counterfeit = self.category in ("counterfeit", "banned", "counterfeit_labels")
        return PenaltyDecided(
            decision_number=f"{self.rng.randint(1, 2999)}/QĐ-XPVPHC",
            fine_vnd=fine_for(self.rng, self.category, self.value, organisation),
            violator_name=self.seller.name,
            additional_measures=("tịch thu tang vật vi phạm",) if counterfeit else (),
            subject_id=self.subject_id,
            legal_basis=basis,
            remedial_measures=("buộc tiêu hủy hàng hóa",) if counterfeit else (),
        )

    def _refer(self) -> None:
        unit = "Phòng Cảnh sát kinh tế - Công an cấp tỉnh"
        referral = CaseReferred(
            to_agency="police",
            to_unit=unit,
            kind=ReferralKind.CRIMINAL_INVESTIGATION,
            reason="Giá trị hàng vi phạm có dấu hiệu tội phạm; chuyển cơ quan điều tra",
            legal_basis=LegalBasis(instrument="100/2015/QH13", article="192"),
            document_number=f"{self.rng.randint(1, 999)}/CV-QLTT",
        )
        sent = self._emit(referral, self._later(2, 15), distribution=_TO_POLICE)
        reaction = ReactionRecorded(
            reacting_agency="police",
            kind=ReactionKind.INVESTIGATION_OPENED,
            note="Tiếp nhận hồ sơ, thụ lý giải quyết nguồn tin về tội phạm",
            refers_to_event_id=sent.event_id,
            own_case_id=f"{self.case_id}-CA",
        )
        self._emit(reaction, self._later(2, 10), agency="police", unit=unit, distribution=_POLICE_ONLY)

    def _takedown(self) -> None:
        reference = f"{self.rng.randint(100, 9999)}/CV-{self.agency.upper()}"
        requested_at = self._later(0, 5)
        request = TakedownRequested(
            platform=self.platform,
            listing_urls=(self.listing,),
            request_reference=reference,
            due_at=requested_at + timedelta(hours=24),
        )
        self._emit(request, requested_at)
        if self.rng.random() < 0.85:
            outcome = TakedownOutcome.REMOVED if self.rng.random() < 0.85 else TakedownOutcome.NOT_FOUND
            done = TakedownCompleted(
                platform=self.platform,
                listing_urls=(self.listing,),
                request_reference=reference,
                outcome=outcome,
                platform_reference=f"TD-{self.rng.randint(10_000, 999_999)}",
            )
            self._emit(done, requested_at + timedelta(hours=self.rng.randint(2, 40)))

    def _partner_reaction(self, opening: CaseEvent) -> None:
        """An agency that has already met this seller tells the owner so (SUBJECT_ALSO_KNOWN)."""
        others = self.pool.known_elsewhere(self.seller, self.agency)
        if not others or self.rng.random() >= 0.3:
            return
        partner = pick(self.rng, others)
        reaction = ReactionRecorded(
            reacting_agency=partner,
            kind=ReactionKind.SUBJECT_ALSO_KNOWN,
            note="Đối tượng có trong hồ sơ của đơn vị",
            refers_to_event_id=opening.event_id,
        )
        distribution = _POLICE_ONLY if partner == "police" else _EVERYONE
        at = self._later(1, 20)
        self._emit(reaction, at, agency=partner, unit=_unit(self.rng, partner, ""), distribution=distribution)

    def _close(self, found: bool, penalised: bool, referred: bool) -> None:
        if referred:
            outcome = CaseOutcome.TRANSFERRED
        elif penalised:
            outcome = CaseOutcome.PENALIZED
        elif not found:
            outcome = CaseOutcome.NO_VIOLATION
        else:
            return
        if self.rng.random() < 0.85:
            self._emit(CaseClosed(outcome=outcome), self._later(1, 20))

    def _later(self, low_days: int, high_days: int) -> datetime:
        self.clock += timedelta(days=self.rng.randint(low_days, high_days), hours=self.rng.randint(0, 8))
        return self.clock

    def province_at(self, at: datetime) -> str:
        return _province_code(self.province, local_date(at) >= MERGER)

    def _province(self, at: datetime | None = None) -> str:
        return self.province_at(at or self.clock)

    def _emit(
        self,
        payload: AnyPayload,
        at: datetime,
        *,
        agency: str | None = None,
        unit: str | None = None,
        distribution: Distribution | None = None,
        embargo_until: datetime | None = None,
    ) -> CaseEvent:
        agency = agency or self.agency
        owner = agency == self.agency
        event = CaseEvent.model_construct(
            event_id=_PENDING_ID,
            event_type=payload.event_type,
            case_id=self.case_id,
            agency=agency,
            reporting_unit=unit or self.unit,
            occurred_at=at,
            recorded_at=at + timedelta(minutes=self.rng.randint(5, 2880)),
            producer=PRODUCER,
            distribution=distribution or (_POLICE_ONLY if agency == "police" else _EVERYONE),
            embargo_until=embargo_until,
            agency_case_ref=self.case_ref if owner else None,
            payload=payload,
        )
        self.rng.getrandbits(128)  # the draw ids once took: the rest of the random stream stays as it was
        event = event.model_copy(update={"event_id": content_id(event)})
        self.events.append(event)
        return event


_PENDING_ID = uuid.UUID(int=0)
SIMULATED_EVENTS = uuid.UUID("5f1c2a0e-3b8d-4c59-9a57-3d2b9e1c0389")
"""Namespace of simulated event ids."""


def content_id(event: CaseEvent) -> uuid.UUID:
    """An id derived from everything else the event says: two runs that simulate the same event give it
    the same id (absorbed as a duplicate), and no two different events ever share one."""
    return uuid.uuid5(SIMULATED_EVENTS, event.model_dump_json(exclude={"event_id"}))


def run_tag(*parameters: object) -> str:
    """Four hex digits naming a run's parameters, so runs with other parameters open other case ids."""
    return hashlib.sha256(repr(parameters).encode()).hexdigest()[:4].upper()


@cache
def _province_code(old_code: str, merged: bool) -> str:
    """The code a province carries after the 2025 merger (its successor's), or its own before it."""
    return current_province(old_code, date(2025, 6, 30)).code if merged else old_code


@cache
def _category_on(code: str, day: date) -> str:
    """A category in force on the day, or the one that replaced it (e-commerce codes from 2026-07-01)."""
    try:
        return category(code, day).code
    except ContractViolation:
        replaced = category(code, date(2026, 6, 30)).replaced_by
        return replaced or "unclassified"


def _unit(rng: random.Random, agency: str, province_name: str) -> str:
    if agency == "qltt":
        return f"Đội QLTT số {rng.randint(1, 12)} - Chi cục QLTT {province_name}".strip(" -")
    if agency == "customs":
        return f"Chi cục Hải quan khu vực {pick(rng, ('I', 'II', 'III', 'IV', 'V', 'VI', 'VII', 'VIII'))}"
    if agency == "tax":
        return f"Thuế {province_name}".strip() if province_name else "Cục Thuế"
    if agency == "police":
        return (
            "Cục A05 - Bộ Công an" if rng.random() < 0.3 or not province_name else f"Công an {province_name}"
        )
    return "Cục Sở hữu trí tuệ - Phòng Thực thi"
