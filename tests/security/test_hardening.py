"""Regression tests for the holes found by trying the API as an attacker and a careless client
would, each over HTTP."""

from __future__ import annotations

import json
import tempfile
import time
import uuid
from datetime import UTC, timedelta
from pathlib import Path

import jwt
import pytest
from fastapi.testclient import TestClient

from backend.config import Settings
from backend.main import create_app
from tests.reports.conftest import photo_bytes, stored_files
from tests.security.conftest import raw_request

MAX_ID = 2**63 - 1
# The literal the repository once shipped as its JWT key: anyone who read the source had it.
OLD_COMMITTED_DEV_KEY = "dev-insecure-secret-change-me-before-production"


@pytest.fixture(autouse=True)
def private_tmp(tmp_path, monkeypatch) -> Path:
    """Spooled uploads go to a temp dir of this test's own, so "nothing left" is exact."""
    spool = tmp_path / "spool"
    spool.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(spool))
    return spool


def _temp_files() -> set[Path]:
    return set(Path(tempfile.gettempdir()).iterdir())


def _multipart_head(address: str, length: int, token: str | None = None) -> str:
    auth = f"Authorization: Bearer {token}\n" if token else ""
    return (
        "POST /api/v1/reports HTTP/1.1\n"
        f"Host: {address}\n"
        f"{auth}"
        "Content-Type: multipart/form-data; boundary=XyZ\n"
        f"Content-Length: {length}\n"
    )


def _status(response: bytes) -> int:
    return int(response.split(b" ", 2)[1])


def _body(response: bytes) -> dict:
    return json.loads(response.partition(b"\r\n\r\n")[2] or b"{}")


def test_a_10_gb_upload_without_a_token_is_refused_before_a_byte_is_read(
    live_server, settings
) -> None:
    before = _temp_files()
    started = time.monotonic()
    answer = raw_request(live_server, _multipart_head(live_server, 10 * 1024**3))
    assert _status(answer) == 401 and _body(answer)["error"]["code"] == "not_authenticated"
    assert time.monotonic() - started < 2  # answered at once, not after streaming
    assert _temp_files() == before and stored_files(settings.media_root) == []


def test_a_10_gb_upload_with_a_token_is_refused_at_once_by_its_length(
    live_server, client, as_user, settings
) -> None:
    token = as_user("demo-member")["Authorization"].split()[1]
    answer = raw_request(live_server, _multipart_head(live_server, 10 * 1024**3, token))
    assert _status(answer) == 413 and _body(answer)["error"]["code"] == "request_too_large"


def test_a_client_lying_about_its_length_is_cut_off_at_the_ceiling(
    live_server, as_user, settings
) -> None:
    token = as_user("demo-member")["Authorization"].split()[1]
    before = _temp_files()
    # Chunked: no Content-Length at all, then more than the ceiling.
    head = (
        "POST /api/v1/reports HTTP/1.1\n"
        f"Host: {live_server}\n"
        f"Authorization: Bearer {token}\n"
        "Content-Type: multipart/form-data; boundary=XyZ\n"
        "Transfer-Encoding: chunked\n"
    )
    part = b'--XyZ\r\nContent-Disposition: form-data; name="photos"; filename="a.jpg"\r\n\r\n'
    chunk = b"\xff" * (1024 * 1024)
    body = b"%x\r\n%s\r\n" % (len(part), part)
    for _ in range(settings.max_upload_bytes // len(chunk) + 2):
        body += b"%x\r\n%s\r\n" % (len(chunk), chunk)
    answer = raw_request(live_server, head, body, timeout=30)
    assert _status(answer) == 413
    assert _temp_files() == before and stored_files(settings.media_root) == []


def test_json_bodies_have_a_ceiling_too(live_server, as_user, settings) -> None:
    token = as_user("demo-dispatcher")["Authorization"].split()[1]
    head = (
        "POST /api/v1/classify HTTP/1.1\n"
        f"Host: {live_server}\n"
        f"Authorization: Bearer {token}\n"
        "Content-Type: application/json\n"
        f"Content-Length: {settings.max_json_bytes + 1}\n"
    )
    assert _status(raw_request(live_server, head)) == 413


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", f"/api/v1/workorders/{MAX_ID + 1}", None),
        ("GET", f"/api/v1/reports/{10**30}", None),
        ("GET", f"/api/v1/users/{MAX_ID + 1}", None),
        ("GET", f"/api/v1/categories/{MAX_ID + 1}", None),
        ("POST", "/api/v1/workorders/1/accept", {"version": MAX_ID + 1}),
        ("POST", "/api/v1/workorders/1/dispatch", {"version": 1, "category_number": 10**20}),
        ("POST", "/api/v1/workorders/1/merge", {"version": 1, "into_work_order_id": 10**25}),
        (
            "POST",
            "/api/v1/workorders/1/dispatch",
            {"version": 1, "category_number": 1, "lead_department_id": MAX_ID + 1},
        ),
    ],
)
def test_integers_beyond_64_bits_are_a_422_naming_the_field(
    client, as_user, method, path, body
) -> None:
    response = client.request(method, path, json=body, headers=as_user("demo-dispatcher"))
    assert response.status_code == 422, response.text
    assert response.json()["error"]["field"]


