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
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from backend.workorders.violations import RuleViolation

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
_ID = re.compile(r"^[a-z][a-z0-9_]*$")
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


@dataclass(frozen=True)
class Phrase:
    text: str
    hint: str
    # Next characters that turn the phrase into an ordinary word (我办理, 我所在).
    unless_followed_by: str = ""


@dataclass(frozen=True)
class Described:
    """A reason or category: a short label for lists, the seed's sentence for the record."""

    label: str
    text: str


@dataclass(frozen=True)
class ClosureRules:
    elements: Mapping[str, str]
    forbidden: tuple[Phrase, ...]
    discouraged: tuple[Phrase, ...]
    fact_findings: Mapping[str, str]
    claim_findings: Mapping[str, str]
    results: Mapping[str, str]
    sensitive: Mapping[str, frozenset[str]]
    sensitive_on_rework: Mapping[str, frozenset[str]]
    before_after_results: frozenset[str]
    reject_reasons: Mapping[str, Described]
    stored_call_categories: Mapping[str, Described]
    stored_call_elements: Mapping[str, str]


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


class _Reader:
    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, where: str, message: str) -> ValueError:
        return ValueError(f"closure rules {self.path.name}: {where}: {message}")

    def mapping(self, data: Any, where: str) -> dict[str, Any]:
        if not isinstance(data, Mapping) or not data:
            raise self.fail(where, "expected a non-empty mapping")
        for key in data:
            if not isinstance(key, str) or not _ID.match(key):
                raise self.fail(f"{where}.{key}", "expected a snake_case id")
        return dict(data)

    def text(self, value: Any, where: str) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.fail(where, "expected a non-empty string")
        return value.strip()

    def labels(self, data: Any, where: str) -> Mapping[str, str]:
        raw = self.mapping(data, where)
        return MappingProxyType({k: self.text(v, f"{where}.{k}") for k, v in raw.items()})

    def described(self, data: Any, where: str) -> Mapping[str, Described]:
        out: dict[str, Described] = {}
        for key, value in self.mapping(data, where).items():
            item = self.mapping(value, f"{where}.{key}")
            if set(item) != {"label", "text"}:
                raise self.fail(f"{where}.{key}", "expected exactly label and text")
            out[key] = Described(
                self.text(item["label"], f"{where}.{key}.label"),
                self.text(item["text"], f"{where}.{key}.text"),
            )
        return MappingProxyType(out)

    def phrases(self, data: Any, where: str) -> tuple[Phrase, ...]:
        if not isinstance(data, list) or not data:
            raise self.fail(where, "expected a non-empty list")
        out: list[Phrase] = []
        for i, item in enumerate(data):
            at = f"{where}[{i}]"
            keys = set(item) if isinstance(item, Mapping) else set()
            if not {"phrase", "hint"} <= keys <= {"phrase", "hint", "unless_followed_by"}:
                raise self.fail(at, "expected phrase, hint and optionally unless_followed_by")
            follow = item.get("unless_followed_by", "")
            if not isinstance(follow, str):
                raise self.fail(f"{at}.unless_followed_by", "expected a string of characters")
            out.append(
                Phrase(
                    _normalise(self.text(item["phrase"], f"{at}.phrase")),
                    self.text(item["hint"], f"{at}.hint"),
                    follow,
                )
            )
        return tuple(out)

    def subset(self, data: Any, where: str, allowed: Mapping[str, str]) -> frozenset[str]:
        if not isinstance(data, list) or any(v not in allowed for v in data):
            raise self.fail(where, f"expected a list of: {', '.join(allowed)}")
        return frozenset(data)

    def sensitive(
        self, data: Any, where: str, choices: Mapping[str, Mapping[str, str]]
    ) -> Mapping[str, frozenset[str]]:
        raw = self.mapping(data, where)
        for key in raw:
            if key not in choices:
                raise self.fail(f"{where}.{key}", f"expected one of: {', '.join(choices)}")
        return MappingProxyType(
            {k: self.subset(v, f"{where}.{k}", choices[k]) for k, v in raw.items()}
        )

    def rules(self, data: Any) -> ClosureRules:
        keys = {
            "elements", "forbidden", "discouraged", "fact_findings", "claim_findings", "results",
            "sensitive", "sensitive_on_rework", "before_after_results", "reject_reasons",
            "stored_call_categories", "stored_call_elements",
        }  # fmt: skip
        top = self.mapping(data, "(top level)")
        if set(top) != keys:
            odd = sorted(set(top) ^ keys)[0]
            raise self.fail(odd, "unknown key" if odd in top else "missing")
        elements = self.labels(top["elements"], "elements")
        if tuple(elements) != ELEMENTS:
            raise self.fail("elements", f"expected exactly, in order: {', '.join(ELEMENTS)}")
        findings = {
            "fact_finding": self.labels(top["fact_findings"], "fact_findings"),
            "claim_finding": self.labels(top["claim_findings"], "claim_findings"),
            "result": self.labels(top["results"], "results"),
        }
        stored_elements = self.labels(top["stored_call_elements"], "stored_call_elements")
        if tuple(stored_elements) != STORED_CALL_ELEMENTS:
            raise self.fail(
                "stored_call_elements",
                f"expected exactly, in order: {', '.join(STORED_CALL_ELEMENTS)}",
            )
        return ClosureRules(
            elements=elements,
            forbidden=self.phrases(top["forbidden"], "forbidden"),
            discouraged=self.phrases(top["discouraged"], "discouraged"),
            fact_findings=findings["fact_finding"],
            claim_findings=findings["claim_finding"],
            results=findings["result"],
            sensitive=self.sensitive(top["sensitive"], "sensitive", findings),
            sensitive_on_rework=self.sensitive(
                top["sensitive_on_rework"], "sensitive_on_rework", findings
            ),
            before_after_results=self.subset(
                top["before_after_results"], "before_after_results", findings["result"]
            ),
            reject_reasons=self.described(top["reject_reasons"], "reject_reasons"),
            stored_call_categories=self.described(
                top["stored_call_categories"], "stored_call_categories"
            ),
            stored_call_elements=stored_elements,
        )


