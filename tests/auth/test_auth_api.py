"""Login, tokens, lock-out and role checks, through HTTP."""

from __future__ import annotations

from datetime import timedelta

import jwt
import pytest
from fastapi.testclient import TestClient

from backend.seams.clock import FrozenClock

ROLES = {
    "demo-member": "member",
    "demo-inspector": "inspector",
    "demo-handler": "handler",
    "demo-dispatcher": "dispatcher",
    "demo-leader": "leader",
    "demo-admin": "admin",
}


def _login(client: TestClient, username: str, password: str = "gridline-demo"):
    return client.post("/api/v1/auth/login", data={"username": username, "password": password})


@pytest.mark.parametrize(("username", "role"), ROLES.items())
def test_each_demo_user_logs_in_and_sees_their_role(client, demo, username, role) -> None:
    response = _login(client, username)
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer" and body["access_token"] and body["refresh_token"]
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200
    assert me.json()["username"] == username and me.json()["role"] == role


def test_handler_belongs_to_the_area_team_and_member_to_a_grid(client, as_user) -> None:
    handler = client.get("/api/v1/me", headers=as_user("demo-handler")).json()
    assert handler["department"]["kind"] == "area_team"
    member = client.get("/api/v1/me", headers=as_user("demo-member")).json()
    assert len(member["grid_ids"]) >= 1 and member["chief_grid_ids"] == []
    # The community's 网格长 leads each of its four grids (and patrols none).
    chief = client.get("/api/v1/me", headers=as_user("demo-chief")).json()
    assert chief["chief_grid_ids"] == chief["grid_ids"] and len(chief["grid_ids"]) == 4


def test_wrong_password_is_401_with_json_error(client, demo) -> None:
    response = _login(client, "demo-member", "wrong-password")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_credentials"
    assert response.json()["error"]["message"]


def test_wrong_passwords_from_one_address_wait_longer_each_time(
    client, demo, clock: FrozenClock
) -> None:
    for _ in range(5):
        assert _login(client, "demo-member", "nope").status_code == 401
        clock.advance(timedelta(seconds=10))
    # The fifth failure was 10 s ago: the next try waits the first minute.
    locked = _login(client, "demo-member", "nope")
    assert locked.status_code == 429
    assert locked.json()["error"]["code"] == "login_locked"
    assert int(locked.headers["Retry-After"]) == 50
    # Even the right password waits; a refused try while waiting is not counted.
    assert _login(client, "demo-member").status_code == 429
    clock.advance(timedelta(seconds=50))
    assert _login(client, "demo-member", "nope").status_code == 401
    # The sixth failure doubles the wait.
    assert int(_login(client, "demo-member", "nope").headers["Retry-After"]) == 120
    clock.advance(timedelta(seconds=120))
    assert _login(client, "demo-member").status_code == 200


def test_someone_elses_wrong_passwords_do_not_lock_the_owner_out(app, demo) -> None:
    with (
        TestClient(app, client=("203.0.113.9", 40000)) as attacker,
        TestClient(app, client=("198.51.100.7", 40000)) as owners_phone,
    ):
        for _ in range(8):
            attacker.post(
                "/api/v1/auth/login", data={"username": "demo-member", "password": "guess"}
            )
        assert _login(attacker, "demo-member").status_code == 429
        assert _login(owners_phone, "demo-member").status_code == 200


def test_many_addresses_together_hit_the_account_limit(app, demo, settings) -> None:
    limit = settings.login_account_max_failures
    for i in range(limit):
        with TestClient(app, client=(f"10.0.{i // 250}.{i % 250}", 40000)) as somewhere:
            assert _login(somewhere, "demo-member", "guess").status_code == 401
    with TestClient(app, client=("192.0.2.1", 40000)) as fresh:
        assert _login(fresh, "demo-member").status_code == 429


def test_lockout_is_per_account(client, demo) -> None:
    for _ in range(6):
        _login(client, "demo-member", "nope")
    assert _login(client, "demo-leader").status_code == 200


def test_success_resets_the_failure_count(client, demo) -> None:
    for _ in range(4):
        _login(client, "demo-member", "nope")
    assert _login(client, "demo-member").status_code == 200
    for _ in range(4):
        assert _login(client, "demo-member", "nope").status_code == 401


def test_expired_token_is_401(client, demo, clock: FrozenClock) -> None:
    token = _login(client, "demo-member").json()["access_token"]
    clock.advance(timedelta(minutes=16))
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "token_expired"


def test_tampered_token_is_401(client, demo) -> None:
    token = _login(client, "demo-member").json()["access_token"]
    claims = jwt.decode(token, options={"verify_signature": False})
    claims["role"] = "admin"
    forged = jwt.encode(claims, "not-the-secret-but-long-enough-to-sign-with", algorithm="HS256")
    for bad in (forged, token[:-3] + "abc", "garbage"):
        response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {bad}"})
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "token_invalid"


