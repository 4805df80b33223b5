"""An idempotent demo street (around 31.24°N 121.41°E, Putuo, Shanghai) for newcomers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from sqlmodel import Session

from backend.auth import repository as auth_repo
from backend.auth import service as auth_service
from backend.auth.models import Role
from backend.auth.tokens import hash_password
from backend.config import Settings
from backend.db import row_id
from backend.errors import Forbidden
from backend.org import repository as repo
from backend.org.models import Department, DepartmentKind, Grid, GridDuty, GridLevel

DEMO_PASSWORD = "gridline-demo"
STREET_CODE = "DEMO"

# Vertex lattice of the street: 5 columns x 3 rows; interior vertices nudged so the cells look
# like real blocks yet still tile the street without gaps or overlaps.
_LNGS = [121.400, 121.406, 121.412, 121.418, 121.424]
_LATS = [31.232, 31.240, 31.248]
_NUDGE = {(1, 1): (0.0006, -0.0004), (2, 1): (-0.0005, 0.0003), (3, 1): (0.0004, 0.0005)}

_COMMUNITIES = [
    # (code, name, lattice row, area team, neighbourhood committee)
    ("DEMO-A", "铜川路社区", 1, "第一片区", "铜川路居委"),
    ("DEMO-B", "真北社区", 0, "第二片区", "真北居委"),
]
# Each community's grid chief (网格长, seed 001 三(一): the community's head leads its grids,
# manages the members and hears their warnings): chief of every grid of the community.
_CHIEFS = {"DEMO-A": "demo-chief", "DEMO-B": "demo-chief-b"}

_EXTRA_DEPARTMENTS = [
    ("第一片区", DepartmentKind.area_team),
    ("第二片区", DepartmentKind.area_team),
    ("铜川路居委", DepartmentKind.neighbourhood_committee),
    ("真北居委", DepartmentKind.neighbourhood_committee),
    ("示范物业公司", DepartmentKind.property_company),
    ("城运中心", DepartmentKind.command_center),
]


@dataclass(frozen=True)
class DemoUser:
    username: str
    display_name: str
    role: Role
    department: str | None = None


DEMO_USERS = [
    DemoUser("demo-member", "张网格", Role.member),
    DemoUser("demo-inspector", "李巡查", Role.inspector),
    DemoUser("demo-handler", "王承办", Role.handler, "第一片区"),
    DemoUser("demo-dispatcher", "赵调度", Role.dispatcher, "城运中心"),
    DemoUser("demo-leader", "孙领导", Role.leader),
    DemoUser("demo-admin", "周管理", Role.admin),
    # Grid chiefs are grid members with the chief's duty (org.models.GridDuty).
    DemoUser("demo-chief", "陈网格长", Role.member),
    DemoUser("demo-chief-b", "刘网格长", Role.member),
]


@lru_cache(maxsize=1)
def _demo_password_hash() -> str:
    # Argon2 is slow on purpose; the demo users need only one hash.
    return hash_password(DEMO_PASSWORD)


def _vertex(col: int, row: int) -> list[float]:
    dlng, dlat = _NUDGE.get((col, row), (0.0, 0.0))
    return [round(_LNGS[col] + dlng, 6), round(_LATS[row] + dlat, 6)]


def cell_polygon(col: int, row: int) -> dict[str, object]:
    """GeoJSON polygon ([lng, lat], WGS-84, counter-clockwise) of one lattice cell."""
    ring = [
        _vertex(col, row),
        _vertex(col + 1, row),
        _vertex(col + 1, row + 1),
        _vertex(col, row + 1),
    ]
    return {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}


def _department(session: Session, name: str, kind: DepartmentKind, now: datetime) -> Department:
    existing = repo.department_by_name(session, name)
    if existing is not None:
        return existing
    department = Department(name=name, kind=kind.value, created_at=now)
    session.add(department)
    session.flush()
    return department


def _grid(session: Session, now: datetime, **fields: object) -> Grid:
    grid = repo.grid_by_code(session, str(fields["code"]))
    if grid is None:
        grid = Grid(created_at=now, **fields)  # type: ignore[arg-type]
        session.add(grid)
        session.flush()
    return grid


def create_demo_street(session: Session, settings: Settings, now: datetime) -> list[DemoUser]:
    """Creates what is missing; a second run changes nothing. Refused outside dev mode."""
    if not settings.dev_mode:
        raise Forbidden("演示账号只能在开发模式下创建", code="demo_refused")
    departments = {name: _department(session, name, kind, now) for name, kind in _EXTRA_DEPARTMENTS}
    street = _grid(
        session, now, code=STREET_CODE, name="真如镇街道（演示）", level=GridLevel.street
    )
    first_grid: Grid | None = None
    grids_of_community: dict[str, list[Grid]] = {}
    for code, name, row, team, _committee in _COMMUNITIES:
        community = _grid(
            session, now, code=code, name=name, level=GridLevel.community, parent_id=street.id
        )
        for col in range(4):
            grid = _grid(
                session,
                now,
                code=f"{code}-{col + 1:02d}",
                name=f"{name}第{col + 1}网格",
                level=GridLevel.grid,
                parent_id=community.id,
                area_team_id=departments[team].id,
                geometry=cell_polygon(col, row),
            )
            first_grid = first_grid or grid
            grids_of_community.setdefault(code, []).append(grid)
    for demo in DEMO_USERS:
        user = auth_repo.user_by_username(session, demo.username)
        if user is None:
            department = (
                repo.department_by_name(session, demo.department) if demo.department else None
            )
            user = auth_service.create_user(
                session,
                username=demo.username,
                display_name=demo.display_name,
                role=demo.role,
                password=None,
                password_hash=_demo_password_hash(),
                department_id=department.id if department else None,
                phone="13800000000",
                now=now,
                is_demo=True,
            )
        chief_of = [c for c, username in _CHIEFS.items() if username == demo.username]
        if chief_of and user.id:
            for grid in grids_of_community.get(chief_of[0], []):
                repo.add_member(session, row_id(grid), user.id, GridDuty.chief)
        elif demo.role in (Role.member, Role.inspector) and first_grid and user.id:
            repo.add_member(session, row_id(first_grid), user.id)
    session.flush()
    return DEMO_USERS
