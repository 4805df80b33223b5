"""Closure reports (结案): the seven elements, the forbidden phrasings, attachments and sign-offs
of seed 003, and the 不予受理 reasons (pure).

The wording lives in ``data/closure_rules.yaml``; the limits that differ between streets
(attachments) come from the policy profile (``Rules.closure``) as arguments. Nothing here
reads settings, the session or the clock.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Annotated, Literal

import yaml
from pydantic import (
    AfterValidator,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    field_validator,
)
from pydantic.dataclasses import dataclass as pydantic_dataclass
from pydantic_core import PydanticCustomError

from backend.sla.profiles import SnakeName, Text, first_error
from backend.workorders.violations import RuleViolation
from backend.workorders.wording import choices_zh

DEFAULT_PATH = Path(__file__).parent / "data" / "closure_rules.yaml"

# The seven elements (七要素) as ClosureReport fields, in the seed's order; the YAML labels them.
ELEMENTS: tuple[str, ...] = (
    "first_contact_at", "fact_finding", "process", "basis", "responsible_person", "phone",
    "attachments",
)  # fmt: skip
# 存电备案单 elements as StoreRequest fields (evidence: at least one item of evidence).
STORED_CALL_ELEMENTS: tuple[str, ...] = (
    "main_claim", "handling", "conclusion", "reply_points", "evidence",
)  # fmt: skip
# Free text that reaches the citizen or the platform: linted for the forbidden phrasings.
LINTED_FIELDS: tuple[str, ...] = ("process", "basis", "reply")
FIELD_LABELS: Mapping[str, str] = MappingProxyType(
    {"process": "办理过程", "basis": "处置依据", "reply": "答复要点"}
)
_PHONE_DIGITS = (7, 15)  # landline without area code … international mobile
_PHONE = re.compile(r"^[0-9+\-()（）\s转]+$")


class ClosureRejected(RuleViolation):
    """A closure report that must go back to the department (一律退回承办部门重填)."""


class AttachmentKind(StrEnum):
    photo = "photo"
    recording = "recording"
    document = "document"


@dataclass(frozen=True)
class Attachment:
    name: str
    size_bytes: int
    kind: AttachmentKind


# The types read from the YAML: validated by pydantic (unknown keys refused), read-only mappings.
_CONFIG = ConfigDict(extra="forbid")
Labels = Annotated[Mapping[SnakeName, Text], Field(min_length=1), AfterValidator(MappingProxyType)]
FindingField = Literal["fact_finding", "claim_finding", "result"]  # ClosureReport fields
Findings = Annotated[
    Mapping[FindingField, frozenset[SnakeName]],
    Field(min_length=1),
    AfterValidator(MappingProxyType),
]


def _exactly(ids: tuple[str, ...]) -> Callable[[Mapping[str, str]], Mapping[str, str]]:
    def check(labels: Mapping[str, str]) -> Mapping[str, str]:
        if tuple(labels) != ids:
            raise PydanticCustomError(
                "ids_in_order", "expected exactly, in order: {ids}", {"ids": ", ".join(ids)}
            )
        return labels

    return check


@pydantic_dataclass(frozen=True, config=_CONFIG)
class Phrase:
    text: Text = Field(alias="phrase")  # the YAML's phrase, normalised as the lint compares it
    hint: Text = Field()  # required; a dataclass wants a Field() after one
    # Next characters that turn the phrase into an ordinary word (我办理, 我所在).
    unless_followed_by: str = ""

    @field_validator("text")
    @classmethod
    def _normalised(cls, text: str) -> str:
        return _normalise(text)


@pydantic_dataclass(frozen=True, config=_CONFIG)
class Described:
    """A reason or category: a short label for lists, the seed's sentence for the record."""

    label: Text
    text: Text


Catalogue = Annotated[
    Mapping[SnakeName, Described], Field(min_length=1), AfterValidator(MappingProxyType)
]
Phrases = Annotated[tuple[Phrase, ...], Field(min_length=1)]


@pydantic_dataclass(frozen=True, config=_CONFIG)
class ClosureRules:
    elements: Annotated[Labels, AfterValidator(_exactly(ELEMENTS))]
    forbidden: Phrases
    discouraged: Phrases
    fact_findings: Labels
    claim_findings: Labels
    results: Labels
    sensitive: Findings
    sensitive_on_rework: Findings
    before_after_results: frozenset[SnakeName]
    reject_reasons: Catalogue
    stored_call_categories: Catalogue
    stored_call_elements: Annotated[Labels, AfterValidator(_exactly(STORED_CALL_ELEMENTS))]


