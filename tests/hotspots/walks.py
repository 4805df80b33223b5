"""An order walked to closure over HTTP, the short way (no detours)."""

from __future__ import annotations

from tests.workorders.conftest import OrderWalker, closure_body


def walk_to_closed(w: OrderWalker, profile: str) -> None:
    """Accept, first contact where someone is to be contacted, check in, before/after photos,
    closure, verification and a satisfied callback."""
    w.step("demo-handler", "accept")
    if w.clock("first_contact") is not None or w.clock("first_contact_center") is not None:
        if profile == "zhenru":
            w.call_caller("demo-dispatcher", "command_center")
        w.call_caller("demo-handler", "department")
    w.step("demo-handler", "check-in", lat=31.24452, lng=121.40302)
    w.upload("demo-handler", "before")
    w.upload("demo-handler", "after")
    photos = [w.last_photo("before"), w.last_photo("after")]
    signed: dict[str, int] = {}
    if profile == "heyang":  # every result reply is signed and stamped (seed 001)
        w.upload("demo-handler", "signoff")
        signed = {"leader_signoff_photo_id": w.last_photo("signoff")}
    w.step("demo-handler", "closure", **closure_body(photo_ids=photos, **signed))
    w.step("demo-dispatcher", "verification", passed=True)
    recorded: dict[str, int] = {}
    if profile == "heyang":  # callbacks are recorded (seed 001)
        from tests.workorders.conftest import wav_bytes

        w.upload(
            "demo-dispatcher", "document", photo=None, recording=wav_bytes(0.3), kind="callback"
        )
        recorded = {"recording_id": w.last_recording()}
    w.step(
        "demo-dispatcher", "callback", satisfaction="satisfied", resolution="resolved", **recorded
    )
    assert w.order["status"] == "closed", w.order["status"]
