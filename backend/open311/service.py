"""Open311 GeoReport v2 as a view of the street's own intake and orders.

A request is filed through the same intake as every order (classification with the service
code as the requester's pick, grid, routing, automatic dispatch or the dispatcher's queue),
with source ``open311``. What is public is decided by ``Settings.open311_public_sources``;
caller names, phones and internal notes are never shown, and of the photos only the display
copy (watermarked, no EXIF) of the first one.
"""

from __future__ import annotations

import hashlib
import math
import secrets
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

from backend.catalog.models import Category
from backend.config import Settings
from backend.db import begin_write, row_id
from backend.dispatch import intake
from backend.dispatch import service as dispatching
from backend.errors import DomainError
from backend.evidence import service as evidence
from backend.evidence.watermark import WatermarkInfo
from backend.open311 import media, rules
from backend.open311 import repository as repo
from backend.open311.models import Open311Key, Open311Request
from backend.open311.rules import Open311Problem, present
from backend.seams.storage import Storage
from backend.sla import service as sla
from backend.timefmt import to_api
from backend.workorders import opening
from backend.workorders.callers import Caller
from backend.workorders.models import WorkOrder
from backend.workorders.opening import NewOrder
from backend.workorders.states import STATUS_LABELS, Source, Status

SPEC = "http://wiki.open311.org/GeoReport_v2"
# The last change of this endpoint's behaviour, for discovery's changeset.
CHANGESET = "2026-12-02T00:00:00+08:00"
RATE_WINDOW = timedelta(minutes=1)


# -- keys -----------------------------------------------------------------------------------


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_key(session: Session, name: str, now: datetime) -> tuple[Open311Key, str]:
    """A new key: the row (with only the hash) and the key itself, to be shown once."""
    name = name.strip()
    if not name or len(name) > 100:
        raise DomainError("名称应为 1 至 100 个字", code="invalid_name", field="name")
    key = secrets.token_urlsafe(32)
    begin_write(session)
    row = repo.add_key(
        session, Open311Key(name=name, key_hash=hash_key(key), prefix=key[:8], created_at=now)
    )
    return row, key


def list_keys(session: Session) -> list[Open311Key]:
    return repo.keys(session)


def revoke_key(session: Session, key_id: int, now: datetime) -> Open311Key:
    row = repo.key_by_id(session, key_id)
    if row is None:
        raise DomainError("没有该密钥", code="not_found", field="key_id", status_code=404)
    begin_write(session)
    repo.revoke_key(session, key_id, now)
    session.refresh(row)
    return row


def authenticate(
    session: Session, engine: Engine, api_key: str | None, settings: Settings, now: datetime
) -> Open311Key:
    """The key's row; 403 for a missing, unknown or revoked key, 429 over the key's limit."""
    if not api_key:
        raise Open311Problem(403, "api_key：缺少 API 密钥", "api_key")
    row = repo.key_by_hash(session, hash_key(api_key))
    if row is None or row.revoked_at is not None:
        raise Open311Problem(403, "api_key：API 密钥无效或已停用", "api_key")
    window = now.replace(second=0, microsecond=0)
    count = repo.count_request(engine, row_id(row), window)
    if count > settings.open311_rate_per_minute:
        retry = max(1, math.ceil((window + RATE_WINDOW - now).total_seconds()))
        raise Open311Problem(
            429,
            f"api_key：请求过于频繁（每分钟最多 {settings.open311_rate_per_minute} 次），"
            f"请 {retry} 秒后重试",
            "api_key",
            retry_after=retry,
        )
    return row


# -- discovery and services -----------------------------------------------------------------


