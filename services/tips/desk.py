"""The tip desk of one API process: takes a public tip (rate limit → form token → bounds → event → publish)
and BCĐ 389's triage decisions (claim → event → publish, or release the claim), shared by the API and the
pages. Publishing goes through the same Publisher every agency system uses (acks=all, idempotent), logged
in as the hub's publishing user; the tip reaches the store only through the broker and the materializer.

Nothing here logs or stores a contact: the form holds it as a SecretStr until `tip_event` hashes it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import structlog
from pydantic import ValidationError
from sqlalchemy import Engine

from producers.publisher import Delivery, Publisher
from schemas.errors import ContractViolation
from schemas.events import CaseEvent
from schemas.outages import BrokerUnavailable
from schemas.reference import publishing_agencies
from services.access.principal import Capability, Principal
from services.broker_access.credentials import CredentialsError
from services.settings import Settings
from services.tips.abuse import TipRateLimit
from services.tips.form_token import FormTokens, TokenRefused
from services.tips.keys import TipKeys
from services.tips.messages import refusal_message
from services.tips.submission import DESK_AGENCY, TipForm, tip_event
from services.tips.triage import TipItem, TriageRefused, claim, list_tips, release
from services.tips.triage_events import assignment_event, dismissal_event

logger = structlog.get_logger(__name__)


class TipRefused(Exception):
    """A public tip not taken, with the HTTP status and a reason in Vietnamese (English in brackets)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Submitted:
    reference: str
    event_id: str


def may_triage(principal: Principal) -> bool:
    """BCĐ 389's analysts and officers; nobody of another agency, whatever their role."""
    return principal.can(Capability.TRIAGE_TIPS) and principal.agency == DESK_AGENCY


def assignable_agencies() -> list[str]:
    """Agencies a tip can be handed to: those that publish cases, the desk itself excepted."""
    return sorted(code for code in publishing_agencies() if code != DESK_AGENCY)


