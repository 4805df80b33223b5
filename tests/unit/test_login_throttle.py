"""Login waits and the client address they are counted by (pure)."""

from __future__ import annotations

from datetime import timedelta

from backend.auth.throttle import client_address, wait_after_failures

MIN = timedelta(minutes=1)
WINDOW = timedelta(minutes=15)


def test_waits_start_after_the_free_tries_and_double_up_to_the_window() -> None:
    waits = [wait_after_failures(n, free=5, base=MIN, cap=WINDOW) for n in range(12)]
    assert waits[:5] == [timedelta(0)] * 5
    assert waits[5:10] == [MIN, 2 * MIN, 4 * MIN, 8 * MIN, WINDOW]
    assert waits[11] == WINDOW
    assert wait_after_failures(10**9, free=5, base=MIN, cap=WINDOW) == WINDOW


def test_the_connection_is_the_client_unless_it_is_a_trusted_proxy() -> None:
    assert client_address("203.0.113.5", "1.2.3.4", []) == "203.0.113.5"
    assert client_address("203.0.113.5", "1.2.3.4", ["10.0.0.0/8"]) == "203.0.113.5"
    assert client_address("10.0.0.2", "198.51.100.7, 10.0.0.9", ["10.0.0.0/8"]) == "198.51.100.7"
    # A client cannot hide behind a forged first hop: the nearest untrusted hop counts.
    assert client_address("10.0.0.2", "6.6.6.6, 198.51.100.7", ["10.0.0.0/8"]) == "198.51.100.7"
    assert client_address("10.0.0.2", None, ["10.0.0.0/8"]) == "10.0.0.2"
    assert client_address(None, None, []) == "unknown"
