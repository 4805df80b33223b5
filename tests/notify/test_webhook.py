"""The WeCom group-robot notifier against a real HTTP receiver on 127.0.0.1, and the outbox
that delivers inbox rows through it."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from backend.auth.models import User
from backend.db import session_scope
from backend.notify.models import Notification
from backend.notify.outbox import BACKOFF, MAX_ATTEMPTS, DeliveryResult, deliver_pending
from backend.notify.service import notify
from backend.seams.clock import FrozenClock
from backend.seams.notifier import (
    MARKDOWN_MAX_BYTES,
    DeliveryFailed,
    Message,
    NullNotifier,
    WeComWebhookNotifier,
    notifier_from_url,
    truncate_utf8,
)
from backend.workorders.models import WorkOrder

OK = {"errcode": 0, "errmsg": "ok"}
NUMBER = "WG20261123-0001"


@dataclass
class Reply:
    status: int = 200
    body: Any = field(default_factory=lambda: dict(OK))  # a dict is sent as JSON, a str as is
    delay_s: float = 0.0


@dataclass
class Receiver:
    """What the fake robot got, and what it answers: `queued` first, then `default`."""

    url: str = ""
    bodies: list[dict[str, Any]] = field(default_factory=list)
    raw: list[bytes] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)
    content_types: list[str] = field(default_factory=list)
    queued: list[Reply] = field(default_factory=list)
    default: Reply = field(default_factory=Reply)
    release: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self, path: str, content_type: str, raw: bytes) -> Reply:
        with self.lock:
            self.paths.append(path)
            self.content_types.append(content_type)
            self.raw.append(raw)
            self.bodies.append(json.loads(raw))
            return self.queued.pop(0) if self.queued else self.default


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            reply = receiver.take(self.path, self.headers.get("Content-Type", ""), raw)
            if reply.delay_s:
                receiver.release.wait(reply.delay_s)  # cut short when the test ends
            data = reply.body if isinstance(reply.body, str) else json.dumps(reply.body)
            payload = data.encode("utf-8")
            try:
                self.send_response(reply.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            except OSError:
                pass  # the client gave up (timeout test)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    received = Receiver()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(received))
    received.url = f"http://127.0.0.1:{server.server_address[1]}/cgi-bin/webhook/send?key=test-key"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield received
    finally:
        received.release.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _message(**changes: Any) -> Message:
    values: dict[str, Any] = {
        "title": f"已超时（派单）：{NUMBER}",
        "body": "楼道里堆满了纸箱，消防通道被堵",
        "kind": "clock_breached",
        "work_order_number": NUMBER,
        "url": "http://127.0.0.1/orders/1",
    }
    return Message(**{**values, **changes})


# -- the notifier ------------------------------------------------------------------------------


def test_markdown_message_in_the_wecom_format(receiver: Receiver) -> None:
    WeComWebhookNotifier(receiver.url).deliver(_message())
    assert receiver.bodies == [
        {
            "msgtype": "markdown",
            "markdown": {
                "content": f"**已超时（派单）：{NUMBER}**\n"
                "楼道里堆满了纸箱，消防通道被堵\n"
                f"> 工单号：{NUMBER}\n"
                "[查看工单](http://127.0.0.1/orders/1)"
            },
        }
    ]
    assert receiver.paths == ["/cgi-bin/webhook/send?key=test-key"]
    assert receiver.content_types[0].startswith("application/json")
    receiver.raw[0].decode("utf-8")  # UTF-8 on the wire


def test_without_order_or_link_the_markdown_has_just_title_and_body(receiver: Receiver) -> None:
    WeComWebhookNotifier(receiver.url).deliver(_message(work_order_number=None, url=None))
    content = receiver.bodies[0]["markdown"]["content"]
    assert content == f"**已超时（派单）：{NUMBER}**\n楼道里堆满了纸箱，消防通道被堵"


def test_mentions_ride_on_a_text_message(receiver: Receiver) -> None:
    mobiles = ("13800001111", "13900002222")
    WeComWebhookNotifier(receiver.url).deliver(_message(mentioned_mobiles=mobiles))
    markdown, text = receiver.bodies
    assert markdown["msgtype"] == "markdown" and set(markdown) == {"msgtype", "markdown"}
    assert set(markdown["markdown"]) == {"content"}
    assert text["msgtype"] == "text" and set(text) == {"msgtype", "text"}
    assert text["text"]["mentioned_mobile_list"] == list(mobiles)
    assert NUMBER in text["text"]["content"]
    assert set(text["text"]) == {"content", "mentioned_mobile_list"}


def test_a_failed_mention_does_not_fail_the_delivered_message(receiver: Receiver) -> None:
    receiver.queued = [Reply(), Reply(body={"errcode": 45009, "errmsg": "api freq out of limit"})]
    WeComWebhookNotifier(receiver.url).deliver(_message(mentioned_mobiles=("13800001111",)))
    assert [b["msgtype"] for b in receiver.bodies] == ["markdown", "text"]


@pytest.mark.parametrize(
    ("errcode", "retryable"), [(45009, True), (-1, True), (93000, False), (40058, False)]
)
def test_a_wecom_error_code_fails_the_delivery(
    receiver: Receiver, errcode: int, retryable: bool
) -> None:
    receiver.default = Reply(body={"errcode": errcode, "errmsg": "nope"})
    with pytest.raises(DeliveryFailed) as failed:
        WeComWebhookNotifier(receiver.url).deliver(_message())
    assert failed.value.retryable is retryable
    assert str(errcode) in failed.value.reason


@pytest.mark.parametrize(
    ("reply", "retryable"),
    [
        (Reply(status=500, body="oops"), True),
        (Reply(status=502, body="bad gateway"), True),
        (Reply(status=429, body="slow down"), True),
        (Reply(status=404, body="not found"), False),
        (Reply(body="<html>proxy</html>"), True),
    ],
)
def test_http_failures(receiver: Receiver, reply: Reply, retryable: bool) -> None:
    receiver.default = reply
    with pytest.raises(DeliveryFailed) as failed:
        WeComWebhookNotifier(receiver.url).deliver(_message())
    assert failed.value.retryable is retryable


def test_connection_refused_is_retryable() -> None:
    url = f"http://127.0.0.1:{_closed_port()}/cgi-bin/webhook/send?key=secret-key"
    with pytest.raises(DeliveryFailed) as failed:
        WeComWebhookNotifier(url, timeout_s=2).deliver(_message())
    assert failed.value.retryable
    assert "secret-key" not in failed.value.reason  # the key never leaks into errors


def test_a_slow_robot_times_out_retryably(receiver: Receiver) -> None:
    receiver.default = Reply(delay_s=5)
    started = time.monotonic()
    with pytest.raises(DeliveryFailed) as failed:
        WeComWebhookNotifier(receiver.url, timeout_s=0.5).deliver(_message())
    assert failed.value.retryable and failed.value.reason == "timeout"
    assert time.monotonic() - started < 3


def test_long_markdown_is_cut_to_4096_bytes_of_valid_utf8(receiver: Receiver) -> None:
    body = "网格员巡查发现😀问题。" * 600  # about 20 000 bytes of 3- and 4-byte characters
    WeComWebhookNotifier(receiver.url).deliver(_message(body=body))
    content = receiver.bodies[0]["markdown"]["content"]
    assert len(content.encode("utf-8")) <= MARKDOWN_MAX_BYTES
    assert len(content.encode("utf-8")) > MARKDOWN_MAX_BYTES - 8  # uses the room it has
    # The title, the order number and the link survive; the body is what gets shortened.
    assert content.startswith(f"**已超时（派单）：{NUMBER}**\n网格员")
    assert content.endswith(f"…\n> 工单号：{NUMBER}\n[查看工单](http://127.0.0.1/orders/1)")
    receiver.raw[0].decode("utf-8")  # strict: no broken sequence on the wire


def test_truncate_utf8_never_cuts_a_character() -> None:
    text = "a网😀é" * 10
    for limit in range(len(text.encode("utf-8")) + 2):
        cut = truncate_utf8(text, limit)
        assert len(cut.encode("utf-8")) <= limit
        assert cut == text or (cut.endswith("…") and text.startswith(cut[:-1])) or cut == ""


def test_notifier_from_url() -> None:
    assert isinstance(notifier_from_url(None), NullNotifier)
    assert isinstance(notifier_from_url("  "), NullNotifier)
    notifier = notifier_from_url("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k-123")
    assert isinstance(notifier, WeComWebhookNotifier)
    assert "k-123" not in repr(notifier)
    with pytest.raises(ValueError):
        notifier_from_url("ftp://example.invalid/robot")
    NullNotifier().deliver(_message())  # does nothing, raises nothing


# -- the outbox, on the project's migrated database ----------------------------------------


def _order(db: Engine, now: datetime, number: str = NUMBER) -> int:
    """The test's order, made once per test (the database is emptied between tests)."""
    with session_scope(db) as session:
        existing = session.exec(select(WorkOrder).where(WorkOrder.number == number)).first()
        if existing is not None and existing.id is not None:
            return existing.id
        order = WorkOrder(
            number=number,
            source="patrol",
            level="general",
            status="dispatched",
            profile="zhenru",
            description="楼道里堆满了纸箱和旧家具，消防通道被堵",
            created_at=now,
        )
        session.add(order)
        session.flush()
        assert order.id is not None
        return order.id


