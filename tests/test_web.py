"""The PWA served beside the API: files, history fallback, caching and the CSP."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from backend.config import Settings
from backend.main import create_app

INDEX = '<!doctype html><html><head><script type="module" src="/assets/index-Ab12Cd34.js"></script></head><body><div id="app"></div></body></html>'  # noqa: E501


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    root = tmp_path / "dist"
    (root / "assets").mkdir(parents=True)
    (root / "icons").mkdir()
    (root / "index.html").write_text(INDEX, encoding="utf-8")
    (root / "assets" / "index-Ab12Cd34.js").write_text("console.log('app')", encoding="utf-8")
    (root / "assets" / "index-Zx98Yw76.css").write_text("body{}", encoding="utf-8")
    (root / "sw.js").write_text("self.addEventListener('fetch', () => {})", encoding="utf-8")
    (root / "workbox-5c0f1a2b.js").write_text("/* workbox */", encoding="utf-8")
    (root / "manifest.webmanifest").write_text('{"name": "网格通"}', encoding="utf-8")
    (root / "icons" / "icon-192.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    return root


def _client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def web(db, database_url: str, tmp_path: Path, dist: Path) -> Iterator[TestClient]:
    settings = Settings(
        database_url=database_url,
        media_root=tmp_path / "media",
        inprocess_worker=False,
        pwa_dist=dist,
    )
    yield from _client(settings)


def test_root_serves_index_without_caching_and_with_a_strict_csp(web: TestClient) -> None:
    response = web.get("/")
    assert response.status_code == 200
    assert response.text == INDEX
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["cache-control"] == "no-cache"
    csp = response.headers["content-security-policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp and "unsafe-inline' ;" not in csp
    assert "'unsafe-inline'" not in csp.split("script-src", 1)[1].split(";", 1)[0]
    assert "frame-ancestors 'none'" in csp
    assert "worker-src 'self'" in csp and "connect-src 'self'" in csp
    assert "img-src 'self' blob: data:" in csp


@pytest.mark.parametrize("path", ["/report", "/orders/12", "/command/queue?x=1"])
def test_app_routes_fall_back_to_index(web: TestClient, path: str) -> None:
    response = web.get(path)
    assert response.status_code == 200
    assert response.text == INDEX
    assert response.headers["cache-control"] == "no-cache"


def test_hashed_assets_are_cached_for_a_year(web: TestClient) -> None:
    for path in ("/assets/index-Ab12Cd34.js", "/assets/index-Zx98Yw76.css", "/workbox-5c0f1a2b.js"):
        response = web.get(path)
        assert response.status_code == 200, path
        assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert "javascript" in web.get("/assets/index-Ab12Cd34.js").headers["content-type"]


def test_service_worker_and_manifest_are_revalidated(web: TestClient) -> None:
    sw = web.get("/sw.js")
    assert sw.status_code == 200
    assert sw.headers["cache-control"] == "no-cache"
    assert sw.headers["service-worker-allowed"] == "/"
    manifest = web.get("/manifest.webmanifest")
    assert manifest.headers["cache-control"] == "no-cache"
    assert manifest.headers["content-type"].startswith("application/manifest+json")
    assert web.get("/index.html").headers["cache-control"] == "no-cache"
    # Icons have no hash in their names: cached briefly, not forever.
    assert "immutable" not in web.get("/icons/icon-192.png").headers["cache-control"]


def test_missing_files_are_404_not_the_app(web: TestClient) -> None:
    response = web.get("/assets/index-missing1.js")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_paths_outside_dist_are_not_served(web: TestClient, dist: Path) -> None:
    (dist.parent / "secret.txt").write_text("secret", encoding="utf-8")
    for path in ("/../secret.txt", "/assets/../../secret.txt", "/%2e%2e/secret.txt"):
        response = web.get(path)
        assert "secret" not in response.text, path


def test_api_docs_and_openapi_keep_working(web: TestClient) -> None:
    assert web.get("/api/v1/health").status_code == 200
    assert web.get("/docs").status_code == 200
    assert web.get("/openapi.json").json()["info"]["title"].startswith("Gridline")
    unknown = web.get("/api/v1/no-such-thing")
    assert unknown.status_code == 404
    assert unknown.headers["content-type"].startswith("application/json")
    assert unknown.json()["error"]["code"] == "not_found"
    # An API route answers its own 405, not the app's index.
    assert web.get("/api/v1/auth/login").status_code == 405


def test_client_config_needs_no_login_and_names_the_tile_crs(
    db, database_url: str, tmp_path: Path, dist: Path
) -> None:
    settings = Settings(
        database_url=database_url,
        media_root=tmp_path / "media",
        inprocess_worker=False,
        pwa_dist=dist,
        map_tile_url="https://{s}.tiles.example.com/{z}/{x}/{y}.png",
        map_tile_crs="wgs84",
    )
    for client in _client(settings):
        config = client.get("/api/v1/client-config")
        assert config.status_code == 200
        body = config.json()
        assert body["map_tile_url"] == "https://{s}.tiles.example.com/{z}/{x}/{y}.png"
        assert body["map_tile_crs"] == "wgs84"
        assert body["max_photos_per_report"] == 9
        # The tile host is allowed for images, and only for images.
        csp = client.get("/").headers["content-security-policy"]
        assert "img-src 'self' blob: data: https://*.tiles.example.com" in csp
        assert "connect-src 'self';" in csp


def test_default_client_config_has_no_tiles(web: TestClient) -> None:
    body = web.get("/api/v1/client-config").json()
    assert body["map_tile_url"] is None
    assert body["map_tile_crs"] == "gcj02"
    # Features name only optional APIs this server really routes.
    paths = web.get("/openapi.json").json()["paths"]
    expected = {
        "workorder_list": "get" in paths.get("/api/v1/workorders", {}),
        "codes": "get" in paths.get("/api/v1/codes", {}),
        "unread_count": "get" in paths.get("/api/v1/inbox/unread-count", {}),
        "closure_lint": "post" in paths.get("/api/v1/closure/lint", {}),
    }
    assert set(body["features"]) == {name for name, present in expected.items() if present}


def test_without_a_build_root_answers_a_chinese_hint(db, database_url: str, tmp_path: Path) -> None:
    settings = Settings(
        database_url=database_url,
        media_root=tmp_path / "media",
        inprocess_worker=False,
        pwa_dist=tmp_path / "not-built",
    )
    for client in _client(settings):
        response = client.get("/")
        assert response.status_code == 503
        assert "前端尚未构建" in response.text and "make run" in response.text
        assert client.get("/report").status_code == 503
        assert client.get("/api/v1/health").status_code == 200
