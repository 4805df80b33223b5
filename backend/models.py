"""Every table, imported in one place for Alembic and the test fixtures."""

from backend.auth.models import LoginFailure, RefreshToken, User
from backend.catalog.models import Category
from backend.evidence.models import Photo, Recording
from backend.org.models import Department, Grid, GridMember
from backend.reports.models import Report

__all__ = [
    "Category",
    "Department",
    "Grid",
    "GridMember",
    "LoginFailure",
    "Photo",
    "Recording",
    "RefreshToken",
    "Report",
    "User",
]
