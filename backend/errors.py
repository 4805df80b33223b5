"""Domain errors and the one place that turns every error into the JSON error body."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger("gridline.errors")


class DomainError(Exception):
    """Raised by services; carries the HTTP status, a stable code and a Chinese message."""

    status_code = 400
    code = "bad_request"
    message = "请求有误"

    def __init__(
        self,
        message: str | None = None,
        *,
        code: str | None = None,
        field: str | None = None,
        headers: dict[str, str] | None = None,
        keep_changes: bool = False,
        status_code: int | None = None,
    ) -> None:
        if status_code is not None:
            self.status_code = status_code
        self.message = message or self.message
        # True when the request fails but what it wrote must still be committed
        # (e.g. a counted login failure, a revoked token family).
        self.keep_changes = keep_changes
        self.code = code or self.code
        self.field = field
        self.headers = headers
        super().__init__(self.message)


class InvalidInput(DomainError):
    status_code = 422
    code = "invalid_input"
    message = "输入有误"


class NotAuthenticated(DomainError):
    status_code = 401
    code = "not_authenticated"
    message = "请先登录"


class Forbidden(DomainError):
    status_code = 403
    code = "forbidden"
    message = "没有权限执行此操作"


class NotFound(DomainError):
    status_code = 404
    code = "not_found"
    message = "找不到该记录"


class Conflict(DomainError):
    status_code = 409
    code = "conflict"
    message = "数据已被他人修改，请刷新后重试"


class TooManyRequests(DomainError):
    status_code = 429
    code = "too_many_requests"
    message = "尝试次数过多，请稍后再试"


class PayloadTooLarge(DomainError):
    status_code = 413
    code = "file_too_large"
    message = "文件过大"


class UnsupportedMedia(DomainError):
    status_code = 415
    code = "unsupported_media_type"
    message = "不支持的文件格式"


_STATUS_CODES = {
    400: ("bad_request", "请求有误"),
    401: ("not_authenticated", "请先登录"),
    403: ("forbidden", "没有权限执行此操作"),
    404: ("not_found", "找不到该地址"),
    405: ("method_not_allowed", "不支持该请求方法"),
    409: ("conflict", "请求冲突"),
    413: ("file_too_large", "请求内容过大"),
    415: ("unsupported_media_type", "不支持的内容格式"),
    429: ("too_many_requests", "请求过于频繁"),
}


def error_body(code: str, message: str, field: str | None = None) -> dict[str, Any]:
    error: dict[str, Any] = {"code": code, "message": message}
    if field:
        error["field"] = field
    return {"error": error}


def _field_of(loc: tuple[Any, ...] | list[Any]) -> str | None:
    # ("body", "items", 0, "name") -> "items.0.name"; the source ("body", "query") is dropped.
    parts = (
        [str(p) for p in loc[1:]]
        if loc and loc[0] in {"body", "query", "path", "header", "form", "cookie"}
        else [str(p) for p in loc]
    )
    return ".".join(parts) or None


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def _domain(_: Request, exc: DomainError) -> JSONResponse:
        return JSONResponse(
            error_body(exc.code, exc.message, exc.field),
            status_code=exc.status_code,
            headers=exc.headers,
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {}
        field = _field_of(tuple(first.get("loc", ())))
        detail = first.get("msg", "")
        message = f"字段 {field} 无效：{detail}" if field else f"请求无效：{detail}"
        body = error_body("validation_error", message, field)
        body["error"]["details"] = [
            {"field": _field_of(tuple(e.get("loc", ()))), "message": e.get("msg", "")}
            for e in exc.errors()
        ]
        return JSONResponse(body, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code, message = _STATUS_CODES.get(exc.status_code, ("http_error", "请求失败"))
        if isinstance(exc.detail, str) and exc.detail and exc.status_code not in (404, 405):
            message = exc.detail
        return JSONResponse(
            error_body(code, message),
            status_code=exc.status_code,
            headers=getattr(exc, "headers", None),
        )

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", exc_info=exc)
        return JSONResponse(
            error_body("internal_error", "服务器内部错误，请稍后重试"), status_code=500
        )
