"""Tải báo cáo lên: an agency unit uploads its report file, sees every row's fate before anything is
sent, publishes the valid rows as its own agency (progress shown while it runs), sees each row's outcome
and downloads the error report; the unit's upload history says who uploaded what and when.

The agency is the signed-in principal's, never a form field; a unit scoped to provinces publishes only
their cases and sees only uploads made within its scope. Every request is audited."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, BackgroundTasks, Depends, HTTPException, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from schemas.errors import CasehubError
from schemas.reference.agencies import publishing_agencies
from services.access.principal import Capability, Principal
from services.api.deps import NowDep
from services.api.request_audit import RequestAuditDep, audit_of
from services.api.request_limits import MAX_UPLOAD_BYTES
from services.ascii_number import ascii_number
from services.store.upload_tables import UploadRow
from services.uploads import ledger
from services.uploads.error_report import errors_csv, errors_xlsx
from services.uploads.previewing import preview_upload
from services.uploads.publishing import publish_upload, shared_publisher
from services.web.pages.access import PageForbidden, holding
from services.web.templates import render

router = APIRouter(include_in_schema=False)
PAGE_ROWS = 500


def uploader(
    principal: Annotated[Principal, Depends(holding(Capability.UPLOAD_REPORTS))], audit: RequestAuditDep
) -> Principal:
    """A signed-in user allowed to upload, of an agency that publishes (has its own topic)."""
    if principal.agency not in publishing_agencies():
        audit.refused(403)
        raise PageForbidden(principal)
    return principal


Uploader = Annotated[Principal, Depends(uploader)]


@router.get("/uploads", response_class=HTMLResponse)
def uploads_page(request: Request, principal: Uploader, audit: RequestAuditDep) -> Response:
    found = ledger.history(request.app.state.engine, principal)
    audit.read(rows=len(found))
    return _page(request, principal, found)


def _page(
    request: Request, principal: Principal, found: list[UploadRow], error: str = "", status: int = 200
) -> Response:
    context = {"found": found, "error": error, "max_mib": MAX_UPLOAD_BYTES // (1024 * 1024)}
    return render(request, "uploads.html", principal, context, status_code=status)


@router.post("/uploads")
async def upload(
    request: Request, principal: Uploader, audit: RequestAuditDep, now: NowDep, background: BackgroundTasks
) -> Response:
    """Keep the file and preview its rows after answering; the upload's page shows how far it got."""
    engine = request.app.state.engine
    form = await request.form()
    sent = form.get("file")
    if not isinstance(sent, UploadFile) or not sent.filename:
        audit.refused(400)
        return _page(
            request, principal, ledger.history(engine, principal), "Hãy chọn một tệp (choose a file)", 400
        )
    content = await sent.read(MAX_UPLOAD_BYTES + 1)
    if len(content) > MAX_UPLOAD_BYTES:
        audit.refused(413)
        reason = f"tệp quá lớn: tối đa {MAX_UPLOAD_BYTES // (1024 * 1024)} MiB (file too large)"
        return _page(request, principal, ledger.history(engine, principal), reason, 413)
    upload_id = await run_in_threadpool(ledger.open_upload, engine, principal, sent.filename, content, now)
    agency, provinces, clock = str(principal.agency), principal.provinces, request.app.state.clock
    background.add_task(preview_upload, engine, upload_id, content, sent.filename, agency, provinces, clock)
    audit.read(resource=f"upload:{upload_id}")
    return RedirectResponse(f"/uploads/{upload_id}", status_code=303)


def _visible_upload(request: Request, principal: Principal, upload_id: str) -> UploadRow:
    found = ledger.load_upload(request.app.state.engine, upload_id[:36])
    if found is None or not ledger.visible_to(found, principal):
        audit_of(request).refused(404, resource=f"upload:{upload_id[:36]}")
        raise PageForbidden(principal)
    return found


