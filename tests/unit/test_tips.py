"""The tip desk's pure parts: the signed form token (forged, too fast, stale), the form's bounds against
hostile input (NUL and control characters, huge fields, unknown fields), the reporter's keyed hash, the
per-address rate limit, the triage events and who may triage."""

from __future__ import annotations

import string
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import SecretStr, ValidationError

from schemas.events import CaseClosed, CaseOpened, CaseOutcome, CaseSource, TipReceived
from services.access.principal import Principal, Role
from services.tips.abuse import TipRateLimit
from services.tips.desk import assignable_agencies, may_triage
from services.tips.form_token import FormTokens, TokenRefused
from services.tips.keys import TipKeys
from services.tips.messages import refusal_message
from services.tips.submission import DESCRIPTION_MAX, TipForm, reporter_ref, tip_event
from services.tips.triage_events import DISMISSED_PREFIX, assignment_event, dismissal_event

NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
KEYS = TipKeys.derived(b"unit-test-secret", "tip1")
DESCRIPTION = "Gian hàng bán nước hoa giả nhãn hiệu Chanel, giá 150.000 đ một chai."


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def form(**changes: object) -> TipForm:
    values: dict[str, object] = {
        "category": "counterfeit",
        "description": DESCRIPTION,
        "platform": "shopee",
        "shop_url": "shopee.vn/nuochoa_gia_re",
        "contact": "0987 654 321",
        "token": "t",
    }
    values.update(changes)
    return TipForm.model_validate(values)


def test_a_token_is_refused_when_forged_too_fast_or_stale_and_accepted_in_between() -> None:
    clock = Clock(NOW)
    tokens = FormTokens(KEYS.form, clock, min_age=timedelta(seconds=3), max_age=timedelta(hours=1))
    token = tokens.issue()
    with pytest.raises(TokenRefused, match="quá nhanh"):
        tokens.nonce_of(token)
    clock.now = NOW + timedelta(seconds=5)
    nonce = tokens.nonce_of(token)
    assert nonce and nonce not in ("", token)
    clock.now = NOW + timedelta(hours=1, seconds=2)
    with pytest.raises(TokenRefused, match="quá hạn"):
        tokens.nonce_of(token)
    clock.now = NOW + timedelta(seconds=5)
    other_key = FormTokens(TipKeys.derived(b"another secret", "tip1").form, clock)
    for forged in (other_key.issue(), token[:-2] + "xx", token.replace(".", "!"), "", "é" * 10, "a" * 500):
        with pytest.raises(TokenRefused):
            tokens.nonce_of(forged)


def test_the_contact_becomes_a_keyed_hash_that_ignores_formatting_and_depends_on_the_key() -> None:
    one = reporter_ref(SecretStr("0987 654 321"), KEYS)
    assert one is not None and one.startswith("tip1:") and "0987" not in one
    assert one == reporter_ref(SecretStr("0987-654-321"), KEYS)
    assert one != reporter_ref(SecretStr("0987 654 321"), TipKeys.derived(b"other", "tip1"))
    assert reporter_ref(None, KEYS) is None
    assert "0987" not in repr(form()) and "654" not in str(form())


