"""A small street with two of everything, in a database of its own, for the authorization
matrix and the schema fuzzer (which run many requests against one world per module).

World A belongs to the demo users: demo-member's report in 铜川路社区第1网格 (the grid
demo-inspector patrols), dispatched to 第一片区 (demo-handler's department). World B belongs
to others: member-b's report in 真北社区第1网格, dispatched to 第二片区 (handler-b's).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from alembic import command
from fastapi import FastAPI
from fastapi.testclient import TestClient

from backend.config import Settings
from backend.db import engine_for, session_scope
from backend.main import create_app
from backend.seams.clock import FrozenClock
from tests.conftest import DEMO_PASSWORD, SHANGHAI, alembic_config, fresh_database
from tests.reports.conftest import STREET_LAT, STREET_LNG, photo_bytes, wav_bytes

ROLES = ("member", "inspector", "handler", "dispatcher", "leader", "admin")
DEMO_USERS = {role: f"demo-{role}" for role in ROLES}
OTHER_PASSWORD = "long-enough-1"
# Inside 真北社区第1网格 (the demo street's southern row), area team 第二片区.
OTHER_LAT, OTHER_LNG = 31.236, 121.403


@dataclass
class Side:
    order_id: int = 0
    report_id: int = 0
    photo_id: int = 0
    recording_id: int = 0
    grid_id: int = 0
    client_uuid: str = ""


@dataclass
class World:
    app: FastAPI
    client: TestClient
    headers: dict[str, dict[str, str]] = field(default_factory=dict)
    user_ids: dict[str, int] = field(default_factory=dict)
    notifications: dict[str, int] = field(default_factory=dict)
    export_id: int = 0
    own: Side = field(default_factory=Side)
    other: Side = field(default_factory=Side)
    open311_key_id: int = 0

    def side(self, which: str) -> Side:
        return self.own if which == "own" else self.other


def _login(client: TestClient, username: str, password: str) -> dict[str, str]:
    response = client.post("/api/v1/auth/login", data={"username": username, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def _report(client: TestClient, headers: dict[str, str], lat: float, lng: float) -> dict:
    key = str(uuid.uuid4())
    response = client.post(
        "/api/v1/reports",
        data={
            "client_uuid": key,
            "description": "楼道里堆满了纸箱和旧家具，消防通道被堵",
            "lat": lat,
            "lng": lng,
            "address": "测试地址",
        },
        files=[
            ("photos", ("a.jpg", photo_bytes("exif-samples__jpg_gps_DSCN0010.jpg"), "image/jpeg")),
            ("voice", ("v.wav", wav_bytes(0.3), "audio/wav")),
        ],
        headers=headers,
    )
    assert response.status_code == 201, response.text
    return response.json()


def _dispatched_to(world: World, order_id: int, department: str) -> None:
    """Makes sure the order is dispatched to the department (the classifier may queue it)."""
    client, dispatcher = world.client, world.headers["dispatcher"]
    order = client.get(f"/api/v1/workorders/{order_id}", headers=dispatcher).json()
    if order["lead_department"] and order["lead_department"]["name"] == department:
        return
    departments = client.get("/api/v1/departments", headers=dispatcher).json()["items"]
    target = next(d["id"] for d in departments if d["name"] == department)
    response = client.post(
        f"/api/v1/workorders/{order_id}/dispatch",
        json={
            "version": order["version"],
            "category_number": order["category_number"] or 1,
            "lead_department_id": target,
        },
        headers=dispatcher,
    )
    assert response.status_code == 200, response.text


def _side(report: dict) -> Side:
    return Side(
        order_id=report["work_order_id"],
        report_id=report["id"],
        photo_id=report["photos"][0]["id"],
        recording_id=report["voice"]["id"],
        grid_id=report["grid_id"],
        client_uuid=report["client_uuid"],
    )


@contextmanager
def build_world(tmp: Path) -> Iterator[World]:
    for url in fresh_database(tmp):
        command.upgrade(alembic_config(url), "head")
        settings = Settings(database_url=url, media_root=tmp / "media", inprocess_worker=False)
        clock = FrozenClock(datetime(2026, 11, 23, 9, 0, tzinfo=SHANGHAI))
        engine = engine_for(url)
        from backend.catalog.service import load_catalog
        from backend.org.demo import create_demo_street

        with session_scope(engine) as session:
            load_catalog(session, clock.now())
            create_demo_street(session, settings, clock.now())
        app = create_app(settings, clock)
        with TestClient(app, raise_server_exceptions=False) as client:
            world = World(app=app, client=client)
            for role, username in DEMO_USERS.items():
                world.headers[role] = _login(client, username, DEMO_PASSWORD)
            departments = client.get("/api/v1/departments", headers=world.headers["admin"]).json()[
                "items"
            ]
            second_team = next(d["id"] for d in departments if d["name"] == "第二片区")
            for username, role, department in (
                ("member-b", "member", None),
                ("handler-b", "handler", second_team),
            ):
                body: dict[str, Any] = {
                    "username": username,
                    "display_name": username,
                    "role": role,
                    "password": OTHER_PASSWORD,
                    "department_id": department,
                }
                created = client.post("/api/v1/users", json=body, headers=world.headers["admin"])
                assert created.status_code == 201, created.text
                world.user_ids[username] = created.json()["id"]
            for role in ROLES:
                me = client.get("/api/v1/me", headers=world.headers[role]).json()
                world.user_ids[role] = me["id"]
            other_member = _login(client, "member-b", OTHER_PASSWORD)
            world.own = _side(_report(client, world.headers["member"], STREET_LAT, STREET_LNG))
            world.other = _side(_report(client, other_member, OTHER_LAT, OTHER_LNG))
            _dispatched_to(world, world.own.order_id, "第一片区")
            _dispatched_to(world, world.other.order_id, "第二片区")
            _notify_everyone(world, engine, clock)
            key = client.post(
                "/api/v1/open311/keys", json={"name": "矩阵"}, headers=world.headers["admin"]
            )
            world.open311_key_id = key.json()["id"]
            made = client.post(
                "/api/v1/exports", json={"kind": "daily"}, headers=world.headers["dispatcher"]
            )
            assert made.status_code == 201, made.text
            world.export_id = made.json()["id"]
            yield world
        engine.dispose()


def _notify_everyone(world: World, engine: Any, clock: FrozenClock) -> None:
    from backend.notify.repository import inbox
    from backend.notify.service import notify

    with session_scope(engine) as session:
        for name, user_id in world.user_ids.items():
            notify(
                session,
                [user_id],
                kind="test",
                title="测试通知",
                dedupe_key=f"world:{name}",
                now=clock.now(),
            )
    with session_scope(engine) as session:
        for name, user_id in world.user_ids.items():
            rows = inbox(session, user_id, before_id=None, limit=1, unread_only=False)
            world.notifications[name] = rows[0].id or 0
