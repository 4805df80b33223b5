"""The code lists clients choose from: enums in the OpenAPI, refusals that list the choices,
and ``code_lists`` (what GET /api/v1/codes answers).

Each list comes from where its rule lives (the closure rules YAML, the lifecycle rules, the
policy profile's levels), with its Chinese label beside each code. A request field typed with
one of these accepts only the codes; anything else is a 422 with the list's own error code
and every valid code with its label. Pure: no web or database imports.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Annotated, Any

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic_core import PydanticCustomError, core_schema

from backend.hotline.rules import APPEAL_TYPES
from backend.sla.profiles import Profile, level_labels
from backend.workorders.closure_rules import load_closure_rules
from backend.workorders.handling.rules import CONTACT_LEVELS, CONTACT_METHODS, CONTACT_OUTCOMES
from backend.workorders.listing.rules import FLAG_LABELS
from backend.workorders.review.rules import (
    RESOLUTIONS,
    SATISFACTIONS,
    SUPERVISION_KINDS,
    SUPERVISION_LEVELS,
)
from backend.workorders.states import SOURCE_LABELS, STATUS_LABELS, Source
from backend.workorders.wording import CLOCK_LABELS, choices_zh

_RULES = load_closure_rules()

EVIDENCE_PHASES: Mapping[str, str] = MappingProxyType(
    {
        "before": "处置前",
        "after": "处置后",
        "scene": "现场",
        "document": "文书",
        "signoff": "签字确认",
        "sms": "短信截图",
    }
)
# Every phase a photo may carry: the uploadable ones, a report's own, and the before/after
# comparison the closure renders.
PHOTO_PHASES: Mapping[str, str] = MappingProxyType(
    {**EVIDENCE_PHASES, "report": "上报", "comparison": "前后对比"}
)
RECORDING_KINDS: Mapping[str, str] = MappingProxyType(
    {"first_contact": "先行联系通话", "reply": "答复通话", "callback": "回访通话"}
)
REJECT_REASONS: Mapping[str, str] = MappingProxyType(
    {k: v.label for k, v in _RULES.reject_reasons.items()}
)
STORE_CATEGORIES: Mapping[str, str] = MappingProxyType(
    {k: v.label for k, v in _RULES.stored_call_categories.items()}
)


class CodeChoice:
    """Annotated metadata for a request field: one of ``labels``' codes; the OpenAPI shows
    them as an enum, and a refusal names the list's own error code and every choice."""

    def __init__(self, labels: Mapping[str, str], error_code: str, what: str) -> None:
        self.labels, self.error_code, self.what = labels, error_code, what

    def check(self, value: Any) -> str:
        if isinstance(value, str) and value in self.labels:
            return value
        raise PydanticCustomError(
            self.error_code,
            "{what}只能是：{choices}",
            {"what": self.what, "choices": choices_zh(self.labels)},
        )

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_before_validator_function(self.check, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> dict[str, Any]:
        return {"type": "string", "enum": list(self.labels), "description": choices_zh(self.labels)}


FactFinding = Annotated[str, CodeChoice(_RULES.fact_findings, "invalid_fact_finding", "事实认定")]
ClaimFinding = Annotated[
    str, CodeChoice(_RULES.claim_findings, "invalid_claim_finding", "诉求认定")
]
ClosureResult = Annotated[str, CodeChoice(_RULES.results, "invalid_result", "处理结果")]
RejectReason = Annotated[str, CodeChoice(REJECT_REASONS, "invalid_reject_reason", "不予受理的理由")]
StoreCategory = Annotated[str, CodeChoice(STORE_CATEGORIES, "invalid_store_category", "存电事项")]
SupervisionKind = Annotated[
    str, CodeChoice(SUPERVISION_KINDS, "invalid_supervision_kind", "督办类型")
]
SupervisionLevel = Annotated[
    str, CodeChoice(SUPERVISION_LEVELS, "invalid_supervision_level", "督办级别")
]
Satisfaction = Annotated[str, CodeChoice(SATISFACTIONS, "invalid_satisfaction", "满意度")]
Resolution = Annotated[str, CodeChoice(RESOLUTIONS, "invalid_resolution", "解决情况")]
EvidencePhase = Annotated[str, CodeChoice(EVIDENCE_PHASES, "invalid_phase", "证据阶段")]
RecordingKind = Annotated[str, CodeChoice(RECORDING_KINDS, "invalid_recording_kind", "录音类型")]
ContactLevel = Annotated[str, CodeChoice(CONTACT_LEVELS, "invalid_contact_level", "先行联系层级")]
ContactOutcome = Annotated[
    str, CodeChoice(CONTACT_OUTCOMES, "invalid_contact_outcome", "先行联系结果")
]
ContactMethodCode = Annotated[
    str, CodeChoice(CONTACT_METHODS, "invalid_contact_method", "先行联系方式")
]
AppealType = Annotated[str, CodeChoice(APPEAL_TYPES, "invalid_appeal_type", "诉求类型")]


def _short(label: str) -> str:
    return label.split("（", 1)[0]


def _all_levels(by_source: Mapping[str, Mapping[str, str]]) -> dict[str, str]:
    """Every level of any source, to label an order's level: where sources label one code
    differently, the shared part before the parenthesis ("简单案件"), else the first label."""
    labels: dict[str, list[str]] = {}
    for levels in by_source.values():
        for code, label in levels.items():
            labels.setdefault(code, []).append(label)
    return {
        code: _short(seen[0]) if len(set(seen)) > 1 and len({_short(x) for x in seen}) == 1
        else seen[0]
        for code, seen in labels.items()
    }  # fmt: skip


def code_lists(profile: Profile) -> dict[str, Mapping[str, str]]:
    """Every code list with its labels, by list name. The levels differ per source in a
    profile: ``levels.<source>`` lists each source's, ``levels`` all of them."""
    by_source = {source.value: level_labels(profile, source.value) for source in Source}
    return {
        "statuses": {status.value: label for status, label in STATUS_LABELS.items()},
        "sources": {source.value: label for source, label in SOURCE_LABELS.items()},
        "levels": _all_levels(by_source),
        **{f"levels.{source}": levels for source, levels in by_source.items()},
        "clocks": CLOCK_LABELS,
        "supervision_kinds": SUPERVISION_KINDS,
        "supervision_levels": SUPERVISION_LEVELS,
        "reject_reasons": REJECT_REASONS,
        "store_categories": STORE_CATEGORIES,
        "evidence_phases": EVIDENCE_PHASES,
        "photo_phases": PHOTO_PHASES,
        "recording_kinds": RECORDING_KINDS,
        "fact_findings": _RULES.fact_findings,
        "claim_findings": _RULES.claim_findings,
        "results": _RULES.results,
        "satisfactions": SATISFACTIONS,
        "resolutions": RESOLUTIONS,
        "appeal_types": APPEAL_TYPES,
        "contact_levels": CONTACT_LEVELS,
        "contact_methods": CONTACT_METHODS,
        "contact_outcomes": CONTACT_OUTCOMES,
        "flags": FLAG_LABELS,
    }
