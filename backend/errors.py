"""Domain errors and the one place that turns every error into the JSON error body."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
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


class ErrorProblem(BaseModel):
    code: str
    field: str | None = None
    message: str


class ErrorDetail(BaseModel):
    code: str
    message: str
    field: str | None = None
    # Validation errors list every problem, the first of which is code/message/field.
    details: list[ErrorProblem] | None = None


class ErrorBody(BaseModel):
    """Every error answer: the PWA shows ``message`` as is, clients branch on ``code``."""

    error: ErrorDetail


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


# pydantic's error types in Chinese; {name} comes from the error's ctx.
_MESSAGES_ZH = {
    "missing": "必填",
    "less_than_equal": "不能大于 {le}",
    "less_than": "须小于 {lt}",
    "greater_than_equal": "不能小于 {ge}",
    "greater_than": "须大于 {gt}",
    "string_too_short": "至少 {min_length} 个字符",
    "string_too_long": "最多 {max_length} 个字符",
    "too_short": "至少 {min_length} 项",
    "too_long": "最多 {max_length} 项",
    "string_type": "须为文本",
    "string_unicode": "须为有效的 UTF-8 文本",
    "string_pattern_mismatch": "格式不正确",
    "string_not_ascii": "只能包含英文字母、数字和符号",
    "int_parsing": "须为整数",
    "int_parsing_size": "数值过大",
    "int_type": "须为整数",
    "int_from_float": "须为整数",
    "float_parsing": "须为数字",
    "float_type": "须为数字",
    "decimal_parsing": "须为数字",
    "decimal_type": "须为数字",
    "finite_number": "须为有限的数字",
    "bool_parsing": "须为 true 或 false",
    "bool_type": "须为 true 或 false",
    "none_required": "须为空（null）",
    "datetime_parsing": "须为 ISO 8601 时间，如 2026-11-23T09:00:00+08:00",
    "datetime_from_date_parsing": "须为 ISO 8601 时间，如 2026-11-23T09:00:00+08:00",
    "datetime_type": "须为 ISO 8601 时间",
    "datetime_object_invalid": "不是有效的时间",
    "datetime_past": "须为过去的时间",
    "datetime_future": "须为将来的时间",
    "timezone_naive": "不能带时区",
    "timezone_aware": "须带时区，如 +08:00",
    "date_parsing": "须为日期，如 2026-11-23",
    "date_from_datetime_parsing": "须为日期，如 2026-11-23",
    "date_from_datetime_inexact": "须为日期，如 2026-11-23（不带时刻）",
    "date_type": "须为日期",
    "date_past": "须为过去的日期",
    "date_future": "须为将来的日期",
    "time_parsing": "须为时刻，如 09:00",
    "time_type": "须为时刻，如 09:00",
    "time_delta_parsing": "须为时长",
    "time_delta_type": "须为时长",
    "uuid_parsing": "须为 UUID",
    "uuid_type": "须为 UUID",
    "uuid_version": "UUID 版本不正确",
    "literal_error": "只能是：{expected}",
    "enum": "只能是：{expected}",
    "extra_forbidden": "不是可用的字段",
    "list_type": "须为列表",
    "tuple_type": "须为列表",
    "set_type": "须为列表",
    "frozen_set_type": "须为列表",
    "iterable_type": "须为列表",
    "dict_type": "须为对象",
    "mapping_type": "须为对象",
    "model_type": "须为对象",
    "model_attributes_type": "须为对象",
    "dataclass_type": "须为对象",
    "json_invalid": "不是有效的 JSON",
    "json_type": "须为 JSON",
    "url_type": "须为网址",
    "url_parsing": "须为网址",
    "url_scheme": "网址协议不正确",
    "url_too_long": "网址过长",
    "bytes_type": "须为文件",
    "bytes_too_long": "文件过大",
    "multiple_of": "须为 {multiple_of} 的倍数",
    "union_tag_invalid": "类型不正确",
    "union_tag_not_found": "缺少类型字段",
}
_OBJECT_TYPES = frozenset({"dict_type", "mapping_type", "model_type", "model_attributes_type"})


def _ctx_text(value: Any) -> str:
    """A bound as people write it: 90, not 90.0."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _expected_zh(expected: str) -> str:
    """pydantic's "'a', 'b' or 'c'" as a Chinese list: a、b、c."""
    return "、".join(
        part.strip().strip("'\"") for part in re.split(r",| or ", expected) if part.strip()
    )


