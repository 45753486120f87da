"""Case filters from a page's query string: the API's own checks, with the message shown on the page."""

from __future__ import annotations

from datetime import date

from fastapi import HTTPException, Request

from services.api.filters import case_filter
from services.store.queries.case_filter import CaseFilter

FIELDS = ("q", "agency", "province", "category", "bucket", "status", "platform", "date_from", "date_to")


def filter_from(request: Request) -> tuple[CaseFilter, str | None, dict[str, str]]:
    """The filter, an error message (then the filter is empty), and the raw values to refill the form."""
    raw = {name: request.query_params.get(name, "").strip() for name in FIELDS}
    try:
        dates = {
            name: date.fromisoformat(raw[name]) if raw[name] else None for name in ("date_from", "date_to")
        }
    except ValueError:
        return CaseFilter(), "date_from/date_to: YYYY-MM-DD", raw
    try:
        where = case_filter(
            q=raw["q"] or None,
            agency=raw["agency"] or None,
            province=raw["province"] or None,
            category=raw["category"] or None,
            bucket=raw["bucket"] or None,
            status=raw["status"] or None,
            platform=raw["platform"] or None,
            **dates,
        )
    except HTTPException as exc:
        return CaseFilter(), str(exc.detail), raw
    return where, None, raw