@lru_cache(maxsize=8)
def load_closure_rules(path: Path | str = DEFAULT_PATH) -> ClosureRules:
    """Read and validate the rules file; ValueError names the file and the bad key."""
    file = Path(path)
    return _Reader(file).rules(yaml.safe_load(file.read_text(encoding="utf-8")))


# -- the phrase lint -----------------------------------------------------------------------


def _normalise(text: str) -> str:
    """NFKC, without whitespace or invisible characters, so "将 会" or "将\u200b会" still match."""
    return "".join(
        ch
        for ch in unicodedata.normalize("NFKC", text)
        if not ch.isspace() and unicodedata.category(ch)[0] not in "ZC"
    )


def find_phrase(text: str, phrases: Sequence[Phrase]) -> Phrase | None:
    """The first listed phrase in ``text`` (earliest position; the longest at a tie, so
    "正在整改中" is named rather than "正在")."""
    norm = _normalise(text)
    best: tuple[int, int, Phrase] | None = None
    for phrase in phrases:
        start = 0
        while (i := norm.find(phrase.text, start)) >= 0:
            following = norm[i + len(phrase.text) : i + len(phrase.text) + 1]
            if not (following and following in phrase.unless_followed_by):
                if best is None or (i, -len(phrase.text)) < best[:2]:
                    best = (i, -len(phrase.text), phrase)
                break
            start = i + 1
    return best[2] if best else None


def lint_text(text: str, *, rules: ClosureRules, field: str) -> None:
    """Raises ClosureRejected(forbidden_phrase) naming the phrase verbatim and what to do."""
    phrase = find_phrase(text, rules.forbidden)
    if phrase is not None:
        where = FIELD_LABELS.get(field, field)
        raise ClosureRejected(
            "forbidden_phrase",
            f"结案报告（{where}）不得出现“{phrase.text}”：{phrase.hint}",
            field,
        )


def discouraged_phrases(
    report: ClosureReport, rules: ClosureRules
) -> tuple[tuple[str, Phrase], ...]:
    """Wording the seed says to avoid (生硬、教育人的口吻): warnings to show, not refusals."""
    hits: list[tuple[str, Phrase]] = []
    for field in LINTED_FIELDS:
        norm = _normalise(getattr(report, field))
        hits.extend((field, p) for p in rules.discouraged if p.text in norm)
    return tuple(hits)


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
        allowed = "、".join(f"{label}（{key}）" for key, label in choices.items())
        raise ClosureRejected("invalid_value", f"{what}只能是：{allowed}", field)


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
        allowed = "、".join(r.label for r in rules.reject_reasons.values())
        raise RuleViolation("invalid_reject_reason", f"不予受理的理由须为：{allowed}", "reason")
    return found
