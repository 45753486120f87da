"""A report row told as case events, with ids derived from the row's identity so a re-import adds nothing.

The identity is the agency, the reporting unit, the natural key (decision, record or case number, in the
mapping's order) and the year; the same row imported twice yields the same case id and event ids, and the
hub's event-id de-duplication absorbs the second copy.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime, time, timedelta

from producers.citations import citation
from producers.importers.case_report import CaseReport
from producers.importers.mapping import AgencyMapping
from producers.importers.text import fold
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
    GoodsSeized,
    InspectionConducted,
    InspectionResult,
    LegalBasis,
    PenaltyDecided,
    ReferralKind,
    SalesChannel,
    SeizedItem,
    SubjectIdentified,
    SubjectKind,
    SubjectRole,
    TakedownRequested,
    ViolationConfirmed,
    new_event,
)
from schemas.normalisation import shop_key_of_url
from schemas.normalisation.organisation import is_organisation_name
from schemas.reference import VIETNAM, category

IMPORT_NAMESPACE = uuid.UUID("6f1d3c52-9a0e-5b7e-8d3a-2c4f1e0b9a77")
PRODUCER = "casehub-importer"
_CITATION = re.compile(
    r"(?:diem\s+([a-z])\s*)?(?:khoan\s+(\d{1,2})\s*)?dieu\s+(\d{1,3}[a-z]?)\s*"
    r"(?:nghi dinh\s*)?(\d+/\d{4}/\S+)?"
)
_CHANNELS = {
    "website": SalesChannel.WEBSITE,
    "zalo": SalesChannel.MESSAGING,
    "telegram": SalesChannel.MESSAGING,
}
_SOCIAL = {"facebook", "instagram", "youtube"}


def report_events(report: CaseReport, mapping: AgencyMapping, recorded_at: datetime) -> list[CaseEvent]:
    """CaseOpened, then what the row says happened: subject, inspection, violation, seizure, penalty,
    referral, takedown, closure."""
    return _Story(report, mapping, recorded_at).tell()


def own_reference(report: CaseReport) -> str:
    """The unit's own number for the case, kept as agency_case_ref: its dossier number when the report has
    one ("QLTT-DN-2023-0101"), else the record or decision number that keys the row."""
    found = (report.get(name) for name in ("case_ref", "record_number", "decision_number"))
    return next((str(ref) for ref in found if ref), report.key)


def row_identity(report: CaseReport, mapping: AgencyMapping) -> str:
    unit = fold(report.get("unit") or mapping.reporting_unit)
    return f"{mapping.agency}|{unit}|{report.key_field}|{fold(report.key)}|{report.opened_on.year}"


class _Story:
    def __init__(self, report: CaseReport, mapping: AgencyMapping, recorded_at: datetime) -> None:
        self.r = report
        self.m = mapping
        self.recorded_at = recorded_at
        self.identity = row_identity(report, mapping)
        digest = uuid.uuid5(IMPORT_NAMESPACE, self.identity).hex[:12].upper()
        self.own_ref = own_reference(report)
        self.case_id = f"VN-{report.opened_on.year}-{mapping.agency.upper()}-I{digest}"
        self.events: list[CaseEvent] = []
        self.subject_id: str | None = None

    def tell(self) -> list[CaseEvent]:
        r, opened = self.r, self.r.opened_on
        decided = r.get("decided_on") or opened
        if decided < opened:
            raise ValueError(
                "decided_on: ngày quyết định trước ngày phát hiện "
                "(the decision is dated before the case was found)"
            )
        code = r.get("category")
        self._emit(self._opened(), opened)
        self._subject(opened)
        if self.m.inspection is not None:
            self._emit(self._inspection(), opened)
        if code is not None:
            self._emit(self._violation(code, opened), opened)
        if r.get("seized_quantity") is not None:
            self._emit(self._seizure(), opened)
        penalised = r.get("fine") is not None
        if penalised:
            self._emit(self._penalty(code, decided), decided)
        elif r.get("decision_number") is not None:
            raise ValueError(
                "fine: có số quyết định nhưng không có tiền phạt "
                "(a decision number is given but no fine; ghi 0 nếu phạt cảnh cáo)"
            )
        referred = bool(r.get("referred")) and self.m.agency != "police"
        if referred:
            self._emit(self._referral(), decided)
        if r.get("takedown") and self._takedown_links() and r.get("platform") not in (None, "website"):
            self._emit(self._takedown(), decided)
        if self.m.closes_cases and (penalised or referred):
            outcome = CaseOutcome.TRANSFERRED if referred else CaseOutcome.PENALIZED
            self._emit(CaseClosed(outcome=outcome, note=r.get("note")), decided + timedelta(days=1))
        return self.events

    def _opened(self) -> CaseOpened:
        r = self.r
        code = r.get("category") or "unclassified"
        name = category(code, r.opened_on).name_vi
        what = f"{name}: {r.get('goods')}" if r.get("goods") else name
        links = [link for link in (r.get("listing_url"), _shop_link(r.get("shop_url"))) if link]
        return CaseOpened(
            title=f"[{self.own_ref}] {what}"[:200],  # the unit's own number, so the case search finds it
            source=CaseSource.UNKNOWN,
            channel=_channel(r.get("platform")),
            platform=r.get("platform"),
            goods=r.get("goods") or "",
            province_code=r.get("province"),
            category=code,
            listing_urls=tuple(dict.fromkeys(links)),
            goods_value_vnd=r.get("goods_value"),
            summary=r.get("note"),
        )

    def _subject(self, on: date) -> None:
        r = self.r
        shop_url, shop_id = self._shop()
        facts = (r.get("seller_name"), r.get("phone"), r.get("tax_code"), shop_url, shop_id)
        if not any(facts):
            return
        self.subject_id = f"{self.m.agency.upper()}-S{uuid.uuid5(IMPORT_NAMESPACE, self.identity).hex[:10]}"
        name = r.get("seller_name")
        subject = SubjectIdentified(
            subject_id=self.subject_id,
            kind=_kind(name, is_organisation_name(name)),
            role=SubjectRole.SELLER,
            display_name=name,
            platform=r.get("platform"),
            shop_id=shop_id,
            shop_url=shop_url,
            phone=r.get("phone"),
            tax_code=r.get("tax_code"),
            address=r.get("address"),
            province_code=r.get("province"),
        )
        self._emit(subject, on)

    def _shop(self) -> tuple[str | None, str | None]:
        """The seller's shop as an identifier: the shop column (a link, or a bare id on the row's platform),
        else the listing URL when it names a shop (a Shopee product page names its shop id)."""
        written = self.r.get("shop_url")
        if written and "://" in written:
            return written, None
        if written:
            if self.r.get("platform") is None:
                needs = "cần cột Nền tảng (a shop id needs the platform)"
                raise ValueError(f"shop_url: mã gian hàng {written!r} {needs}")
            return None, written
        listing = self.r.get("listing_url")
        return (listing, None) if listing and shop_key_of_url(listing) else (None, None)

    def _inspection(self) -> InspectionConducted:
        assert self.m.inspection is not None
        return InspectionConducted(
            kind=self.m.inspection,
            result=InspectionResult.VIOLATION_FOUND if self.r.get("category") else InspectionResult.UNKNOWN,
            record_number=self.r.get("record_number"),
            province_code=self.r.get("province"),
            subject_id=self.subject_id,
        )

    def _violation(self, code: str, on: date) -> ViolationConfirmed:
        return ViolationConfirmed(
            category=code,
            legal_basis=self._legal_basis(code, on),
            subject_id=self.subject_id,
            record_number=self.r.get("record_number"),
            description=self.r.get("note"),
            goods_value_vnd=self.r.get("goods_value"),
        )

    def _seizure(self) -> GoodsSeized:
        r = self.r
        item = SeizedItem(
            description=r.get("goods") or "hàng hóa",
            quantity=r.get("seized_quantity"),
            unit=r.get("seized_unit") or "đơn vị",
            value_vnd=r.get("goods_value"),
            brand=r.get("brand"),
        )
        return GoodsSeized(items=(item,), record_number=r.get("record_number"))

    def _penalty(self, code: str | None, on: date) -> PenaltyDecided:
        r = self.r
        return PenaltyDecided(
            decision_number=r.get("decision_number") or f"{r.key} (không có số quyết định)",
            fine_vnd=r.get("fine"),
            violator_name=r.get("seller_name"),
            subject_id=self.subject_id,
            legal_basis=self._legal_basis(code, on) if code else None,
        )

    def _referral(self) -> CaseReferred:
        return CaseReferred(
            to_agency="police",
            kind=ReferralKind.CRIMINAL_INVESTIGATION,
            reason=self.r.get("note") or "Có dấu hiệu tội phạm; chuyển cơ quan điều tra",
        )

    def _takedown(self) -> TakedownRequested:
        return TakedownRequested(
            platform=self.r.get("platform"),
            listing_urls=self._takedown_links(),
            request_reference=f"{self.r.key}/GỠ",
            reason=self.r.get("note"),
        )

    def _takedown_links(self) -> tuple[str, ...]:
        links = (self.r.get("listing_url"), _shop_link(self.r.get("shop_url")))
        return tuple(dict.fromkeys(link for link in links if link))

    def _legal_basis(self, code: str, on: date) -> LegalBasis:
        """The row's own citation ("Điểm a Khoản 2 Điều 15 Nghị định 98/2020/NĐ-CP") or the category's."""
        written = self.r.get("legal_basis")
        found = category(code, on)
        if written:
            match = _CITATION.search(fold(written))
            if match is None:
                example = "Điểm a Khoản 2 Điều 15 Nghị định 98/2020/NĐ-CP"
                raise ValueError(
                    f"legal_basis: không đọc được căn cứ {written!r} "
                    f"(cannot read the citation; ghi {example})"
                )
            point, clause, article, instrument = match.groups()
            instrument = _instrument(written) if instrument else found.instrument
            return LegalBasis(instrument=instrument or "", article=article, clause=clause, point=point)
        return citation(code, on)

    def _emit(self, payload: AnyPayload, on: date) -> None:
        m = self.m
        at = datetime.combine(on, time(9, 0), VIETNAM).astimezone(UTC) + timedelta(minutes=len(self.events))
        distribution = Distribution(level=m.distribution, handling=m.handling)
        if isinstance(payload, CaseReferred) and m.distribution == DistributionLevel.OWNER_ONLY:
            distribution = Distribution(level=DistributionLevel.LISTED_AGENCIES, agencies=("police",))
        self.events.append(
            new_event(
                case_id=self.case_id,
                agency=m.agency,
                reporting_unit=self.r.get("unit") or m.reporting_unit,
                payload=payload,
                occurred_at=at,
                recorded_at=max(self.recorded_at, at),
                producer=PRODUCER,
                distribution=distribution,
                event_id=uuid.uuid5(
                    IMPORT_NAMESPACE, f"{self.identity}|{payload.event_type}|{len(self.events)}"
                ),
                agency_case_ref=self.own_ref[:64],
            )
        )


def _shop_link(written: str | None) -> str | None:
    return written if written and "://" in written else None


def _kind(name: str | None, organisation: bool) -> SubjectKind:
    if organisation:
        return SubjectKind.ORGANISATION
    return SubjectKind.PERSON if name else SubjectKind.UNKNOWN


def _channel(code: str | None) -> SalesChannel:
    if code is None:
        return SalesChannel.UNKNOWN
    if code in _CHANNELS:
        return _CHANNELS[code]
    return SalesChannel.SOCIAL_NETWORK if code in _SOCIAL else SalesChannel.MARKETPLACE


def _instrument(written: str) -> str:
    """The instrument as written, keeping its diacritics: "98/2020/NĐ-CP"."""
    match = re.search(r"\d+/\d{4}/\S+", written)
    return match.group().rstrip(".,;") if match else ""
