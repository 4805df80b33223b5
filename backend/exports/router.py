"""Report exports: POST /api/v1/exports (make or find a report), GET /api/v1/exports (the
list, newest first) and GET /api/v1/exports/{id}/download (the .xlsx). Street-wide roles."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Response
from fastapi.responses import StreamingResponse

from backend.auth.models import User
from backend.auth.roles import STREET_WIDE
from backend.deps import NowDep, SessionDep, SettingsDep, StorageDep, require_roles
from backend.exports import service
from backend.exports.periods import Kind
from backend.exports.schemas import ExportIn, ExportOut
from backend.fields import IdPath
from backend.pagination import Page

router = APIRouter(tags=["exports"])
StreetWide = Annotated[User, Depends(require_roles(*STREET_WIDE))]


@router.post(
    "/exports",
    response_model=ExportOut,
    status_code=201,
    responses={200: {"model": ExportOut, "description": "已有同期报表（未要求重新生成）"}},
)
def request_export(
    body: ExportIn,
    user: StreetWide,
    session: SessionDep,
    storage: StorageDep,
    settings: SettingsDep,
    now: NowDep,
    response: Response,
) -> ExportOut:
    """Makes the report of ``kind`` for the period ``from`` falls in (a day; its Monday–Sunday
    week; its month; its two months Jan–Feb, Mar–Apr, …), or the last finished one. The same
    kind and period answer the report there is (200), unless ``refresh`` asks to make it again
    (201, as for a new one)."""
    out, made = service.request_export(session, storage, user, body, settings, now)
    if not made:
        response.status_code = 200
    return out


@router.get("/exports", response_model=Page[ExportOut])
def list_exports(
    _: StreetWide,
    session: SessionDep,
    kind: Annotated[Kind | None, Query()] = None,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> Page[ExportOut]:
    return service.list_exports(session, kind, cursor or None, limit)


@router.get(
    "/exports/{export_id}/download",
    response_class=StreamingResponse,
    responses={200: {"content": {service.XLSX: {}}, "description": "the .xlsx"}},
)
def download(
    export_id: IdPath, _: StreetWide, session: SessionDep, storage: StorageDep
) -> StreamingResponse:
    chunks, size, name = service.download(session, storage, export_id)
    return StreamingResponse(
        chunks,
        media_type=service.XLSX,
        headers={
            "Content-Length": str(size),
            # An ASCII fallback for old clients, the Chinese name as RFC 5987 for the rest.
            "Content-Disposition": (
                f"attachment; filename=\"report-{export_id}.xlsx\"; filename*=UTF-8''{quote(name)}"
            ),
        },
    )
