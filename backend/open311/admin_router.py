"""/api/v1/open311/keys: admins create, list and revoke the keys of Open311 clients."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, status

from backend.auth.models import Role, User
from backend.deps import NowDep, SessionDep, require_roles
from backend.fields import IdPath
from backend.open311 import service
from backend.open311.models import Open311Key
from backend.open311.schemas import KeyIn, KeyList, KeyOut, NewKeyOut

router = APIRouter(prefix="/open311/keys", tags=["open311"])
Admin = Annotated[User, Depends(require_roles(Role.admin))]


def _out(row: Open311Key) -> KeyOut:
    return KeyOut.model_validate(row, from_attributes=True)


@router.get("", response_model=KeyList)
def list_keys(_: Admin, session: SessionDep) -> KeyList:
    return KeyList(items=[_out(row) for row in service.list_keys(session)])


@router.post("", response_model=NewKeyOut, status_code=status.HTTP_201_CREATED)
def create_key(body: KeyIn, _: Admin, session: SessionDep, now: NowDep) -> NewKeyOut:
    row, key = service.create_key(session, body.name, now)
    return NewKeyOut(**_out(row).model_dump(), key=key)


@router.post("/{key_id}/revoke", response_model=KeyOut)
def revoke_key(key_id: IdPath, _: Admin, session: SessionDep, now: NowDep) -> KeyOut:
    return _out(service.revoke_key(session, key_id, now))
