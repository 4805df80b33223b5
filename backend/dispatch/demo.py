"""A few demo reports, so a newcomer finds orders in every state of the queue."""

from __future__ import annotations

import io
from datetime import datetime

from PIL import Image, ImageDraw
from sqlmodel import Session

from backend.auth import repository as auth_repo
from backend.config import Settings
from backend.dispatch.intake import submit_report
from backend.evidence.service import Upload
from backend.reports.service import ReportSubmission
from backend.seams.storage import Storage

# (client_uuid, description, lat, lng, address): the first two are clear and go out at once,
# the third is vague and waits for a dispatcher, the fourth is outside every grid.
DEMO_REPORTS = [
    (
        "6d3c1e8a-0000-4000-8000-000000000001",
        "楼道里堆满了纸箱和旧家具，消防通道被堵",
        31.2445,
        121.4030,
        "铜川路100弄3号",
    ),
    (
        "6d3c1e8a-0000-4000-8000-000000000002",
        "路边有人无证设摊卖水果，占用人行道",
        31.2436,
        121.4095,
        "铜川路兰溪路口",
    ),
    ("6d3c1e8a-0000-4000-8000-000000000003", "这里有问题请处理", 31.2358, 121.4152, "真北路200号"),
    (
        "6d3c1e8a-0000-4000-8000-000000000004",
        "小区门口垃圾堆放好几天没人清运",
        31.2520,
        121.4300,
        "武宁路桥下",
    ),
]


def _demo_photo(text: str) -> bytes:
    """A plain generated picture: the demo must not depend on files outside the project."""
    image = Image.new("RGB", (1280, 960), (120, 130, 120))
    draw = ImageDraw.Draw(image)
    for i in range(0, 1280, 80):
        draw.rectangle((i, 600, i + 60, 900), fill=(160 - i % 50, 110, 80))
    draw.text((40, 40), text, fill=(255, 255, 255))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def create_demo_reports(
    session: Session, storage: Storage, settings: Settings, now: datetime
) -> int:
    """Files the demo reports as demo-member; running it again changes nothing (client_uuid)."""
    member = auth_repo.user_by_username(session, "demo-member")
    if member is None:
        return 0
    for index, (key, description, lat, lng, address) in enumerate(DEMO_REPORTS):
        photo = Upload(
            field="photos[0]", filename="demo.jpg", data=_demo_photo(f"demo {index + 1}")
        )
        submit_report(
            session,
            storage,
            member,
            ReportSubmission(
                client_uuid=key,
                description=description,
                lat=lat,
                lng=lng,
                crs="wgs84",
                accuracy_m=15.0,
                address=address,
                category_number=None,
                captured_at=now,
                photos=[photo],
                voice=None,
            ),
            settings,
            now,
        )
    return len(DEMO_REPORTS)
