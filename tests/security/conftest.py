"""A real server on a local port, for requests TestClient cannot make (lying headers)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn

from tests.reports.conftest import submit  # noqa: F401  (shared fixture)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def live_server(app, demo) -> Iterator[str]:
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.started, "the test server did not start"
    yield f"127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def raw_request(address: str, head: str, body: bytes = b"", *, timeout: float = 5.0) -> bytes:
    """Sends a hand-written HTTP/1.1 request and returns what the server answered first."""
    host, port = address.split(":")
    with socket.create_connection((host, int(port)), timeout=timeout) as conn:
        conn.sendall(head.replace("\n", "\r\n").encode() + b"\r\n" + body)
        chunks = b""
        try:
            while b"\r\n\r\n" not in chunks or not _complete(chunks):
                data = conn.recv(65536)
                if not data:
                    break
                chunks += data
        except (TimeoutError, ConnectionResetError):
            pass
        return chunks


def _complete(response: bytes) -> bool:
    head, _, body = response.partition(b"\r\n\r\n")
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            return len(body) >= int(line.split(b":")[1])
    return True
