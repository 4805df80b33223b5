"""GeoReport v2's two formats, pure: JSON (lists as top-level arrays) and XML (UTF-8, no
namespace, one element per field, lists as repeated elements).

Values are already strings, numbers, booleans, None, lists or dicts; None is an empty
element in XML and null in JSON, as the spec's examples show.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any
from xml.etree import ElementTree as ET

# XML element names of list items, by the list's name (the spec's examples).
_ITEM_NAMES = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
    "keywords": "keyword",
    "formats": "format",
    "endpoints": "endpoint",
    "service_request_updates": "request_update",
}


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _fill(element: ET.Element, value: Any, name: str) -> None:
    if value is None:
        return
    if isinstance(value, Mapping):
        for key, inner in value.items():
            _fill(ET.SubElement(element, key), inner, key)
    elif isinstance(value, list | tuple):
        item = _ITEM_NAMES.get(name, "item")
        for inner in value:
            _fill(ET.SubElement(element, item), inner, item)
    else:
        element.text = _text(value)


def to_xml(root: str, items: Sequence[Any] | Mapping[str, Any]) -> bytes:
    """``<root>`` holding the items (a list) or the fields (a mapping)."""
    element = ET.Element(root)
    _fill(element, items, root)
    return ET.tostring(element, encoding="utf-8", xml_declaration=True)


def to_json(body: Any) -> bytes:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


def render(fmt: str, root: str, body: Any) -> tuple[bytes, str]:
    """(bytes, media type) of ``body`` in ``fmt``; ``root`` names the XML document element."""
    if fmt == "xml":
        return to_xml(root, body), "text/xml; charset=utf-8"
    return to_json(body), "application/json; charset=utf-8"


def errors(code: int | str, description: str) -> list[dict[str, Any]]:
    """The spec's error list: ``<errors><error><code/><description/></error></errors>``."""
    return [{"code": code, "description": description}]
