"""The OpenAPI document tells the truth: each operation lists the errors it can answer, with
the one error body every error has, and 422 is that body rather than FastAPI's default.

Which errors an operation can answer follows from the operation as FastAPI documents it (it
needs a login, takes an id in the path, parameters, a body, a version, an upload), so a new
route is documented by being written the usual way.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from backend.errors import ErrorBody

ERROR_DESCRIPTIONS = {
    400: "请求有误",
    401: "未登录或登录已失效",
    403: "没有权限",
    404: "找不到，或无权查看",
    409: "工单已变化（版本过期）或当前状态不能执行该步骤",
    413: "请求或文件过大",
    415: "不支持的文件格式",
    416: "请求的字节范围无效",
    422: "输入有误（field 指出字段）",
    429: "尝试过于频繁（Retry-After）",
}
_REF = "#/components/schemas/ErrorBody"
_WRITES = frozenset({"post", "put", "patch"})


def _resolve(schema: dict[str, Any], spec: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
        return spec["components"]["schemas"].get(ref.rsplit("/", 1)[-1], {})
    return schema


def error_codes(
    path: str, method: str, operation: dict[str, Any], spec: dict[str, Any]
) -> set[int]:
    parameters = operation.get("parameters", [])
    content = operation.get("requestBody", {}).get("content", {})
    codes: set[int] = set()
    if operation.get("security"):
        codes |= {401, 403}
    if any(p.get("in") == "path" for p in parameters):
        codes.add(404)
    if parameters or content:
        codes.add(422)
    if method in _WRITES:
        codes |= {400, 413}  # a body may be unreadable, and every body has a ceiling
    if "multipart/form-data" in content:
        codes |= {401, 413, 415}
    fields: set[str] = set()
    for media in content.values():
        fields |= set(_resolve(media.get("schema", {}), spec).get("properties", {}))
    if "version" in fields or (path.startswith("/api/v1/workorders/{") and method in _WRITES):
        codes.add(409)
    if path.startswith("/api/v1/media/"):
        codes.add(416)
    if path.startswith("/api/v1/auth/"):
        codes.add(401)  # wrong password, dead refresh token
    if path == "/api/v1/auth/login":
        codes.add(429)
    return codes


def _error_response(code: int) -> dict[str, Any]:
    return {
        "description": ERROR_DESCRIPTIONS.get(code, "错误"),
        "content": {"application/json": {"schema": {"$ref": _REF}}},
    }


def install_openapi(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        spec = get_openapi(
            title=app.title,
            version=app.version,
            description=app.description,
            routes=app.routes,
        )
        components = spec.setdefault("components", {}).setdefault("schemas", {})
        body = ErrorBody.model_json_schema(ref_template="#/components/schemas/{model}")
        components.update(body.pop("$defs", {}))
        components["ErrorBody"] = body
        for path, operations in spec.get("paths", {}).items():
            for method, operation in operations.items():
                responses = operation.setdefault("responses", {})
                # Errors a route declares itself get the one error body too.
                declared = {int(c) for c in responses if c.isdigit() and int(c) >= 400}
                for code in sorted(error_codes(path, method, operation, spec) | declared):
                    responses[str(code)] = _error_response(code)
        for unused in ("HTTPValidationError", "ValidationError"):
            components.pop(unused, None)
        app.openapi_schema = spec
        return spec

    app.openapi = openapi  # type: ignore[method-assign]
