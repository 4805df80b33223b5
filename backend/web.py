"""Serves the built PWA (pwa/dist) at `/` beside the API, and the settings the app needs
before login (`GET /api/v1/client-config`)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse, Response
from fastapi.routing import iter_route_contexts
from pydantic import BaseModel
from starlette.convertors import Convertor, register_url_convertor

from backend.config import Settings
from backend.errors import NotFound

# Vite writes content-hashed names (`index-B2x9fQ1a.js`, workbox-5c0f1a2b.js): safe forever.
_HASHED = re.compile(r"[-.][A-Za-z0-9_-]{8,}\.(?:js|css|woff2?|png|svg|jpg|webp|wasm)$")
# Files that must be revalidated on every load so a deploy reaches phones at once.
_REVALIDATE = {"index.html", "sw.js", "manifest.webmanifest", "registerSW.js"}


class _AppPath(Convertor[str]):
    """Any path but the APIs' and the docs': those keep their own 404 and 405 answers."""

    regex = r"(?!(?:api|open311|docs|redoc|openapi\.json)(?:/|$)).*"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("app_path", _AppPath())

_NOT_BUILT = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>网格通</title></head>
<body><h1>网格通</h1><p>前端尚未构建。请运行 <code>make run</code>（会自动构建 pwa/），
或在 pwa/ 目录执行 <code>npm ci &amp;&amp; npm run build</code>。</p>
<p>接口文档：<a href="/docs">/docs</a></p></body></html>
"""


class ClientConfig(BaseModel):
    """What the app needs before anyone logs in."""

    app_name: str
    # A slippy-map tile URL template ({z}/{x}/{y}); None: grid polygons drawn on a blank map.
    map_tile_url: str | None
    # The coordinate system the tiles are drawn in: 高德/腾讯 gcj02, 天地图 wgs84, 百度 bd09.
    map_tile_crs: Literal["wgs84", "gcj02", "bd09"]
    map_tile_attribution: str | None
    max_photos_per_report: int
    max_photo_bytes: int
    policy_profile: str
    # Optional APIs this server has (the app feature-detects them without probing for 404s).
    features: list[str]


# Feature name -> (method, path) of APIs the app uses when the server has them.
OPTIONAL_APIS = {
    "workorder_list": ("GET", "/api/v1/workorders"),
    "codes": ("GET", "/api/v1/codes"),
    "unread_count": ("GET", "/api/v1/inbox/unread-count"),
    "closure_lint": ("POST", "/api/v1/closure/lint"),
}


def available_features(app: FastAPI) -> list[str]:
    routes = {
        (method, route.path)
        for route in iter_route_contexts(app.routes)
        for method in route.methods or ()
    }
    return [name for name, key in OPTIONAL_APIS.items() if key in routes]


router = APIRouter(tags=["client"])


@router.get("/client-config", response_model=ClientConfig)
def client_config(request: Request) -> ClientConfig:
    settings: Settings = request.app.state.settings
    return ClientConfig(
        app_name="网格通",
        map_tile_url=settings.map_tile_url,
        map_tile_crs=settings.map_tile_crs,
        map_tile_attribution=settings.map_tile_attribution,
        max_photos_per_report=settings.max_photos_per_report,
        max_photo_bytes=settings.max_photo_bytes,
        policy_profile=settings.policy_profile,
        features=available_features(request.app),
    )


def content_security_policy(settings: Settings) -> str:
    img = "'self' blob: data:"
    if settings.map_tile_url:
        parts = urlsplit(settings.map_tile_url.replace("{s}", "a"))
        host = f"{parts.scheme}://{parts.netloc}" if parts.netloc else ""
        # Subdomain templates ({s}.tile.example.com) need every subdomain.
        if "{s}" in settings.map_tile_url and parts.netloc:
            host = f"{parts.scheme}://*.{parts.netloc.split('.', 1)[1]}"
        img = f"{img} {host}".rstrip()
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            # Vue and Vant set element styles at run time (transitions, teleported popups).
            "style-src 'self' 'unsafe-inline'",
            f"img-src {img}",
            "media-src 'self' blob: data:",
            "connect-src 'self'",
            "worker-src 'self'",
            "manifest-src 'self'",
            "font-src 'self' data:",
            "object-src 'none'",
            "base-uri 'self'",
            "frame-ancestors 'none'",
        ]
    )


def _cache_control(name: str) -> str:
    if name in _REVALIDATE:
        return "no-cache"
    if _HASHED.search(name):
        return "public, max-age=31536000, immutable"
    # Icons and other unhashed public files: cache briefly, then revalidate.
    return "public, max-age=3600"


def install_web(app: FastAPI, settings: Settings) -> None:
    """Adds the client-config route and, last of all, the app's files with history fallback."""
    app.include_router(router, prefix="/api/v1")
    dist = Path(settings.pwa_dist).resolve()
    csp = content_security_policy(settings)

    def index() -> Response:
        # nosniff, the referrer policy and frame denial come from backend.http_guards.
        headers = {"Cache-Control": "no-cache", "Content-Security-Policy": csp}
        page = dist / "index.html"
        if not page.is_file():
            return HTMLResponse(_NOT_BUILT, status_code=503, headers=headers)
        return FileResponse(page, media_type="text/html; charset=utf-8", headers=headers)

    async def serve(path: str) -> Response:
        if path in ("", "index.html"):
            return index()
        candidate = (dist / path).resolve()
        if candidate.is_relative_to(dist) and candidate.is_file():
            headers = {"Cache-Control": _cache_control(candidate.name)}
            if candidate.name == "sw.js":
                headers["Service-Worker-Allowed"] = "/"
            media_type = "application/manifest+json" if candidate.suffix == ".webmanifest" else None
            return FileResponse(candidate, headers=headers, media_type=media_type)
        # A missing file with an extension is a 404; anything else is a route of the app.
        if "." in path.rsplit("/", 1)[-1]:
            raise NotFound("找不到该文件")
        return index()

    app.add_api_route("/{path:app_path}", serve, methods=["GET", "HEAD"], include_in_schema=False)
