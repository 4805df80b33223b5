"""GeoReport v2 under /open311/v2/: XML or JSON by the path's extension, the spec's errors.

Parameters are read as the spec names them (``attribute[CODE]``, ``long``), not through
FastAPI's models, so an empty parameter is simply absent and every refusal is the spec's
error list rather than this API's own error body.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.exception_handlers import http_exception_handler
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException

from backend.deps import NowDep, SessionDep, SettingsDep, StorageDep
from backend.errors import DomainError
from backend.open311 import formats, service
from backend.open311.rules import FORMATS, Open311Problem, present

PREFIX = "/open311/v2"
router = APIRouter(prefix=PREFIX, tags=["open311"], include_in_schema=False)


def _format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise Open311Problem(404, f"不支持的格式：请使用 .xml 或 .json（.{fmt}）")
    return fmt


def _answer(fmt: str, root: str, body: Any, status: int = 200) -> Response:
    content, media_type = formats.render(fmt, root, body)
    return Response(content, status_code=status, media_type=media_type)


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def _params(request: Request) -> dict[str, str]:
    # A repeated parameter keeps its first value; the spec's lists are comma-separated.
    params: dict[str, str] = {}
    for key, value in request.query_params.multi_items():
        params.setdefault(key, value)
    return params


@router.get("/discovery.{fmt}")
def discovery(fmt: str, request: Request, settings: SettingsDep) -> Response:
    return _answer(_format(fmt), "discovery", service.discovery(settings, _base(request)))


@router.get("/services.{fmt}")
def services(fmt: str, session: SessionDep) -> Response:
    return _answer(_format(fmt), "services", service.services(session))


@router.get("/services/{code}.{fmt}")
def service_definition(code: str, fmt: str, session: SessionDep) -> Response:
    fmt = _format(fmt)
    return _answer(fmt, "service_definition", service.service_definition(session, code))


@router.post("/requests.{fmt}")
async def file_request(
    fmt: str,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    storage: StorageDep,
    now: NowDep,
) -> Response:
    fmt = _format(fmt)
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind not in ("application/x-www-form-urlencoded", "multipart/form-data"):
        raise Open311Problem(400, "请求应为表单（application/x-www-form-urlencoded）")
    try:
        form = await request.form()
    except Exception:  # a broken body: the parser's own errors vary by library
        raise Open311Problem(400, "表单无法解析，请检查编码") from None
    fields: dict[str, list[str]] = {}
    for key, value in form.multi_items():
        if not isinstance(value, UploadFile):
            fields.setdefault(key, []).append(value)
    api_key = present({"api_key": fields["api_key"][0]} if fields.get("api_key") else {}, "api_key")
    engine = request.app.state.engine

    def work() -> list[dict[str, Any]]:
        key = service.authenticate(session, engine, api_key, settings, now)
        filed = service.read_request(session, key, fields, settings, now)
        try:
            return service.file_request(session, key, filed, settings, storage, now)
        except DomainError as exc:  # the intake's own refusals, in the spec's error list
            status = exc.status_code if exc.status_code in (403, 404) else 400
            raise Open311Problem(status, exc.message, exc.field) from None

    answer = await run_in_threadpool(work)
    return _answer(fmt, "service_requests", answer, status=201)


@router.get("/requests.{fmt}")
def list_requests(
    fmt: str, request: Request, session: SessionDep, settings: SettingsDep, now: NowDep
) -> Response:
    fmt = _format(fmt)
    body = service.list_requests(session, _params(request), settings, now, _base(request))
    return _answer(fmt, "service_requests", body)


@router.get("/requests/{number}.{fmt}")
def get_request(
    number: str, fmt: str, request: Request, session: SessionDep, settings: SettingsDep
) -> Response:
    fmt = _format(fmt)
    body = service.get_request(session, number, settings, _base(request))
    return _answer(fmt, "service_requests", body)


@router.get("/tokens/{token}.{fmt}")
def token(token: str, fmt: str, session: SessionDep) -> Response:
    fmt = _format(fmt)
    return _answer(fmt, "service_requests", service.token_status(session, token))


@router.get("/servicerequestupdates.{fmt}")
def updates(
    fmt: str, request: Request, session: SessionDep, settings: SettingsDep, now: NowDep
) -> Response:
    fmt = _format(fmt)
    body = service.list_updates(session, _params(request), settings, now)
    return _answer(fmt, "service_request_updates", body)


@router.get("/media/{number}.jpg")
def media(number: str, session: SessionDep, settings: SettingsDep, storage: StorageDep) -> Response:
    data = service.display_photo(session, number, settings, storage)
    return Response(
        data, media_type="image/jpeg", headers={"Cache-Control": "public, max-age=3600"}
    )


def _format_of(request: Request) -> str:
    return "xml" if request.url.path.endswith(".xml") else "json"


def install(app: FastAPI) -> None:
    """The routes, and the spec's error list for every refusal under /open311/v2/ (the rest
    of the app keeps its own error body)."""
    app.include_router(router)

    @app.exception_handler(Open311Problem)
    async def _problem(request: Request, exc: Open311Problem) -> Response:
        headers = {"Retry-After": str(exc.retry_after)} if exc.status == 429 else None
        content, media_type = formats.render(
            _format_of(request), "errors", formats.errors(exc.status, exc.description)
        )
        return Response(content, status_code=exc.status, media_type=media_type, headers=headers)

    previous: Callable[..., Any] = app.exception_handlers.get(
        StarletteHTTPException, http_exception_handler
    )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        if not request.url.path.startswith(PREFIX + "/"):
            return await previous(request, exc)
        description = "没有该资源" if exc.status_code == 404 else "请求无效"
        if exc.status_code == 405:
            description = "不支持该请求方法"
        content, media_type = formats.render(
            _format_of(request), "errors", formats.errors(exc.status_code, description)
        )
        return Response(content, status_code=exc.status_code, media_type=media_type)
