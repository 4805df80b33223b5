"""A work order and its lifecycle steps: GET /api/v1/workorders/{id}, its timeline check, and
POST /api/v1/workorders/{id}/<step>; each step answers the order as it is after the step."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Form, Header, Query, Response, UploadFile
from pydantic import AfterValidator, BaseModel

from backend.auth.models import Role, User
from backend.deps import CurrentUser, NowDep, SessionDep, SettingsDep, StorageDep, require_roles
from backend.evidence.audio import MIME_TYPES
from backend.evidence.media import serve
from backend.evidence.service import IMAGE_MIME, Upload
from backend.fields import MAX_VERSION, CategoryNumber, Id, IdPath, Instant
from backend.pagination import Page
from backend.workorders import service
from backend.workorders.closure import service as closure
from backend.workorders.closure.schemas import AssistReportIn, ClosureIn
from backend.workorders.codes import EvidencePhase, RecordingKind
from backend.workorders.disposal import service as disposal
from backend.workorders.disposal.schemas import RejectIn, StoredLinkIn, StoreIn
from backend.workorders.extensions import service as extensions
from backend.workorders.extensions.schemas import ExtensionDecisionIn, ExtensionIn
from backend.workorders.handling import service as handling
from backend.workorders.handling.schemas import CheckInIn, FirstContactIn
from backend.workorders.listing import service as listing
from backend.workorders.listing.rules import OrderFilter, Sort, parse_bbox
from backend.workorders.listing.schemas import SourceCode, StatusCode, WorkOrderSummaryOut
from backend.workorders.returns import service as returns
from backend.workorders.returns.schemas import ReturnDecisionIn, ReturnIn
from backend.workorders.review import service as review
from backend.workorders.review.schemas import (
    CallbackIn,
    SupervisionIn,
    SupervisionReplyIn,
    VerificationIn,
)
from backend.workorders.schemas import ChainOut, UnrepliedOut, WorkOrderOut
from backend.workorders.states import Source, Status
from backend.workorders.step_body import Versioned


def _valid_bbox(text: str) -> str:
    parse_bbox(text)  # a 422 naming the field when the box is not one
    return text


BBox = Annotated[str, AfterValidator(_valid_bbox)]

router = APIRouter(tags=["workorders"])
steps = APIRouter(prefix="/workorders/{order_id}", tags=["workorder steps"])
media = APIRouter(tags=["media"])

SupervisionReader = Annotated[
    User, Depends(require_roles(Role.handler, Role.dispatcher, Role.leader, Role.admin))
]


@router.get("/supervisions/unreplied", response_model=UnrepliedOut)
def unreplied(user: SupervisionReader, session: SessionDep, now: NowDep) -> UnrepliedOut:
    return service.unreplied_supervisions(session, user, now)


@router.get("/workorders", response_model=Page[WorkOrderSummaryOut])
def list_orders(
    user: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
    now: NowDep,
    status: Annotated[list[StatusCode] | None, Query(description="可多选")] = None,
    source: Annotated[SourceCode | None, Query()] = None,
    category_number: Annotated[CategoryNumber | None, Query()] = None,
    grid_id: Annotated[Id | None, Query()] = None,
    department_id: Annotated[Id | None, Query(description="主办或协办")] = None,
    assigned: Annotated[Literal["me"] | None, Query(description="me：需要本部门处理的")] = None,
    due_before: Annotated[Instant | None, Query()] = None,
    overdue: Annotated[bool | None, Query()] = None,
    level: Annotated[str | None, Query(max_length=30)] = None,
    created_from: Annotated[Instant | None, Query()] = None,
    created_to: Annotated[Instant | None, Query()] = None,
    q: Annotated[
        str | None, Query(max_length=100, description="工单号、描述、地址中的文字")
    ] = None,
    metric: Annotated[
        str | None,
        Query(max_length=60, description="统计指标，如 zhenru.late：列出该计数背后的工单"),
    ] = None,
    period_from: Annotated[
        str | None, Query(max_length=40, description="统计周期开始日期（含），与 metric 同用")
    ] = None,
    period_to: Annotated[
        str | None, Query(max_length=40, description="统计周期结束日期（含），与 metric 同用")
    ] = None,
    bbox: Annotated[
        BBox | None,
        Query(max_length=100, description="最小经度,最小纬度,最大经度,最大纬度（WGS-84）"),
    ] = None,
    sort: Annotated[Sort | None, Query(description="due：时限最近在前（承办人默认）")] = None,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> Page[WorkOrderSummaryOut]:
    filters = OrderFilter(
        statuses=frozenset(Status(s) for s in status) if status else None,
        source=Source(source) if source else None,
        category_number=category_number,
        grid_id=grid_id,
        department_id=department_id,
        level=level or None,
        due_before=due_before,
        overdue=overdue,
        created_from=created_from,
        created_to=created_to,
        q=q.strip() or None if q is not None else None,
        metric=metric or None,
        period_from=period_from,
        period_to=period_to,
        bbox=parse_bbox(bbox) if bbox else None,
    )
    return listing.work_orders(
        session,
        user,
        filters,
        assigned_to_me=assigned == "me",
        sort=sort,
        cursor=cursor or None,
        limit=limit,
        settings=settings,
        now=now,
    )


@router.get("/workorders/{order_id}", response_model=WorkOrderOut)
def get_order(
    order_id: IdPath, user: CurrentUser, session: SessionDep, settings: SettingsDep, now: NowDep
) -> WorkOrderOut:
    return service.get_order(session, user, order_id, settings, now)


@router.get("/workorders/{order_id}/chain", response_model=ChainOut)
def chain(
    order_id: IdPath, user: CurrentUser, session: SessionDep, settings: SettingsDep
) -> ChainOut:
    return service.chain(session, user, order_id, settings)


def _step(
    path: str,
    body_type: type[BaseModel],
    run: Callable[..., None],
) -> None:
    """Registers POST /workorders/{order_id}/<path>: run the step, answer the order."""

    def endpoint(
        order_id: IdPath,
        body: body_type,  # type: ignore[valid-type]
        user: CurrentUser,
        session: SessionDep,
        settings: SettingsDep,
        now: NowDep,
    ) -> WorkOrderOut:
        run(session, user, order_id, body, settings, now)
        return service.answer(session, user, order_id, settings, now)

    # The body's type is chosen per step: give FastAPI the class, not the deferred name.
    endpoint.__annotations__["body"] = body_type
    endpoint.__name__ = path.replace("-", "_").replace("/", "_")
    steps.add_api_route(
        f"/{path}", endpoint, methods=["POST"], response_model=WorkOrderOut, name=endpoint.__name__
    )


_step("accept", Versioned, handling.accept)
_step("first-contact", FirstContactIn, handling.first_contact)
_step("check-in", CheckInIn, handling.check_in)
_step("returns", ReturnIn, returns.request_return)
_step("extensions", ExtensionIn, extensions.request_extension)
_step("assist-report", AssistReportIn, closure.assist_report)
_step("verification", VerificationIn, review.verify)
_step("callback", CallbackIn, review.callback)
_step("supervisions", SupervisionIn, review.supervise)
_step("store", StoreIn, disposal.store)
_step("stored-link", StoredLinkIn, disposal.link_stored)
_step("reject", RejectIn, disposal.reject)
_step("archive", Versioned, disposal.archive)


class AddedEvidence(BaseModel):
    photo_ids: list[int]
    recording_ids: list[int]


class EvidenceAddedOut(WorkOrderOut):
    """The order after the upload, and the ids of what was just added."""

    added: AddedEvidence


@steps.post("/evidence", response_model=EvidenceAddedOut)
def evidence(
    order_id: IdPath,
    user: CurrentUser,
    session: SessionDep,
    storage: StorageDep,
    settings: SettingsDep,
    now: NowDep,
    version: Annotated[int, Form(ge=1, le=MAX_VERSION)],
    phase: Annotated[EvidencePhase | None, Form(description="照片的阶段；只传录音时可省略")] = None,
    photos: Annotated[list[UploadFile] | None, File()] = None,
    recording: Annotated[UploadFile | None, File()] = None,
    recording_kind: Annotated[RecordingKind, Form()] = "first_contact",
) -> EvidenceAddedOut:
    uploads = [
        Upload(f"photos[{i}]", f.filename or "", f.file.read(settings.max_photo_bytes + 1))
        for i, f in enumerate(photos or [])
    ]
    audio = (
        Upload(
            "recording",
            recording.filename or "",
            recording.file.read(settings.max_recording_bytes + 1),
        )
        if recording
        else None
    )
    photo_ids, recording_ids = handling.add_evidence(
        session,
        storage,
        user,
        order_id,
        version=version,
        phase=phase,
        photos=uploads,
        recording=audio,
        recording_kind=recording_kind,
        settings=settings,
        now=now,
    )
    order = service.answer(session, user, order_id, settings, now)
    return EvidenceAddedOut(
        **order.model_dump(),
        added=AddedEvidence(photo_ids=photo_ids, recording_ids=recording_ids),
    )


@steps.post("/returns/{return_id}/decision", response_model=WorkOrderOut)
def decide_return(
    order_id: IdPath,
    return_id: IdPath,
    body: ReturnDecisionIn,
    user: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
    now: NowDep,
) -> WorkOrderOut:
    returns.decide_return(session, user, order_id, return_id, body, settings, now)
    return service.answer(session, user, order_id, settings, now)


@steps.post("/extensions/{extension_id}/decision", response_model=WorkOrderOut)
def decide_extension(
    order_id: IdPath,
    extension_id: IdPath,
    body: ExtensionDecisionIn,
    user: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
    now: NowDep,
) -> WorkOrderOut:
    extensions.decide_extension(session, user, order_id, extension_id, body, settings, now)
    return service.answer(session, user, order_id, settings, now)


@steps.post("/closure", response_model=WorkOrderOut)
def submit_closure(
    order_id: IdPath,
    body: ClosureIn,
    user: CurrentUser,
    session: SessionDep,
    storage: StorageDep,
    settings: SettingsDep,
    now: NowDep,
) -> WorkOrderOut:
    closure.submit_closure(session, storage, user, order_id, body, settings, now)
    return service.answer(session, user, order_id, settings, now)


@steps.post("/supervisions/{supervision_id}/reply", response_model=WorkOrderOut)
def reply_supervision(
    order_id: IdPath,
    supervision_id: IdPath,
    body: SupervisionReplyIn,
    user: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
    now: NowDep,
) -> WorkOrderOut:
    review.reply_supervision(session, user, order_id, supervision_id, body, settings, now)
    return service.answer(session, user, order_id, settings, now)


router.include_router(steps)


# -- evidence downloads: to whoever may see the order (or the report), with ETag and ranges --


def _binary(mimes: list[str], what: str) -> dict[int | str, dict[str, Any]]:
    content = {m: {"schema": {"type": "string", "format": "binary"}} for m in mimes}
    return {
        200: {"description": what, "content": content},
        206: {"description": f"{what}（部分，Range）", "content": content},
        304: {"description": "未修改（If-None-Match）"},
    }


PHOTO_TYPES = sorted(set(IMAGE_MIME.values()))
RECORDING_TYPES = sorted({*MIME_TYPES.values(), "audio/amr-wb"})


@media.get(
    "/media/photos/{photo_id}/{variant}",
    response_class=Response,
    responses=_binary(PHOTO_TYPES, "照片（display、thumbnail 为 JPEG）"),
)
def photo(
    photo_id: IdPath,
    variant: Literal["original", "display", "thumbnail"],
    user: CurrentUser,
    session: SessionDep,
    storage: StorageDep,
    settings: SettingsDep,
    range_header: Annotated[str | None, Header(alias="Range")] = None,
    if_none_match: Annotated[str | None, Header()] = None,
) -> Response:
    blob = service.photo_download(session, user, photo_id, variant, settings)
    return serve(storage, blob, range_header, if_none_match)


@media.get(
    "/media/recordings/{recording_id}",
    response_class=Response,
    responses=_binary(RECORDING_TYPES, "录音"),
)
def recording(
    recording_id: IdPath,
    user: CurrentUser,
    session: SessionDep,
    storage: StorageDep,
    settings: SettingsDep,
    range_header: Annotated[str | None, Header(alias="Range")] = None,
    if_none_match: Annotated[str | None, Header()] = None,
) -> Response:
    blob = service.recording_download(session, user, recording_id, settings)
    return serve(storage, blob, range_header, if_none_match)


router.include_router(media)
