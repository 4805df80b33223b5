"""Who may call what, on whose objects: one declared expectation per route, role and object.

Every route of the app must have a row here; a new route without one fails
``test_every_route_has_a_row``. A row reads, for member, inspector, handler, dispatcher,
leader and admin in that order, two letters: the answer on the caller's own object ("own":
world A — the demo member's report, in the demo inspector's grid, handled by the demo
handler's department) and on someone else's ("other": world B). ``O``: allowed — any answer
but 401/403/404 (a step may still be refused for the order's state: 409/422); ``D``: denied
with 403 or 404. Without a token every route but the public ones answers 401.

Steps are sent with a version the order never had, so an allowed step is refused with 409
before it changes anything and every row sees the same world.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.routing import iter_route_contexts

from tests.reports.conftest import photo_bytes
from tests.security.world import ROLES, World, build_world

STALE = 999_999
ALLOWED, DENIED = "O", "D"


@dataclass(frozen=True)
class Row:
    access: str  # "OD OD OD OO OO OO": own/other for each role in ROLES order
    body: Callable[[World, str], dict[str, Any]] | None = None
    files: bool = False  # multipart upload

    def expected(self, role: str, which: str) -> str:
        pair = self.access.split()[ROLES.index(role)]
        return pair[0] if which == "own" else pair[1]


def _v(**fields: Any) -> Callable[[World, str], dict[str, Any]]:
    return lambda world, which: {"version": STALE, **fields}


CLOSURE = {
    "fact_finding": "true",
    "process": "已到现场清理完毕",
    "basis": "《上海市消防条例》",
    "responsible_person": "王承办",
    "phone": "021-52850000",
    "claim_finding": "lawful",
    "result": "resolved",
}
STORE = {
    "category": "unlawful_repeat",
    "calls_same_matter": 5,
    "main_claim": "反复来电",
    "handling": "已多次答复",
    "conclusion": "诉求无政策依据",
    "reply_points": "依规答复",
    "department_signoff_photo_id": 1,
    "command_center_approver_id": 1,
}
EXTENSION = {
    "reason": "需协调物业",
    "plan": "两天内协调",
    "milestones": [{"date": "2026-12-05", "text": "协调会"}],
    "photo_ids": [1],
}
EVERYONE = "OO OO OO OO OO OO"
STREET = "DD DD DD OO OO OO"
ORDER_READERS = "OD OD OD OO OO OO"
LEAD_HANDLER = "DD DD OD DD DD DD"
ADMIN_ONLY = "DD DD DD DD DD OO"

MATRIX: dict[tuple[str, str], Row] = {
    ("GET", "/api/v1/me"): Row(EVERYONE),
    ("POST", "/api/v1/users"): Row(
        ADMIN_ONLY,
        lambda w, _: {
            "username": "demo-member",
            "display_name": "重复",
            "role": "member",
            "password": "long-enough-1",
        },
    ),
    ("GET", "/api/v1/users/{user_id}"): Row("OD OD OD OO OO OO"),
    ("GET", "/api/v1/departments"): Row(EVERYONE),
    ("GET", "/api/v1/grids"): Row(EVERYONE),
    ("GET", "/api/v1/grids/{grid_id}"): Row(EVERYONE),
    ("GET", "/api/v1/categories"): Row(EVERYONE),
    ("GET", "/api/v1/categories/{number}"): Row(EVERYONE),
    ("POST", "/api/v1/reports"): Row("OO OO DD DD DD DD", files=True),
    # An incomplete row: allowed callers hear 422 about it, and the world stays as it is.
    ("POST", "/api/v1/hotline/orders"): Row(
        "DD DD DD OO DD OO", lambda w, _: {"external_no": "SH-MATRIX-1"}
    ),
    ("GET", "/api/v1/reports"): Row(EVERYONE),
    # Open311 client keys: admins only (the GeoReport routes themselves take the key).
    ("GET", "/api/v1/open311/keys"): Row(ADMIN_ONLY),
    ("POST", "/api/v1/open311/keys"): Row(ADMIN_ONLY, lambda w, _: {"name": "矩阵二"}),
    ("POST", "/api/v1/open311/keys/{key_id}/revoke"): Row(ADMIN_ONLY),
    ("GET", "/api/v1/reports/{report_id}"): Row("OD DD DD OO OO OO"),
    ("GET", "/api/v1/media/photos/{photo_id}/{variant}"): Row(ORDER_READERS),
    ("GET", "/api/v1/media/recordings/{recording_id}"): Row(ORDER_READERS),
    ("POST", "/api/v1/classify"): Row(EVERYONE, lambda w, _: {"text": "垃圾没人清运"}),
    ("GET", "/api/v1/dispatch/queue"): Row(STREET),
    ("GET", "/api/v1/stats/hotspots"): Row(STREET),
    ("POST", "/api/v1/exports"): Row(STREET, lambda w, _: {"kind": "daily"}),
    ("GET", "/api/v1/exports"): Row(STREET),
    ("GET", "/api/v1/exports/{export_id}/download"): Row(STREET),
    ("POST", "/api/v1/workorders/{order_id}/dispatch"): Row(STREET, _v(category_number=1)),
    ("POST", "/api/v1/workorders/{order_id}/merge"): Row(
        STREET,
        lambda w, which: {
            "version": STALE,
            "into_work_order_id": w.side("other" if which == "own" else "own").order_id,
        },
    ),
    ("GET", "/api/v1/supervisions/unreplied"): Row("DD DD OO OO OO OO"),
    ("GET", "/api/v1/workorders"): Row(EVERYONE),
    ("GET", "/api/v1/workorders/{order_id}"): Row(ORDER_READERS),
    ("GET", "/api/v1/workorders/{order_id}/chain"): Row(ORDER_READERS),
    ("POST", "/api/v1/workorders/{order_id}/accept"): Row(LEAD_HANDLER, _v()),
    ("POST", "/api/v1/workorders/{order_id}/first-contact"): Row(
        "DD DD OD OO DD DD", _v(outcome="failed")
    ),
    ("POST", "/api/v1/workorders/{order_id}/check-in"): Row(
        LEAD_HANDLER, _v(lat=31.2445, lng=121.403)
    ),
    ("POST", "/api/v1/workorders/{order_id}/evidence"): Row("DD OD OD OO DD DD", files=True),
    ("POST", "/api/v1/workorders/{order_id}/returns"): Row(
        LEAD_HANDLER, _v(reason="不属本部门职责", suggested_department_id=1)
    ),
    ("POST", "/api/v1/workorders/{order_id}/returns/{return_id}/decision"): Row(
        STREET, _v(approve=False)
    ),
    ("POST", "/api/v1/workorders/{order_id}/extensions"): Row(LEAD_HANDLER, _v(**EXTENSION)),
    ("POST", "/api/v1/workorders/{order_id}/extensions/{extension_id}/decision"): Row(
        STREET, _v(approve=False)
    ),
    ("POST", "/api/v1/workorders/{order_id}/closure"): Row(LEAD_HANDLER, _v(**CLOSURE)),
    # Only an assisting department reports as one; the demo handler leads world A's order.
    ("POST", "/api/v1/workorders/{order_id}/assist-report"): Row(
        "DD DD DD DD DD DD", _v(text="协办部门已配合清理")
    ),
    ("POST", "/api/v1/workorders/{order_id}/verification"): Row(
        "DD OD DD OO DD DD", _v(passed=True)
    ),
    ("POST", "/api/v1/workorders/{order_id}/callback"): Row(
        "DD DD DD OO DD DD", _v(satisfaction="satisfied", resolution="resolved")
    ),
    ("POST", "/api/v1/workorders/{order_id}/supervisions"): Row(
        "DD DD DD OO OO DD", _v(kind="in_progress", level="street", notice="请加快办理")
    ),
    ("POST", "/api/v1/workorders/{order_id}/supervisions/{supervision_id}/reply"): Row(
        LEAD_HANDLER, _v(reply="已加快办理")
    ),
    ("POST", "/api/v1/workorders/{order_id}/store"): Row("DD DD DD DD OO DD", _v(**STORE)),
    ("POST", "/api/v1/workorders/{order_id}/stored-link"): Row(
        STREET, _v(stored_work_order_id=STALE)
    ),
    ("POST", "/api/v1/workorders/{order_id}/reject"): Row(
        STREET, _v(reason_code="legal_procedure")
    ),
    ("POST", "/api/v1/workorders/{order_id}/archive"): Row("DD DD DD OO DD OO", _v()),
    ("GET", "/api/v1/inbox"): Row(EVERYONE),
    ("GET", "/api/v1/inbox/unread-count"): Row(EVERYONE),
    ("POST", "/api/v1/inbox/{notification_id}/read"): Row("OD OD OD OD OD OD"),
    ("PUT", "/api/v1/calendar/years/{year}"): Row(ADMIN_ONLY, lambda w, _: {"days": []}),
    ("GET", "/api/v1/calendar/years/{year}"): Row(ADMIN_ONLY),
    ("GET", "/api/v1/stats/departments"): Row(STREET),
    ("GET", "/api/v1/stats/grids"): Row(STREET),
    ("GET", "/api/v1/stats/summary"): Row(STREET),
    ("GET", "/api/v1/policy/profile"): Row(ADMIN_ONLY),
    ("GET", "/api/v1/codes"): Row(EVERYONE),
    # A member's week: the member himself, the chief of his grid (tests/quotas) and the
    # street; the other grid's member is refused.
    ("GET", "/api/v1/members/{member_id}/quota"): Row("OD DD DD OO OO OO"),
    # Without grid_id every caller gets their own grid (a handler in none: 422); naming
    # another community's grid is refused (tests/quotas/test_leaderboard.py).
    ("GET", "/api/v1/leaderboards/members"): Row(EVERYONE),
    ("POST", "/api/v1/closure/lint"): Row(
        EVERYONE, lambda w, _: {"process": "正在整改中", "basis": "《上海市消防条例》"}
    ),
}
# Open to anyone; the expected answers without a token.
PUBLIC: dict[tuple[str, str], tuple[set[int], Callable[[], dict[str, Any]] | None]] = {
    ("GET", "/api/v1/health"): ({200}, None),
    ("GET", "/api/v1/client-config"): ({200}, None),
    ("POST", "/api/v1/auth/login"): ({200}, None),
    ("POST", "/api/v1/auth/refresh"): ({401}, lambda: {"refresh_token": "not-a-token"}),
    ("POST", "/api/v1/auth/logout"): ({204}, lambda: {"refresh_token": "not-a-token"}),
}


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory):
    with build_world(tmp_path_factory.mktemp("matrix")) as built:
        yield built


def _path(template: str, world: World, role: str | None, which: str) -> str:
    side = world.side(which)
    me = role or "member-b"
    values = {
        "order_id": side.order_id,
        "report_id": side.report_id,
        "photo_id": side.photo_id,
        "variant": "display",
        "recording_id": side.recording_id,
        "grid_id": side.grid_id,
        "user_id": world.user_ids[me] if which == "own" else world.user_ids["member-b"],
        "member_id": world.user_ids["member" if which == "own" else "member-b"],
        "notification_id": world.notifications[me if which == "own" else "member-b"],
        "number": 1,
        "key_id": world.open311_key_id,
        "year": 2099,
        "return_id": 1,
        "extension_id": 1,
        "supervision_id": 1,
        "export_id": world.export_id,
    }
    return template.format(**values)


def _send(world: World, method: str, path: str, row: Row | None, role: str | None, which: str):
    headers = world.headers[role] if role else {}
    if row is not None and row.files:
        side = world.side(which)
        is_report = path.endswith("/reports")
        data = (
            {
                "client_uuid": side.client_uuid,
                "description": "楼道堆物",
                "lat": 31.2445,
                "lng": 121.403,
            }
            if is_report
            else {"version": STALE, "phase": "before"}
        )
        files = [
            ("photos", ("p.jpg", photo_bytes("exif-samples__jpg_mobile_jolla.jpg"), "image/jpeg"))
        ]
        return world.client.request(method, path, data=data, files=files, headers=headers)
    body = row.body(world, which) if row is not None and row.body else None
    return world.client.request(method, path, json=body, headers=headers)


@pytest.mark.parametrize(("method", "template"), sorted(MATRIX))
def test_route_answers_each_role_as_declared(world: World, method: str, template: str) -> None:
    row = MATRIX[(method, template)]
    wrong = []
    for which in ("own", "other"):
        anonymous = _send(world, method, _path(template, world, None, which), row, None, which)
        if anonymous.status_code != 401:
            wrong.append(f"no token/{which}: {anonymous.status_code}")
        for role in ROLES:
            response = _send(world, method, _path(template, world, role, which), row, role, which)
            status = response.status_code
            assert status < 500, (role, which, response.text)
            expected = row.expected(role, which)
            got = DENIED if status in (403, 404) else ALLOWED
            if status == 401 or got != expected:
                wrong.append(
                    f"{role}/{which}: expected {expected}, got {status} {response.text[:120]}"
                )
    assert not wrong, f"{method} {template}:\n" + "\n".join(wrong)


@pytest.mark.parametrize(("method", "template"), sorted(PUBLIC))
def test_public_routes_answer_without_a_token(world: World, method: str, template: str) -> None:
    statuses, body = PUBLIC[(method, template)]
    if template.endswith("/login"):
        response = world.client.post(
            template, data={"username": "demo-member", "password": "gridline-demo"}
        )
    else:
        response = world.client.request(method, template, json=body() if body else None)
    assert response.status_code in statuses, response.text


def test_every_route_has_a_row(world: World) -> None:
    declared = set(MATRIX) | set(PUBLIC)
    missing = []
    routes = 0
    for route in iter_route_contexts(world.app.routes):
        if not (route.path or "").startswith("/api/"):
            continue
        for method in route.methods or ():
            routes += 1
            if (method, route.path) not in declared:
                missing.append(f"{method} {route.path}")
    assert not missing, "routes without an authorization row: " + ", ".join(sorted(missing))
    assert routes == len(declared), "rows for routes that do not exist"