@dataclass(frozen=True)
class ClosureReport:
    """What a department submits to close an order. The first seven fields are the 七要素."""

    first_contact_at: datetime | None
    fact_finding: str | None  # true / partly_true / untrue
    process: str  # 办理过程
    basis: str  # 处置依据: the legal or policy basis
    responsible_person: str
    phone: str
    attachments: tuple[Attachment, ...] = ()
    claim_finding: str | None = None  # lawful / excessive / no_policy_basis / other
    result: str | None = None  # resolved / explained / … (see the YAML)
    reply: str = ""  # 答复要点: what the citizen is told
    leader_signoff: bool = False  # the department leader signed (分管领导签字)
    has_scene: bool = False  # the matter has a real site (有实际现场)
    before_photo: bool = False
    after_photo: bool = False
    scene_photo: bool = False
    # A re-handled review (复核) or supervised (督办) order: 未解决 then needs the sign-off too.
    reworked: bool = False
    # 特殊延期 (30/60/90 days) was granted: "此类延期后的工单，不得勾选'不属实'".
    had_special_extension: bool = False


# -- loading -------------------------------------------------------------------------------


def _undefined_choice(rules: ClosureRules) -> str | None:
    """``<path>: <message>`` for a finding or result the file uses but does not define."""
    defined = {
        "fact_finding": rules.fact_findings,
        "claim_finding": rules.claim_findings,
        "result": rules.results,
    }
    used = [
        *((f"sensitive.{k}", v, defined[k]) for k, v in rules.sensitive.items()),
        *(
            (f"sensitive_on_rework.{k}", v, defined[k])
            for k, v in rules.sensitive_on_rework.items()
        ),
        ("before_after_results", rules.before_after_results, rules.results),
    ]
    for path, values, choices in used:
        if not values <= choices.keys():
            return f"{path}: expected a list of: {', '.join(choices)}"
    return None


@lru_cache(maxsize=8)
def load_closure_rules(path: Path | str = DEFAULT_PATH) -> ClosureRules:
    """Read and validate the rules file; ValueError names the file and the bad key."""
    file = Path(path)
    data = yaml.safe_load(file.read_text(encoding="utf-8"))
    try:
        rules = TypeAdapter(ClosureRules).validate_python(data)
    except ValidationError as error:
        raise ValueError(f"closure rules {file.name}: {first_error(error)}") from None
    if problem := _undefined_choice(rules):
        raise ValueError(f"closure rules {file.name}: {problem}")
    return rules


# -- the phrase lint -----------------------------------------------------------------------


def _normalise(text: str) -> str:
    """NFKC, without whitespace or invisible characters, so "将 会" or "将\u200b会" still match."""
    return "".join(
        ch
        for ch in unicodedata.normalize("NFKC", text)
        if not ch.isspace() and unicodedata.category(ch)[0] not in "ZC"
    )


def phrases_in(text: str, phrases: Sequence[Phrase]) -> tuple[Phrase, ...]:
    """Every listed phrase in ``text``, by position (the longest first at a tie, so
    "正在整改中" comes before "正在"); a phrase inside a longer one found at the same place is
    left out, so each offending wording is named once."""
    norm = _normalise(text)
    found: list[tuple[int, int, Phrase]] = []  # (start, -length, phrase) of every occurrence
    for phrase in phrases:
        start = 0
        while (i := norm.find(phrase.text, start)) >= 0:
            following = norm[i + len(phrase.text) : i + len(phrase.text) + 1]
            if not (following and following in phrase.unless_followed_by):
                found.append((i, -len(phrase.text), phrase))
            start = i + 1
    found.sort(key=lambda hit: hit[:2])
    spans: list[tuple[int, int]] = []
    named: dict[str, Phrase] = {}
    for start, negative_length, phrase in found:
        end = start - negative_length
        if any(s <= start and end <= e for s, e in spans):
            continue  # inside a longer phrase already named
        spans.append((start, end))
        named.setdefault(phrase.text, phrase)
    return tuple(named.values())


def find_phrase(text: str, phrases: Sequence[Phrase]) -> Phrase | None:
    """The first listed phrase in ``text`` (earliest position; the longest at a tie, so
    "正在整改中" is named rather than "正在")."""
    hits = phrases_in(text, phrases)
    return hits[0] if hits else None