def _user_ids(db: Engine, *usernames: str) -> list[int]:
    with Session(db) as session:
        users = {u.username: u.id for u in session.exec(select(User))}
    return [i for i in (users[name] for name in usernames) if i is not None]


def _notify(
    db: Engine, user_ids: list[int], now: datetime, order_id: int, key: str, title: str = ""
) -> None:
    with session_scope(db) as session:
        notify(
            session,
            user_ids,
            kind="clock_breached",
            title=title or f"已超时（派单）：{NUMBER}",
            body="楼道里堆满了纸箱",
            work_order_id=order_id,
            order_number=NUMBER,
            dedupe_key=key,
            now=now,
        )


def _rows(db: Engine) -> list[Notification]:
    with Session(db) as session:
        return list(session.exec(select(Notification).order_by(col(Notification.id))))


@pytest.fixture
def two_users_notified(db: Engine, demo: None, clock: FrozenClock) -> list[int]:
    users = _user_ids(db, "demo-dispatcher", "demo-handler")
    _notify(db, users, clock.now(), _order(db, clock.now()), "clock:1:clock_breached")
    return users


def test_one_post_per_event_and_every_recipient_marked(
    db: Engine, clock: FrozenClock, receiver: Receiver, two_users_notified: list[int]
) -> None:
    notifier = WeComWebhookNotifier(receiver.url)
    result = deliver_pending(db, notifier, clock.now(), order_link=lambda i: f"http://x/o/{i}")
    assert result == DeliveryResult(sent=1, failed=0, retry_later=0)
    assert len(receiver.bodies) == 1
    content = receiver.bodies[0]["markdown"]["content"]
    assert f"> 工单号：{NUMBER}" in content and "楼道里堆满了纸箱" in content
    rows = _rows(db)
    assert len(rows) == 2
    assert all(r.delivered_at == clock.now() and r.delivery_attempts == 1 for r in rows)
    assert all(r.delivery_error is None and r.next_attempt_at is None for r in rows)
    # A second run finds nothing to send.
    assert deliver_pending(db, notifier, clock.now()) == DeliveryResult(0, 0, 0)
    assert len(receiver.bodies) == 1


