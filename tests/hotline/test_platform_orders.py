"""Orders from the district platform become work orders through the one intake, exist once
however often they are sent, and show their caller only to those who need them."""

from __future__ import annotations

from datetime import datetime

import pytest

from backend.cli import main as gridline
from backend.config import get_settings
from tests.hotline.rows import platform_row


def _order(client, as_user, order_id: int, user: str = "demo-dispatcher") -> dict:
    response = client.get(f"/api/v1/workorders/{order_id}", headers=as_user(user))
    assert response.status_code == 200, response.text
    return response.json()


def test_a_hotline_order_is_classified_located_and_dispatched_like_a_report(
    send, client, as_user
) -> None:
    response = send(platform_row())
    assert response.status_code == 201, response.text
    result = response.json()["results"][0]
    assert result["outcome"] == "created" and result["number"].startswith("WG")
    order = _order(client, as_user, result["work_order_id"])
    assert order["source"] == "hotline" and order["external_no"].startswith("SH12345")
    assert order["grid_id"] is not None and order["category_number"] is not None
    assert order["status"] == "dispatched" and order["lead_department"]["name"] == "第一片区"
    assert order["caller"] == {
        "name": "陈先生",
        "phone": "13812345678",
        "anonymous": False,
        "confidential": False,
        "masked": False,
    }
    # The caller's details are not copied onto the timeline everyone who sees the order reads.
    assert "13812345678" not in str(order["events"])


def test_resending_the_same_number_updates_the_one_order(send, client, as_user) -> None:
    row = platform_row()
    first = send(row).json()["results"][0]
    again = send(row)
    assert again.status_code == 200
    assert again.json()["results"][0] == {**first, "outcome": "unchanged"}
    changed = send({**row, "content": row["content"] + "。补充：楼梯口也有", "caller_phone": None})
    # A field left null keeps what the order has: the phone is not erased.
    assert changed.status_code == 200 and changed.json()["results"][0]["outcome"] == "updated"
    order = _order(client, as_user, first["work_order_id"])
    assert order["description"].endswith("楼梯口也有")
    assert order["events"][-1]["kind"] == "platform_updated"
    assert order["events"][-1]["payload"]["fields"] == ["description"]
    # The same number on another channel is another order.
    other = send({**row, "channel": "snapshot"}).json()["results"][0]
    assert other["outcome"] == "created" and other["work_order_id"] != first["work_order_id"]


def test_one_bad_row_of_a_batch_is_refused_alone(send, client, as_user) -> None:
    rows = [
        platform_row(),
        platform_row(received_at="soon"),
        platform_row(lat=None, lng=None, address=None),
        platform_row(level="no-such-level"),
        "not an object",
        platform_row(channel="snapshot", caller_name=None, caller_phone=None),
    ]
    response = send(rows)
    assert response.status_code == 200, response.text
    answer = response.json()
    outcomes = [(r["outcome"], (r["error"] or {}).get("field")) for r in answer["results"]]
    assert outcomes == [
        ("created", None),
        ("refused", "received_at"),
        ("refused", "address"),
        ("refused", "level"),
        ("refused", None),
        ("created", None),
    ]
    assert (answer["created"], answer["updated"], answer["refused"]) == (2, 0, 4)
    for result in answer["results"]:
        if result["outcome"] == "refused":
            assert result["error"]["message"]


def test_a_single_bad_order_answers_its_error_and_the_batch_limit_holds(send) -> None:
    refused = send(platform_row(caller_phone="call me"))
    assert refused.status_code == 422
    assert refused.json()["error"]["field"] == "caller_phone"
    unknown = send(platform_row(caler_phone="13800000000"))
    assert unknown.status_code == 422 and unknown.json()["error"]["field"] == "caler_phone"
    too_many = send([platform_row() for _ in range(501)])
    assert too_many.status_code == 422 and too_many.json()["error"]["code"] == "too_many_rows"


@pytest.mark.parametrize("user", ["demo-member", "demo-handler", "demo-leader"])
def test_only_the_command_center_and_admins_import(send, user) -> None:
    assert send(platform_row(), user=user).status_code == 403


def test_a_finished_order_refuses_a_changing_resend(send, client, as_user) -> None:
    row = platform_row(lat=None, lng=None)  # no point: it waits for a dispatcher
    order_id = send(row).json()["results"][0]["work_order_id"]
    order = _order(client, as_user, order_id)
    assert order["status"] == "reported" and order["routing_reason"] == "无坐标，需确认所属网格"
    assert order["out_of_jurisdiction"] is False
    rejected = client.post(
        f"/api/v1/workorders/{order_id}/reject",
        json={"version": order["version"], "reason_code": "out_of_jurisdiction"},
        headers=as_user("demo-dispatcher"),
    )
    assert rejected.status_code == 200, rejected.text
    assert send(row).status_code == 200  # the same content: nothing to refuse
    refused = send({**row, "content": "另一件事"})
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "platform_order_finished"
    assert _order(client, as_user, order_id)["description"] == row["content"]