def _forbidden_message(field: str, phrase: Phrase) -> str:
    where = FIELD_LABELS.get(field, field)
    return f"结案报告（{where}）不得出现“{phrase.text}”：{phrase.hint}"


def lint_text(text: str, *, rules: ClosureRules, field: str) -> None:
    """Raises ClosureRejected(forbidden_phrase) naming the phrase verbatim and what to do."""
    phrase = find_phrase(text, rules.forbidden)
    if phrase is not None:
        raise ClosureRejected("forbidden_phrase", _forbidden_message(field, phrase), field)


def discouraged_phrases(
    report: ClosureReport, rules: ClosureRules
) -> tuple[tuple[str, Phrase], ...]:
    """Wording the seed says to avoid (生硬、教育人的口吻): warnings to show, not refusals."""
    return tuple(
        (field, phrase)
        for field in LINTED_FIELDS
        for phrase in phrases_in(getattr(report, field), rules.discouraged)
    )


@dataclass(frozen=True)
class LintProblem:
    field: str
    phrase: str
    hint: str
    severity: Literal["forbidden", "discouraged"]
    message: str


def lint_problems(texts: Mapping[str, str], rules: ClosureRules) -> tuple[LintProblem, ...]:
    """Every forbidden and discouraged wording in the texts of a closure being written (field
    → text), for the form to show while the department types: the forbidden ones are what
    ``check_closure`` refuses, the discouraged ones what it records as warnings."""
    problems: list[LintProblem] = []
    for field, text in texts.items():
        for phrase in phrases_in(text, rules.forbidden):
            message = _forbidden_message(field, phrase)
            problems.append(LintProblem(field, phrase.text, phrase.hint, "forbidden", message))
        for phrase in phrases_in(text, rules.discouraged):
            where = FIELD_LABELS.get(field, field)
            message = f"结案报告（{where}）不宜使用“{phrase.text}”：{phrase.hint}"
            problems.append(LintProblem(field, phrase.text, phrase.hint, "discouraged", message))
    return tuple(problems)


# -- the report ----------------------------------------------------------------------------


def _missing(report: ClosureReport, element: str) -> bool:
    value = getattr(report, element)
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, tuple):
        return not value
    return value is None


def _check_choice(value: str | None, choices: Mapping[str, str], field: str, what: str) -> None:
    if value is not None and value not in choices:
        raise ClosureRejected("invalid_value", f"{what}只能是：{choices_zh(choices)}", field)


def _phone_ok(phone: str) -> bool:
    digits = sum(ch.isdigit() for ch in phone)
    return bool(_PHONE.match(phone)) and _PHONE_DIGITS[0] <= digits <= _PHONE_DIGITS[1]


def _mb(size: int) -> str:
    mb = size / (1024 * 1024)
    return f"{mb:.0f} MB" if mb == int(mb) else f"{mb:.1f} MB"


def check_closure(
    report: ClosureReport,
    *,
    max_attachments: int | None,
    max_attachment_bytes: int | None,
    rules: ClosureRules | None = None,
    exempt: Collection[str] = (),
) -> None:
    """Raises ClosureRejected for the first problem, or returns None when the report may be
    submitted. ``exempt``: elements that do not apply to this order (e.g. first_contact_at for
    an anonymous caller or a grid find with no caller: "所有工单（匿名电话除外）")."""
    rules = rules or load_closure_rules()
    for element in ELEMENTS:
        if element not in exempt and _missing(report, element):
            raise ClosureRejected(
                "missing_element",
                f"结案报告缺少“{rules.elements[element]}”（七要素缺一不可），请补全后再提交",
                element,
            )
    _check_choice(report.fact_finding, rules.fact_findings, "fact_finding", "事实认定")
    _check_choice(report.claim_finding, rules.claim_findings, "claim_finding", "诉求认定")
    _check_choice(report.result, rules.results, "result", "处理结果")
    if "phone" not in exempt and not _phone_ok(report.phone):
        raise ClosureRejected("invalid_phone", "联系电话格式不正确", "phone")
    for field in LINTED_FIELDS:
        lint_text(getattr(report, field), rules=rules, field=field)
    _check_attachments(report.attachments, max_attachments, max_attachment_bytes)
    if report.had_special_extension and report.fact_finding == "untrue":
        raise ClosureRejected(
            "untrue_after_special_extension",
            "经特殊延期（30/60/90个自然日）的工单不得认定为“不属实”",
            "fact_finding",
        )
    _check_signoff(report, rules)
    _check_photos(report, rules)