def test_a_failing_robot_backs_off_then_delivers(
    db: Engine, clock: FrozenClock, receiver: Receiver, two_users_notified: list[int]
) -> None:
    notifier = WeComWebhookNotifier(receiver.url)
    receiver.default = Reply(status=500, body="oops")
    assert deliver_pending(db, notifier, clock.now()) == DeliveryResult(0, 0, 1)
    for row in _rows(db):
        assert row.delivered_at is None and row.delivery_attempts == 1
        assert row.next_attempt_at == clock.now() + BACKOFF[0]
        assert row.delivery_error == "HTTP 500"
    # Backing off: not tried again before its time.
    clock.advance(BACKOFF[0] - timedelta(seconds=1))
    assert deliver_pending(db, notifier, clock.now()) == DeliveryResult(0, 0, 0)
    assert len(receiver.bodies) == 1
    receiver.default = Reply()
    clock.advance(timedelta(seconds=1))
    assert deliver_pending(db, notifier, clock.now()) == DeliveryResult(1, 0, 0)
    assert len(receiver.bodies) == 2
    for row in _rows(db):
        assert row.delivered_at == clock.now() and row.delivery_attempts == 2
        assert row.delivery_error is None and row.next_attempt_at is None


def test_gives_up_after_the_last_attempt(
    db: Engine, clock: FrozenClock, receiver: Receiver, two_users_notified: list[int]
) -> None:
    notifier = WeComWebhookNotifier(receiver.url)
    receiver.default = Reply(body={"errcode": 45009, "errmsg": "api freq out of limit"})
    results = []
    for wait in (timedelta(0), *BACKOFF):
        clock.advance(wait)
        results.append(deliver_pending(db, notifier, clock.now()))
    assert results == [DeliveryResult(0, 0, 1)] * (MAX_ATTEMPTS - 1) + [DeliveryResult(0, 1, 0)]
    clock.advance(timedelta(days=1))
    assert deliver_pending(db, notifier, clock.now()) == DeliveryResult(0, 0, 0)
    assert len(receiver.bodies) == MAX_ATTEMPTS
    for row in _rows(db):
        assert row.delivered_at is None and row.next_attempt_at is None
        assert row.delivery_attempts == MAX_ATTEMPTS and "45009" in (row.delivery_error or "")


