"""The intake (filing a report), classification, the dispatcher queue, dispatch and merge."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, File, Form, Query, Response, UploadFile, status

from backend.auth.models import Role, User
from backend.deps import (
    CurrentUser,
    NowDep,
    SessionDep,
    SettingsDep,
    StorageDep,
    require_roles,
)
from backend.dispatch import intake, service
from backend.dispatch.schemas import ClassifyIn, ClassifyOut, DispatchIn, QueueItemOut
from backend.evidence.service import Upload
from backend.fields import MAX_CATEGORY_NUMBER, IdPath, Instant, Text
from backend.pagination import Page
from backend.reports.schemas import ReportOut
from backend.reports.service import ReportSubmission
from backend.timefmt import parse_client_time
from backend.workorders import service as orders
from backend.workorders.disposal import service as disposal
from backend.workorders.disposal.schemas import MergeIn
from backend.workorders.listing import service as listing
from backend.workorders.listing.schemas import StatusCode
from backend.workorders.schemas import WorkOrderOut
from backend.workorders.states import Status

router = APIRouter(tags=["dispatch"])

Dispatcher = Annotated[User, Depends(require_roles(Role.dispatcher, Role.leader, Role.admin))]
Reporter = Annotated[User, Depends(require_roles(Role.member, Role.inspector))]


def _read(file: UploadFile, field: str, limit: int) -> Upload:
    # Read at most one byte past the limit: enough to know it is too big, and no more.
    return Upload(field=field, filename=file.filename or "", data=file.file.read(limit + 1))


@router.get("/reports", response_model=Page[ReportOut])
def list_reports(
    user: CurrentUser,
    session: SessionDep,
    status: Annotated[list[StatusCode] | None, Query(description="工单状态，可多选")] = None,
    q: Annotated[
        str | None, Query(max_length=100, description="描述、地址、工单号中的文字")
    ] = None,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> Page[ReportOut]:
    """Members and inspectors: their own reports; the command center: all. Each carries what
    became of it (its order's number and status)."""
    return listing.reports(
        session,
        user,
        statuses=frozenset(Status(s) for s in status) if status else None,
        q=(q.strip() or None) if q is not None else None,
        cursor=cursor or None,
        limit=limit,
    )


@router.post(
    "/reports",
    response_model=ReportOut,
    status_code=status.HTTP_201_CREATED,
    responses={200: {"model": ReportOut, "description": "client_uuid seen before"}},
)
def submit_report(
    response: Response,
    user: Reporter,
    session: SessionDep,
    storage: StorageDep,
    settings: SettingsDep,
    now: NowDep,
    client_uuid: Annotated[UUID, Form()],
    description: Annotated[Text, Form(max_length=2000)],
    lat: Annotated[float, Form(ge=-90, le=90)],
    lng: Annotated[float, Form(ge=-180, le=180)],
    photos: Annotated[list[UploadFile], File(description="1-9 photos")],
    crs: Annotated[Literal["wgs84", "gcj02", "bd09"], Form()] = "wgs84",
    accuracy_m: Annotated[float | None, Form(ge=0, le=100_000)] = None,
    address: Annotated[Text | None, Form(max_length=200)] = None,
    category_number: Annotated[int | None, Form(ge=1, le=MAX_CATEGORY_NUMBER)] = None,
    captured_at: Annotated[Instant | None, Form()] = None,
    voice: Annotated[UploadFile | None, File()] = None,
) -> ReportOut:
    submission = ReportSubmission(
        client_uuid=str(client_uuid),
        description=description,
        lat=lat,
        lng=lng,
        crs=crs,
        accuracy_m=accuracy_m,
        address=address,
        category_number=category_number,
        captured_at=parse_client_time(captured_at) if captured_at else None,
        photos=[_read(f, f"photos[{i}]", settings.max_photo_bytes) for i, f in enumerate(photos)],
        voice=_read(voice, "voice", settings.max_recording_bytes) if voice else None,
    )
    report, created = intake.submit_report(session, storage, user, submission, settings, now)
    if not created:
        response.status_code = status.HTTP_200_OK
    return report


@router.post("/classify", response_model=ClassifyOut)
def classify(body: ClassifyIn, _: CurrentUser, settings: SettingsDep) -> ClassifyOut:
    return service.classify_text(body.text, settings)


@router.get("/dispatch/queue", response_model=Page[QueueItemOut])
def queue(
    _: Dispatcher, session: SessionDep, settings: SettingsDep, now: NowDep
) -> Page[QueueItemOut]:
    return Page(items=service.queue(session, settings, now))


@router.post("/workorders/{order_id}/dispatch", response_model=WorkOrderOut)
def dispatch(
    order_id: IdPath,
    body: DispatchIn,
    user: Dispatcher,
    session: SessionDep,
    settings: SettingsDep,
    now: NowDep,
) -> WorkOrderOut:
    service.dispatch_manually(session, order_id, body, user, settings, now)
    return orders.answer(session, user, order_id, settings, now)


@router.post("/workorders/{order_id}/merge", response_model=WorkOrderOut)
def merge(
    order_id: IdPath,
    body: MergeIn,
    user: Dispatcher,
    session: SessionDep,
    settings: SettingsDep,
    now: NowDep,
) -> WorkOrderOut:
    disposal.merge(session, user, order_id, body, settings, now)
    return orders.answer(session, user, order_id, settings, now)