@pytest.mark.parametrize("cursor", ["²", "9" * 5000, "%%%", "eyJ4IjoxfQ", "W3RydWVd"])
def test_bad_cursors_are_a_422_naming_the_cursor(client, as_user, cursor) -> None:
    for path in ("/api/v1/reports", "/api/v1/inbox"):
        response = client.get(path, params={"cursor": cursor}, headers=as_user("demo-member"))
        assert response.status_code == 422, (path, cursor, response.text)
        assert response.json()["error"]["field"] == "cursor"


def test_huge_range_positions_are_answered_not_crashed_on(submit, client, as_user) -> None:
    url = submit().json()["photos"][0]["urls"]["display"]
    headers = as_user("demo-member")
    whole = client.get(url, headers=headers).content
    to_end = client.get(url, headers={**headers, "Range": "bytes=0-" + "9" * 5000})
    assert to_end.status_code == 206 and to_end.content == whole
    past = client.get(url, headers={**headers, "Range": "bytes=" + "9" * 5000 + "-"})
    assert past.status_code == 416 and past.json()["error"]["code"] == "range_not_satisfiable"
    suffix = client.get(url, headers={**headers, "Range": "bytes=-" + "9" * 5000})
    assert suffix.status_code == 206 and suffix.content == whole
    arabic = client.get(url, headers={**headers, "Range": "bytes=٠-٥".encode()})  # not ASCII
    assert arabic.status_code == 200 and arabic.content == whole


@pytest.mark.parametrize(
    "captured_at", ["0001-01-01T00:00:00", "9999-12-31T23:59:59-14:00", "1899-12-31T00:00:00"]
)
def test_capture_times_that_cannot_be_real_are_a_422(submit, captured_at) -> None:
    response = submit(captured_at=captured_at)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["field"] == "captured_at"


def test_text_with_a_nul_character_is_refused_everywhere(submit, client, as_user) -> None:
    report = submit(description="楼道堆物\x00")
    assert report.status_code == 422 and report.json()["error"]["field"] == "description"
    classify = client.post(
        "/api/v1/classify", json={"text": "垃圾\u0000"}, headers=as_user("demo-member")
    )
    assert classify.status_code == 422 and classify.json()["error"]["field"] == "text"
    login = client.post("/api/v1/auth/login", data={"username": "demo\x00", "password": "x"})
    assert login.status_code == 422
    order = submit().json()["work_order_id"]
    reject = client.post(
        f"/api/v1/workorders/{order}/reject",
        json={"version": 1, "reason_code": "legal_procedure", "note": "a\x00b"},
        headers=as_user("demo-dispatcher"),
    )
    assert reject.status_code == 422 and reject.json()["error"]["field"] == "note"


