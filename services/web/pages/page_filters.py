"""Case filters of a page's form, as a typed dependency: the same check as the API's (services.api.filters.
case_filter, one function for both), but a page shows what is wrong above its form instead of answering a
JSON 422, and a submitted form sends its empty fields as empty strings (typed dates would refuse them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated

from fastapi import Depends, HTTPException

from services.api.filters import case_filter
from services.store.queries.case_filter import CaseFilter


@dataclass(frozen=True)
class FilterForm:
    """The filter (empty when the form is wrong), what is wrong, and the values to refill the form with."""

    where: CaseFilter
    error: str | None
    raw: dict[str, str]


def case_filter_form(
    q: str = "",
    agency: str = "",
    province: str = "",
    category: str = "",
    bucket: str = "",
    status: str = "",
    platform: str = "",
    date_from: str = "",
    date_to: str = "",
) -> FilterForm:
    raw = {
        "q": q.strip(),
        "agency": agency.strip(),
        "province": province.strip(),
        "category": category.strip(),
        "bucket": bucket.strip(),
        "status": status.strip(),
        "platform": platform.strip(),
        "date_from": date_from.strip(),
        "date_to": date_to.strip(),
    }
    try:
        first, last = (date.fromisoformat(raw[n]) if raw[n] else None for n in ("date_from", "date_to"))
    except ValueError:
        return FilterForm(CaseFilter(), "date_from/date_to: YYYY-MM-DD", raw)
    try:
        where = case_filter(
            q=raw["q"] or None,
            agency=raw["agency"] or None,
            province=raw["province"] or None,
            category=raw["category"] or None,
            bucket=raw["bucket"] or None,
            status=raw["status"] or None,
            platform=raw["platform"] or None,
            date_from=first,
            date_to=last,
        )
    except HTTPException as exc:
        return FilterForm(CaseFilter(), str(exc.detail), raw)
    return FilterForm(where, None, raw)


CaseFilterForm = Annotated[FilterForm, Depends(case_filter_form)]
