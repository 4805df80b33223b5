"""Every table, imported in one place for Alembic and the test fixtures."""

from backend.auth.models import LoginFailure, RefreshToken, User
from backend.catalog.models import Category
from backend.org.models import Department, Grid, GridMember

__all__ = ["Category", "Department", "Grid", "GridMember", "LoginFailure", "RefreshToken", "User"]