def test_a_token_signed_with_the_old_committed_key_is_refused_by_a_fresh_install(
    database_url, db, clock, tmp_path
) -> None:
    # A default install: no GRID_SECRET_KEY, dev mode on (as `make run` starts it).
    fresh = Settings(database_url=database_url, media_root=tmp_path, inprocess_worker=False)
    assert fresh.secret_key is None
    from backend.catalog.service import load_catalog
    from backend.db import session_scope
    from backend.org.demo import create_demo_street

    with session_scope(db) as session:
        load_catalog(session, clock.now())
        create_demo_street(session, fresh, clock.now())
    with TestClient(create_app(fresh, clock)) as client:
        admin_id = client.post(
            "/api/v1/auth/login", data={"username": "demo-admin", "password": "gridline-demo"}
        )
        assert admin_id.status_code == 200
        now = int(clock.now().timestamp())
        for claims in (
            {"sub": "1", "role": "admin", "typ": "access", "exp": now + 600},
            {"sub": "1", "role": "admin", "typ": "access", "fam": "x", "exp": now + 600},
        ):
            forged = jwt.encode(claims, OLD_COMMITTED_DEV_KEY, algorithm="HS256")
            response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {forged}"})
            assert response.status_code == 401


def test_the_generated_key_is_kept_by_the_instance(database_url, db, clock, tmp_path) -> None:
    fresh = Settings(database_url=database_url, media_root=tmp_path, inprocess_worker=False)
    first, second = create_app(fresh, clock), create_app(fresh, clock)
    key = first.state.signing_key.get(clock.now())
    assert len(key) >= 32 and key != OLD_COMMITTED_DEV_KEY
    # Another process of the same instance (same database) signs with the same key.
    assert second.state.signing_key.get(clock.now()) == key


@pytest.mark.parametrize(
    "claims",
    [
        {"sub": "1", "typ": "access", "fam": "f", "exp": "soon"},
        {"sub": "1" * 40, "typ": "access", "fam": "f", "exp": 4102444800},
        {"sub": "-5", "typ": "access", "fam": "f", "exp": 4102444800},
        {"sub": "1", "typ": "access", "fam": ["f"], "exp": 4102444800},
        {"sub": True, "typ": "access", "fam": "f", "exp": 4102444800},
        {"sub": "1", "typ": "access", "fam": "f", "exp": 4102444800, "nbf": "later"},
    ],
)
def test_malformed_claims_with_a_valid_signature_are_a_401(
    app, client, demo, clock, claims
) -> None:
    key = app.state.signing_key.get(clock.now())
    token = jwt.encode(claims, key, algorithm="HS256")
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401, response.text


def test_the_demo_handler_opens_the_photos_of_its_departments_demo_orders(
    client, as_user, db, settings, clock
) -> None:
    from backend.db import session_scope
    from backend.dispatch.demo import create_demo_reports
    from backend.main import make_storage

    with session_scope(db) as session:
        create_demo_reports(session, make_storage(settings), settings, clock.now())
    handler = as_user("demo-handler")
    department = client.get("/api/v1/me", headers=handler).json()["department"]["id"]
    reports = client.get("/api/v1/reports", headers=as_user("demo-dispatcher")).json()["items"]
    opened = 0
    for report in reports:
        order = client.get(
            f"/api/v1/workorders/{report['work_order_id']}", headers=as_user("demo-dispatcher")
        ).json()
        if (order["lead_department"] or {}).get("id") != department:
            continue
        mine = client.get(f"/api/v1/workorders/{order['id']}", headers=handler).json()
        for evidence in mine["evidence"]["reports"]:
            for photo in evidence["photos"]:
                for url in photo["urls"].values():
                    response = client.get(url, headers=handler)
                    assert response.status_code == 200, url
                    assert response.headers["content-type"].startswith("image/")
                    opened += 1
    assert opened >= 3  # at least one demo order of its department, three variants


