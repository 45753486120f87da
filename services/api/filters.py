"""Query parameters of case lists, checked against the reference data so a bad filter is a 422 that says
what is wrong (an unknown province, an expired code, dates the wrong way round), never a 500."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import HTTPException, Query

from consumers.case_fold import STUB_STATUS
from consumers.clock import utcnow
from consumers.event_types.entry import STAGES
from schemas.errors import ContractViolation
from schemas.reference import Bucket, agencies, category_history, platforms, province_history, province_on
from services.api.bounds import MAX_OFFSET, MAX_TEXT, NO_NUL, date_out_of_range
from services.store.queries.case_filter import SORTABLE, CaseFilter, Page, UnitPeriod

STATUSES = (STUB_STATUS, *(stage for stage in STAGES if stage != "none"))


def bad_filter(message: str) -> HTTPException:
    return HTTPException(status_code=422, detail=message)


def case_filter(
    q: Annotated[
        str | None,
        Query(
            max_length=MAX_TEXT,
            pattern=NO_NUL,
            description="Words in the case id, title or goods; diacritics optional.",
        ),
    ] = None,
    agency: Annotated[str | None, Query(description="An agency involved in the case, e.g. qltt.")] = None,
    province: Annotated[
        str | None,
        Query(description="A current (34-unit) province code, or a retired one (e.g. 77) as written then."),
    ] = None,
    province_on: Annotated[
        date | None,
        Query(description="Read `province` as the unit it meant on this date (24 in 2024 = Bắc Giang)."),
    ] = None,
    category: Annotated[str | None, Query(description="Violation category code, e.g. counterfeit.")] = None,
    bucket: Annotated[
        str | None, Query(description="BCĐ 389 bucket: " + ", ".join(b.value for b in Bucket))
    ] = None,
    status: Annotated[str | None, Query(description="Furthest stage: " + ", ".join(STATUSES))] = None,
    platform: Annotated[str | None, Query(description="Platform code, e.g. shopee.")] = None,
    date_from: Annotated[date | None, Query(description="First event on or after (Vietnamese date).")] = None,
    date_to: Annotated[date | None, Query(description="First event on or before (Vietnamese date).")] = None,
) -> CaseFilter:
    """The filter, or a 422 naming the parameter and what would be accepted."""
    if agency and agency not in agencies():
        raise bad_filter(f"unknown agency {agency!r} (one of {', '.join(sorted(agencies()))})")
    if category:
        try:
            category_history(category)
        except ContractViolation as exc:
            raise bad_filter(str(exc)) from None
    if bucket and bucket not in {b.value for b in Bucket}:
        raise bad_filter(f"unknown bucket {bucket!r} (one of {', '.join(b.value for b in Bucket)})")
    if status and status not in STATUSES:
        raise bad_filter(f"unknown status {status!r} (one of {', '.join(STATUSES)})")
    if platform and platform not in platforms():
        raise bad_filter(f"unknown platform {platform!r} (one of {', '.join(sorted(platforms()))})")
    if q is not None and len(q) > MAX_TEXT:  # the Query bound, also for the pages that call this directly
        raise bad_filter(f"q is longer than {MAX_TEXT} characters")
    if q is not None and "\x00" in q:  # the Query pattern, also for the pages
        raise bad_filter("q holds a NUL character")
    for name, value in (("date_from", date_from), ("date_to", date_to), ("province_on", province_on)):
        if problem := date_out_of_range(name, value):
            raise bad_filter(problem)
    if date_from and date_to and date_from > date_to:
        raise bad_filter(f"date_from {date_from} is after date_to {date_to}")
    current, historical = _province(province, province_on)
    return CaseFilter(
        agency=agency or None,
        current_province=current,
        historical_province=historical,
        category=category or None,
        bucket=bucket or None,
        status=status or None,
        platform=platform or None,
        date_from=date_from,
        date_to=date_to,
        text=q.strip() if q and q.strip() else None,
    )


def _province(code: str | None, on: date | None) -> tuple[str | None, UnitPeriod | None]:
    """A unit in force today matches every case now in it; an older unit matches cases written with its code
    while it existed."""
    if not code:
        return None, None
    try:
        unit = province_on(code, on) if on else province_history(code)[-1]
    except ContractViolation as exc:
        raise bad_filter(str(exc)) from None
    if unit.valid_to is None or unit.valid_to >= utcnow().date():
        return unit.code, None
    return None, UnitPeriod(unit.code, unit.valid_from, unit.valid_to)


def page(
    sort: Annotated[
        str, Query(description="Column to sort by, '-' first for descending: " + ", ".join(SORTABLE))
    ] = "-last_event_at",
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> Page:
    column = sort.removeprefix("-")
    if column not in SORTABLE:
        raise bad_filter(f"cannot sort by {column!r} (one of {', '.join(SORTABLE)})")
    return Page(limit=limit, offset=offset, sort=column, descending=sort.startswith("-"))
