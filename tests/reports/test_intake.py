"""Filing a report with photos, through HTTP, onto real disk and a real database."""

from __future__ import annotations

import hashlib
import io
import json
import math
import uuid
import wave
from concurrent.futures import ThreadPoolExecutor

from PIL import Image
from sqlalchemy import func
from sqlmodel import Session, select

from backend.evidence.models import Photo, Recording
from backend.reports.models import Report
from tests.conftest import TESTDATA
from tests.reports.conftest import PHOTOS, photo_bytes, stored_files


def _raw_exif_gps(path) -> tuple[float, float]:
    gps = Image.open(path).getexif().get_ifd(0x8825)

    def degrees(dms, ref) -> float:
        value = float(dms[0]) + float(dms[1]) / 60 + float(dms[2]) / 3600
        return -value if ref in ("S", "W") else value

    return degrees(gps[2], gps[1]), degrees(gps[4], gps[3])


def _count(db, model) -> int:
    with Session(db) as session:
        return session.exec(select(func.count()).select_from(model)).one()


def test_phone_photo_keeps_its_exif_gps_and_original_bytes(submit, client, as_user) -> None:
    name = "exif-samples__jpg_gps_DSCN0010.jpg"
    original = photo_bytes(name)
    response = submit([(name, original)])
    assert response.status_code == 201, response.text
    body = response.json()
    # Every report becomes a work order in the same transaction.
    assert body["id"] > 0 and isinstance(body["work_order_id"], int)
    photo = body["photos"][0]
    lat, lng = _raw_exif_gps(PHOTOS / name)
    assert abs(photo["gps"]["lat"] - lat) < 1e-6 and abs(photo["gps"]["lng"] - lng) < 1e-6
    assert photo["sha256"] == hashlib.sha256(original).hexdigest()
    assert photo["taken_at"] is not None
    # The photo was taken in Italy, far from the report: the command center sees why.
    assert "far" in photo["flags"] and "stale" in photo["flags"]
    headers = as_user("demo-member")
    downloaded = client.get(photo["urls"]["original"], headers=headers)
    assert downloaded.status_code == 200 and downloaded.content == original
    display = client.get(photo["urls"]["display"], headers=headers)
    image = Image.open(io.BytesIO(display.content))
    assert image.format == "JPEG" and not image.getexif()
    assert (image.width, image.height) == (photo["display_width"], photo["display_height"])
    thumb = Image.open(io.BytesIO(client.get(photo["urls"]["thumbnail"], headers=headers).content))
    assert max(thumb.size) <= 320 and not thumb.getexif()


def test_orientation_6_is_displayed_upright(submit) -> None:
    # A 12 MP phone photo stored 4000x3000 with Orientation 6: held upright, it is a portrait.
    portrait = "exif-py__Xiaomi_Mi_9T_KeyError.jpg"
    # Stored 450x600 with Orientation 6: upright it is a landscape.
    landscape = "exif-samples__jpg_orientation_landscape_6.jpg"
    photos = submit([(n, photo_bytes(n)) for n in (portrait, landscape)]).json()["photos"]
    assert photos[0]["display_height"] > photos[0]["display_width"]
    assert (photos[0]["width"], photos[0]["height"]) == (3000, 4000)
    assert max(photos[0]["display_width"], photos[0]["display_height"]) <= 2048
    assert photos[1]["display_width"] > photos[1]["display_height"]


def test_photos_come_back_in_upload_order(submit) -> None:
    names = ["exif-samples__jpg_mobile_jolla.jpg", "exif-samples__jpg_gps_DSCN0010.jpg"]
    photos = submit([(n, photo_bytes(n)) for n in names]).json()["photos"]
    assert [p["sha256"] for p in photos] == [
        hashlib.sha256(photo_bytes(n)).hexdigest() for n in names
    ]
    assert photos[0]["gps"] is None and "far" not in photos[0]["flags"]


def test_gcj02_point_is_stored_as_wgs84(submit) -> None:
    cities = json.loads((TESTDATA / "coords" / "china-cities.json").read_text())
    city = next(c for c in cities if c["attrs"]["city"] == "上海市")["coords"]
    wgs_lng, wgs_lat = city["WGS84"]
    gcj_lng, gcj_lat = city["GCJ02"]
    body = submit(lat=gcj_lat, lng=gcj_lng, crs="gcj02").json()
    assert abs(body["lat"] - wgs_lat) < 1e-5 and abs(body["lng"] - wgs_lng) < 1e-5
    assert body["crs"] == "gcj02"


