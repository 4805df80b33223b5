"""Both storage implementations, against real disk and a real (local) S3 server."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import boto3
import pytest
from fastapi.testclient import TestClient

from backend.config import Settings
from backend.main import create_app
from backend.seams.storage import LocalStorage, S3Storage, Storage, StorageError, content_key


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id="test",
        aws_secret_access_key="test",
        region_name="us-east-1",
    ).create_bucket(Bucket="gridline-test")
    yield endpoint
    server.stop()


def _s3(endpoint: str) -> S3Storage:
    return S3Storage(
        endpoint_url=endpoint, bucket="gridline-test", access_key="test", secret_key="test"
    )


@pytest.fixture(params=["local", "s3"])
def storage(request, tmp_path) -> Storage:
    if request.param == "local":
        return LocalStorage(tmp_path / "media")
    return _s3(request.getfixturevalue("s3_endpoint"))


def test_put_read_range_delete(storage: Storage) -> None:
    data = bytes(range(256)) * 4
    key = content_key("audio", data, "wav")
    assert not storage.exists(key)
    assert storage.put(key, data, "audio/wav") is True
    assert storage.put(key, data, "audio/wav") is False  # same bytes, same key: stored once
    assert storage.read(key) == data
    assert storage.read(key, 10, 19) == data[10:20]
    assert storage.read(key, 1000) == data[1000:]
    assert storage.size(key) == len(data)
    storage.delete(key)
    assert not storage.exists(key)
    with pytest.raises(StorageError):
        storage.read(key)


@pytest.mark.parametrize(
    "key",
    [
        "../etc/passwd",
        "original/ab/../../x.jpg",
        "/etc/passwd",
        "original/ab/" + "a" * 64,
        "Original/ab/x.jpg",
    ],
)
def test_keys_cannot_escape(storage: Storage, key: str) -> None:
    with pytest.raises(StorageError):
        storage.read(key)
    with pytest.raises(StorageError):
        storage.put(key, b"x", "text/plain")


def test_reports_work_end_to_end_on_s3(s3_endpoint, database_url, db, clock, tmp_path) -> None:
    from backend.catalog.service import load_catalog
    from backend.db import session_scope
    from backend.org.demo import create_demo_street
    from tests.conftest import TESTDATA

    settings = Settings(
        database_url=database_url,
        media_root=tmp_path / "unused",
        storage_backend="s3",
        s3_endpoint_url=s3_endpoint,
        s3_bucket="gridline-test",
        s3_access_key="test",
        s3_secret_key="test",
        inprocess_worker=False,
    )
    with session_scope(db) as session:
        load_catalog(session, clock.now())
        create_demo_street(session, settings, clock.now())
    photo = (TESTDATA / "photos" / "exif-samples__jpg_gps_DSCN0010.jpg").read_bytes()
    with TestClient(create_app(settings, clock)) as client:
        token = client.post(
            "/api/v1/auth/login", data={"username": "demo-member", "password": "gridline-demo"}
        ).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        response = client.post(
            "/api/v1/reports",
            data={
                "client_uuid": "6f1c1f3e-1111-4c1a-9c1a-000000000001",
                "description": "路灯不亮",
                "lat": 31.2445,
                "lng": 121.403,
            },
            files=[("photos", ("a.jpg", photo, "image/jpeg"))],
            headers=headers,
        )
        assert response.status_code == 201, response.text
        urls = response.json()["photos"][0]["urls"]
        assert client.get(urls["original"], headers=headers).content == photo
        part = client.get(urls["original"], headers={**headers, "Range": "bytes=0-99"})
        assert part.status_code == 206 and part.content == photo[:100]
    assert not (tmp_path / "unused").exists()
    bucket = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        aws_access_key_id="test",
        aws_secret_access_key="test",
        region_name="us-east-1",
    ).list_objects_v2(Bucket="gridline-test")
    keys = {o["Key"] for o in bucket.get("Contents", [])}
    assert any(k.startswith("original/") for k in keys) and any(
        k.startswith("display/") for k in keys
    )
