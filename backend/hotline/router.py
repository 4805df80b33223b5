"""POST /api/v1/hotline/orders: orders from the district platform, one or up to 500."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Response, status

from backend.auth.models import Role, User
from backend.deps import NowDep, SessionDep, SettingsDep, require_roles
from backend.errors import DomainError, InvalidInput
from backend.hotline import service
from backend.hotline.schemas import MAX_ROWS, PlatformImportOut, PlatformOrderIn

router = APIRouter(tags=["hotline"])

Importer = Annotated[User, Depends(require_roles(Role.dispatcher, Role.admin))]
_ROW_SCHEMA = PlatformOrderIn.model_json_schema()


@router.post(
    "/hotline/orders",
    response_model=PlatformImportOut,
    responses={
        201: {"model": PlatformImportOut, "description": "a single new order"},
        409: {"description": "the order is finished at the street and the resend changes it"},
    },
    # Rows are validated one by one (a bad row is refused alone), so the body is read raw;
    # this is its real shape.
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "oneOf": [
                            _ROW_SCHEMA,
                            {"type": "array", "items": _ROW_SCHEMA, "maxItems": MAX_ROWS},
                        ]
                    }
                }
            },
        }
    },
)
def import_platform_orders(
    response: Response,
    user: Importer,
    session: SessionDep,
    settings: SettingsDep,
    now: NowDep,
    body: Annotated[dict[str, Any] | list[Any], Body()],
) -> PlatformImportOut:
    """One object answers 201 (created), 200 (updated or unchanged) or the row's error; a
    list answers 200 with each row's outcome."""
    if isinstance(body, list):
        if not 1 <= len(body) <= MAX_ROWS:
            raise InvalidInput(f"一次可导入 1 至 {MAX_ROWS} 条", code="too_many_rows", field="body")
        return service.import_orders(session, user, body, settings, now)
    answer = service.import_orders(session, user, [body], settings, now)
    result = answer.results[0]
    if result.error is not None:
        error = result.error
        raise DomainError(
            error.message, code=error.code, field=error.field, status_code=error.status
        )
    response.status_code = status.HTTP_201_CREATED if answer.created else status.HTTP_200_OK
    return answer