def test_heic_named_jpg_is_handled_as_heic(submit, client, as_user) -> None:
    name = "exif-py__heic_hdlr_box.jpg"
    response = submit([(name, photo_bytes(name))])
    assert response.status_code == 201, response.text
    photo = response.json()["photos"][0]
    assert photo["image_type"] == "heif"
    original = client.get(photo["urls"]["original"], headers=as_user("demo-member"))
    assert original.headers["content-type"] == "image/heic"


def test_bad_files_are_refused_and_leave_nothing(submit, settings, db) -> None:
    good = ("ok.jpg", photo_bytes("exif-samples__jpg_mobile_jolla.jpg"))
    padded = photo_bytes("exif-samples__jpg_mobile_jolla.jpg") + b"\0" * (11 * 1024 * 1024)
    cases = [
        ([good, ("notes.jpg", "这不是照片".encode())], 415, "photos[1]"),
        ([("big.jpg", padded)], 413, "photos[0]"),
        ([("bomb.gif", photo_bytes("pillow__decompression_bomb.gif"))], None, "photos[0]"),
    ]
    for photos, status, field in cases:
        response = submit(photos)
        assert 400 <= response.status_code < 500, response.text
        if status:
            assert response.status_code == status
        error = response.json()["error"]
        assert error["field"] == field and error["message"]
    too_big = submit([("big.jpg", padded)]).json()["error"]
    assert too_big["code"] == "file_too_large" and "10 MB" in too_big["message"]
    assert stored_files(settings.media_root) == []
    assert _count(db, Report) == _count(db, Photo) == 0


def test_missing_and_invalid_fields_name_the_field(submit) -> None:
    cases = [
        ({"description": ""}, "description"),
        ({"lat": 123}, "lat"),
        ({"crs": "mars"}, "crs"),
        ({"client_uuid": "not-a-uuid"}, "client_uuid"),
        ({"category_number": 999}, "category_number"),
        ({"description": "长" * 2001}, "description"),
    ]
    for fields, field in cases:
        response = submit(**fields)
        assert response.status_code == 422, (fields, response.text)
        assert response.json()["error"]["field"] == field
    ten = [("p.jpg", photo_bytes("exif-samples__jpg_mobile_jolla.jpg"))] * 10
    assert submit(ten).json()["error"]["field"] == "photos"


def test_only_members_and_inspectors_file_reports(submit) -> None:
    assert submit(user="demo-handler").status_code == 403
    assert submit(user="demo-inspector").status_code == 201


def test_same_client_uuid_twice_is_one_report(submit, db) -> None:
    key = str(uuid.uuid4())
    first = submit(client_uuid=key)
    second = submit(client_uuid=key, description="换了描述也不会变成第二份")
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json() == second.json()
    assert _count(db, Report) == 1 and _count(db, Photo) == 1


def test_concurrent_retries_create_exactly_one_report(submit, db) -> None:
    key = str(uuid.uuid4())
    with ThreadPoolExecutor(max_workers=4) as pool:
        responses = list(pool.map(lambda _: submit(client_uuid=key), range(4)))
    assert sorted(r.status_code for r in responses) == [200, 200, 200, 201]
    assert len({r.json()["id"] for r in responses}) == 1
    assert _count(db, Report) == 1 and _count(db, Photo) == 1


def test_a_failure_after_files_were_written_leaves_nothing(
    submit, settings, db, monkeypatch
) -> None:
    from backend.evidence import service as evidence

    def disk_full(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(evidence, "store_recording", disk_full)
    response = submit(voice=("v.wav", _wav(1.0)))
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "internal_error"
    assert stored_files(settings.media_root) == []
    assert _count(db, Report) == _count(db, Photo) == 0


def test_a_broken_upload_leaves_nothing(client, as_user, settings, db) -> None:
    boundary = "gridline-boundary"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="description"\r\n\r\n积水\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="photos"; filename="a.jpg"\r\n'
        "Content-Type: image/jpeg\r\n\r\n"
    ).encode() + photo_bytes("exif-samples__jpg_mobile_jolla.jpg")[:5000]
    response = client.post(
        "/api/v1/reports",
        content=body,
        headers={
            **as_user("demo-member"),
            "Content-Type": f"multipart/form-data; boundary={boundary}",
        },
    )
    assert 400 <= response.status_code < 500
    assert "error" in response.json()
    assert stored_files(settings.media_root) == []
    assert _count(db, Report) == 0


def _wav(seconds: float) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        frames = int(8000 * seconds)
        out.writeframes(
            b"".join(
                int(8000 * math.sin(i / 10)).to_bytes(2, "little", signed=True)
                for i in range(frames)
            )
        )
    return buffer.getvalue()


