"""Open311's pure rules: the spec's date window, open/closed, attribute parameters, XML."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import xmltodict

from backend.open311 import formats, rules
from backend.open311.rules import Open311Problem

NOW = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)


def test_the_window_defaults_to_the_last_90_days_and_is_bounded() -> None:
    assert rules.request_window(None, None, NOW) == rules.Window(NOW - timedelta(days=90), NOW)
    start = "2026-09-01T00:00:00+08:00"
    window = rules.request_window(start, None, NOW)
    assert window.end - window.start == timedelta(days=90)
    exactly = rules.request_window("2026-01-01T00:00:00Z", "2026-04-01T00:00:00Z", NOW)
    assert exactly.end - exactly.start == timedelta(days=90)
    with pytest.raises(Open311Problem, match="90"):
        rules.request_window("2026-01-01T00:00:00Z", "2026-04-01T00:00:01Z", NOW)
    with pytest.raises(Open311Problem, match="早于"):
        rules.request_window("2026-02-01T00:00:00Z", "2026-01-01T00:00:00Z", NOW)
    for bad in ("2026-11-01", "2026-11-01T00:00:00", "yesterday"):
        with pytest.raises(Open311Problem) as refused:
            rules.request_window(bad, None, NOW)
        assert refused.value.status == 400 and "start_date" in refused.value.description


def test_finished_orders_are_closed_for_the_citizen() -> None:
    assert [rules.public_status(s) for s in ("reported", "returned", "verified")] == ["open"] * 3
    assert {rules.public_status(s) for s in ("closed", "archived", "rejected", "merged")} == {
        "closed"
    }
    assert rules.statuses_for([]) is None and rules.statuses_for(["open", "closed"]) is None
    assert "closed" not in {s.value for s in rules.statuses_for(["open"]) or ()}
    with pytest.raises(Open311Problem):
        rules.statuses_for(["pending"])


def test_attribute_parameters_and_their_checks() -> None:
    form = {"attribute[aspect]": ["yes"], "attribute[tags][]": ["a", " "], "attributes": ["x"]}
    assert rules.attributes_of(form) == {"aspect": ["yes"], "tags": ["a"]}
    asked = rules.attributes_for({"kind": "by_aspect", "aspect": "建设、选址"})
    rules.check_attributes({"aspect": ["no"]}, asked)
    with pytest.raises(Open311Problem, match="只能选一项"):
        rules.check_attributes({"aspect": ["no", "yes"]}, asked)
    assert rules.attributes_for({"kind": "department", "department": "城运中心"}) == []
    assert rules.attribute_notes({"aspect": ["yes"]}, asked) == [
        "是否涉及建设、选址？ 是，涉及建设、选址"
    ]


def test_xml_lists_are_repeated_elements_without_a_namespace() -> None:
    body = formats.to_xml(
        "service_requests", [{"service_request_id": "WG1", "lat": 31.2, "media_url": None}] * 2
    )
    assert body.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    tree = xmltodict.parse(body)
    assert [r["service_request_id"] for r in tree["service_requests"]["request"]] == ["WG1"] * 2
    assert tree["service_requests"]["request"][0]["media_url"] is None
    errors = xmltodict.parse(formats.to_xml("errors", formats.errors(403, "api_key：无效")))
    assert errors["errors"]["error"] == {"code": "403", "description": "api_key：无效"}
