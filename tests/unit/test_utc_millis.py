"""The UTC-milliseconds validator's shortcut for datetimes already exact (what decoders give) against
the full conversion it skips, kept here as the oracle: the same value or the same refusal for any time
in any zone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic_core import PydanticCustomError

from schemas.bounds import check_date
from schemas.record import _utc_millis


def _full_conversion(value: datetime) -> datetime:
    """schemas/record.py's _utc_millis before the shortcut (git 27f3a93)."""
    if value.tzinfo is None:
        raise ValueError("timestamp must carry a time zone")
    value = value.astimezone(UTC)
    return check_date(value.replace(microsecond=value.microsecond // 1000 * 1000))


_zones = st.one_of(
    st.just(UTC),
    st.none(),
    st.integers(-23 * 60, 23 * 60).map(lambda m: timezone(timedelta(minutes=m))),
)
_micros = st.one_of(st.integers(0, 999).map(lambda ms: ms * 1000), st.integers(0, 999_999))


@given(
    moment=st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)),
    zone=_zones,
    micros=_micros,
)
def test_the_shortcut_gives_what_the_full_conversion_gives(
    moment: datetime, zone: timezone | None, micros: int
) -> None:
    value = moment.replace(tzinfo=zone, microsecond=micros)
    try:
        expected: datetime | type[Exception] = _full_conversion(value)
    except (ValueError, PydanticCustomError) as exc:
        expected = type(exc)
    if isinstance(expected, datetime):
        got = _utc_millis(value)
        assert got == expected
        assert got.tzinfo is UTC and got.utcoffset() == timedelta(0)
        assert got.microsecond % 1000 == 0
    else:
        with pytest.raises(expected):
            _utc_millis(value)


def test_an_exact_utc_time_outside_the_records_dates_is_still_refused() -> None:
    with pytest.raises(PydanticCustomError, match="outside the dates"):
        _utc_millis(datetime(1900, 1, 1, tzinfo=UTC))
