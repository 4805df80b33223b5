"""How long a login must wait after failed attempts (pure)."""

from __future__ import annotations

from datetime import timedelta
from ipaddress import ip_address, ip_network


def wait_after_failures(failures: int, *, free: int, base: timedelta, cap: timedelta) -> timedelta:
    """The first ``free`` failures cost nothing; then ``base``, doubling per failure, up to
    ``cap``: a person who mistyped waits a minute, a guessing script soon waits the window."""
    if failures < free:
        return timedelta(0)
    doublings = min(failures - free, 32)  # 2**32 minutes is far past any cap
    return min(base * (2**doublings), cap)


def client_address(peer: str | None, forwarded_for: str | None, trusted: list[str]) -> str:
    """The address login throttling counts: the connection's, unless it is a trusted proxy,
    then the nearest X-Forwarded-For hop that is not itself trusted."""
    networks = [ip_network(t, strict=False) for t in trusted]

    def is_trusted(address: str) -> bool:
        try:
            ip = ip_address(address)
        except ValueError:
            return False
        return any(ip in network for network in networks)

    address = peer or "unknown"
    if not networks or not is_trusted(address) or not forwarded_for:
        return address[:64]
    for hop in reversed([h.strip() for h in forwarded_for.split(",") if h.strip()]):
        if not is_trusted(hop):
            return hop[:64]
    return address[:64]