def discovery(settings: Settings, base_url: str) -> dict[str, Any]:
    return {
        "changeset": CHANGESET,
        "contact": settings.open311_contact,
        "key_service": settings.open311_key_service,
        "endpoints": [
            {
                "specification": SPEC,
                "url": f"{base_url}/open311/v2",
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }


def _service(category: Category) -> dict[str, Any]:
    lead = category.lead or {}
    return {
        "service_code": str(category.number),
        "service_name": category.name,
        "description": category.scope or category.name,
        "metadata": bool(rules.attributes_for(lead)),
        "type": "realtime",
        "keywords": category.name,
        "group": rules.group_of(lead),
    }


def services(session: Session) -> list[dict[str, Any]]:
    return [_service(c) for c in repo.categories(session)]


def _category(session: Session, code: str | None) -> Category:
    if not code:
        raise Open311Problem(400, "service_code：必填", "service_code")
    number = int(code) if code.isdigit() and len(code) <= 9 else None
    found = repo.category(session, number) if number is not None else None
    if found is None:
        raise Open311Problem(404, f"service_code：没有这项服务（{code}）", "service_code")
    return found


def service_definition(session: Session, code: str) -> dict[str, Any]:
    found = _category(session, code)
    return {"service_code": str(found.number), "attributes": rules.attributes_for(found.lead)}


# -- filing a request -----------------------------------------------------------------------


@dataclass(frozen=True)
class Filed:
    """What POST requests reads from the form, checked; the photo processed."""

    category: Category
    description: str
    lat: float | None
    lng: float | None
    address: str | None
    caller: Caller
    email: str | None
    device_id: str | None
    account_id: str | None
    attributes: dict[str, list[str]]
    media_url: str | None
    photo: Any  # imaging.ProcessedPhoto | None
    photo_bytes: bytes | None
    fingerprint: str


def _one(form: Mapping[str, list[str]], name: str, limit: int) -> str | None:
    value = present({name: form[name][0]} if form.get(name) else {}, name)
    if value is not None and len(value) > limit:
        raise Open311Problem(400, f"{name}：不能超过 {limit} 个字符", name)
    return value


def _coordinate(text: str | None, name: str, bound: float) -> float | None:
    if text is None:
        return None
    try:
        value = float(text)
    except ValueError:
        raise Open311Problem(400, f"{name}：应为 WGS-84 十进制度数（收到 {text}）", name) from None
    if not -bound <= value <= bound:
        raise Open311Problem(400, f"{name}：应在 -{bound:g} 至 {bound:g} 之间", name)
    return value


def _fingerprint(key: Open311Key, form: Mapping[str, list[str]], day: str) -> str:
    # The same key sending the same fields on the same day is a resend, not a new problem.
    fields = sorted((k, v) for k, values in form.items() if k != "api_key" for v in values)
    body = repr((row_id(key), day, fields)).encode()
    return hashlib.sha256(body).hexdigest()


def read_request(
    session: Session,
    key: Open311Key,
    form: Mapping[str, list[str]],
    settings: Settings,
    now: datetime,
) -> Filed:
    """Everything checked and the photo fetched and processed: no write, no lock yet."""
    category = _category(session, _one(form, "service_code", 20))
    lat = _coordinate(_one(form, "lat", 40), "lat", 90)
    lng = _coordinate(_one(form, "long", 40), "long", 180)
    if (lat is None) != (lng is None):
        raise Open311Problem(400, "lat、long：需同时提供", "lat" if lat is None else "long")
    address = _one(form, "address_string", 200)
    address_id = _one(form, "address_id", 100)
    if lat is None and address is None and address_id is None:
        raise Open311Problem(
            400, "location：需提供 lat 和 long，或 address_string、address_id 之一", "lat"
        )
    attributes = rules.attributes_of(form)
    rules.check_attributes(attributes, rules.attributes_for(category.lead))
    text = _one(form, "description", rules.MAX_TEXT) or category.name
    notes = rules.attribute_notes(attributes, rules.attributes_for(category.lead))
    if address_id and not address:
        notes.append(f"地址编号：{address_id}")
    description = "\n".join([text, *notes])[: rules.MAX_TEXT]
    first, last = _one(form, "first_name", 25), _one(form, "last_name", 25)
    name = "".join(part for part in (last, first) if part) or None
    caller = Caller(name, _one(form, "phone", 30))
    media_url = _one(form, "media_url", 1000)
    photo = photo_bytes = None
    if media_url:
        photo_bytes = media.fetch(media_url, settings.open311_media_hosts, settings.max_photo_bytes)
        try:
            photo = evidence.process_photo(
                evidence.Upload("media_url", "media", photo_bytes),
                settings,
                watermark=WatermarkInfo(reporter=f"Open311 · {key.name}", address=address or ""),
                uploaded_at=now,
                report_lat=lat,
                report_lng=lng,
            )
        except DomainError as exc:
            raise Open311Problem(400, f"media_url：{exc.message}", "media_url") from None
    day = now.astimezone(settings.tz).date().isoformat()
    return Filed(
        category=category,
        description=description,
        lat=lat,
        lng=lng,
        address=address,
        caller=caller,
        email=_one(form, "email", 200),
        device_id=_one(form, "device_id", 100),
        account_id=_one(form, "account_id", 100),
        attributes=attributes,
        media_url=media_url,
        photo=photo,
        photo_bytes=photo_bytes,
        fingerprint=_fingerprint(key, form, day),
    )


def _filed_answer(order: WorkOrder, row: Open311Request) -> list[dict[str, Any]]:
    """The id once a dispatcher (or the automatic dispatch) has taken the order in; until
    then the token, which GET tokens/{token} turns into the id later."""
    answer: dict[str, Any] = {}
    if _accepted(order):
        answer["service_request_id"] = order.number
    else:
        answer["token"] = row.token
    answer["service_notice"] = None
    answer["account_id"] = row.account_id
    return [answer]


def _accepted(order: WorkOrder) -> bool:
    return order.dispatched_at is not None or Status(order.status) not in (
        Status.reported,
        Status.returned,
    )


def file_request(
    session: Session,
    key: Open311Key,
    filed: Filed,
    settings: Settings,
    storage: Storage,
    now: datetime,
) -> list[dict[str, Any]]:
    begin_write(session)
    earlier = repo.request_by_fingerprint(session, filed.fingerprint)
    if earlier is not None:
        order = session.get(WorkOrder, earlier.work_order_id)
        assert order is not None
        return _filed_answer(order, earlier)
    grid_id = (
        dispatching.grid_index(session).locate(filed.lat, filed.lng)
        if filed.lat is not None and filed.lng is not None
        else None
    )
    classification = dispatching.classify(filed.description, filed.category.number, settings)
    profile = sla.profile_for(settings)
    with evidence.blobs_for(session, storage) as writer:
        order = opening.open_order(
            session,
            NewOrder(
                source=Source.open311,
                level=sla.default_level(profile, Source.open311.value),
                description=filed.description,
                address=filed.address,
                lat=filed.lat,
                lng=filed.lng,
                category_number=filed.category.number,
                grid_id=grid_id,
                suggestions=[
                    {"number": c.number, "name": c.name, "score": c.score}
                    for c in classification.candidates
                ],
                confident=classification.confident,
                received_at=now,
                caller=filed.caller,
                # Without a point the street cannot tell whose it is: a dispatcher places it.
                out_of_jurisdiction=None if filed.lat is not None else False,
            ),
            actor_id=None,
            first_event={
                "source": Source.open311.value,
                "channel": "open311",
                "key": key.name,
                "grid_id": grid_id,
            },
            settings=settings,
            now=now,
        )
        if filed.photo is not None and filed.photo_bytes is not None:
            photo = evidence.store_photo(
                writer, filed.photo, filed.photo_bytes, uploaded_by=None, position=0, now=now
            )
            photo.work_order_id = row_id(order)
            session.add(photo)
        row = Open311Request(
            work_order_id=row_id(order),
            key_id=row_id(key),
            token=str(uuid.uuid4()),
            fingerprint=filed.fingerprint,
            email=filed.email,
            device_id=filed.device_id,
            account_id=filed.account_id,
            attributes=filed.attributes,
            media_url=filed.media_url,
            created_at=now,
        )
        repo.add_request(session, row)
        intake.route_new_order(session, order, classification, settings, now)
        session.refresh(order)
    return _filed_answer(order, row)


def token_status(session: Session, token: str) -> list[dict[str, Any]]:
    row = repo.request_by_token(session, token)
    order = session.get(WorkOrder, row.work_order_id) if row is not None else None
    if row is None or order is None:
        raise Open311Problem(404, "token：没有该令牌", "token")
    answer: dict[str, Any] = {"token": token}
    answer["service_request_id"] = order.number if _accepted(order) else None
    return [answer]


# -- reading requests -----------------------------------------------------------------------


def _request(order: WorkOrder, extras: repo.OrderExtras, base_url: str) -> dict[str, Any]:
    number = order.category_number
    due = extras.resolve_due.get(row_id(order))
    return {
        "service_request_id": order.number,
        "status": rules.public_status(order.status),
        "status_notes": STATUS_LABELS[Status(order.status)],
        "service_name": extras.category_names.get(number) if number is not None else None,
        "service_code": str(number) if number is not None else None,
        "description": order.description,
        "agency_responsible": extras.department_names.get(order.lead_department_id or 0),
        "service_notice": None,
        "requested_datetime": to_api(order.created_at),
        "updated_datetime": to_api(order.updated_at or order.created_at),
        "expected_datetime": to_api(due) if due else None,
        "address": order.address,
        "address_id": None,
        "zipcode": None,
        "lat": order.lat,
        "long": order.lng,
        "media_url": (
            f"{base_url}/open311/v2/media/{order.number}.jpg"
            if row_id(order) in extras.photo_of
            else None
        ),
    }


def list_requests(
    session: Session,
    params: Mapping[str, str],
    settings: Settings,
    now: datetime,
    base_url: str,
) -> list[dict[str, Any]]:
    ids = rules.service_request_ids(present(params, "service_request_id"))
    sources = settings.open311_public_sources
    if ids:
        wanted = repo.RequestFilter(sources=sources, numbers=ids, limit=rules.MAX_REQUESTS)
    else:
        codes = rules.comma_list(present(params, "service_code"))
        numbers = []
        for code in codes:
            if not code.isdigit() or len(code) > 9:
                raise Open311Problem(400, f"service_code：没有这项服务（{code}）", "service_code")
            numbers.append(int(code))
        window = rules.request_window(
            present(params, "start_date"), present(params, "end_date"), now
        )
        wanted = repo.RequestFilter(
            sources=sources,
            categories=numbers,
            statuses=rules.statuses_for(rules.comma_list(present(params, "status"))),
            start=window.start,
            end=window.end,
            limit=rules.MAX_REQUESTS,
        )
    orders = repo.public_orders(session, wanted)
    extras = repo.extras(session, orders)
    return [_request(o, extras, base_url) for o in orders]


def get_request(
    session: Session, number: str, settings: Settings, base_url: str
) -> list[dict[str, Any]]:
    rules.service_request_ids(number)
    order = repo.public_order_by_number(session, number, settings.open311_public_sources)
    if order is None:
        raise Open311Problem(
            404, f"service_request_id：没有该诉求（{number}）", "service_request_id"
        )
    return [_request(order, repo.extras(session, [order]), base_url)]


def list_updates(
    session: Session, params: Mapping[str, str], settings: Settings, now: datetime
) -> list[dict[str, Any]]:
    """servicerequestupdates: the public status changes of public requests in the window."""
    window = rules.request_window(present(params, "start_date"), present(params, "end_date"), now)
    rows = repo.public_updates(
        session,
        settings.open311_public_sources,
        rules.PUBLIC_UPDATES,
        window.start,
        window.end,
        rules.MAX_REQUESTS,
    )
    updates = []
    for event, number in rows:
        status, text = rules.PUBLIC_UPDATES[event.kind]
        updates.append(
            {
                "update_id": str(row_id(event)),
                "service_request_id": number,
                "status": status,
                "updated_datetime": to_api(event.at),
                "description": text,
                "media_url": None,
            }
        )
    return updates


def display_photo(session: Session, number: str, settings: Settings, storage: Storage) -> bytes:
    """The display JPEG of a public request's first photo (watermarked, no EXIF)."""
    order = repo.public_order_by_number(session, number, settings.open311_public_sources)
    photo_id = repo.extras(session, [order]).photo_of.get(row_id(order)) if order else None
    photo = repo.photo(session, photo_id) if photo_id is not None else None
    if photo is None:
        raise Open311Problem(404, f"没有该诉求的照片（{number}）", "service_request_id")
    return storage.read(photo.display_key)