def _has_cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def _value_error_zh(detail: str) -> str:
    """Our own ValueErrors are Chinese; a library's (e.g. FastAPI's "Expected UploadFile,
    received: <class 'str'>" for a form field where a file belongs) is not shown as is."""
    if _has_cjk(detail):
        return detail
    if "UploadFile" in detail:
        return "须为上传的文件"
    return "格式不正确"


def validation_problem(error: Mapping[str, Any]) -> tuple[str, str, str | None]:
    """(code, Chinese message, field) for one pydantic error. Our own refusals inside
    validation (code lists, NUL bytes, time spans) keep their code and message."""
    kind = str(error.get("type", ""))
    loc = tuple(error.get("loc", ()))
    if kind == "json_invalid":
        return "invalid_json", "请求内容不是有效的 JSON", "body"
    field = _field_of(loc)
    ctx = error.get("ctx") or {}
    if kind == "value_error":
        detail = _value_error_zh(str(ctx.get("error", error.get("msg", ""))))
    elif kind in _MESSAGES_ZH:
        values = {k: _ctx_text(v) for k, v in ctx.items()}
        if "expected" in values:
            values["expected"] = _expected_zh(values["expected"])
        try:
            detail = _MESSAGES_ZH[kind].format(**values)
        except (KeyError, IndexError):
            detail = _MESSAGES_ZH[kind]
    elif kind.startswith("invalid_"):
        return kind, str(error.get("msg", "")), field
    else:
        detail = "无效"
    if field:
        return "validation_error", f"字段 {field} {detail}", field
    # The body as a whole: a list, a string or nothing where an object belongs.
    if kind in _OBJECT_TYPES:
        return "invalid_body", '请求内容须为 JSON 对象，如 {"version": 3, …}', None
    if kind == "missing":
        return "invalid_body", "缺少请求内容（须为 JSON 对象）", None
    return "validation_error", f"请求无效：{detail}", None


_KEY = re.compile(r'"((?:[^"\\]|\\.)*)"\s*:')


def json_problem(document: Any, position: Any) -> tuple[str, str, str]:
    """(code, message, field) for a body that is not JSON: where it breaks, and the field
    whose value is broken when the break is inside one (``{"version": x}`` → version)."""
    if not isinstance(document, str) or not isinstance(position, int):
        return "invalid_json", "请求内容不是有效的 JSON", "body"
    before = document[:position]
    line = before.count("\n") + 1
    column = position - (before.rfind("\n") + 1) + 1
    where = f"第 {line} 行第 {column} 列"
    keys = list(_KEY.finditer(before))
    if keys and not re.search(r"[,{}\[\]]", before[keys[-1].end() :]):
        field = keys[-1].group(1)
        return "invalid_json", f"字段 {field} 的值不是有效的 JSON（{where}）", field
    return "invalid_json", f"请求内容不是有效的 JSON（{where}）", "body"


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
        problems = [
            json_problem(exc.body, tuple(e.get("loc", ()))[-1])
            if e.get("type") == "json_invalid"
            else validation_problem(e)
            for e in exc.errors()
        ] or [("validation_error", "请求无效", None)]
        code, message, field = problems[0]
        body = error_body(code, message, field)
        body["error"]["details"] = [{"code": c, "field": f, "message": m} for c, m, f in problems]
        return JSONResponse(body, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code, message = _STATUS_CODES.get(exc.status_code, ("http_error", "请求失败"))
        field = None
        if exc.status_code == 400:
            # FastAPI's only 400: a body it could not parse (not UTF-8, a broken form).
            code, message, field = "unreadable_body", "请求内容无法解析，请检查编码和格式", "body"
        elif isinstance(exc.detail, str) and exc.detail and exc.status_code not in (404, 405):
            message = exc.detail
        return JSONResponse(
            error_body(code, message, field),
            status_code=exc.status_code,
            headers=getattr(exc, "headers", None),
        )

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", exc_info=exc)
        return JSONResponse(
            error_body("internal_error", "服务器内部错误，请稍后重试"), status_code=500
        )
