"""Sellers' networks: the subjects linked into one seller entity, and why, as the caller may see them."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request

from consumers.entity.linker import EntityLinker
from services.api.deps import ConnectionDep, NowDep, Reader
from services.api.entity_schemas import EntityNetwork
from services.api.request_audit import RequestAuditDep
from services.api.schemas import CaseSummary, SubjectSummary
from services.views.entity_network import Network, network
from services.views.visible_cases import visible_cases

router = APIRouter(prefix="/api/entities", tags=["entities"])


def network_linker(request: Request) -> EntityLinker:
    """The linking rules in force (the cap from the app's settings, the bundled stop-list)."""
    return EntityLinker(cap=request.app.state.ops.settings.entity_link_cap)


@router.get(
    "/{entity_or_subject}",
    response_model=EntityNetwork,
    responses={404: {"description": "No such entity or subject for you"}},
)
def get_network(
    request: Request,
    audit: RequestAuditDep,
    entity_or_subject: str,
    principal: Reader,
    connection: ConnectionDep,
    now: NowDep,
) -> EntityNetwork:
    """The network of an entity id (`E-…`) or of one of its subject ids: linked subjects, the identifiers
    (linking or refused: stop-listed, over the cap, blocked), each link's key and event, the cases across
    agencies and platforms, the history of merges, splits and corrections."""
    viewer = principal.viewer(now)
    try:
        found = network(
            connection, viewer, visible_cases(connection, viewer), network_linker(request), entity_or_subject
        )
    except ValueError as refused:
        raise HTTPException(422, str(refused)) from None
    if found is None:
        audit.refused(404, resource=entity_or_subject)
        raise HTTPException(404, f"no entity or subject {entity_or_subject}")
    audit.read(rows=len(found.members), resource=entity_or_subject)
    return as_response(found)


def as_response(found: Network) -> EntityNetwork:
    return EntityNetwork.model_validate(
        {
            "entity_id": found.entity_id,
            "members": [SubjectSummary.model_validate(m, from_attributes=True) for m in found.members],
            "keys": [vars(k) for k in found.keys],
            "links": [vars(x) for x in found.links],
            "history": found.history,
            "cases": [CaseSummary.model_validate(r) for r in found.cases],
            "hidden_holders": found.hidden_holders,
        }
    )