def test_voice_note_is_kept_with_its_duration_and_served_in_ranges(
    submit, client, as_user, db
) -> None:
    wav = _wav(2.0)
    body = submit(voice=("note.m4a", wav)).json()
    voice = body["voice"]
    assert voice["format"] == "wav" and abs(voice["duration_s"] - 2.0) < 0.01
    headers = as_user("demo-member")
    whole = client.get(voice["url"], headers=headers)
    assert whole.content == wav and whole.headers["accept-ranges"] == "bytes"
    part = client.get(voice["url"], headers={**headers, "Range": "bytes=100-199"})
    assert part.status_code == 206 and part.content == wav[100:200]
    assert part.headers["content-range"] == f"bytes 100-199/{len(wav)}"
    tail = client.get(voice["url"], headers={**headers, "Range": "bytes=-10"})
    assert tail.status_code == 206 and tail.content == wav[-10:]
    beyond = client.get(voice["url"], headers={**headers, "Range": f"bytes={len(wav) + 5}-"})
    assert beyond.status_code == 416 and beyond.headers["content-range"] == f"bytes */{len(wav)}"
    assert _count(db, Recording) == 1


def test_bad_voice_note_is_415(submit, settings) -> None:
    response = submit(voice=("note.mp3", b"definitely not audio" * 10))
    assert response.status_code == 415 and response.json()["error"]["field"] == "voice"
    assert stored_files(settings.media_root) == []


def test_media_is_cached_by_etag(submit, client, as_user) -> None:
    photo = submit().json()["photos"][0]
    headers = as_user("demo-member")
    first = client.get(photo["urls"]["display"], headers=headers)
    etag = first.headers["etag"]
    assert (
        "max-age" in first.headers["cache-control"] and "private" in first.headers["cache-control"]
    )
    again = client.get(photo["urls"]["display"], headers={**headers, "If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""


def _extra_user(client, as_user, username: str, role: str, department: str | None = None) -> dict:
    body: dict = {
        "username": username,
        "display_name": username,
        "role": role,
        "password": "long-enough-1",
    }
    if department:
        departments = client.get("/api/v1/departments", headers=as_user("demo-admin")).json()
        body["department_id"] = next(
            d["id"] for d in departments["items"] if d["name"] == department
        )
    created = client.post("/api/v1/users", json=body, headers=as_user("demo-admin"))
    assert created.status_code == 201, created.text
    return as_user(username, "long-enough-1")


def test_media_and_reports_are_hidden_from_those_who_may_not_see_them(
    submit, client, as_user
) -> None:
    body = submit(voice=("v.wav", _wav(0.5))).json()
    media = [*body["photos"][0]["urls"].values(), body["voice"]["url"]]
    report = f"/api/v1/reports/{body['id']}"
    outsiders = {
        "handler of another department": _extra_user(
            client, as_user, "handler-b", "handler", "第二片区"
        ),
        "another member": _extra_user(client, as_user, "member-b", "member"),
    }
    for who, headers in outsiders.items():
        for url in [*media, report]:
            assert client.get(url, headers=headers).status_code in (403, 404), (who, url)
    # Whoever may see the order may see the photos and recordings of its reports: the
    # handling department and the inspector of the grid too.
    for insider in ("demo-member", "demo-dispatcher", "demo-leader", "demo-handler"):
        headers = as_user(insider)
        for url in media:
            assert client.get(url, headers=headers).status_code == 200, (insider, url)
    for reader in ("demo-member", "demo-dispatcher", "demo-leader"):
        assert client.get(report, headers=as_user(reader)).status_code == 200, reader
    assert client.get(media[0]).status_code == 401
    assert (
        client.get(
            "/api/v1/media/photos/1/../../etc/passwd", headers=as_user("demo-member")
        ).status_code
        == 404
    )
    assert (
        client.get("/api/v1/media/photos/1/secret", headers=as_user("demo-member")).status_code
        == 422
    )


def test_members_list_their_own_reports_newest_first(submit, client, as_user) -> None:
    ids = [submit().json()["id"] for _ in range(3)]
    submit(user="demo-inspector")
    page = client.get("/api/v1/reports", params={"limit": 2}, headers=as_user("demo-member")).json()
    assert [r["id"] for r in page["items"]] == ids[::-1][:2]
    rest = client.get(
        "/api/v1/reports",
        params={"limit": 2, "cursor": page["next_cursor"]},
        headers=as_user("demo-member"),
    ).json()
    assert [r["id"] for r in rest["items"]] == [ids[0]] and rest["next_cursor"] is None
    everything = client.get("/api/v1/reports", headers=as_user("demo-dispatcher")).json()
    assert len(everything["items"]) == 4