def test_security_headers_on_every_response(submit, client, as_user) -> None:
    photo = submit().json()["photos"][0]
    media = client.get(photo["urls"]["original"], headers=as_user("demo-member"))
    login = client.post(
        "/api/v1/auth/login", data={"username": "demo-member", "password": "gridline-demo"}
    )
    missing = client.get("/nowhere")
    for response in (media, login, missing):
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "no-referrer"
        assert response.headers["x-frame-options"] == "DENY"
    assert login.headers["cache-control"] == "no-store"
    assert "immutable" in media.headers["cache-control"]


def test_cors_is_closed_unless_configured(client, database_url, tmp_path, clock, demo) -> None:
    origin = {"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"}
    assert "access-control-allow-origin" not in client.get("/api/v1/health", headers=origin).headers
    allowed = Settings(
        database_url=database_url,
        media_root=tmp_path,
        inprocess_worker=False,
        cors_origins=["https://app.example"],
    )
    with TestClient(create_app(allowed, clock)) as open_client:
        ok = open_client.get("/api/v1/health", headers={"Origin": "https://app.example"})
        assert ok.headers["access-control-allow-origin"] == "https://app.example"
        evil = open_client.get("/api/v1/health", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in evil.headers


def test_docs_load_without_internet_in_dev_mode(client) -> None:
    page = client.get("/docs")
    assert page.status_code == 200
    assert "cdn." not in page.text and "https://" not in page.text
    assert "content-security-policy" in page.headers
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css", "redoc.standalone.js"):
        assert client.get(f"/docs/static/{asset}").status_code == 200
    assert client.get("/redoc").status_code == 200
    assert client.get("/openapi.json").json()["info"]["title"]


def test_docs_are_closed_in_production_unless_made_public(
    database_url, db, tmp_path, clock
) -> None:
    prod = {"database_url": database_url, "media_root": tmp_path, "inprocess_worker": False}
    closed = Settings(**prod, dev_mode=False, secret_key="k" * 40)
    with TestClient(create_app(closed, clock)) as client:
        assert client.get("/docs").status_code == 404
        assert client.get("/openapi.json").status_code == 404
    public = Settings(**prod, dev_mode=False, secret_key="k" * 40, api_docs_public=True)
    with TestClient(create_app(public, clock)) as client:
        assert client.get("/docs").status_code == 200


def test_photo_capture_times_in_the_future_are_flagged(submit, clock) -> None:
    exif_2099 = submit([("gps.jpg", photo_bytes("pillow__exif_gps.jpg"))]).json()
    assert "future" in exif_2099["photos"][0]["flags"]
    # No EXIF time: the time the phone claims for the report is judged instead.
    claimed = (clock.now() + timedelta(days=1400)).astimezone(UTC).isoformat()
    no_time = submit(
        [("x.jpg", photo_bytes("exif-samples__jpg_xmp_no_exif.jpg"))], captured_at=claimed
    ).json()
    assert "future" in no_time["photos"][0]["flags"]
    normal = submit().json()
    assert "future" not in normal["photos"][0]["flags"]


def test_error_messages_name_a_file_by_position_not_by_its_name(submit) -> None:
    name = "<img src=x onerror=alert(1)>.jpg"
    response = submit(
        [
            ("ok.jpg", photo_bytes("exif-samples__jpg_gps_DSCN0010.jpg")),
            (name, b"<html><script>alert(1)</script></html>"),
        ]
    )
    assert response.status_code == 415
    message = response.json()["error"]["message"]
    assert "第 2 张照片" in message and "<" not in message and "alert" not in message


def test_report_resend_in_the_same_second_is_still_one_report(submit, client, as_user) -> None:
    key = str(uuid.uuid4())
    first = submit(client_uuid=key)
    again = submit(client_uuid=key)
    assert first.status_code == 201 and again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
