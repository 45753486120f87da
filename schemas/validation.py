"""The contract's reference rules: every code on an event must exist on the event's local date.

Value rules (shapes, non-negative money) live in the models; these need the dated reference data,
so the materializer applies them after decoding and dead-letters the event with the reason.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import singledispatch
from typing import Any, TypeVar

from schemas.errors import ContractViolation
from schemas.events import (
    CaseEvent,
    CaseOpened,
    CaseReferred,
    InspectionConducted,
    Payload,
    PenaltyDecided,
    ReactionRecorded,
    SalesChannel,
    SubjectIdentified,
    TakedownCompleted,
    TakedownRequested,
    TipReceived,
    ViolationConfirmed,
)
from schemas.fine_limits import check_fine_within_maximum
from schemas.reference import agency, category, handling_code, local_date, platform, province_on

R = TypeVar("R")
_FOUND: dict[tuple[Callable[..., Any], str, date], Any] = {}
_FOUND_LIMIT = 100_000


def _found(lookup: Callable[[str, date], R], code: str, day: date) -> R:
    """What a reference lookup found for a code on a day, remembered: the bundled reference data never
    changes in a process and events repeat the same few codes and days. A code the lookup refuses is
    asked again every time, so the error and its message are always the lookup's own."""
    key = (lookup, code, day)
    try:
        row = _FOUND.get(key)
    except TypeError:  # not a code at all: the lookup says what is wrong with it
        return lookup(code, day)
    if row is None:
        row = lookup(code, day)
        if len(_FOUND) >= _FOUND_LIMIT:
            _FOUND.clear()
        _FOUND[key] = row
    return row


def check_event(event: CaseEvent) -> None:
    """Raise ContractViolation naming the first code the event uses that is unknown for its date."""
    day = local_date(event.occurred_at)
    publisher = _found(agency, event.agency, day)
    if not publisher.publishes:
        raise ContractViolation(f"agency {event.agency!r} does not publish case events")
    for listed in event.distribution.agencies:
        _known_agency(listed, day, "distribution.agencies")
    if event.distribution.handling is not None:
        handling_code(event.distribution.handling)
    payload_class = event.payload.__class__
    check = _CHECK_BY_CLASS.get(payload_class)
    if check is None:
        check = _CHECK_BY_CLASS[payload_class] = check_payload.dispatch(payload_class)
    check(event.payload, day, event)


_CHECK_BY_CLASS: dict[type[Payload], Callable[[Payload, date, CaseEvent], None]] = {}
"""`check_payload`'s implementation by payload class: what its dispatch finds, kept in a plain dict
(singledispatch's own call costs ~0.5 µs, a fifth of the whole check). Every implementation is registered
below, at import, before any event is checked; a test may add one with `check_payload.register` and
clear this table."""


@singledispatch
def check_payload(payload: Payload, day: date, event: CaseEvent) -> None:
    """Payloads without coded fields (seizures, closures) need no reference check."""


@check_payload.register
def _opened(payload: CaseOpened, day: date, event: CaseEvent) -> None:
    _found(province_on, payload.province_code, day)
    _found(category, payload.category, day)
    _platform_and_channel(payload.platform, payload.channel, day)


@check_payload.register
def _penalty(payload: PenaltyDecided, day: date, event: CaseEvent) -> None:
    check_fine_within_maximum(payload, day)  # schemas/fine_limits.py: the legal maximum of the fine


@check_payload.register
def _tip(payload: TipReceived, day: date, event: CaseEvent) -> None:
    _optional_province(payload.province_code, day)
    if payload.suspected_category is not None:
        _found(category, payload.suspected_category, day)
    _platform_and_channel(payload.platform, SalesChannel.UNKNOWN, day)


@check_payload.register
def _subject(payload: SubjectIdentified, day: date, event: CaseEvent) -> None:
    _optional_province(payload.province_code, day)
    _platform_and_channel(payload.platform, SalesChannel.UNKNOWN, day)


@check_payload.register
def _inspection(payload: InspectionConducted, day: date, event: CaseEvent) -> None:
    _optional_province(payload.province_code, day)
    for joint in payload.joint_agencies:
        _known_agency(joint, day, "joint_agencies")


@check_payload.register
def _violation(payload: ViolationConfirmed, day: date, event: CaseEvent) -> None:
    _found(category, payload.category, day)


@check_payload.register
def _referral(payload: CaseReferred, day: date, event: CaseEvent) -> None:
    _known_agency(payload.to_agency, day, "to_agency")
    if payload.to_agency == event.agency:
        raise ContractViolation(f"to_agency: {event.agency!r} cannot refer a case to itself")


@check_payload.register
def _reaction(payload: ReactionRecorded, day: date, event: CaseEvent) -> None:
    _known_agency(payload.reacting_agency, day, "reacting_agency")


@check_payload.register
def _takedown_requested(payload: TakedownRequested, day: date, event: CaseEvent) -> None:
    _found(platform, payload.platform, day)


@check_payload.register
def _takedown_completed(payload: TakedownCompleted, day: date, event: CaseEvent) -> None:
    _found(platform, payload.platform, day)


def _known_agency(code: str, day: date, where: str) -> None:
    try:
        _found(agency, code, day)
    except ContractViolation as exc:
        raise ContractViolation(f"{where}: {exc}") from None


def _optional_province(code: str | None, day: date) -> None:
    if code is not None:
        _found(province_on, code, day)


def _platform_and_channel(code: str | None, channel: SalesChannel, day: date) -> None:
    """A platform must exist, and a stated channel must be one the platform offers."""
    if code is None:
        return
    found = _found(platform, code, day)
    if channel != SalesChannel.UNKNOWN and channel not in found.channels:
        offered = ", ".join(sorted(found.channels))
        raise ContractViolation(f"channel {channel} is not offered by platform {code!r} ({offered})")
