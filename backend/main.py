"""The ASGI application."""

from __future__ import annotations

import gc
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import cache

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from backend.api import api_router
from backend.auth.keys import SigningKey
from backend.config import Settings, get_settings
from backend.db import engine_for
from backend.dispatch.classifier import load_classifier
from backend.docs import install_docs
from backend.errors import install_error_handlers
from backend.http_guards import BodyLimits, SecurityHeaders
from backend.open311.router import install as install_open311
from backend.openapi import install_openapi
from backend.seams.clock import Clock, SystemClock
from backend.seams.notifier import notifier_from_url
from backend.seams.storage import LocalStorage, S3Storage, Storage
from backend.web import install_web
from backend.worker import run_forever


def make_storage(settings: Settings) -> Storage:
    if settings.storage_backend == "s3":
        return S3Storage(
            endpoint_url=settings.s3_endpoint_url,
            bucket=settings.s3_bucket,
            access_key=settings.s3_access_key,
            secret_key=settings.s3_secret_key,
            region=settings.s3_region,
        )
    return LocalStorage(settings.media_root)


@cache
def freeze_startup_heap() -> None:
    """Once per process: what is loaded at startup (modules, the classifier's model) lives as
    long as the process, so the cycle collector stops walking it. Unfrozen, a full collection
    walked 200,000 objects and a dispatcher queue page spent ~40 ms in them on average, the
    slowest pages over 100 ms (benchmarks/big.py)."""
    gc.collect()
    gc.freeze()


def create_app(settings: Settings | None = None, clock: Clock | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Embedded mode: the deadline sweep runs beside the API; scale-out runs workers.
        stop = threading.Event()
        thread: threading.Thread | None = None
        # Load the classifier's model now, not on the first report.
        load_classifier().warm_up()
        freeze_startup_heap()
        if settings.inprocess_worker:
            thread = threading.Thread(
                target=run_forever,
                args=(
                    app.state.engine,
                    app.state.clock,
                    settings.worker_interval_s,
                    stop,
                    notifier_from_url(settings.wecom_webhook_url),
                    settings,  # the app's own (quota profile, time zone), not the environment's
                    app.state.storage,
                ),
                name="gridline-sweep",
                daemon=True,
            )
            thread.start()
        yield
        stop.set()
        if thread is not None:
            thread.join(timeout=10)

    app = FastAPI(
        lifespan=lifespan,
        title="Gridline 网格通",
        version="0.1.0",
        description="城市网格化管理与 12345 热线工单平台 API",
        # Served by backend.docs from installed assets (no CDN), or not at all.
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.settings = settings
    app.state.clock = clock or SystemClock()
    app.state.engine = engine_for(settings.database_url)
    app.state.storage = make_storage(settings)
    app.state.signing_key = SigningKey(settings, app.state.engine)
    install_error_handlers(app)
    app.include_router(api_router)
    install_open311(app)
    install_openapi(app)
    install_docs(app, settings)
    install_web(app, settings)  # after the API and docs: its catch-all serves the PWA
    # Outermost last: headers wrap everything, body limits run before any route reads.
    app.add_middleware(
        BodyLimits,
        settings=settings,
        signing_key=app.state.signing_key,
        now=app.state.clock.now,
    )
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=["Authorization", "Content-Type"],
        )
    app.add_middleware(SecurityHeaders)
    return app