def test_a_checked_form_is_bcd389s_tip_and_the_contact_leaves_only_as_a_hash() -> None:
    event = tip_event(form(), "nonce-1", KEYS, NOW)
    assert (event.agency, event.event_type, event.distribution.level) == (
        "bcd389",
        "TipReceived",
        "OWNER_ONLY",
    )
    payload = event.payload
    assert isinstance(payload, TipReceived)
    assert payload.listing_urls == ("https://shopee.vn/nuochoa_gia_re",)
    assert payload.reporter_ref == reporter_ref(SecretStr("0987654321"), KEYS)
    assert "654" not in event.model_dump_json().replace(payload.reporter_ref or "", "")
    assert tip_event(form(), "nonce-1", KEYS, NOW).event_id == event.event_id  # one token, one id
    assert event.case_id.startswith("TIP-20261201-")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"description": "quá ngắn"}, "description"),
        ({"description": "x" * (DESCRIPTION_MAX + 1)}, "description"),
        ({"description": DESCRIPTION + "\x00"}, "description"),
        ({"description": DESCRIPTION + "\x1b[31m"}, "description"),
        ({"contact": "0987\x00654"}, "contact"),
        ({"contact": "0987\n654"}, "contact"),
        ({"contact": "9" * 201}, "contact"),
        ({"shop_url": "https://shopee.vn/" + "a" * 600}, "shop_url"),
        ({"shop_url": "https://shopee.vn/a b"}, "shop_url"),
        ({"category": "DROP TABLE"}, "category"),
        ({"province_code": "1"}, "province_code"),
        ({"reporter_ref": "tip1:" + "0" * 64}, "reporter_ref"),
    ],
)
def test_hostile_fields_are_refused_naming_the_field_never_the_value(
    changes: dict[str, str], field: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        form(**changes)
    message = refusal_message(refused.value)
    assert f"({field}:" in message
    assert "654" not in message and "\x00" not in message


def test_unknown_codes_are_refused_before_anything_is_sent() -> None:
    for changes in ({"category": "not_a_category"}, {"platform": "myspace"}, {"province_code": "99"}):
        with pytest.raises(Exception, match=r"unknown|not"):
            tip_event(form(**changes), "n", KEYS, NOW)


@settings(max_examples=150, deadline=None)
@given(
    description=st.text(min_size=0, max_size=5000),
    contact=st.one_of(st.none(), st.text(max_size=250)),
    shop_url=st.one_of(st.none(), st.text(alphabet=string.printable + "đ\x00\u202e", max_size=80)),
)
def test_any_input_is_either_refused_cleanly_or_a_valid_event(
    description: str, contact: str | None, shop_url: str | None
) -> None:
    try:
        checked = form(description=description, contact=contact, shop_url=shop_url)
    except ValidationError as refused:
        assert refusal_message(refused)
        return
    event = tip_event(checked, "n", KEYS, NOW)
    assert isinstance(event.payload, TipReceived)
    if contact and contact.strip():
        # The contact is in the event only where the rest of the tip already says it (a description of
        # "0000…" holds the contact "000"): the event without any contact holds it as often.
        without = tip_event(form(description=description, contact=None, shop_url=shop_url), "n", KEYS, NOW)
        shown = contact.strip()
        told = event.model_dump_json(exclude={"payload": {"reporter_ref"}})  # a keyed hash, hex digits
        assert told.count(shown) == without.model_dump_json(exclude={"payload": {"reporter_ref"}}).count(
            shown
        )


def test_a_flood_from_one_address_is_cut_off_and_others_are_not() -> None:
    limit = TipRateLimit("3/minute")
    assert [limit.allow("10.0.0.1") for _ in range(5)] == [True, True, True, False, False]
    assert limit.allow("10.0.0.2")


def test_assignment_opens_the_agencys_case_on_the_tip_and_dismissal_closes_it_with_the_reason() -> None:
    tip = tip_event(form(), "n", KEYS, NOW)
    opened = assignment_event(
        tip_event_id=str(tip.event_id),
        case_id=tip.case_id,
        summary=DESCRIPTION,
        platform="shopee",
        listing_urls=("https://shopee.vn/nuochoa_gia_re",),
        agency="qltt",
        unit="QLTT",
        province_code="01",
        category="counterfeit",
        goods="nước hoa",
        now=NOW,
    )
    assert (opened.agency, opened.case_id) == ("qltt", tip.case_id)
    assert isinstance(opened.payload, CaseOpened) and opened.payload.source is CaseSource.HOTLINE_TIP
    assert str(tip.event_id) in (opened.payload.summary or "")
    assert opened.distribution.agencies == ("bcd389",)
    closed = dismissal_event(tip_event_id=str(tip.event_id), case_id=tip.case_id, reason="trùng", now=NOW)
    assert isinstance(closed.payload, CaseClosed) and closed.payload.outcome is CaseOutcome.OTHER
    assert closed.payload.note == f"{DISMISSED_PREFIX}trùng" and closed.agency == "bcd389"
    with pytest.raises(ValidationError):
        dismissal_event(tip_event_id=str(tip.event_id), case_id=tip.case_id, reason="x\x00", now=NOW)


def test_only_bcd389s_analysts_and_officers_triage() -> None:
    assert may_triage(Principal("a", "A", "bcd389", Role.ANALYST))
    assert may_triage(Principal("o", "O", "bcd389", Role.AGENCY_OFFICER))
    for principal in (
        Principal("q", "Q", "qltt", Role.ANALYST),
        Principal("ad", "Admin", "bcd389", Role.ADMIN),
        Principal("s", "System", "bcd389", Role.AGENCY_SYSTEM),
        Principal("p", "Public", None, Role.PUBLIC),
    ):
        assert not may_triage(principal)
    assert "bcd389" not in assignable_agencies() and "qltt" in assignable_agencies()
