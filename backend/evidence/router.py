"""Media downloads: only to those who may see the report; ETag, caching, byte ranges."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Header, Response

from backend.deps import CurrentUser, SessionDep, StorageDep
from backend.evidence import media

router = APIRouter(tags=["media"])


@router.get("/media/photos/{photo_id}/{variant}")
def photo(
    photo_id: int,
    variant: Literal["original", "display", "thumbnail"],
    user: CurrentUser,
    session: SessionDep,
    storage: StorageDep,
    range_header: Annotated[str | None, Header(alias="Range")] = None,
    if_none_match: Annotated[str | None, Header()] = None,
) -> Response:
    blob = media.photo_blob(session, user, photo_id, variant)
    return media.serve(storage, blob, range_header, if_none_match)


@router.get("/media/recordings/{recording_id}")
def recording(
    recording_id: int,
    user: CurrentUser,
    session: SessionDep,
    storage: StorageDep,
    range_header: Annotated[str | None, Header(alias="Range")] = None,
    if_none_match: Annotated[str | None, Header()] = None,
) -> Response:
    blob = media.recording_blob(session, user, recording_id)
    return media.serve(storage, blob, range_header, if_none_match)
