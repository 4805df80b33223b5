"""Grids, departments, health and the API docs, through HTTP."""

from __future__ import annotations

from shapely.geometry import Point, shape


def test_health_reports_database_and_version(client, db) -> None:
    response = client.get("/api/v1/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["database"] == "ok"
    assert body["version"] and body["schema_revision"]


def test_docs_list_the_api(client, db) -> None:
    assert client.get("/docs").status_code == 200
    paths = client.get("/openapi.json").json()["paths"]
    for path in (
        "/api/v1/auth/login",
        "/api/v1/auth/refresh",
        "/api/v1/me",
        "/api/v1/categories",
        "/api/v1/grids",
    ):
        assert path in paths


def test_unknown_path_is_json_404(client, db) -> None:
    response = client.get("/api/v1/nowhere")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_level3_grids_are_valid_polygons_around_the_demo_street(client, as_user) -> None:
    response = client.get("/api/v1/grids", params={"level": 3}, headers=as_user("demo-member"))
    assert response.status_code == 200
    grids = response.json()["items"]
    assert len(grids) >= 8
    shapes = [shape(g["geometry"]) for g in grids]
    for grid, polygon in zip(grids, shapes, strict=True):
        assert grid["level"] == 3 and grid["area_team"]["kind"] == "area_team"
        assert polygon.is_valid and polygon.area > 0
        # GeoJSON order is [lng, lat]: the street is near 31.24°N 121.41°E.
        assert abs(polygon.centroid.y - 31.24) < 0.02 and abs(polygon.centroid.x - 121.41) < 0.02
    # Cells tile the street: no two overlap.
    for i, a in enumerate(shapes):
        for b in shapes[i + 1 :]:
            assert a.intersection(b).area < 1e-12
    # 31.2445°N 121.403°E falls in exactly one grid.
    assert sum(s.contains(Point(121.403, 31.2445)) for s in shapes) == 1


def test_grid_tree_has_three_levels(client, as_user) -> None:
    headers = as_user("demo-dispatcher")
    streets = client.get("/api/v1/grids", params={"level": 1}, headers=headers).json()["items"]
    communities = client.get("/api/v1/grids", params={"level": 2}, headers=headers).json()["items"]
    grids = client.get("/api/v1/grids", params={"level": 3}, headers=headers).json()["items"]
    assert len(streets) == 1 and len(communities) == 2
    assert {c["parent_id"] for c in communities} == {streets[0]["id"]}
    assert {g["parent_id"] for g in grids} == {c["id"] for c in communities}
    # The command center sees who patrols each grid.
    assert any(g["member_ids"] for g in grids)


def test_bad_level_is_a_422_naming_the_field(client, as_user) -> None:
    response = client.get("/api/v1/grids", params={"level": 7}, headers=as_user("demo-member"))
    assert response.status_code == 422 and response.json()["error"]["field"] == "level"
    response = client.get("/api/v1/grids", params={"level": "x"}, headers=as_user("demo-member"))
    assert response.status_code == 422 and response.json()["error"]["field"] == "level"


def test_departments_include_the_responsibility_list_and_area_teams(client, as_user) -> None:
    response = client.get("/api/v1/departments", headers=as_user("demo-member"))
    names = {d["name"]: d["kind"] for d in response.json()["items"]}
    assert names["综合行政执法队"] == "enforcement_team"
    assert names["城运中心"] == "command_center"
    assert names["第一片区"] == "area_team"
    area = client.get(
        "/api/v1/departments", params={"kind": "area_team"}, headers=as_user("demo-member")
    )
    assert {d["kind"] for d in area.json()["items"]} == {"area_team"}


def test_demo_street_is_idempotent(db, settings, clock) -> None:
    from sqlalchemy import func
    from sqlmodel import select

    from backend.auth.models import User
    from backend.catalog.service import load_catalog
    from backend.db import session_scope
    from backend.org.demo import DEMO_USERS, create_demo_street
    from backend.org.models import Department, Grid, GridMember

    def counts() -> tuple[int, ...]:
        with session_scope(db) as session:
            return tuple(
                session.exec(select(func.count()).select_from(model)).one()
                for model in (User, Department, Grid, GridMember)
            )

    for _ in range(2):
        with session_scope(db) as session:
            load_catalog(session, clock.now())
            create_demo_street(session, settings, clock.now())
        after = counts()
    assert after == counts() and after[0] == len(DEMO_USERS)


def test_demo_reports_fill_the_queue_once(db, settings, clock, client, as_user) -> None:
    from backend.db import session_scope
    from backend.dispatch.demo import create_demo_reports
    from backend.main import make_storage

    for _ in range(2):
        with session_scope(db) as session:
            assert create_demo_reports(session, make_storage(settings), settings, clock.now()) == 4
    reports = client.get("/api/v1/reports", headers=as_user("demo-dispatcher")).json()["items"]
    assert len(reports) == 4 and all(r["work_order_id"] for r in reports)
    queue = client.get("/api/v1/dispatch/queue", headers=as_user("demo-dispatcher")).json()["items"]
    assert {q["out_of_jurisdiction"] for q in queue} == {True, False}
    inbox = client.get("/api/v1/inbox", headers=as_user("demo-handler")).json()["items"]
    assert any(n["kind"] == "dispatched" for n in inbox)