def _check_attachments(
    attachments: Sequence[Attachment], max_count: int | None, max_bytes: int | None
) -> None:
    if max_count is not None and len(attachments) > max_count:
        raise ClosureRejected(
            "too_many_attachments",
            f"结案附件最多{max_count}个（现有{len(attachments)}个）；"
            "现场照片较多的，可合并到一个 Word 文件中作为处置进程文件上传",
            "attachments",
        )
    if max_bytes is not None:
        for item in attachments:
            if item.size_bytes > max_bytes:
                raise ClosureRejected(
                    "attachment_too_large",
                    f"附件“{item.name}”为{_mb(item.size_bytes)}，单个附件不得大于{_mb(max_bytes)}",
                    "attachments",
                )


def _check_signoff(report: ClosureReport, rules: ClosureRules) -> None:
    if report.leader_signoff:
        return
    lists = [rules.sensitive] + ([rules.sensitive_on_rework] if report.reworked else [])
    labels = {
        "fact_finding": rules.fact_findings,
        "claim_finding": rules.claim_findings,
        "result": rules.results,
    }
    for sensitive in lists:
        for field, values in sensitive.items():
            value = getattr(report, field)
            if value in values:
                raise ClosureRejected(
                    "leader_signoff_required",
                    f"认定为“{labels[field][value]}”的工单，须由处置部门分管领导签字确认后方可结案",
                    field,
                )


def _handled(report: ClosureReport, rules: ClosureRules) -> bool:
    """Did the department claim to have dealt with the site (the 处置前后对比照片 templates)?"""
    if report.result is not None:
        return report.result in rules.before_after_results
    return report.fact_finding in ("true", "partly_true")


def _check_photos(report: ClosureReport, rules: ClosureRules) -> None:
    if not report.has_scene:
        return
    if _handled(report, rules):
        if not (report.before_photo and report.after_photo):
            raise ClosureRejected(
                "before_after_required",
                "有实际现场的工单须提供处置前、处置后照片（同一角度拍摄以便对比）",
                "attachments",
            )
    elif not (report.before_photo or report.after_photo or report.scene_photo):
        raise ClosureRejected(
            "scene_photo_required",
            "有实际现场的工单须提供现场照片，不得以主观理由程序性结案",
            "attachments",
        )


# -- assisting departments, rejects ----------------------------------------------------------


def _bare(text: str) -> str:
    """Text without whitespace, punctuation, symbols or invisible characters, case-folded."""
    return "".join(
        ch
        for ch in unicodedata.normalize("NFKC", text).casefold()
        if unicodedata.category(ch)[0] not in "PZCS" and not ch.isspace()
    )


def is_copy(assist_text: str, lead_text: str, *, threshold: float = 0.9) -> bool:
    """An assisting department's report that is the lead's (协办部门直接复制主办部门办结报告):
    identical once whitespace and punctuation are ignored, or at least ``threshold`` similar."""
    a, b = _bare(assist_text), _bare(lead_text)
    if not a or not b:
        return False
    if a == b:
        return True
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    # The quick upper bounds skip the quadratic comparison for clearly different texts.
    return (
        matcher.real_quick_ratio() >= threshold
        and matcher.quick_ratio() >= threshold
        and matcher.ratio() >= threshold
    )


def check_assist_report(assist_text: str, lead_text: str, *, threshold: float = 0.9) -> None:
    if is_copy(assist_text, lead_text, threshold=threshold):
        raise ClosureRejected(
            "copied_lead_report",
            "协办部门不得直接复制主办部门的办结报告，请填写本部门职责范围内的处置情况",
            "process",
        )


def check_reject_reason(reason: str, rules: ClosureRules | None = None) -> Described:
    """The 不予受理 reason for ``reason`` (an id of the YAML list), or RuleViolation."""
    rules = rules or load_closure_rules()
    found = rules.reject_reasons.get(reason)
    if found is None:
        allowed = choices_zh({k: r.label for k, r in rules.reject_reasons.items()})
        raise RuleViolation("invalid_reject_reason", f"不予受理的理由只能是：{allowed}", "reason")
    return found
