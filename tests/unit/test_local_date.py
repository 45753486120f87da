"""local_date's shortcut for UTC times (adding Vietnam's fixed offset) against the time-zone conversion
it skips, kept here as the oracle: the same calendar day, or the same refusal, for any moment."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from schemas.reference.datasets import VIETNAM, local_date


def _converted(moment: date) -> date:
    """local_date before the shortcut (git 27f3a93)."""
    if isinstance(moment, datetime):
        if moment.tzinfo is None:
            raise ValueError("a moment without a time zone has no date in Vietnam")
        return moment.astimezone(VIETNAM).date()
    return moment


_zones = st.one_of(
    st.just(UTC),
    st.none(),
    st.just(VIETNAM),
    st.integers(-23 * 60, 23 * 60).map(lambda m: timezone(timedelta(minutes=m))),
)


@given(moment=st.datetimes(), zone=_zones)
def test_the_shortcut_gives_the_day_the_conversion_gives(moment: datetime, zone: timezone | None) -> None:
    value = moment.replace(tzinfo=zone)
    try:
        expected: date | type[Exception] = _converted(value)
    except (ValueError, OverflowError) as exc:
        expected = type(exc)
    if isinstance(expected, date):
        assert local_date(value) == expected
    else:
        with pytest.raises(expected):
            local_date(value)


@given(day=st.dates())
def test_a_date_is_taken_as_already_local(day: date) -> None:
    assert local_date(day) == day == _converted(day)


def test_late_evening_utc_is_the_next_day_in_vietnam() -> None:
    assert local_date(datetime(2025, 3, 31, 17, 0, tzinfo=UTC)) == date(2025, 4, 1)
    assert local_date(datetime(2025, 3, 31, 16, 59, 59, 999000, tzinfo=UTC)) == date(2025, 3, 31)
