"""Fetching a request's ``media_url``: only from hosts an admin allowed, never following a
redirect (it could lead anywhere), with the photo pipeline's size limit read as it streams.

A URL on any other host is refused before a connection is opened, so a request cannot make
the server reach an address of the requester's choosing (SSRF).
"""

from __future__ import annotations

from collections.abc import Collection
from urllib.parse import urlsplit

import httpx

from backend.open311.rules import Open311Problem

IMAGE_TYPES = ("image/jpeg", "image/png", "image/webp", "image/heic", "image/heif")


def allowed(url: str, hosts: Collection[str]) -> bool:
    """http(s) on an allowed host: an entry is a host name ("img.example.org", any port)
    or host:port ("127.0.0.1:8081", that port only)."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return False
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.username:
        return False
    host = parts.hostname.lower()
    wanted = {h.strip().lower() for h in hosts if h.strip()}
    return host in wanted or (port is not None and f"{host}:{port}" in wanted)


def fetch(url: str, hosts: Collection[str], max_bytes: int, timeout_s: float = 10.0) -> bytes:
    """The image at ``url``; Open311Problem(400) for a host not allowed, a failed fetch, a
    type that is not an image or a file over ``max_bytes``."""
    if not allowed(url, hosts):
        raise Open311Problem(
            400, "media_url：该图片地址的主机不在允许列表中（请联系街道指挥中心添加）", "media_url"
        )
    try:
        with (
            httpx.Client(follow_redirects=False, timeout=timeout_s) as client,
            client.stream("GET", url, headers={"Accept": ", ".join(IMAGE_TYPES)}) as response,
        ):
            if response.status_code != 200:
                raise Open311Problem(
                    400, f"media_url：图片地址返回 HTTP {response.status_code}", "media_url"
                )
            kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
            if kind not in IMAGE_TYPES:
                raise Open311Problem(
                    400,
                    f"media_url：不是照片（支持 JPEG、PNG、WebP、HEIC），收到 {kind or '未知类型'}",
                    "media_url",
                )
            declared = response.headers.get("content-length")
            if declared and declared.isdigit() and int(declared) > max_bytes:
                raise Open311Problem(400, _too_large(max_bytes), "media_url")
            data = bytearray()
            for chunk in response.iter_bytes():
                data.extend(chunk)
                if len(data) > max_bytes:
                    raise Open311Problem(400, _too_large(max_bytes), "media_url")
            return bytes(data)
    except httpx.HTTPError as exc:
        raise Open311Problem(
            400, f"media_url：无法获取图片（{type(exc).__name__}）", "media_url"
        ) from None


def _too_large(max_bytes: int) -> str:
    return f"media_url：图片超过 {max_bytes // (1024 * 1024)} MB"
