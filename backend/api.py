"""All routers under /api/v1."""

from __future__ import annotations

from fastapi import APIRouter

from backend import health
from backend.auth.router import router as auth_router
from backend.catalog.router import router as catalog_router
from backend.dispatch.router import router as dispatch_router
from backend.exports.router import router as exports_router
from backend.hotline.router import router as hotline_router
from backend.hotspots.router import router as hotspots_router
from backend.notify.router import router as inbox_router
from backend.open311.admin_router import router as open311_keys_router
from backend.org.router import router as org_router
from backend.quotas.router import router as quotas_router
from backend.reports.router import router as reports_router
from backend.scoring.router import router as stats_router
from backend.sla.router import router as calendar_router
from backend.workorders.codes_router import router as codes_router
from backend.workorders.router import router as workorders_router

api_router = APIRouter(prefix="/api/v1")
for router in (
    health.router,
    auth_router,
    org_router,
    catalog_router,
    reports_router,
    dispatch_router,
    hotline_router,
    workorders_router,
    inbox_router,
    calendar_router,
    codes_router,
    open311_keys_router,
    quotas_router,
    stats_router,
    hotspots_router,
    exports_router,
):
    api_router.include_router(router)
