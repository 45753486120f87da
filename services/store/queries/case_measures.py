"""What counts as a penalized and a referred case: one definition for statistics, tallies and the tally
triggers (issue 16: "referred" was spelled out three times and could drift apart).

A case is referred when its stage is the one a CaseReferred folds to (consumers/case_fold.STAGE_OF) or
when it was closed with the TRANSFERRED outcome (handed on without a CaseReferred of its own). The
tally triggers of migration 0008 carry a frozen copy of this rule as SQL text (a migration must not change
when live code does); tests/unit/test_case_measures.py checks that copy against `referred` row by row.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, or_

from schemas.vocabulary import CaseOutcome

REFERRED_STAGE = "referred"
REFERRED_OUTCOME = CaseOutcome.TRANSFERRED.value


def referred(columns: Any) -> ColumnElement[bool]:
    """Whether a case-shaped row (`table.c`) is a referred case."""
    return or_(columns.status == REFERRED_STAGE, columns.outcome == REFERRED_OUTCOME)


def penalized(columns: Any) -> ColumnElement[bool]:
    """Whether a case-shaped row carries a fine."""
    return columns.total_fines_vnd > 0
