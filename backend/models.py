"""Every table, imported in one place for Alembic and the test fixtures."""

from backend.auth.models import InstanceSecret, LoginFailure, RefreshToken, RevokedFamily, User
from backend.catalog.models import Category
from backend.evidence.models import Photo, Recording
from backend.exports.models import ReportExport
from backend.notify.models import Notification
from backend.open311.models import Open311Key, Open311RateWindow, Open311Request
from backend.org.models import Department, Grid, GridMember
from backend.quotas.models import PointsLedger, QuotaWeekClose
from backend.reports.models import Report
from backend.sla.models import CalendarDay, CalendarYear, Clock
from backend.workorders.models import (
    ContactAttempt,
    Coordination,
    Extension,
    OrderCounter,
    ReturnRequest,
    Supervision,
    WorkOrder,
    WorkOrderAssist,
    WorkOrderEvent,
)

__all__ = [
    "CalendarDay",
    "CalendarYear",
    "Category",
    "Clock",
    "ContactAttempt",
    "Coordination",
    "Department",
    "Extension",
    "Grid",
    "GridMember",
    "InstanceSecret",
    "LoginFailure",
    "Notification",
    "Open311Key",
    "Open311RateWindow",
    "Open311Request",
    "OrderCounter",
    "Photo",
    "PointsLedger",
    "QuotaWeekClose",
    "Recording",
    "RefreshToken",
    "Report",
    "ReportExport",
    "ReturnRequest",
    "RevokedFamily",
    "Supervision",
    "User",
    "WorkOrder",
    "WorkOrderAssist",
    "WorkOrderEvent",
]
