"""How the pages write numbers and moments the Vietnamese way: money with dots between thousands, dates as
dd/mm/yyyy in Vietnam's time zone, durations in words. Template filters (services.web.templates) and the
charts use them."""

from __future__ import annotations

from datetime import datetime

from schemas.reference import VIETNAM


def vnd(value: float | None) -> str:
    """12.500.000 đ, the Vietnamese way (dots between thousands)."""
    if value is None:
        return "—"
    return f"{int(value):,}".replace(",", ".") + " đ"


def millions(value: float) -> str:
    """A chart axis in millions of đồng: 12.500.000 → 13."""
    return f"{value / 1_000_000:,.0f}".replace(",", ".")


def whole(value: float) -> str:
    """A count with dots between thousands: 12500 → 12.500."""
    return f"{int(value):,}".replace(",", ".")


def thousands(value: int | None) -> str:
    """Like `whole`, with a dash for no value (the ops pages' offsets and lags)."""
    return "—" if value is None else f"{value:,}".replace(",", ".")


def local_time(value: datetime | None, with_time: bool = True) -> str:
    """A moment in Vietnam's time zone: 05/12/2026 14:30 (or the day alone)."""
    if value is None:
        return "—"
    moment = value.astimezone(VIETNAM)
    return moment.strftime("%d/%m/%Y %H:%M") if with_time else moment.strftime("%d/%m/%Y")


def local_day(value: datetime | None) -> str:
    return local_time(value, with_time=False)
