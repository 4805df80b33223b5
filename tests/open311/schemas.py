"""JSON Schemas written from the GeoReport v2 field definitions (wiki.open311.org/GeoReport_v2),
to hold Gridline's answers to the spec. Every field the spec lists is required to be present
(null where the spec allows an empty value); timestamps carry their zone."""

from __future__ import annotations

from typing import Any

W3C = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$"
TEXT = {"type": ["string", "null"]}
TIME = {"type": "string", "pattern": W3C}
OPTIONAL_TIME = {"type": ["string", "null"], "pattern": W3C}


def _object(properties: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties) if required is None else required,
        "additionalProperties": False,
    }


def _array(item: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"type": "array", "items": item, **extra}


DISCOVERY = _object(
    {
        "changeset": TIME,
        "contact": {"type": "string"},
        "key_service": {"type": "string"},
        "endpoints": _array(
            _object(
                {
                    "specification": {"type": "string", "format": "uri"},
                    "url": {"type": "string"},
                    "changeset": TIME,
                    "type": {"enum": ["production", "test"]},
                    "formats": _array({"enum": ["text/xml", "application/json"]}, minItems=1),
                }
            ),
            minItems=1,
        ),
    }
)

SERVICES = _array(
    _object(
        {
            "service_code": {"type": "string", "minLength": 1},
            "service_name": {"type": "string", "minLength": 1},
            "description": TEXT,
            "metadata": {"type": "boolean"},
            "type": {"enum": ["realtime", "batch", "blackbox"]},
            "keywords": TEXT,
            "group": TEXT,
        }
    )
)

SERVICE_DEFINITION = _object(
    {
        "service_code": {"type": "string"},
        "attributes": _array(
            _object(
                {
                    "variable": {"type": "boolean"},
                    "code": {"type": "string"},
                    "datatype": {
                        "enum": [
                            "string",
                            "number",
                            "datetime",
                            "text",
                            "singlevaluelist",
                            "multivaluelist",
                        ]
                    },
                    "required": {"type": "boolean"},
                    "datatype_description": TEXT,
                    "order": {"type": "integer"},
                    "description": {"type": "string"},
                    "values": _array(
                        _object({"key": {"type": "string"}, "name": {"type": "string"}})
                    ),
                },
                required=[
                    "variable",
                    "code",
                    "datatype",
                    "required",
                    "datatype_description",
                    "order",
                    "description",
                ],
            )
        ),
    }
)

CREATED = _array(
    {
        "type": "object",
        "properties": {
            "service_request_id": {"type": "string"},
            "token": {"type": "string"},
            "service_notice": TEXT,
            "account_id": TEXT,
        },
        "required": ["service_notice", "account_id"],
        "oneOf": [{"required": ["service_request_id"]}, {"required": ["token"]}],
        "additionalProperties": False,
    },
    minItems=1,
    maxItems=1,
)

TOKENS = _array(
    _object({"token": {"type": "string"}, "service_request_id": TEXT}), minItems=1, maxItems=1
)

REQUESTS = _array(
    _object(
        {
            "service_request_id": {"type": "string"},
            "status": {"enum": ["open", "closed"]},
            "status_notes": TEXT,
            "service_name": TEXT,
            "service_code": TEXT,
            "description": TEXT,
            "agency_responsible": TEXT,
            "service_notice": TEXT,
            "requested_datetime": TIME,
            "updated_datetime": OPTIONAL_TIME,
            "expected_datetime": OPTIONAL_TIME,
            "address": TEXT,
            "address_id": TEXT,
            "zipcode": TEXT,
            "lat": {"type": ["number", "null"], "minimum": -90, "maximum": 90},
            "long": {"type": ["number", "null"], "minimum": -180, "maximum": 180},
            "media_url": TEXT,
        }
    )
)

UPDATES = _array(
    _object(
        {
            "update_id": {"type": "string"},
            "service_request_id": {"type": "string"},
            "status": {"enum": ["open", "closed"]},
            "updated_datetime": TIME,
            "description": {"type": "string"},
            "media_url": TEXT,
        }
    )
)

ERRORS = _array(
    _object({"code": {"type": ["integer", "string"]}, "description": {"type": "string"}}),
    minItems=1,
)
