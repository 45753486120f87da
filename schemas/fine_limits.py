"""The rule that a fine stays within the legal maximum of its violation (one rule of `check_event`).

Kept apart from the value bounds of the models: it needs the dated reference data (schemas/reference/
fine_maxima.csv). A PenaltyDecided carries its legal basis and the violator's name but neither the
category nor the offender type, so both are read from what it carries: the cited instrument and article
give the category's ceiling, the name's legal form the offender type. Unknown stays on the permissive
side (no name → the organisation's ceiling; an uncited or unverified instrument → no ceiling), so a
lawful fine is never refused for want of a fact the event does not hold.
"""

from __future__ import annotations

from datetime import date

from schemas.errors import ContractViolation
from schemas.events import PenaltyDecided
from schemas.normalisation.organisation import is_organisation_name
from schemas.reference.fine_maxima import FineMaximum, Offender, fine_maximum, maximum_for_citation

OFFENDER_VI = {Offender.INDIVIDUAL: "cá nhân", Offender.ORGANISATION: "tổ chức"}


def offender_of(violator_name: str | None) -> Offender:
    """An individual when a name without a legal form is given; otherwise the (higher) organisation."""
    if violator_name and not is_organisation_name(violator_name):
        return Offender.INDIVIDUAL
    return Offender.ORGANISATION


def vnd(amount: int) -> str:
    """900000000 → '900.000.000 đ', as Vietnamese documents write amounts."""
    return f"{amount:,} đ".replace(",", ".")


def check_fine_within_maximum(payload: PenaltyDecided, day: date, category: str | None = None) -> None:
    """ContractViolation (in Vietnamese, naming fine_vnd) when the fine exceeds the legal maximum.

    `category`, when the caller knows it (the importer does), picks the ceiling directly; otherwise the
    penalty's own legal basis does.
    """
    ceiling: FineMaximum | None = fine_maximum(category, day) if category else None
    if ceiling is None and payload.legal_basis is not None:
        basis = payload.legal_basis
        ceiling = maximum_for_citation(basis.instrument, basis.article, day)
    if ceiling is None:
        return
    offender = offender_of(payload.violator_name)
    limit = ceiling.limit(offender)
    if payload.fine_vnd > limit:
        raise ContractViolation(
            f"fine_vnd: tiền phạt {vnd(payload.fine_vnd)} vượt mức tối đa {vnd(limit)} đối với "
            f"{OFFENDER_VI[offender]} cho hành vi '{ceiling.code}' ({ceiling.citation()}, "
            f"áp dụng từ {ceiling.valid_from:%d/%m/%Y})"
        )
