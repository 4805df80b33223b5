"""The people working an order see the photos of the reports it came from, and only they."""

from __future__ import annotations


def test_handler_of_the_order_sees_the_report_photos(client, as_user, submit) -> None:
    report = submit()
    assert report.status_code == 201, report.text
    body = report.json()
    order = client.get(
        f"/api/v1/workorders/{body['work_order_id']}", headers=as_user("demo-dispatcher")
    ).json()
    assert order["lead_department"]["name"] == "第一片区"
    thumbnail = body["photos"][0]["urls"]["thumbnail"]
    assert client.get(thumbnail, headers=as_user("demo-handler")).status_code == 200
    assert client.get(thumbnail, headers=as_user("demo-dispatcher")).status_code == 200
    # A member who did not file the report still sees nothing.
    other = client.post(
        "/api/v1/users",
        json={
            "username": "other-member",
            "display_name": "另一网格员",
            "password": "another-long-password",
            "role": "member",
        },
        headers=as_user("demo-admin"),
    )
    assert other.status_code == 201, other.text
    assert (
        client.get(thumbnail, headers=as_user("other-member", "another-long-password")).status_code
        == 404
    )