class TipDesk:
    def __init__(
        self,
        engine: Engine,
        settings: Settings,
        publisher_factory: Callable[[], Publisher],
        clock: Callable[[], datetime],
    ) -> None:
        self.engine = engine
        self.keys = TipKeys.of(settings)
        self.clock = clock
        self.tokens = FormTokens(
            self.keys.form,
            clock,
            min_age=timedelta(seconds=settings.tip_form_min_s),
            max_age=timedelta(seconds=settings.tip_form_max_s),
        )
        self.rate = TipRateLimit(settings.tip_rate_limit)
        self._publisher_factory = publisher_factory
        self._publisher: Publisher | None = None
        self._lock = threading.Lock()

    def close(self) -> None:
        with self._lock:
            if self._publisher is not None:
                self._publisher.close()
                self._publisher = None

    def admit(self, client: str) -> None:
        """Count a post from this address; TipRefused(429) once it is over the limit."""
        if not self.rate.allow(client):
            logger.warning("tip flood refused", client=client)
            raise TipRefused(429, "quá nhiều tin báo từ địa chỉ này: hãy thử lại sau (too many tips)")

    def submit(self, form: TipForm) -> Submitted:
        """Publish BCĐ 389's TipReceived for a form already admitted and bounds-checked."""
        try:
            nonce = self.tokens.use(self.engine, form.token)
        except TokenRefused as refused:
            status = 409 if "đã được gửi" in str(refused) else 400
            raise TipRefused(status, str(refused)) from None
        now = self.clock()
        try:
            event = tip_event(form, nonce, self.keys, now)
        except (ContractViolation, ValidationError, ValueError) as bad:
            raise TipRefused(422, _first_line(bad)) from None
        try:
            self.publish(event, TipRefused)
        except TipRefused:
            self.tokens.release(self.engine, nonce)  # nothing was sent: the same form may be sent again
            raise
        logger.info("tip received", case_id=event.case_id, with_contact=form.contact is not None)
        return Submitted(reference=event.case_id, event_id=str(event.event_id))

    def tips(
        self, principal: Principal, state: str | None = None, event_id: str | None = None
    ) -> list[TipItem]:
        with self.engine.connect() as connection:
            return list_tips(connection, state=state, provinces=principal.provinces, event_id=event_id)

    def tip(self, principal: Principal, event_id: str) -> TipItem:
        found = self.tips(principal, event_id=event_id)
        if not found:
            raise TriageRefused(404, f"không có tin báo {event_id} (no such tip)")
        return found[0]

    def assign(
        self,
        principal: Principal,
        event_id: str,
        *,
        agency: str,
        province_code: str | None,
        category: str | None,
        goods: str | None,
    ) -> Delivery:
        """Hand a tip to an agency: that agency's CaseOpened on the tip's case."""
        tip = self.tip(principal, event_id)
        if agency not in assignable_agencies():
            raise TriageRefused(422, f"agency: {agency!r} không nhận được tin báo (not an assignable agency)")
        province = province_code or tip.province_code
        chosen = category or tip.category
        if province is None or chosen is None:
            raise TriageRefused(422, "cần tỉnh/thành và loại vi phạm để mở vụ việc (province and category)")
        try:
            event = assignment_event(
                tip_event_id=tip.event_id,
                case_id=tip.case_id,
                summary=tip.summary,
                platform=tip.platform,
                listing_urls=tip.listing_urls,
                agency=agency,
                unit=f"Tiếp nhận từ BCĐ 389 ({principal.display_name})"[:200],
                province_code=province,
                category=chosen,
                goods=goods or "Chưa xác định (theo tin báo)",
                now=self.clock(),
            )
        except (ContractViolation, ValidationError, ValueError) as bad:
            raise TriageRefused(422, _first_line(bad)) from None
        return self._decide(principal, tip, event, decision="assigned", agency=agency, reason=None)

    def dismiss(self, principal: Principal, event_id: str, reason: str) -> Delivery:
        """Dismiss a tip with a reason: BCĐ 389's CaseClosed on the tip's case."""
        tip = self.tip(principal, event_id)
        try:
            event = dismissal_event(
                tip_event_id=tip.event_id, case_id=tip.case_id, reason=reason, now=self.clock()
            )
        except (ContractViolation, ValidationError, ValueError) as bad:
            raise TriageRefused(422, _first_line(bad)) from None
        return self._decide(principal, tip, event, decision="dismissed", agency=None, reason=reason)

    def _decide(
        self,
        principal: Principal,
        tip: TipItem,
        event: CaseEvent,
        *,
        decision: str,
        agency: str | None,
        reason: str | None,
    ) -> Delivery:
        claim(
            self.engine,
            tip,
            decision=decision,
            agency=agency,
            reason=reason,
            event_id=str(event.event_id),
            decided_by=principal.principal_id,
            now=self.clock(),
        )
        try:
            return self.publish(event, TriageRefused)
        except TriageRefused:
            release(self.engine, tip.event_id)
            raise

    def publish(self, event: CaseEvent, refusal: Callable[[int, str], Exception]) -> Delivery:
        """Send one event and wait for the broker's confirmation; `refusal(status, reason)` if not."""
        with self._lock:
            try:
                if self._publisher is None:
                    self._publisher = self._publisher_factory()
                report = self._publisher.publish([event])
            except (BrokerUnavailable, CredentialsError) as down:  # no broker, or no login to it
                logger.error("tip desk cannot publish", error=str(down))
                raise refusal(
                    503, "chưa gửi được, hãy thử lại sau (not published: the broker is unavailable)"
                ) from None
        if report.failed:
            reason = report.failed[0][1]
            raise refusal(422 if report.rejected else 503, f"chưa gửi được (not published: {reason})")
        return report.deliveries[0]


def _first_line(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return refusal_message(error)
    return str(error).splitlines()[0]
