"""Liveness with a real database round trip."""

from __future__ import annotations

from importlib.metadata import version

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from backend.deps import SessionDep

router = APIRouter(tags=["health"])


@router.get("/health")
def health(session: SessionDep) -> JSONResponse:
    body: dict[str, object] = {"version": version("gridline")}
    try:
        revision = session.execute(text("SELECT version_num FROM alembic_version")).scalar()
        body.update(status="ok", database="ok", schema_revision=revision)
        return JSONResponse(body)
    except SQLAlchemyError:
        body.update(status="degraded", database="unreachable")
        return JSONResponse(body, status_code=503)