def test_a_permanent_failure_is_not_retried(
    db: Engine, clock: FrozenClock, receiver: Receiver, two_users_notified: list[int]
) -> None:
    receiver.default = Reply(body={"errcode": 93000, "errmsg": "invalid webhook url"})
    notifier = WeComWebhookNotifier(receiver.url)
    assert deliver_pending(db, notifier, clock.now()) == DeliveryResult(0, 1, 0)
    clock.advance(timedelta(days=1))
    assert deliver_pending(db, notifier, clock.now()) == DeliveryResult(0, 0, 0)
    assert len(receiver.bodies) == 1
    assert all("93000" in (r.delivery_error or "") for r in _rows(db))


def test_a_retryable_failure_stops_the_batch_without_counting_the_rest(
    db: Engine, demo: None, clock: FrozenClock, receiver: Receiver
) -> None:
    users = _user_ids(db, "demo-dispatcher")
    first = _order(db, clock.now())
    second = _order(db, clock.now(), "WG20261123-0002")
    _notify(db, users, clock.now(), first, "event-1")
    _notify(db, users, clock.now(), second, "event-2")
    receiver.default = Reply(body={"errcode": 45009, "errmsg": "api freq out of limit"})
    notifier = WeComWebhookNotifier(receiver.url)
    assert deliver_pending(db, notifier, clock.now()) == DeliveryResult(0, 0, 2)
    assert len(receiver.bodies) == 1  # the rate limit answer stopped the batch
    tried, untried = _rows(db)
    assert tried.delivery_attempts == 1 and untried.delivery_attempts == 0
    assert untried.next_attempt_at == tried.next_attempt_at == clock.now() + BACKOFF[0]
    receiver.default = Reply()
    clock.advance(BACKOFF[0])
    assert deliver_pending(db, notifier, clock.now()) == DeliveryResult(2, 0, 0)


def test_concurrent_workers_post_each_event_once(
    db: Engine, demo: None, clock: FrozenClock, receiver: Receiver
) -> None:
    users = _user_ids(db, "demo-dispatcher", "demo-handler", "demo-leader")
    order_id = _order(db, clock.now())
    for i in range(8):
        _notify(db, users, clock.now(), order_id, f"event-{i}", title=f"事件 {i}")
    notifier = WeComWebhookNotifier(receiver.url)
    barrier = threading.Barrier(3)
    results: list[DeliveryResult] = []

    def work() -> None:
        barrier.wait()
        results.append(deliver_pending(db, notifier, clock.now(), limit=3))

    threads = [threading.Thread(target=work) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Whatever the split between the workers, a last run picks up the rest.
    results.append(deliver_pending(db, notifier, clock.now()))
    assert sum(r.sent for r in results) == 8
    titles = sorted(b["markdown"]["content"].split("**")[1] for b in receiver.bodies)
    assert titles == sorted(f"事件 {i}" for i in range(8))  # each event posted exactly once
    assert all(r.delivered_at is not None for r in _rows(db))


def test_a_late_recipient_of_a_posted_event_is_not_posted_again(
    db: Engine, clock: FrozenClock, receiver: Receiver, two_users_notified: list[int]
) -> None:
    notifier = WeComWebhookNotifier(receiver.url)
    assert deliver_pending(db, notifier, clock.now()).sent == 1
    (order_id,) = {r.work_order_id for r in _rows(db)}
    assert order_id is not None
    clock.advance(timedelta(minutes=1))
    _notify(db, _user_ids(db, "demo-leader"), clock.now(), order_id, "clock:1:clock_breached")
    assert deliver_pending(db, notifier, clock.now()) == DeliveryResult(0, 0, 0)
    assert len(receiver.bodies) == 1
    assert all(r.delivered_at is not None for r in _rows(db))


def test_recipients_can_be_mentioned_by_phone(
    db: Engine, clock: FrozenClock, receiver: Receiver, two_users_notified: list[int]
) -> None:
    with session_scope(db) as session:
        for i, user_id in enumerate(two_users_notified):
            user = session.get(User, user_id)
            assert user is not None
            user.phone = f"1390000000{i}"
            session.add(user)
    notifier = WeComWebhookNotifier(receiver.url)
    assert deliver_pending(db, notifier, clock.now(), mention_recipients=True).sent == 1
    assert [b["msgtype"] for b in receiver.bodies] == ["markdown", "text"]
    mentioned = receiver.bodies[1]["text"]["mentioned_mobile_list"]
    assert sorted(mentioned) == ["13900000000", "13900000001"]


def test_without_a_channel_rows_are_marked_delivered(
    db: Engine, clock: FrozenClock, two_users_notified: list[int]
) -> None:
    # So that configuring a webhook later does not flood the group with the backlog.
    assert deliver_pending(db, NullNotifier(), clock.now()) == DeliveryResult(1, 0, 0)
    assert all(r.delivered_at is not None for r in _rows(db))
