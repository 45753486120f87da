"""Filters of a page's form, read one way: the fields arrive as strings (a submitted form sends its empty
fields as empty strings, which typed dates or enums would refuse), are stripped once (`refill`), and the
page gets a `FilledForm` — the filter, what is wrong, and the values to refill the form with.

The case filters are a typed dependency here: the same check as the API's (services.api.filters.
case_filter, one function for both), but a page shows what is wrong above its form instead of answering a
JSON 422. The alerts inbox builds its own filter the same way (services.web.pages.inbox)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Generic, TypeVar

from fastapi import Depends, HTTPException

from services.api.filters import case_filter
from services.store.queries.case_filter import CaseFilter

Where = TypeVar("Where")


@dataclass(frozen=True)
class FilledForm(Generic[Where]):
    """The filter (empty when the form is wrong), what is wrong, and the values to refill the form with."""

    where: Where
    error: str | None
    raw: dict[str, str]


def refill(**fields: str) -> dict[str, str]:
    """The submitted fields, stripped: what the filter reads and what the form shows again."""
    return {name: value.strip() for name, value in fields.items()}


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
) -> FilledForm[CaseFilter]:
    raw = refill(
        q=q,
        agency=agency,
        province=province,
        category=category,
        bucket=bucket,
        status=status,
        platform=platform,
        date_from=date_from,
        date_to=date_to,
    )
    try:
        first, last = (date.fromisoformat(raw[n]) if raw[n] else None for n in ("date_from", "date_to"))
    except ValueError:
        return FilledForm(CaseFilter(), "date_from/date_to: YYYY-MM-DD", raw)
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
        return FilledForm(CaseFilter(), str(exc.detail), raw)
    return FilledForm(where, None, raw)


CaseFilterForm = Annotated[FilledForm[CaseFilter], Depends(case_filter_form)]
