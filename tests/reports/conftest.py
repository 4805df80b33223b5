"""Helpers for filing reports over HTTP."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import TESTDATA

PHOTOS = TESTDATA / "photos"
# Inside the demo street (铜川路社区第1网格).
STREET_LAT, STREET_LNG = 31.2445, 121.403


def photo_bytes(name: str) -> bytes:
    return (PHOTOS / name).read_bytes()


@pytest.fixture
def submit(client: TestClient, as_user: Callable[..., dict[str, str]]) -> Callable[..., Any]:
    """POSTs a report as a demo user; photos are (filename, bytes) pairs."""

    def _submit(
        photos: list[tuple[str, bytes]] | None = None,
        *,
        user: str = "demo-member",
        voice: tuple[str, bytes] | None = None,
        **fields: Any,
    ) -> Any:
        data = {
            "client_uuid": str(uuid.uuid4()),
            "description": "楼道里堆满了纸箱和旧家具，消防通道被堵",
            "lat": STREET_LAT,
            "lng": STREET_LNG,
            **fields,
        }
        if photos is None:
            photos = [("scene.jpg", photo_bytes("exif-samples__jpg_gps_DSCN0010.jpg"))]
        files: list[tuple[str, tuple[str, bytes, str]]] = [
            ("photos", (name, content, "image/jpeg")) for name, content in photos
        ]
        if voice is not None:
            files.append(("voice", (voice[0], voice[1], "audio/mpeg")))
        return client.post("/api/v1/reports", data=data, files=files, headers=as_user(user))

    return _submit


def stored_files(media_root: Path) -> list[Path]:
    if not media_root.exists():
        return []
    return [p for p in media_root.rglob("*") if p.is_file()]


def wav_bytes(seconds: float = 1.0) -> bytes:
    """A real WAV recording (a tone), as a phone's call recorder would save it."""
    import io
    import math
    import wave

    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        samples = (int(8000 * math.sin(i / 10)) for i in range(int(8000 * seconds)))
        out.writeframes(b"".join(s.to_bytes(2, "little", signed=True) for s in samples))
    return buffer.getvalue()
