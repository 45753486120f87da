"""Mạng lưới đối tượng: a seller's network — linked subjects, the identifiers between them, their cases
across agencies and platforms, and why each link exists — drawn as a server-side SVG graph."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse

from services.api.deps import ConnectionDep, NowDep
from services.api.request_audit import RequestAuditDep
from services.api.routes.entities import network_linker
from services.views.entity_network import network
from services.views.visible_cases import visible_cases
from services.web.network_graph import Edge, Node, network_svg
from services.web.pages.access import PageReader
from services.web.templates import render

router = APIRouter(include_in_schema=False)


@router.get("/entities/{entity_or_subject}", response_class=HTMLResponse)
def network_page(
    request: Request,
    principal: PageReader,
    now: NowDep,
    audit: RequestAuditDep,
    entity_or_subject: str,
    connection: ConnectionDep,
) -> Response:
    viewer = principal.viewer(now)
    try:
        found = network(
            connection, viewer, visible_cases(connection, viewer), network_linker(request), entity_or_subject
        )
    except ValueError:  # not an id at all: not echoed into the audit log
        audit.refused(404)
        return render(request, "network.html", principal, {"network": None}, 404)
    if found is None:
        audit.refused(404, resource=entity_or_subject)
        return render(request, "network.html", principal, {"network": None, "asked": entity_or_subject}, 404)
    audit.read(rows=len(found.members), resource=entity_or_subject)
    graph = network_svg(
        [Node(m.subject_id, m.display_name or m.subject_id) for m in found.members],
        [Edge(x.subject_id, x.other_subject_id, x.kind, x.value) for x in found.links],
        asked=entity_or_subject,
    )
    context = {"network": found, "asked": entity_or_subject, "graph": graph}
    return render(request, "network.html", principal, context)
