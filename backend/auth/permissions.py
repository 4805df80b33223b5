"""Who may see what. Pure: decisions from the user's role and ids only."""

from __future__ import annotations

from backend.auth.models import Role, User
from backend.auth.roles import STREET_WIDE


def sees_street(user: User) -> bool:
    """Command center, leaders and admins see every record of the street."""
    return user.role in STREET_WIDE


def may_see_department(user: User, department_id: int | None) -> bool:
    return sees_street(user) or (
        user.role == Role.handler
        and department_id is not None
        and user.department_id == department_id
    )


def may_see_user(viewer: User, target_id: int) -> bool:
    return viewer.id == target_id or sees_street(viewer)


def may_see_report(user: User, reporter_id: int) -> bool:
    """The reporter and the street-wide roles. (Handlers see reports through work orders.)"""
    return user.id == reporter_id or sees_street(user)


def may_see_order(
    user: User,
    lead_department_id: int | None,
    assist_ids: list[int],
    reporter_ids: list[int],
    *,
    in_user_grid: bool = False,
    reported_duplicate: bool = False,
) -> bool:
    """Street-wide roles; handlers of the lead or an assisting department; the reporters (of
    the order or of a duplicate merged into it);
    inspectors for orders in the grids they patrol (they verify results on site)."""
    if sees_street(user):
        return True
    if user.role == Role.handler and user.department_id is not None:
        return user.department_id == lead_department_id or user.department_id in assist_ids
    if user.role == Role.inspector and in_user_grid:
        return True
    return user.id in reporter_ids or reported_duplicate