def test_missing_token_is_401(client, demo) -> None:
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_refresh_rotates_and_reuse_revokes_the_family(client, demo) -> None:
    first = _login(client, "demo-member").json()["refresh_token"]
    rotated = client.post("/api/v1/auth/refresh", json={"refresh_token": first})
    assert rotated.status_code == 200
    second = rotated.json()["refresh_token"]
    assert second != first
    # The old token comes back: 401, and the newer token of the same family dies with it.
    reused = client.post("/api/v1/auth/refresh", json={"refresh_token": first})
    assert reused.status_code == 401
    assert reused.json()["error"]["code"] == "refresh_token_reused"
    assert client.post("/api/v1/auth/refresh", json={"refresh_token": second}).status_code == 401
    # Another login starts a fresh family that still works.
    other = _login(client, "demo-member").json()["refresh_token"]
    assert client.post("/api/v1/auth/refresh", json={"refresh_token": other}).status_code == 200


def test_logout_revokes_the_refresh_token(client, demo) -> None:
    token = _login(client, "demo-member").json()["refresh_token"]
    assert client.post("/api/v1/auth/logout", json={"refresh_token": token}).status_code == 204
    assert client.post("/api/v1/auth/refresh", json={"refresh_token": token}).status_code == 401


def test_logout_ends_the_access_token_too(client, demo) -> None:
    pair = _login(client, "demo-member").json()
    other = _login(client, "demo-member").json()
    headers = {"Authorization": f"Bearer {pair['access_token']}"}
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    client.post("/api/v1/auth/logout", json={"refresh_token": pair["refresh_token"]})
    refused = client.get("/api/v1/me", headers=headers)
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "token_revoked"
    # Only that login ended: the same user's other session goes on.
    still = {"Authorization": f"Bearer {other['access_token']}"}
    assert client.get("/api/v1/me", headers=still).status_code == 200


def test_refresh_reuse_ends_the_access_tokens_of_the_login(client, demo) -> None:
    first = _login(client, "demo-member").json()
    second = client.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    headers = {"Authorization": f"Bearer {second.json()['access_token']}"}
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    client.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})  # stolen
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_wrong_role_is_403_with_json_error(client, as_user) -> None:
    body = {
        "username": "new-member",
        "display_name": "新网格员",
        "role": "member",
        "password": "long-enough-1",
    }
    denied = client.post("/api/v1/users", json=body, headers=as_user("demo-member"))
    assert denied.status_code == 403
    assert denied.json() == {
        "error": {"code": "role_forbidden", "message": denied.json()["error"]["message"]}
    }
    created = client.post("/api/v1/users", json=body, headers=as_user("demo-admin"))
    assert created.status_code == 201
    assert _login(client, "new-member", "long-enough-1").status_code == 200
    again = client.post("/api/v1/users", json=body, headers=as_user("demo-admin"))
    assert again.status_code == 409 and again.json()["error"]["field"] == "username"


def test_validation_errors_name_the_field(client, as_user) -> None:
    body = {"username": "x", "display_name": "短", "role": "member", "password": "long-enough-1"}
    response = client.post("/api/v1/users", json=body, headers=as_user("demo-admin"))
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "username"
    response = client.post(
        "/api/v1/users",
        json={**body, "username": "okname", "role": "king"},
        headers=as_user("demo-admin"),
    )
    assert response.status_code == 422 and response.json()["error"]["field"] == "role"


def test_handler_must_have_a_department(client, as_user) -> None:
    body = {
        "username": "handler2",
        "display_name": "承办",
        "role": "handler",
        "password": "long-enough-1",
    }
    response = client.post("/api/v1/users", json=body, headers=as_user("demo-admin"))
    assert response.status_code == 422 and response.json()["error"]["field"] == "department_id"


def test_users_are_visible_to_themselves_and_the_street_only(client, as_user) -> None:
    member_headers = as_user("demo-member")
    member = client.get("/api/v1/me", headers=member_headers).json()
    leader = client.get("/api/v1/me", headers=as_user("demo-leader")).json()
    assert client.get(f"/api/v1/users/{member['id']}", headers=member_headers).status_code == 200
    hidden = client.get(f"/api/v1/users/{leader['id']}", headers=member_headers)
    missing = client.get("/api/v1/users/999999", headers=member_headers)
    # No leak: someone you may not see looks exactly like someone who does not exist.
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()
    assert (
        client.get(f"/api/v1/users/{member['id']}", headers=as_user("demo-dispatcher")).status_code
        == 200
    )


def test_demo_users_are_refused_outside_dev_mode(database_url, db, clock, tmp_path) -> None:
    from backend.config import Settings
    from backend.db import session_scope
    from backend.errors import Forbidden
    from backend.main import create_app
    from backend.org.demo import create_demo_street

    dev = Settings(
        database_url=database_url, media_root=tmp_path, dev_mode=True, inprocess_worker=False
    )
    with session_scope(db) as session:
        create_demo_street(session, dev, clock.now())
    prod = Settings(
        database_url=database_url,
        media_root=tmp_path,
        dev_mode=False,
        secret_key="x" * 40,
        inprocess_worker=False,
    )
    with TestClient(create_app(prod, clock)) as prod_client:
        assert _login(prod_client, "demo-admin").status_code == 401
    with session_scope(db) as session, pytest.raises(Forbidden):
        create_demo_street(session, prod, clock.now())


def test_production_refuses_the_default_secret() -> None:
    from pydantic import ValidationError

    from backend.config import Settings

    with pytest.raises(ValidationError, match="GRID_SECRET_KEY"):
        Settings(dev_mode=False)
