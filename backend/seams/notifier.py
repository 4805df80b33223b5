"""The notifier seam: the outbound channel behind the in-app inbox (WeCom group robot or none).

Only the outbox worker (backend/notify/outbox.py) calls a notifier, never a request, so a slow
or failing webhook cannot slow or break one.

WeCom group-robot format, from 企业微信「群机器人配置说明」
(https://developer.work.weixin.qq.com/document/path/91770, as reproduced at
https://cnblogs.com/tiandi/p/17768525.html; go-workwx webhook_message.go notes that markdown
messages take no mentions):
  POST <webhook url, https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=...>, JSON body
  {"msgtype": "markdown", "markdown": {"content": "..."}}  content ≤ 4096 bytes, UTF-8
  {"msgtype": "text", "text": {"content": "...", "mentioned_mobile_list": ["138..."]}}
      content ≤ 2048 bytes; only text messages take mentioned_list / mentioned_mobile_list
  Answer: {"errcode": 0, "errmsg": "ok"}; e.g. 45009 "api freq out of limit" (a robot may
  send 20 messages a minute), 93000 "invalid webhook url".
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any, Protocol

import httpx

log = logging.getLogger("gridline.notify")

MARKDOWN_MAX_BYTES = 4096
TEXT_MAX_BYTES = 2048
ELLIPSIS = "…"
# Worth another try later: rate limited (45009), system busy (-1).
RETRYABLE_ERRCODES = frozenset({-1, 45009})


@dataclass(frozen=True)
class Message:
    title: str
    body: str
    kind: str
    work_order_number: str | None = None
    url: str | None = None
    mentioned_mobiles: tuple[str, ...] = ()


class DeliveryFailed(Exception):
    """The channel did not take the message; retryable says whether trying later may help."""

    def __init__(self, reason: str, retryable: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable


class Notifier(Protocol):
    def deliver(self, message: Message) -> None:
        """Hands the message to the channel or raises DeliveryFailed."""


class NullNotifier:
    """No channel configured: every message counts as delivered, so nothing piles up."""

    def deliver(self, message: Message) -> None:
        return None


def truncate_utf8(text: str, max_bytes: int) -> str:
    """At most max_bytes of UTF-8, cut on a character boundary and marked with an ellipsis."""
    data = text.encode("utf-8")
    if len(data) <= max_bytes:
        return text
    room = max_bytes - len(ELLIPSIS.encode("utf-8"))
    if room <= 0:
        return ""
    # The input is valid UTF-8, so only the cut sequence at the very end can be incomplete.
    return data[:room].decode("utf-8", errors="ignore") + ELLIPSIS


def markdown_content(message: Message) -> str:
    """Bold title, body, order number, link; the body is what gets shortened to fit."""
    title = " ".join(message.title.split())  # a line break would end the bold span
    head = f"**{title}**"
    tail = []
    if message.work_order_number:
        tail.append(f"> 工单号：{message.work_order_number}")
    if message.url:
        tail.append(f"[查看工单]({message.url})")
    fixed = "\n".join([head, *tail])
    body = message.body.strip()
    if body:
        # Two more line breaks join the body to the head and the tail.
        room = MARKDOWN_MAX_BYTES - len(fixed.encode("utf-8")) - 2
        body = truncate_utf8(body, room) if room > 0 else ""
    content = "\n".join(part for part in [head, body, *tail] if part)
    return truncate_utf8(content, MARKDOWN_MAX_BYTES)


def payloads(message: Message) -> list[dict[str, Any]]:
    """The robot's JSON bodies: the markdown message, then a text one carrying the @s."""
    result: list[dict[str, Any]] = [
        {"msgtype": "markdown", "markdown": {"content": markdown_content(message)}}
    ]
    if message.mentioned_mobiles:
        # Markdown messages cannot mention by mobile, so the @s ride on a short text message.
        number = f"（{message.work_order_number}）" if message.work_order_number else ""
        text = truncate_utf8(f"请关注：{message.title}{number}", TEXT_MAX_BYTES)
        result.append(
            {
                "msgtype": "text",
                "text": {"content": text, "mentioned_mobile_list": list(message.mentioned_mobiles)},
            }
        )
    return result


class WeComWebhookNotifier:
    """Posts to a WeCom group robot. The URL carries the robot's key: never log or echo it."""

    def __init__(
        self, url: str, *, timeout_s: float = 5.0, client: httpx.Client | None = None
    ) -> None:
        if httpx.URL(url).scheme not in ("http", "https"):
            raise ValueError("the WeCom webhook URL must be http(s)")
        self._url = url
        self._timeout = httpx.Timeout(timeout_s)
        self._owns_client = client is None
        self._client = client or httpx.Client(timeout=self._timeout)

    def __repr__(self) -> str:
        return f"WeComWebhookNotifier(host={httpx.URL(self._url).host!r})"

    def close(self) -> None:
        if self._owns_client:
            self._client.close()

    def deliver(self, message: Message) -> None:
        markdown, *mentions = payloads(message)
        self._post(markdown)
        for payload in mentions:
            # The content is already in the group; retrying would post it twice, so a lost
            # @ is logged rather than raised.
            try:
                self._post(payload)
            except DeliveryFailed as exc:
                log.warning("WeCom mention message not sent: %s", exc.reason)

    def _post(self, payload: dict[str, Any]) -> None:
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        try:
            response = self._client.post(
                self._url,
                content=body,
                headers={"Content-Type": "application/json; charset=utf-8"},
                timeout=self._timeout,
            )
        except httpx.TimeoutException as exc:
            raise DeliveryFailed("timeout", retryable=True) from exc
        except (httpx.UnsupportedProtocol, httpx.LocalProtocolError) as exc:
            raise DeliveryFailed(f"bad request: {type(exc).__name__}", retryable=False) from exc
        except httpx.HTTPError as exc:
            # Reasons never include str(exc): it may carry the URL, and so the key.
            raise DeliveryFailed(f"connection: {type(exc).__name__}", retryable=True) from exc
        if response.status_code != 200:
            retryable = response.status_code >= 500 or response.status_code in (408, 429)
            raise DeliveryFailed(f"HTTP {response.status_code}", retryable=retryable)
        try:
            answer = response.json()
            errcode = int(answer["errcode"])
        except (ValueError, KeyError, TypeError) as exc:
            # Not the robot's JSON: a proxy or gateway page, likely transient.
            raise DeliveryFailed("unexpected answer", retryable=True) from exc
        if errcode != 0:
            errmsg = str(answer.get("errmsg", ""))[:80]
            raise DeliveryFailed(
                f"errcode {errcode}: {errmsg}", retryable=errcode in RETRYABLE_ERRCODES
            )


def notifier_from_url(url: str | None, *, timeout_s: float = 5.0) -> Notifier:
    """The configured channel: the WeCom robot at url, or NullNotifier when none is set."""
    if url is None or not url.strip():
        return NullNotifier()
    return WeComWebhookNotifier(url.strip(), timeout_s=timeout_s)
