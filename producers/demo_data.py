"""A small, realistic demo data set: whole case stories from all five agencies, some shared between them.

Each case runs from an optional tip to its closure: the seller identified (the same people behind shops
on several platforms, so phones and tax codes recur across agencies), inspection, violation, seizure,
penalty or referral to the police, takedown on the platform, and another agency's reaction.
Deterministic for a seed; every event passes schemas.validation.check_event. The traffic simulator
(its own issue) grows from this.
"""

from __future__ import annotations

import random
import re
import uuid
from datetime import UTC, datetime, timedelta

from producers.demo_scenarios import SCENARIOS, Scenario
from producers.demo_sellers import DEMO_KEY, DEMO_KEY_ID, Seller, sellers_on
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
    SeizedItem,
    TakedownCompleted,
    TakedownOutcome,
    TakedownRequested,
    TipChannel,
    TipReceived,
    UnknownReason,
    UnknownValue,
    ViolationConfirmed,
    new_event,
)
from schemas.identifiers import keyed_hash
from schemas.reference import category, local_date

PRODUCER = "casehub-demo"
CONFIDENTIAL = "INVESTIGATION_CONFIDENTIAL"


def demo_events(cases: int = 40, seed: int = 389, start: datetime | None = None) -> list[CaseEvent]:
    """The events of `cases` case stories; every fourth case is joined by a second agency."""
    rng = random.Random(seed)
    start = start or datetime(2025, 9, 1, tzinfo=UTC)
    events: list[CaseEvent] = []
    for number in range(1, cases + 1):
        scenario = SCENARIOS[(number - 1) % len(SCENARIOS)]
        opened_at = start + timedelta(days=rng.randint(0, 365), hours=rng.randint(7, 18))
        partner = SCENARIOS[(number + 2) % len(SCENARIOS)] if number % 4 == 0 else None
        if partner is not None and partner.agency == scenario.agency:
            partner = None
        events.extend(CaseStory(rng, number, scenario, opened_at).tell(partner))
    return events


