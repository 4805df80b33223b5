"""ASGI guards in front of every route: request body limits and security headers.

Body limits. An upload is refused before a byte of it is read when it has no valid access
token (401) or declares more than the ceiling (413); while it streams, a lying or chunked
client is cut off at the ceiling (413). The ceiling of a multipart body is every photo and a
recording at their own limits plus the form's overhead (``Settings.max_upload_bytes``); any
other body gets ``Settings.max_json_bytes``.

Headers. Every response gets nosniff, a referrer policy and frame denial; API answers are not
stored by caches unless the route says otherwise (media does: private, immutable); HTML that
sets no Content-Security-Policy of its own gets a strict one.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime

from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from backend.auth.keys import SigningKey
from backend.auth.tokens import InvalidToken, decode_access_token
from backend.config import Settings
from backend.errors import error_body

_WRITES = frozenset({"POST", "PUT", "PATCH"})
_MAX_LENGTH_DIGITS = 15  # a petabyte: any longer Content-Length is too large by its length
STRICT_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"


class RequestTooLarge(HTTPException):
    """Raised from the body stream; FastAPI passes HTTPExceptions on from body parsing."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"请求内容过大（上限 {limit // (1024 * 1024)} MB）")


async def _send_json(send: Send, status: int, body: dict, headers: dict[str, str]) -> None:
    payload = json.dumps(body, ensure_ascii=False).encode()
    raw = [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())]
    raw += [(k.lower().encode(), v.encode()) for k, v in headers.items()]
    # Tell the client not to keep streaming a body nobody will read.
    raw.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": payload})


def _declared_length(headers: Headers) -> int | str | None:
    """The Content-Length as a number, None when absent, "invalid" when not a number."""
    value = headers.get("content-length")
    if value is None:
        return None
    value = value.strip()
    if not value.isascii() or not value.isdigit():
        return "invalid"
    if len(value.lstrip("0")) > _MAX_LENGTH_DIGITS:
        return 10**_MAX_LENGTH_DIGITS
    return int(value)


class BodyLimits:
    def __init__(
        self,
        app: ASGIApp,
        *,
        settings: Settings,
        signing_key: SigningKey,
        now: Callable[[], datetime],
    ) -> None:
        self.app, self.settings, self.signing_key, self.now = app, settings, signing_key, now

    def _has_valid_token(self, headers: Headers) -> bool:
        scheme, _, token = headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            return False
        now = self.now()
        try:
            decode_access_token(token.strip(), secret=self.signing_key.get(now), now=now)
        except InvalidToken:
            return False
        return True

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in _WRITES:
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        multipart = headers.get("content-type", "").lower().startswith("multipart/")
        limit = self.settings.max_upload_bytes if multipart else self.settings.max_json_bytes
        if multipart and not self._has_valid_token(headers):
            body = error_body("not_authenticated", "请先登录后再上传")
            await _send_json(send, 401, body, {"WWW-Authenticate": "Bearer"})
            return
        declared = _declared_length(headers)
        if declared == "invalid":
            body = error_body("bad_request", "Content-Length 无效", "Content-Length")
            await _send_json(send, 400, body, {})
            return
        if isinstance(declared, int) and declared > limit:
            await _send_json(send, 413, _too_large(limit), {})
            return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise RequestTooLarge(limit)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except RequestTooLarge:
            if started:
                raise
            await _send_json(send, 413, _too_large(limit), {})


def _too_large(limit: int) -> dict:
    return error_body(
        "request_too_large", f"请求内容过大（上限 {limit // (1024 * 1024)} MB）", "body"
    )


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("Referrer-Policy", "no-referrer")
                headers.setdefault("X-Frame-Options", "DENY")
                if path.startswith("/api/v1/auth/"):
                    headers["Cache-Control"] = "no-store"
                elif path.startswith("/api/"):
                    headers.setdefault("Cache-Control", "no-store")
                content_type = headers.get("content-type", "")
                if content_type.startswith("text/html"):
                    headers.setdefault("Content-Security-Policy", STRICT_CSP)
            await send(message)

        await self.app(scope, receive, with_headers)