@router.get("/uploads/{upload_id}", response_class=HTMLResponse)
def upload_page(
    request: Request, principal: Uploader, audit: RequestAuditDep, now: NowDep, upload_id: str
) -> Response:
    engine = request.app.state.engine
    found = _visible_upload(request, principal, upload_id)
    page = _page_number(request)
    fates = ledger.rows_of(engine, found.upload_id, (page - 1) * PAGE_ROWS, PAGE_ROWS)
    headers: dict[str, None] = {}
    for fate in fates:
        headers.update(dict.fromkeys(fate.cells))
    context: dict[str, Any] = {
        "upload": found,
        "fates": fates,
        "headers": list(headers),
        "problems_of": ledger.problems_of,
        "counts": ledger.outcome_counts(engine, found.upload_id),
        "page": page,
        "pages": max(1, -(-found.rows_total // PAGE_ROWS)),
        "running": ledger.is_running(found, now),
        "error": request.query_params.get("error", "")[:500],
    }
    audit.read(rows=len(fates), resource=f"upload:{found.upload_id}")
    return render(request, "upload.html", principal, context)


def _page_number(request: Request) -> int:
    raw = request.query_params.get("page", "1")
    number = ascii_number(raw, digits=5)
    return max(1, min(number, 10_000)) if number is not None else 1


@router.post("/uploads/{upload_id}/publish")
async def publish(
    request: Request,
    principal: Uploader,
    audit: RequestAuditDep,
    now: NowDep,
    upload_id: str,
    background: BackgroundTasks,
) -> Response:
    """Publish the upload's valid rows in the background; the upload's page shows the progress."""
    engine = request.app.state.engine
    found = _visible_upload(request, principal, upload_id)
    back = f"/uploads/{found.upload_id}"
    if found.status not in (ledger.PREVIEWED, ledger.PUBLISHED, ledger.PUBLISHING) or found.rows_ok == 0:
        audit.refused(409, resource=f"upload:{found.upload_id}")
        query = urlencode({"error": "không có dòng hợp lệ để gửi (no valid row to publish)"})
        return RedirectResponse(f"{back}?{query}", status_code=303)
    try:
        await run_in_threadpool(shared_publisher, request.app)
    except CasehubError as exc:  # the broker unreachable, or the hub's login to it missing
        audit.refused(503, resource=f"upload:{found.upload_id}")
        reason = f"broker không sẵn sàng, chưa gửi gì (broker unavailable, nothing sent): {exc}"
        query = urlencode({"error": reason[:400]})
        return RedirectResponse(f"{back}?{query}", status_code=303)
    if not await run_in_threadpool(ledger.start_publishing, engine, found.upload_id, principal, now):
        audit.refused(409, resource=f"upload:{found.upload_id}")
        query = urlencode({"error": "tệp này đang được đọc hoặc gửi (already in progress)"})
        return RedirectResponse(f"{back}?{query}", status_code=303)
    background.add_task(publish_upload, request.app, found, request.app.state.clock)
    audit.read(rows=found.rows_ok, resource=f"upload:{found.upload_id}")
    return RedirectResponse(back, status_code=303)


@router.get("/uploads/{upload_id}/errors.{kind}")
def error_report(
    request: Request, principal: Uploader, audit: RequestAuditDep, upload_id: str, kind: str
) -> Response:
    if kind not in ("csv", "xlsx"):
        audit.refused(404)
        raise HTTPException(404, "errors.csv or errors.xlsx")
    found = _visible_upload(request, principal, upload_id)
    fates = ledger.rows_of(request.app.state.engine, found.upload_id)
    audit.read(rows=len(fates), resource=f"upload:{found.upload_id}")
    name = f"loi-{found.upload_id[:8]}"
    if kind == "xlsx":
        media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        return Response(errors_xlsx(fates), media_type=media, headers=_attachment(f"{name}.xlsx"))
    return Response(
        errors_csv(fates), media_type="text/csv; charset=utf-8", headers=_attachment(f"{name}.csv")
    )


def _attachment(name: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{name}"'}
