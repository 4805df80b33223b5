"""Open311 fixtures: an API key made by an admin, a filer that POSTs forms as a client
would, and a local image host (the only fake is the remote host itself, a real HTTP server)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.reports.conftest import STREET_LAT, STREET_LNG, submit  # noqa: F401
from tests.security.conftest import live_server  # noqa: F401  (shared fixture)
from tests.workorders.conftest import CORRIDOR

PHOTO = Path(__file__).parents[2] / ".." / "shared" / "testdata" / "photos"


@pytest.fixture
def api_key(client: TestClient, as_user: Callable[..., dict[str, str]]) -> str:
    response = client.post(
        "/api/v1/open311/keys", json={"name": "邻区平台"}, headers=as_user("demo-admin")
    )
    assert response.status_code == 201, response.text
    return str(response.json()["key"])


@pytest.fixture
def corridor_code(client: TestClient, as_user: Callable[..., dict[str, str]]) -> str:
    """The service code of the corridor problem, as the classifier reads it."""
    response = client.post(
        "/api/v1/classify", json={"text": CORRIDOR}, headers=as_user("demo-member")
    )
    return str(response.json()["candidates"][0]["number"])


@pytest.fixture
def file(client: TestClient, api_key: str, corridor_code: str) -> Callable[..., Any]:
    """POST requests.{fmt}, form-encoded; ``None`` leaves a field out."""

    def _file(fmt: str = "json", **fields: Any) -> Any:
        form = {
            "api_key": api_key,
            "service_code": corridor_code,
            "lat": str(STREET_LAT),
            "long": str(STREET_LNG),
            "address_string": "铜川路1号楼道",
            "description": CORRIDOR + "，希望尽快清理",
            "first_name": "先生",
            "last_name": "陈",
            "phone": "13812345678",
            "email": "chen@example.org",
            **fields,
        }
        form = {k: v for k, v in form.items() if v is not None}
        return client.post(f"/open311/v2/requests.{fmt}", data=form)

    return _file


class ImageHost:
    """A real HTTP server on a local port that serves one photo and counts its requests."""

    def __init__(self, body: bytes, content_type: str = "image/jpeg") -> None:
        self.hits: list[str] = []
        host = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                host.hits.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def image_host() -> Iterator[ImageHost]:
    host = ImageHost((PHOTO / "exif-py__Xiaomi_Mi_9T_KeyError.jpg").read_bytes())
    yield host
    host.close()
