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


# Every step's path segment (machine.Step's values), and the path a decision on a row takes.
STEPS = (
    "dispatch", "merge", "reject", "accept", "first-contact", "check-in", "evidence", "returns",
    "return-decision", "extensions", "extension-decision", "closure", "assist-report",
    "verification", "callback", "supervisions", "supervision-reply", "store", "stored-link",
    "archive",
)  # fmt: skip
ROW_STEPS = {
    "returns": "return-decision",
    "extensions": "extension-decision",
    "supervisions": "supervision-reply",
}
NOT_A_ROW = 999_999_999
# How a step is refused: who (403), when (409), what (422) — never taken, never a 500.
REFUSALS = (403, 409, 422)


def step_of(path: str) -> str:
    """The step a POST path takes: ``returns/7/decision`` is the return's decision."""
    head, *rest = path.split("/")
    return ROW_STEPS[head] if rest else head


class OrderWalker:
    """Keeps the order's latest version, so each step carries what the client saw.

    Before each step the walker reads the order as the acting user and holds the step's
    answer to the order's ``next_steps``: a step that goes through was offered and ready; one
    offered but not ready is refused naming what it still needs. With ``probe``, every step
    not offered to that user is also sent, with a body the endpoint would otherwise take, and
    must be refused (the per-profile scenarios probe; each probe is a request).
    """

    def __init__(
        self,
        client: TestClient,
        as_user: Callable[..., dict[str, str]],
        order_id: int,
        *,
        check_steps: bool = True,
        probe: bool = False,
    ) -> None:
        self.client, self.as_user, self.id = client, as_user, order_id
        self.check_steps, self.probe = check_steps, probe
        self._probed: set[tuple[str, str, frozenset[str]]] = set()
        self._departments: list[int] | None = None
        self.order = self.get("demo-dispatcher")

    def get(self, user: str) -> dict[str, Any]:
        response = self.client.get(f"/api/v1/workorders/{self.id}", headers=self.as_user(user))
        assert response.status_code == 200, response.text
        self.order = response.json()
        return self.order

    def step(self, user: str, path: str, expect: int | None = 200, **body: Any) -> Any:
        """``expect`` None: whatever the answer (the caller checks it)."""
        seen = self.look(user)
        response = self.client.post(
            f"/api/v1/workorders/{self.id}/{path}",
            json={"version": self.order["version"], **body},
            headers=self.as_user(user),
        )
        self._agrees(seen, user, step_of(path), response)
        if expect is not None:
            assert response.status_code == expect, (path, response.text)
        if response.status_code == 200:
            self.order = response.json()
        return response.json()

    # -- next_steps against the endpoints ----------------------------------------------------

    def look(self, user: str) -> dict[str, Any] | None:
        """The order as ``user`` sees it (None: hidden from them); with ``probe``, sends the
        steps it does not offer them."""
        if not self.check_steps:
            return None
        response = self.client.get(f"/api/v1/workorders/{self.id}", headers=self.as_user(user))
        if response.status_code == 404:
            return None
        assert response.status_code == 200, response.text
        seen = response.json()
        offered = frozenset(s["step"] for s in seen["next_steps"])
        # A state already probed for this user (same status, same steps offered) is not
        # probed again: uploads and notices repeat states, and each probe is a request.
        state = (user, seen["status"], offered)
        if self.probe and state not in self._probed:
            self._probed.add(state)
            for step in STEPS:
                if step not in offered:
                    self._probe(user, seen, step)
        return seen

    def _agrees(self, seen: dict[str, Any] | None, user: str, step: str, response: Any) -> None:
        assert response.status_code < 500, (step, response.text)
        if not self.check_steps:
            return
        where = (user, step, seen["status"] if seen else None)
        if seen is None:  # an order the user may not see is one they may not act on
            assert response.status_code >= 400, where
            return
        shown = {s["step"]: s for s in seen["next_steps"]}
        offered = shown.get(step)
        if response.is_success:
            assert offered is not None and offered["ready"], (*where, shown)
        elif offered is not None and not offered["ready"]:
            error = response.json()["error"]
            assert response.status_code == 422, (*where, error)
            assert any(need in error["message"] for need in offered["needs"]), (
                *where,
                offered["needs"],
                error,
            )

    def _probe(self, user: str, seen: dict[str, Any], step: str) -> None:
        """A step ``seen`` does not offer ``user``, sent as a client would send it."""
        headers = self.as_user(user)
        url = f"/api/v1/workorders/{self.id}"
        version = seen["version"]
        if step == "evidence":
            response = self.client.post(
                f"{url}/evidence",
                data={"version": version, "recording_kind": "first_contact"},
                files=[("recording", ("call.wav", wav_bytes(0.2), "audio/wav"))],
                headers=headers,
            )
        else:
            path, body = self._probe_body(user, seen, step)
            response = self.client.post(
                f"{url}/{path}", json={"version": version, **body}, headers=headers
            )
        where = (user, step, seen["status"], [s["step"] for s in seen["next_steps"]])
        assert response.status_code in REFUSALS, (*where, response.text)
        # Refused by the rules, not for the shape of the body.
        assert "details" not in response.json()["error"], (*where, response.text)

    def _probe_body(self, user: str, seen: dict[str, Any], step: str) -> tuple[str, dict]:
        def last(rows: str) -> int:
            return seen[rows][-1]["id"] if seen[rows] else NOT_A_ROW

        lead = (seen["lead_department"] or {}).get("id")
        other = next((d for d in self.departments() if d != lead), NOT_A_ROW)
        text = "请按职责尽快处理"
        bodies: dict[str, tuple[str, dict[str, Any]]] = {
            "dispatch": ("dispatch", {"category_number": seen["category_number"] or 66}),
            "merge": ("merge", {"into_work_order_id": NOT_A_ROW}),
            "reject": ("reject", {"reason_code": "incomplete_order"}),
            "accept": ("accept", {}),
            "first-contact": (
                "first-contact",
                {
                    "level": "command_center" if user == "demo-dispatcher" else "department",
                    "outcome": "failed",
                },
            ),
            "check-in": (
                "check-in",
                {"lat": seen["lat"] or 31.2445, "lng": seen["lng"] or 121.403},
            ),
            "returns": ("returns", {"reason": text, "suggested_department_id": other}),
            "return-decision": (f"returns/{last('returns')}/decision", {"approve": False}),
            "extensions": (
                "extensions",
                {
                    "reason": text,
                    "plan": text,
                    "milestones": [{"date": "2026-11-25", "text": text}],
                    "photo_ids": [NOT_A_ROW],
                },
            ),
            "extension-decision": (f"extensions/{last('extensions')}/decision", {"approve": False}),
            "closure": ("closure", closure_body()),
            "assist-report": ("assist-report", {"text": CLEAN_PROCESS}),
            "verification": ("verification", {"passed": False, "reasons": text}),
            "callback": ("callback", {"satisfaction": "unsatisfied", "resolution": "unresolved"}),
            "supervisions": (
                "supervisions",
                {"kind": "in_progress", "level": "street", "notice": text},
            ),
            "supervision-reply": (f"supervisions/{last('supervisions')}/reply", {"reply": text}),
            "store": (
                "store",
                {
                    "category": "handled_unsatisfied",
                    "calls_same_matter": 5,
                    "main_claim": text,
                    "handling": text,
                    "conclusion": text,
                    "reply_points": text,
                    "department_signoff_photo_id": NOT_A_ROW,
                    "command_center_approver_id": NOT_A_ROW,
                },
            ),
            "stored-link": ("stored-link", {"stored_work_order_id": NOT_A_ROW}),
            "archive": ("archive", {}),
        }
        return bodies[step]

    def departments(self) -> list[int]:
        if self._departments is None:
            items = self.client.get("/api/v1/departments", headers=self.as_user("demo-admin"))
            self._departments = [d["id"] for d in items.json()["items"]]
        return self._departments

    def upload(
        self,
        user: str,
        phase: str,
        photo: str | None = "exif-samples__jpg_mobile_jolla.jpg",
        recording: bytes | None = None,
        kind: str = "first_contact",
    ) -> dict[str, Any]:
        seen = self.look(user)
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
        self._agrees(seen, user, "evidence", response)
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
def probe_hidden_steps() -> bool:
    """Whether walkers send every step the order does not offer (a module turns it on)."""
    return False


@pytest.fixture
def walker(client, as_user, submit, probe_hidden_steps) -> Callable[..., OrderWalker]:  # noqa: F811
    def _make(
        description: str = CORRIDOR, *, check_steps: bool = True, **fields: Any
    ) -> OrderWalker:
        report = submit(description=description, **fields)
        assert report.status_code == 201, report.text
        return OrderWalker(
            client,
            as_user,
            report.json()["work_order_id"],
            check_steps=check_steps,
            probe=check_steps and probe_hidden_steps,
        )

    return _make


@pytest.fixture
def hotline_walker(client, as_user, probe_hidden_steps) -> Callable[..., OrderWalker]:
    """An order from a 12345 caller (someone to contact first), dispatched at intake."""

    def _make(**fields: Any) -> OrderWalker:
        response = client.post(
            "/api/v1/hotline/orders",
            json=platform_row(content=CORRIDOR, **fields),
            headers=as_user("demo-dispatcher"),
        )
        assert response.status_code == 201, response.text
        walker = OrderWalker(
            client,
            as_user,
            response.json()["results"][0]["work_order_id"],
            probe=probe_hidden_steps,
        )
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
