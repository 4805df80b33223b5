"""Media downloads: only to those who may see the order (or report); ETag, caching, ranges."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Response

from backend.deps import CurrentUser, SessionDep, SettingsDep, StorageDep
from backend.evidence import media
from backend.evidence.audio import MIME_TYPES
from backend.evidence.service import IMAGE_MIME
from backend.fields import IdPath
from backend.workorders.service import photo_download, recording_download

router = APIRouter(tags=["media"])


def _binary(mimes: list[str], what: str) -> dict[int | str, dict[str, Any]]:
    content = {m: {"schema": {"type": "string", "format": "binary"}} for m in mimes}
    return {
        200: {"description": what, "content": content},
        206: {"description": f"{what}（部分，Range）", "content": content},
        304: {"description": "未修改（If-None-Match）"},
    }


PHOTO_TYPES = sorted(set(IMAGE_MIME.values()))
RECORDING_TYPES = sorted({*MIME_TYPES.values(), "audio/amr-wb"})


@router.get(
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
    blob = photo_download(session, user, photo_id, variant, settings)
    return media.serve(storage, blob, range_header, if_none_match)


@router.get(
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
    blob = recording_download(session, user, recording_id, settings)
    return media.serve(storage, blob, range_header, if_none_match)
