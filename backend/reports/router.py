"""Report routes: multipart intake, reading one's reports."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, File, Form, Query, Response, UploadFile, status

from backend.auth.models import Role, User
from backend.deps import CurrentUser, NowDep, SessionDep, SettingsDep, StorageDep, require_roles
from backend.dispatch import intake
from backend.evidence.service import Upload
from backend.fields import MAX_CATEGORY_NUMBER, IdPath, Instant, Text
from backend.pagination import Page
from backend.reports import service
from backend.reports.schemas import ReportOut
from backend.timefmt import parse_client_time

router = APIRouter(tags=["reports"])

Reporter = Annotated[User, Depends(require_roles(Role.member, Role.inspector))]


def _read(file: UploadFile, field: str, limit: int) -> Upload:
    # Read at most one byte past the limit: enough to know it is too big, and no more.
    return Upload(field=field, filename=file.filename or "", data=file.file.read(limit + 1))


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
    submission = service.ReportSubmission(
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


@router.get("/reports", response_model=Page[ReportOut])
def list_reports(
    user: CurrentUser,
    session: SessionDep,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> Page[ReportOut]:
    return service.list_reports(session, user, cursor=cursor, limit=limit)


@router.get("/reports/{report_id}", response_model=ReportOut)
def get_report(report_id: IdPath, user: CurrentUser, session: SessionDep) -> ReportOut:
    return service.get_report(session, user, report_id)