class CaseStory:
    """One case told event by event, with a clock that only moves forward."""

    def __init__(self, rng: random.Random, number: int, scenario: Scenario, opened_at: datetime) -> None:
        self.rng = rng
        self.number = number
        self.s = scenario
        self.case_id = f"VN-{opened_at:%Y}-{scenario.agency.upper()}-{number:05d}"
        self.agency_case_ref = f"HS-{number:04d}/{opened_at:%Y}"
        self.opened_at = opened_at
        self.clock = opened_at
        self.events: list[CaseEvent] = []
        self.seller: Seller = rng.choice(sellers_on(scenario.platform))
        self.listing = self.seller.listing_url(scenario.platform, rng.randint(100_000, 999_999))
        self.subject_id: str | None = None
        self.basis = _citation(scenario.category, opened_at)

    def tell(self, partner: Scenario | None) -> list[CaseEvent]:
        rng = self.rng
        if self.s.source == CaseSource.HOTLINE_TIP or rng.random() < 0.15:
            self._tip()
        opening = self._opened()
        if rng.random() < 0.85:
            self._subject()
        violation_found = rng.random() < 0.75
        if self.s.agency in ("qltt", "customs", "police"):
            self._inspection(violation_found)
        referred = penalized = False
        if violation_found:
            self._violation()
            if self.s.seized and rng.random() < 0.7:
                self._seizure()
            referred = self.s.agency == "qltt" and rng.random() < 0.35
            if referred:
                self._referral()
            else:
                self._penalty(self.s, days=(3, 40))
                penalized = True
        if self.listing is not None and self.s.platform != "website" and rng.random() < 0.5:
            self._takedown(self.listing)
        if partner is not None:
            self._partner(partner, opening)
        self._closure(penalized, referred, violation_found)
        return self.events

    def _tip(self) -> None:
        reporter = f"09{self.rng.randint(10_000_000, 99_999_999)}"
        tip = TipReceived(
            received_via=self.rng.choice([TipChannel.HOTLINE, TipChannel.HOTLINE, TipChannel.WEB_FORM]),
            reporter_ref=keyed_hash(reporter, key_id=DEMO_KEY_ID, key=DEMO_KEY),
            summary=f"Người dân phản ánh: {self.s.goods} bán trên {self.s.platform}",
            platform=self.s.platform,
            listing_urls=(self.listing,) if self.listing else (),
            province_code=self.s.province_code,
            suspected_category=self.s.category,
        )
        self._emit(tip, at=self.opened_at - timedelta(days=self.rng.randint(1, 5)))

    def _opened(self) -> CaseEvent:
        opened = CaseOpened(
            title=self.s.title,
            source=self.s.source,
            channel=self.s.channel,
            platform=self.s.platform,
            goods=self.s.goods,
            province_code=self.s.province_code,
            category=self.s.category,
            listing_urls=(self.listing,) if self.listing else (),
            goods_value_vnd=self.rng.randrange(5_000_000, 500_000_000, 1_000_000) if self.s.seized else None,
        )
        return self._emit(opened, at=self.opened_at)

    def _subject(self) -> None:
        police = self.s.agency == "police"
        subject, unknown = self.seller.identified(self.s.platform, withhold_address=police)
        self.subject_id = subject.subject_id
        embargo = self._later(1, 5) + timedelta(days=90) if police else None
        self._emit(subject, at=self.clock, unknown=unknown, embargo_until=embargo)

    def _inspection(self, violation_found: bool) -> None:
        kinds = {"qltt": InspectionKind.TEST_PURCHASE, "customs": InspectionKind.DOCUMENT_REVIEW}
        inspection = InspectionConducted(
            kind=kinds.get(self.s.agency, InspectionKind.SURPRISE),
            result=InspectionResult.VIOLATION_FOUND if violation_found else InspectionResult.NO_VIOLATION,
            record_number=f"{self.rng.randint(1, 400)}/BB-KT",
            place=self.listing or self.seller.address,
            province_code=self.s.province_code,
            subject_id=self.subject_id,
            joint_agencies=("police",) if self.s.agency == "qltt" and self.rng.random() < 0.2 else (),
        )
        self._emit(inspection, at=self._later(1, 10))

    def _violation(self) -> None:
        violation = ViolationConfirmed(
            category=self.s.category,
            legal_basis=self.basis,
            subject_id=self.subject_id,
            record_number=f"{self.rng.randint(1, 400)}/BB-VPHC",
            description=self.s.title,
        )
        self._emit(violation, at=self._later(0, 1))

    def _seizure(self) -> None:
        items: list[SeizedItem] = []
        unknown: list[UnknownValue] = []
        for index, goods in enumerate(self.s.seized):
            quantity = self.rng.randint(5, 400)
            pending = self.rng.random() < 0.15
            if pending:
                unknown.append(UnknownValue(path=f"items[{index}].value_vnd", reason=UnknownReason.PENDING))
            items.append(
                SeizedItem(
                    description=goods.description,
                    quantity=quantity,
                    unit=goods.unit,
                    value_vnd=None if pending else quantity * goods.unit_price_vnd,
                    brand=goods.brand,
                )
            )
        handling = GoodsHandling.SEIZED if self.rng.random() < 0.6 else GoodsHandling.CONFISCATED
        seized = GoodsSeized(items=tuple(items), handling=handling, record_number=f"{self.number}/BB-TG")
        self._emit(seized, at=self.clock, unknown=tuple(unknown))

    def _penalty(self, s: Scenario, days: tuple[int, int]) -> None:
        low, high = s.fine_range
        penalty = PenaltyDecided(
            decision_number=f"{self.rng.randint(1, 999)}/QĐ-XPVPHC",
            fine_vnd=self.rng.randrange(low, high, 500_000),
            violator_name=self.seller.display_name,
            additional_measures=("tịch thu tang vật",) if self.rng.random() < 0.6 else (),
            subject_id=self.subject_id,
            legal_basis=_citation(s.category, self.clock),
            remedial_measures=("buộc tiêu hủy hàng hóa",) if s.category in ("counterfeit", "banned") else (),
        )
        at = max(self.clock, self.opened_at + timedelta(days=self.rng.randint(*days)))
        self.clock = at
        self._emit(penalty, at=at, agency=s.agency, unit=s.unit)

    def _referral(self) -> None:
        referral = CaseReferred(
            to_agency="police",
            to_unit="Phòng Cảnh sát kinh tế - Công an cấp tỉnh",
            kind=ReferralKind.CRIMINAL_INVESTIGATION,
            reason="Giá trị hàng vi phạm có dấu hiệu tội phạm; chuyển cơ quan điều tra",
            legal_basis=LegalBasis(instrument="100/2015/QH13", article="192"),
            document_number=f"{self.rng.randint(1, 300)}/CV-QLTT",
        )
        sent = self._emit(
            referral,
            at=self._later(2, 15),
            distribution=Distribution(level=DistributionLevel.LISTED_AGENCIES, agencies=("police",)),
        )
        reaction = ReactionRecorded(
            reacting_agency="police",
            kind=ReactionKind.INVESTIGATION_OPENED,
            note="Tiếp nhận hồ sơ, thụ lý giải quyết nguồn tin về tội phạm",
            refers_to_event_id=sent.event_id,
            own_case_id=f"VN-{self.opened_at:%Y}-POLICE-R{self.number:04d}",
        )
        self._emit(
            reaction,
            at=self._later(2, 10),
            agency="police",
            unit="Phòng Cảnh sát kinh tế - Công an cấp tỉnh",
            distribution=Distribution(
                level=DistributionLevel.LISTED_AGENCIES, agencies=("qltt",), handling=CONFIDENTIAL
            ),
        )

    def _takedown(self, listing: str) -> None:
        reference = f"{self.rng.randint(100, 999)}/CV-{self.s.agency.upper()}"
        requested_at = self.opened_at + timedelta(days=self.rng.randint(1, 10))
        request = TakedownRequested(
            platform=self.s.platform,
            listing_urls=(listing,),
            request_reference=reference,
            reason=self.s.title,
            due_at=requested_at + timedelta(hours=24),
        )
        self._emit(request, at=requested_at)
        if self.rng.random() < 0.9:
            outcome = TakedownOutcome.REMOVED if self.rng.random() < 0.8 else TakedownOutcome.NOT_FOUND
            done = TakedownCompleted(
                platform=self.s.platform,
                listing_urls=(listing,),
                request_reference=reference,
                outcome=outcome,
                platform_reference=f"TD-{self.rng.randint(10_000, 99_999)}",
            )
            self._emit(done, at=requested_at + timedelta(hours=self.rng.randint(2, 30)))

    def _partner(self, partner: Scenario, opening: CaseEvent) -> None:
        """A second agency recognises the case (often the seller) and takes its own measure."""
        known = self.subject_id is not None
        reaction = ReactionRecorded(
            reacting_agency=partner.agency,
            kind=ReactionKind.SUBJECT_ALSO_KNOWN if known else ReactionKind.ACKNOWLEDGED,
            note="Đối tượng có trong hồ sơ của đơn vị" if known else None,
            refers_to_event_id=opening.event_id,
        )
        self._emit(
            reaction, at=self.opened_at + timedelta(days=self.rng.randint(20, 40)), agency=partner.agency
        )
        self._penalty(partner, days=(41, 90))

    def _closure(self, penalized: bool, referred: bool, violation_found: bool) -> None:
        if referred:
            outcome = CaseOutcome.TRANSFERRED
        elif penalized and self.rng.random() < 0.7:
            outcome = CaseOutcome.PENALIZED
        elif not violation_found and self.rng.random() < 0.6:
            outcome = CaseOutcome.NO_VIOLATION
        else:
            return
        self._emit(CaseClosed(outcome=outcome), at=self._later(1, 20))

    def _later(self, low_days: int, high_days: int) -> datetime:
        self.clock += timedelta(days=self.rng.randint(low_days, high_days), hours=self.rng.randint(0, 8))
        return self.clock

    def _emit(
        self,
        payload: AnyPayload,
        *,
        at: datetime,
        agency: str | None = None,
        unit: str | None = None,
        distribution: Distribution | None = None,
        unknown: tuple[UnknownValue, ...] = (),
        embargo_until: datetime | None = None,
    ) -> CaseEvent:
        agency = agency or self.s.agency
        event = new_event(
            case_id=self.case_id,
            agency=agency,
            reporting_unit=unit or _unit_of(agency, self.s),
            payload=payload,
            occurred_at=at,
            recorded_at=at + timedelta(hours=self.rng.randint(1, 48)),
            producer=PRODUCER,
            distribution=distribution or _default_distribution(agency),
            event_id=uuid.UUID(int=self.rng.getrandbits(128), version=4),
            embargo_until=embargo_until,
            agency_case_ref=self.agency_case_ref if agency == self.s.agency else None,
            unknown=unknown,
        )
        self.events.append(event)
        return event


def _default_distribution(agency: str) -> Distribution:
    if agency == "police":
        return Distribution(level=DistributionLevel.OWNER_ONLY, handling=CONFIDENTIAL)
    return Distribution(level=DistributionLevel.ALL_AGENCIES)


def _unit_of(agency: str, owner: Scenario) -> str:
    if agency == owner.agency:
        return owner.unit
    return next(s.unit for s in SCENARIOS if s.agency == agency)


def _citation(code: str, on: datetime) -> LegalBasis:
    """The legal basis of a category on a date, from the reference data (first article of a range)."""
    row = category(code, local_date(on))
    article = re.match(r"\d+", row.article or "")
    if row.instrument is None or article is None:
        raise ValueError(f"category {code} has no citable article on {on:%Y-%m-%d}")
    return LegalBasis(instrument=row.instrument, article=article.group())
