"""API documentation that works without internet: Swagger UI and ReDoc from an installed package.

The assets (swagger-ui-bundle.js, swagger-ui.css, redoc.standalone.js) come from the PyPI
package fastapi-offline (MIT), which vendors them from their upstream releases; nothing is
fetched from a CDN, so the docs open on a street's intranet. Served in dev mode, and in
production only when GRID_API_DOCS_PUBLIC is set.
"""

from __future__ import annotations

from pathlib import Path

import fastapi_offline
from fastapi import FastAPI
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles

from backend.config import Settings

ASSETS = Path(fastapi_offline.__file__).parent / "static"
STATIC = "/docs/static"
# Swagger UI starts from a small inline script; nothing else on these pages is inline.
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; worker-src 'self' blob:; frame-ancestors 'none'; base-uri 'none'"
)


def _html(response: HTMLResponse) -> HTMLResponse:
    response.headers["Content-Security-Policy"] = DOCS_CSP
    return response


def install_docs(app: FastAPI, settings: Settings) -> None:
    if not settings.docs_served:
        return
    app.mount(STATIC, StaticFiles(directory=ASSETS), name="docs-static")
    title = f"{app.title} — API"

    @app.get("/openapi.json", include_in_schema=False)
    def openapi() -> JSONResponse:
        return JSONResponse(app.openapi())

    @app.get("/docs", include_in_schema=False)
    def swagger() -> HTMLResponse:
        return _html(
            get_swagger_ui_html(
                openapi_url="/openapi.json",
                title=title,
                oauth2_redirect_url="/docs/oauth2-redirect",
                swagger_js_url=f"{STATIC}/swagger-ui-bundle.js",
                swagger_css_url=f"{STATIC}/swagger-ui.css",
                swagger_favicon_url=f"{STATIC}/favicon.png",
            )
        )

    @app.get("/docs/oauth2-redirect", include_in_schema=False)
    def oauth2_redirect() -> HTMLResponse:
        return _html(get_swagger_ui_oauth2_redirect_html())

    @app.get("/redoc", include_in_schema=False)
    def redoc() -> HTMLResponse:
        return _html(
            get_redoc_html(
                openapi_url="/openapi.json",
                title=title,
                redoc_js_url=f"{STATIC}/redoc.standalone.js",
                redoc_favicon_url=f"{STATIC}/favicon.png",
                with_google_fonts=False,
            )
        )
