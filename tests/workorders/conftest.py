"""An order walked through its lifecycle over HTTP, step by step."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.hotline.rows import platform_row
from tests.reports.conftest import photo_bytes, submit, wav_bytes  # noqa: F401  (shared)

CORRIDOR = "楼道里堆满了纸箱和旧家具，消防通道被堵"
CLEAN_PROCESS = "接单后当日到现场核实，楼道内纸箱和旧家具已由物业清运完毕，消防通道恢复畅通。"


class OrderWalker:
    """Keeps the order's latest version, so each step carries what the client saw."""

    def __init__(
        self, client: TestClient, as_user: Callable[..., dict[str, str]], order_id: int
    ) -> None:
        self.client, self.as_user, self.id = client, as_user, order_id
        self.order = self.get("demo-dispatcher")

    def get(self, user: str) -> dict[str, Any]:
        response = self.client.get(f"/api/v1/workorders/{self.id}", headers=self.as_user(user))
        assert response.status_code == 200, response.text
        self.order = response.json()
        return self.order

    def step(self, user: str, path: str, expect: int | None = 200, **body: Any) -> Any:
        """``expect`` None: whatever the answer (the caller checks it)."""
        response = self.client.post(
            f"/api/v1/workorders/{self.id}/{path}",
            json={"version": self.order["version"], **body},
            headers=self.as_user(user),
        )
        if expect is not None:
            assert response.status_code == expect, (path, response.text)
        if response.status_code == 200:
            self.order = response.json()
        return response.json()

    def upload(
        self,
        user: str,
        phase: str,
        photo: str | None = "exif-samples__jpg_mobile_jolla.jpg",
        recording: bytes | None = None,
        kind: str = "first_contact",
    ) -> dict[str, Any]:
        files = []
        if photo:
            files.append(("photos", (f"{phase}.jpg", photo_bytes(photo), "image/jpeg")))
        if recording:
            files.append(("recording", ("call.wav", recording, "audio/wav")))
        response = self.client.post(
            f"/api/v1/workorders/{self.id}/evidence",
            data={"version": self.order["version"], "phase": phase, "recording_kind": kind},
            files=files,
            headers=self.as_user(user),
        )
        assert response.status_code == 200, response.text
        self.order = response.json()
        return self.order

    def call_caller(self, user: str, level: str) -> dict[str, Any]:
        """A first-contact call at this level, with its recording uploaded first."""
        self.upload(user, "document", photo=None, recording=wav_bytes(0.3))
        return self.step(
            user,
            "first-contact",
            level=level,
            outcome="reached",
            recording_id=self.last_recording(),
        )

    def last_photo(self, phase: str) -> int:
        return [p["id"] for p in self.order["evidence"]["photos"] if p["phase"] == phase][-1]

    def last_recording(self) -> int:
        return self.order["evidence"]["recordings"][-1]["id"]

    def clock(self, name: str) -> dict[str, Any] | None:
        return next((c for c in self.order["clocks"] if c["name"] == name), None)

    def kinds(self) -> list[str]:
        return [e["kind"] for e in self.order["events"]]


@pytest.fixture
def walker(client, as_user, submit) -> Callable[..., OrderWalker]:  # noqa: F811
    def _make(description: str = CORRIDOR, **fields: Any) -> OrderWalker:
        report = submit(description=description, **fields)
        assert report.status_code == 201, report.text
        return OrderWalker(client, as_user, report.json()["work_order_id"])

    return _make


@pytest.fixture
def hotline_walker(client, as_user) -> Callable[..., OrderWalker]:
    """An order from a 12345 caller (someone to contact first), dispatched at intake."""

    def _make(**fields: Any) -> OrderWalker:
        response = client.post(
            "/api/v1/hotline/orders",
            json=platform_row(content=CORRIDOR, **fields),
            headers=as_user("demo-dispatcher"),
        )
        assert response.status_code == 201, response.text
        walker = OrderWalker(client, as_user, response.json()["results"][0]["work_order_id"])
        assert walker.order["status"] == "dispatched", walker.order["routing_reason"]
        return walker

    return _make


def closure_body(**overrides: Any) -> dict[str, Any]:
    body = {
        "fact_finding": "true",
        "process": CLEAN_PROCESS,
        "basis": "《上海市消防条例》第二十五条",
        "responsible_person": "王承办",
        "phone": "021-52850000",
        "claim_finding": "lawful",
        "result": "resolved",
        "has_scene": True,
    }
    return {**body, **overrides}
