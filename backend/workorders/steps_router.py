"""Lifecycle steps: POST /api/v1/workorders/{id}/<step>; each answers the updated order."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, UploadFile

from backend.deps import CurrentUser, NowDep, SessionDep, SettingsDep, StorageDep
from backend.evidence.service import Upload
from backend.fields import MAX_VERSION, IdPath
from backend.workorders import closure, handling, returns, review
from backend.workorders.codes import EvidencePhase, RecordingKind
from backend.workorders.schemas import WorkOrderOut
from backend.workorders.service import order_out
from backend.workorders.step_schemas import (
    AssistReportIn,
    CallbackIn,
    CheckInIn,
    ClosureIn,
    ExtensionDecisionIn,
    ExtensionIn,
    FirstContactIn,
    RejectIn,
    ReturnDecisionIn,
    ReturnIn,
    StoreIn,
    SupervisionIn,
    SupervisionReplyIn,
    VerificationIn,
    Versioned,
)

router = APIRouter(prefix="/workorders/{order_id}", tags=["workorder steps"])


@router.post("/accept", response_model=WorkOrderOut)
def accept(
    order_id: IdPath, body: Versioned, user: CurrentUser, session: SessionDep, now: NowDep
) -> WorkOrderOut:
    return order_out(session, handling.accept(session, user, order_id, body, now), now)


@router.post("/first-contact", response_model=WorkOrderOut)
def first_contact(
    order_id: IdPath,
    body: FirstContactIn,
    user: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
    now: NowDep,
) -> WorkOrderOut:
    return order_out(
        session, handling.first_contact(session, user, order_id, body, settings, now), now
    )


@router.post("/check-in", response_model=WorkOrderOut)
def check_in(
    order_id: IdPath,
    body: CheckInIn,
    user: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
    now: NowDep,
) -> WorkOrderOut:
    return order_out(session, handling.check_in(session, user, order_id, body, settings, now), now)


@router.post("/evidence", response_model=WorkOrderOut)
def evidence(
    order_id: IdPath,
    user: CurrentUser,
    session: SessionDep,
    storage: StorageDep,
    settings: SettingsDep,
    now: NowDep,
    version: Annotated[int, Form(ge=1, le=MAX_VERSION)],
    phase: Annotated[EvidencePhase, Form()],
    photos: Annotated[list[UploadFile] | None, File()] = None,
    recording: Annotated[UploadFile | None, File()] = None,
    recording_kind: Annotated[RecordingKind, Form()] = "first_contact",
) -> WorkOrderOut:
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
    order = handling.add_evidence(
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
    return order_out(session, order, now)


@router.post("/returns", response_model=WorkOrderOut)
def request_return(
    order_id: IdPath,
    body: ReturnIn,
    user: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
    now: NowDep,
) -> WorkOrderOut:
    return order_out(
        session, returns.request_return(session, user, order_id, body, settings, now), now
    )


@router.post("/returns/{return_id}/decision", response_model=WorkOrderOut)
def decide_return(
    order_id: IdPath,
    return_id: IdPath,
    body: ReturnDecisionIn,
    user: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
    now: NowDep,
) -> WorkOrderOut:
    order = returns.decide_return(session, user, order_id, return_id, body, settings, now)
    return order_out(session, order, now)


@router.post("/extensions", response_model=WorkOrderOut)
def request_extension(
    order_id: IdPath,
    body: ExtensionIn,
    user: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
    now: NowDep,
) -> WorkOrderOut:
    return order_out(
        session, returns.request_extension(session, user, order_id, body, settings, now), now
    )


@router.post("/extensions/{extension_id}/decision", response_model=WorkOrderOut)
def decide_extension(
    order_id: IdPath,
    extension_id: IdPath,
    body: ExtensionDecisionIn,
    user: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
    now: NowDep,
) -> WorkOrderOut:
    order = returns.decide_extension(session, user, order_id, extension_id, body, settings, now)
    return order_out(session, order, now)


@router.post("/closure", response_model=WorkOrderOut)
def submit_closure(
    order_id: IdPath,
    body: ClosureIn,
    user: CurrentUser,
    session: SessionDep,
    storage: StorageDep,
    settings: SettingsDep,
    now: NowDep,
) -> WorkOrderOut:
    order = closure.submit_closure(session, storage, user, order_id, body, settings, now)
    return order_out(session, order, now)


@router.post("/assist-report", response_model=WorkOrderOut)
def assist_report(
    order_id: IdPath, body: AssistReportIn, user: CurrentUser, session: SessionDep, now: NowDep
) -> WorkOrderOut:
    return order_out(session, closure.assist_report(session, user, order_id, body, now), now)


@router.post("/verification", response_model=WorkOrderOut)
def verification(
    order_id: IdPath,
    body: VerificationIn,
    user: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
    now: NowDep,
) -> WorkOrderOut:
    return order_out(session, review.verify(session, user, order_id, body, settings, now), now)


@router.post("/callback", response_model=WorkOrderOut)
def callback(
    order_id: IdPath,
    body: CallbackIn,
    user: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
    now: NowDep,
) -> WorkOrderOut:
    return order_out(session, review.callback(session, user, order_id, body, settings, now), now)


@router.post("/supervisions", response_model=WorkOrderOut)
def supervise(
    order_id: IdPath,
    body: SupervisionIn,
    user: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
    now: NowDep,
) -> WorkOrderOut:
    return order_out(session, review.supervise(session, user, order_id, body, settings, now), now)


@router.post("/supervisions/{supervision_id}/reply", response_model=WorkOrderOut)
def reply_supervision(
    order_id: IdPath,
    supervision_id: IdPath,
    body: SupervisionReplyIn,
    user: CurrentUser,
    session: SessionDep,
    now: NowDep,
) -> WorkOrderOut:
    order = review.reply_supervision(session, user, order_id, supervision_id, body, now)
    return order_out(session, order, now)


@router.post("/store", response_model=WorkOrderOut)
def store(
    order_id: IdPath,
    body: StoreIn,
    user: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
    now: NowDep,
) -> WorkOrderOut:
    return order_out(session, review.store(session, user, order_id, body, settings, now), now)


@router.post("/reject", response_model=WorkOrderOut)
def reject(
    order_id: IdPath, body: RejectIn, user: CurrentUser, session: SessionDep, now: NowDep
) -> WorkOrderOut:
    return order_out(session, review.reject(session, user, order_id, body, now), now)


@router.post("/archive", response_model=WorkOrderOut)
def archive(
    order_id: IdPath, body: Versioned, user: CurrentUser, session: SessionDep, now: NowDep
) -> WorkOrderOut:
    return order_out(session, review.archive(session, user, order_id, body, now), now)