def test_the_caller_is_masked_for_those_who_do_not_handle_the_order(
    send, submit, client, as_user
) -> None:
    response = send(platform_row(caller_name="欧阳娜娜", caller_phone="13987654321"))
    order_id = response.json()["results"][0]["work_order_id"]
    # A member's report of the same problem is merged into it: the member sees the order.
    report = submit(description="铜川路1号楼道堆满纸箱旧家具，消防通道堵了")
    assert report.status_code == 201, report.text
    duplicate = _order(client, as_user, report.json()["work_order_id"])
    if duplicate["id"] != order_id:
        merged = client.post(
            f"/api/v1/workorders/{duplicate['id']}/merge",
            json={"version": duplicate["version"], "into_work_order_id": order_id},
            headers=as_user("demo-dispatcher"),
        )
        assert merged.status_code == 200, merged.text
    member = _order(client, as_user, order_id, "demo-member")["caller"]
    assert member["name"] == "欧***" and member["phone"] == "139****4321"
    assert member["masked"] is True
    inspector = _order(client, as_user, order_id, "demo-inspector")["caller"]
    assert inspector["phone"] == "139****4321"
    handler = _order(client, as_user, order_id, "demo-handler")["caller"]
    assert handler["phone"] == "13987654321" and handler["masked"] is False
    assert _order(client, as_user, order_id, "demo-leader")["caller"]["phone"] == "13987654321"
    # A department that does not handle it does not see the order at all.
    departments = client.get("/api/v1/departments", headers=as_user("demo-admin")).json()
    other = next(d["id"] for d in departments["items"] if d["name"] != "第一片区")
    created = client.post(
        "/api/v1/users",
        json={
            "username": "other-handler",
            "display_name": "钱承办",
            "role": "handler",
            "password": "other-handler-pw",
            "department_id": other,
        },
        headers=as_user("demo-admin"),
    )
    assert created.status_code == 201, created.text
    outsider = client.get(
        f"/api/v1/workorders/{order_id}", headers=as_user("other-handler", "other-handler-pw")
    )
    assert outsider.status_code == 404


@pytest.mark.parametrize("flag", ["anonymous", "confidential"])
def test_anonymous_and_confidential_callers_are_never_shown_to_departments(
    send, client, as_user, flag
) -> None:
    order_id = send(platform_row(**{flag: True})).json()["results"][0]["work_order_id"]
    handler = _order(client, as_user, order_id, "demo-handler")["caller"]
    assert handler["name"] is None and handler["phone"] is None and handler[flag] is True
    dispatcher = _order(client, as_user, order_id)["caller"]
    assert dispatcher["phone"] == "13812345678"
    clocks = {c["name"] for c in _order(client, as_user, order_id)["clocks"]}
    # Nobody to contact first: an anonymous caller gets no first-contact clock.
    assert ("first_contact" in clocks) is (flag == "confidential" and "first_contact" in clocks)
    if flag == "anonymous":
        assert "first_contact" not in clocks


def test_a_csv_sheet_in_gb18030_or_utf8_imports_each_order_once(
    send, client, as_user, settings, monkeypatch, tmp_path, capsys, request
) -> None:
    sent = platform_row()
    order_id = send(sent).json()["results"][0]["work_order_id"]
    monkeypatch.setenv("GRID_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("GRID_MEDIA_ROOT", str(settings.media_root))
    get_settings.cache_clear()  # the command reads its settings once per process
    request.addfinalizer(get_settings.cache_clear)
    header = (
        "external_no,channel,received_at,caller_name,caller_phone,anonymous,address,lat,lng,"
        "content,appeal_type"
    )
    lines = [
        header,
        # The order the API sent, with the same content: found, not duplicated.
        ",".join(
            [
                sent["external_no"],
                "hotline",
                "2026-11-23 08:30:00",
                "陈先生",
                "13812345678",
                "否",
                sent["address"],
                str(sent["lat"]),
                str(sent["lng"]),
                sent["content"],
                "complain",
            ]
        ),
        "SH12345-CSV-0001,hotline,2026-11-23 09:10:00,李女士,021-52851234,否,铜川路8号,,,"
        "小区门口垃圾桶满了没人清运，气味很大,request",
        "SH12345-CSV-0002,hotline,2026-11-23 09:20:00,,,也许,铜川路9号,,,路灯不亮,suggest",
    ]
    for encoding in ("gb18030", "utf-8-sig"):
        sheet = tmp_path / f"orders-{encoding}.csv"
        sheet.write_bytes("\r\n".join(lines).encode(encoding))
        gridline(["hotline-import", str(sheet)])
        out = capsys.readouterr().out.strip().splitlines()
        assert out[-1].endswith("refused") and "1 refused" in out[-1], out
        assert "[anonymous]" in out[2], out
    assert out[-1] == "0 created, 2 updated, 1 refused"
    order = _order(client, as_user, order_id)
    assert order["caller"]["name"] == "陈先生" and order["external_no"] == sent["external_no"]
    found = send(
        platform_row(
            external_no="SH12345-CSV-0001",
            address="铜川路8号",
            lat=None,
            lng=None,
            content="小区门口垃圾桶满了没人清运，气味很大",
            caller_name="李女士",
            caller_phone="021-52851234",
            received_at="2026-11-23T09:10:00+08:00",
            appeal_type="request",
        )
    )
    assert found.status_code == 200 and found.json()["results"][0]["outcome"] == "unchanged"


def test_the_resolve_clock_counts_from_arrival_at_the_street(send, client, as_user) -> None:
    received = "2026-11-20T16:00:00+08:00"  # the Friday before: the platform's time counts
    order_id = send(platform_row(received_at=received)).json()["results"][0]["work_order_id"]
    order = _order(client, as_user, order_id)
    resolve = next(c for c in order["clocks"] if c["name"] == "resolve")
    assert datetime.fromisoformat(resolve["due_at"]) < datetime.fromisoformat(
        "2026-11-23T09:00:00+08:00"
    ).replace(day=23 + 7)
    assert order["received_at"].startswith("2026-11-20T16:00")


def test_the_platform_due_time_is_the_resolve_deadline(send, client, as_user) -> None:
    due = "2026-11-25T17:00:00+08:00"
    order_id = send(platform_row(platform_due_at=due)).json()["results"][0]["work_order_id"]
    resolve = next(c for c in _order(client, as_user, order_id)["clocks"] if c["name"] == "resolve")
    assert datetime.fromisoformat(resolve["due_at"]) == datetime.fromisoformat(due)
