"""Department scores of the seed regulations, as pure functions over named counts.

Each scheme takes a mapping of counts (checked by ``validate_counts``) and its weights
(``scheme_data``) and answers a ``Score``: every part by the names of the seed formula, each a
number or "no data" with the reason (a zero denominator is never a silent 0 or 100), the total,
how the total treated the parts without data, and the grade where the scheme has one.

Arithmetic is exact (``fractions.Fraction``), so a total of exactly 90 is grade A and never
89.99999999999999; ``Score.as_dict`` gives the nearest binary numbers for JSON.

Schemes (formulas quoted in ``data/schemes.yaml``):
- ``jiangning`` — seed 000 二(二)2, the hotline score 先行联系分 + 按时办结分 + 诉求解决分 ± points;
- ``zhenru``    — seed 003 六 and its 考核计分表, 20/30/50 minus per-item deductions;
- ``dongcheng`` — seed 004 第十九/二十/二十一条, the 100-point formula and grades A–E.
``grid_order_rates`` gives seed 000's four grid-order rates (及时/按时/一次性办结率, 逾期率).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

from backend.scoring.scheme_data import (
    DongchengWeights,
    JiangningWeights,
    SchemesFile,
    ZhenruWeights,
)

MAX_COUNT = 2**63 - 1  # the bound every integer of the API has

JIANGNING_COUNTS: tuple[str, ...] = (
    "dispatched", "first_contacted", "on_time", "resolved", "explained", "filed_for_reference",
    "bonus", "penalty",
)  # fmt: skip
ZHENRU_COUNTS: tuple[str, ...] = (
    "accepted", "accepted_all_departments", "resolved", "explained_accepted",
    "explained_not_accepted", "unresolved", "satisfied", "basic_satisfied", "neutral",
    "unsatisfied", "missed_first_contact", "late", "supervision_street", "supervision_district",
    "supervision_city", "untrue", "total_orders", "copied_reports", "unjustified_returns",
)  # fmt: skip
DONGCHENG_COUNTS: tuple[str, ...] = (
    "received", "unjustified_returns", "rated", "interim_done", "done", "rework",
    "forced_closed", "repeat_reports", "supervision_unreplied", "visited", "feedback_confirmed",
    "satisfied",
)  # fmt: skip
GRID_ORDER_COUNTS: tuple[str, ...] = (
    "closed", "closed_within_24h", "closed_on_time", "verified_first_check", "closed_overdue",
)  # fmt: skip

# Chinese names of parts and counts, for the texts a person reads.
LABELS: Mapping[str, str] = {
    "first_contact_score": "先行联系分",
    "on_time_score": "按时办结分",
    "resolution_score": "诉求解决分",
    "acceptance": "工单受理",
    "resolution": "实际解决",
    "satisfaction": "市民满意",
    "deductions": "扣分",
    "evasion_rate": "推诿率",
    "interim_rate": "准办结率",
    "done_rate": "实际办结率",
    "rework_rate": "返工率",
    "forced_close_rate": "强制结案率",
    "repeat_rate": "反复举报率",
    "feedback_rate": "反馈率",
    "satisfaction_rate": "满意率",
    "evasion_points": "推诿情况",
    "handling_points": "办理情况",
    "feedback_points": "反馈情况",
    "satisfaction_points": "公众满意情况",
    "supervision_deduction": "督办未回复扣分",
    "timely_rate": "及时办结率",
    "on_time_rate": "按时办结率",
    "first_pass_rate": "一次性办结率",
    "overdue_rate": "逾期率",
}


class CountError(ValueError):
    """A count that is unknown, missing, not a whole number, negative or inconsistent.

    ``field`` names the count, so an API can answer a 4xx naming it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Part:
    """One named part of a score: ``value`` is None when it has no data, and ``no_data`` says
    why. ``maximum`` is the part's full marks when it is a points part that makes the total."""

    name: str
    value: Fraction | None
    no_data: str | None = None
    maximum: Fraction | None = None


@dataclass(frozen=True)
class TotalRule:
    """How the total was formed from the parts (the ``no_data.parts: rescale`` rule)."""

    text: str
    left_out: tuple[str, ...] = ()
    counted_max: Fraction | None = None  # full marks of the parts that had data
    full_marks: Fraction = Fraction(100)
    scale: Fraction | None = None  # factor applied to those parts (1: nothing left out)


@dataclass(frozen=True)
class Score:
    scheme: str
    label: str
    seed: str
    counts: Mapping[str, int]
    parts: tuple[Part, ...]
    total: Fraction | None
    total_rule: TotalRule
    total_no_data: str | None = None
    has_grade: bool = False
    grade: str | None = None
    variant: str | None = None
    details: tuple[Part, ...] = ()
    notes: tuple[str, ...] = field(default=())

    def part(self, name: str) -> Part:
        for candidate in (*self.parts, *self.details):
            if candidate.name == name:
                return candidate
        raise KeyError(name)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: ``total``, every part by name and ``grade`` (where the scheme has one)
        at the top level; then what was missing and why, how the total was formed, details."""
        out: dict[str, Any] = {"scheme": self.scheme, "label": self.label, "seed": self.seed}
        if self.variant is not None:
            out["variant"] = self.variant
        out["total"] = _number(self.total)
        for part in self.parts:
            out[part.name] = _number(part.value)
        if self.has_grade:
            out["grade"] = self.grade
        missing = {p.name: p.no_data for p in (*self.parts, *self.details) if p.no_data}
        if self.total_no_data:
            missing["total"] = self.total_no_data
        out["no_data"] = missing
        rule = self.total_rule
        out["total_rule"] = {
            "rule": "rescale",
            "text": rule.text,
            "left_out": list(rule.left_out),
            "counted_max": _number(rule.counted_max),
            "full_marks": _number(rule.full_marks),
            "scale": _number(rule.scale),
        }
        out["details"] = {p.name: _number(p.value) for p in self.details}
        out["notes"] = list(self.notes)
        out["counts"] = dict(self.counts)
        return out


def _number(value: Fraction | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if value.denominator == 1 else float(value)


def _text(value: Fraction) -> str:
    """A short decimal for texts: whole numbers as is, else two decimals."""
    if value.denominator == 1:
        return str(value.numerator)
    return f"{float(value):.2f}"


def _f(value: Decimal | int) -> Fraction:
    return Fraction(value)


# -- counts ----------------------------------------------------------------------------------


def validate_counts(names: Sequence[str], raw: Any, *, what: str = "计数") -> dict[str, int]:
    """Every name in ``names``, each a whole number 0..2^63−1; nothing else. CountError names
    the first bad count."""
    if not isinstance(raw, Mapping):
        raise CountError("counts", f'{what}应为 JSON 对象，例如 {{"{names[0]}": 10}}')
    unknown = [str(key) for key in raw if key not in names]
    if unknown:
        raise CountError(unknown[0], f"未知的计数 {unknown[0]}（可用的计数：{', '.join(names)}）")
    missing = [name for name in names if name not in raw]
    if missing:
        raise CountError(missing[0], f"缺少计数 {', '.join(missing)}（没有的请写 0）")
    counts: dict[str, int] = {}
    for name in names:
        value = raw[name]
        if isinstance(value, bool) or not isinstance(value, int):
            raise CountError(name, f"计数 {name} 应为非负整数（收到 {value!r}）")
        if value < 0:
            raise CountError(name, f"计数 {name} 不能为负数（收到 {value}）")
        if value > MAX_COUNT:
            raise CountError(name, f"计数 {name} 超出范围（最大 {MAX_COUNT}）")
        counts[name] = value
    return counts


def _at_most(counts: Mapping[str, int], parts: Iterable[str], whole: str) -> None:
    """The counts ``parts`` are a subset of ``whole``: their sum cannot exceed it."""
    names = tuple(parts)
    total = sum(counts[n] for n in names)
    if total > counts[whole]:
        summed = " + ".join(f"{n}（{counts[n]}）" for n in names)
        raise CountError(names[0], f"{summed} 大于 {whole}（{counts[whole]}），计数前后矛盾")


def _ratio(numerator: Fraction | int, denominator: int) -> Fraction | None:
    return None if denominator == 0 else Fraction(numerator) / denominator


# -- forming the total -----------------------------------------------------------------------


def _total(
    sections: Sequence[Part], adjustment: Fraction, formula: str, then: str
) -> tuple[Fraction | None, TotalRule, str | None]:
    """The rescale rule: parts without data are left out, the others scaled up to the full
    marks; then ``adjustment`` (bonus − penalty, or − deductions) is added unscaled.
    ``formula`` ends the all-parts formula (" − deductions"), ``then`` says it in words."""
    full = sum((s.maximum or Fraction(0) for s in sections), Fraction(0))
    present = [s for s in sections if s.value is not None]
    left_out = tuple(s.name for s in sections if s.value is None)
    names = " + ".join(s.name for s in sections)
    if not present:
        why = dict.fromkeys((s.no_data or "").removeprefix("无数据：") for s in sections)
        reason = f"无数据：各部分均无数据（{'；'.join(why)}）"
        text = f"各部分（{names}）均无数据，总分无数据"
        return None, TotalRule(text, left_out, Fraction(0), full, None), reason
    counted_max = sum((s.maximum or Fraction(0) for s in present), Fraction(0))
    # A part whose own full marks are 0 (a weight set to 0) carries nothing to scale.
    scale = full / counted_max if counted_max else Fraction(1)
    raw = sum((s.value or Fraction(0) for s in present), Fraction(0))
    total = raw * scale + adjustment
    if not left_out:
        text = f"各部分均有数据：总分 = {names}{formula}"
        return total, TotalRule(text, (), counted_max, full, Fraction(1)), None
    missing = "、".join(f"{LABELS.get(n, n)}（{n}）" for n in left_out)
    kept = " + ".join(s.name for s in present)
    text = (
        f"{missing}无数据，不计入总分；其余部分（{kept}）满分 {_text(counted_max)} 分，"
        f"按 {_text(full)}/{_text(counted_max)} 折算为 {_text(full)} 分制，{then}"
    )
    return total, TotalRule(text, left_out, counted_max, full, scale), None


# -- jiangning (seed 000) --------------------------------------------------------------------


def jiangning(raw_counts: Any, weights: JiangningWeights) -> Score:
    """江宁路 hotline score: three parts of 100 over 派遣案件数, plus bonus minus penalty."""
    counts = validate_counts(JIANGNING_COUNTS, raw_counts)
    _at_most(counts, ["first_contacted"], "dispatched")
    _at_most(counts, ["on_time"], "dispatched")
    _at_most(counts, ["resolved", "explained", "filed_for_reference"], "dispatched")
    dispatched = counts["dispatched"]
    reason = "无数据：派遣案件数（dispatched）为 0"
    points = weights.resolution_points
    resolution_numerator = (
        counts["resolved"] * _f(points.resolved)
        + counts["explained"] * _f(points.explained)
        + counts["filed_for_reference"] * _f(points.filed_for_reference)
    )
    best = max(_f(points.resolved), _f(points.explained), _f(points.filed_for_reference))

    def part(name: str, numerator: Fraction, maximum: Fraction) -> Part:
        value = _ratio(numerator, dispatched)
        return Part(name, value, None if value is not None else reason, maximum)

    fc_points, ot_points = _f(weights.first_contact_points), _f(weights.on_time_points)
    sections = (
        part("first_contact_score", fc_points * counts["first_contacted"], fc_points),
        part("on_time_score", ot_points * counts["on_time"], ot_points),
        part("resolution_score", resolution_numerator, best),
    )
    adjustment = Fraction(counts["bonus"] - counts["penalty"])
    total, rule, no_total = _total(
        sections, adjustment, " + bonus − penalty", "再加 bonus、减 penalty"
    )
    return Score(
        scheme="jiangning",
        label=weights.label,
        seed=weights.seed,
        counts=counts,
        parts=(
            *sections,
            Part("bonus", Fraction(counts["bonus"])),
            Part("penalty", Fraction(counts["penalty"])),
        ),
        total=total,
        total_rule=rule,
        total_no_data=no_total,
    )


# -- zhenru (seed 003) -----------------------------------------------------------------------

ZHENRU_DEDUCTED: tuple[str, ...] = (
    "missed_first_contact", "late", "supervision_street", "supervision_district",
    "supervision_city", "copied_reports", "unjustified_returns",
)  # fmt: skip


def zhenru(raw_counts: Any, weights: ZhenruWeights) -> Score:
    """真如镇 考核计分表: 20 acceptance share + 30 resolution + 50 satisfaction − deductions."""
    counts = validate_counts(ZHENRU_COUNTS, raw_counts)
    _at_most(counts, ["accepted"], "accepted_all_departments")
    _at_most(counts, ["untrue"], "total_orders")
    c = counts

    share = _ratio(c["accepted"], c["accepted_all_departments"])
    acceptance_max = _f(weights.acceptance_points)
    acceptance = Part(
        "acceptance",
        None if share is None else acceptance_max * share,
        None if share is not None else "无数据：全部承办部门受理量（accepted_all_departments）为 0",
        acceptance_max,
    )

    followed_up = c["resolved"] + c["explained_accepted"] + c["explained_not_accepted"]
    followed_up += c["unresolved"]
    resolution_rate = _ratio(
        c["resolved"] + _f(weights.explained_accepted_weight) * c["explained_accepted"],
        followed_up,
    )
    resolution_max = _f(weights.resolution_points)
    resolution = Part(
        "resolution",
        None if resolution_rate is None else resolution_max * resolution_rate,
        None
        if resolution_rate is not None
        else "无数据：已解决、解释说明认可、解释说明不认可、未解决件数之和为 0",
        resolution_max,
    )

    sw = weights.satisfaction_weights
    surveyed = c["satisfied"] + c["basic_satisfied"] + c["neutral"] + c["unsatisfied"]
    satisfaction_rate = _ratio(
        c["satisfied"] * _f(sw.satisfied)
        + c["basic_satisfied"] * _f(sw.basic_satisfied)
        + c["neutral"] * _f(sw.neutral),
        surveyed,
    )
    satisfaction_max = _f(weights.satisfaction_points)
    satisfaction = Part(
        "satisfaction",
        None if satisfaction_rate is None else satisfaction_max * satisfaction_rate,
        None
        if satisfaction_rate is not None
        else "无数据：成功回访件数（satisfied + basic_satisfied + neutral + unsatisfied）为 0",
        satisfaction_max,
    )

    per_item = weights.active_deductions()
    items = [
        Part(f"deduction_{name}", c[name] * _f(getattr(per_item, name))) for name in ZHENRU_DEDUCTED
    ]
    untrue_rate = _ratio(c["untrue"], c["total_orders"])
    untrue_no_data = "无数据：总工单量（total_orders）为 0，不扣不属实率分"
    over = untrue_rate is not None and untrue_rate > _f(weights.untrue.threshold)
    items.append(Part("deduction_untrue", _f(weights.untrue.points) if over else Fraction(0)))
    deduction_total = sum((p.value or Fraction(0) for p in items), Fraction(0))
    deductions = Part("deductions", deduction_total)

    sections = (acceptance, resolution, satisfaction)
    total, rule, no_total = _total(
        sections, -deduction_total, " − deductions", "再减扣分 deductions"
    )
    details = (
        Part("acceptance_share", share, acceptance.no_data),
        Part("resolution_rate", resolution_rate, resolution.no_data),
        Part("satisfaction_rate", satisfaction_rate, satisfaction.no_data),
        Part("untrue_rate", untrue_rate, None if untrue_rate is not None else untrue_no_data),
        *items,
    )
    return Score(
        scheme="zhenru",
        label=weights.label,
        seed=weights.seed,
        counts=counts,
        parts=(*sections, deductions),
        total=total,
        total_rule=rule,
        total_no_data=no_total,
        variant=weights.variant,
        details=details,
        notes=(
            "存电工单不纳入满意度测评：satisfied 至 unsatisfied 四项计数不含存电工单",
            f"不属实率超过 {_text(_f(weights.untrue.threshold) * 100)}% 扣 "
            f"{_text(_f(weights.untrue.points))} 分（恰好等于不扣）",
        ),
    )


# -- dongcheng (seed 004) --------------------------------------------------------------------


def _grade(total: Fraction, weights: DongchengWeights) -> str:
    for grade in weights.grades:
        if grade.min is None or total >= _f(grade.min):
            return grade.grade
    return weights.grades[-1].grade  # unreachable: the last grade has no minimum


def dongcheng(raw_counts: Any, weights: DongchengWeights) -> Score:
    """东城区 第二十条 total and 第二十一条 grade."""
    counts = validate_counts(DONGCHENG_COUNTS, raw_counts)
    c = counts
    _at_most(c, ["interim_done", "done"], "rated")
    _at_most(c, ["rework"], "rated")
    _at_most(c, ["forced_closed"], "rated")
    _at_most(c, ["feedback_confirmed"], "visited")
    _at_most(c, ["satisfied"], "visited")
    no_received = "无数据：接收的总事项数（received）为 0"
    no_rated = "无数据：参评的总事项数（rated）为 0"
    no_visited = "无数据：实际回访的事项数（visited）为 0"

    def rate(name: str, numerator: int, denominator: int, reason: str) -> Part:
        value = _ratio(numerator, denominator)
        return Part(name, value, None if value is not None else reason)

    evasion = rate("evasion_rate", c["unjustified_returns"], c["received"], no_received)
    interim = rate("interim_rate", c["interim_done"], c["rated"], no_rated)
    done = rate("done_rate", c["done"], c["rated"], no_rated)
    rework = rate("rework_rate", c["rework"], c["rated"], no_rated)
    forced = rate("forced_close_rate", c["forced_closed"], c["rated"], no_rated)
    repeat = rate("repeat_rate", c["repeat_reports"], c["rated"], no_rated)
    feedback = rate("feedback_rate", c["feedback_confirmed"], c["visited"], no_visited)
    satisfied = rate("satisfaction_rate", c["satisfied"], c["visited"], no_visited)

    def remaining(part: Part) -> Fraction:
        # 1 − rate, stopping at 0: 推诿 and 反复举报 count times, which may exceed the items.
        return max(Fraction(0), 1 - (part.value or Fraction(0)))

    w = weights
    evasion_max, handling_max = _f(w.evasion_points), _f(w.handling_points)
    feedback_max, satisfaction_max = _f(w.feedback_points), _f(w.satisfaction_points)
    evasion_points = Part(
        "evasion_points",
        None if evasion.value is None else evasion_max * remaining(evasion),
        evasion.no_data,
        evasion_max,
    )
    handling_points = Part(
        "handling_points",
        None
        if c["rated"] == 0
        else handling_max
        * (_f(w.interim_weight) * (interim.value or 0) + (done.value or 0))
        * remaining(rework)
        * remaining(forced)
        * remaining(repeat),
        None if c["rated"] else no_rated,
        handling_max,
    )
    feedback_points = Part(
        "feedback_points",
        None if feedback.value is None else feedback_max * feedback.value,
        feedback.no_data,
        feedback_max,
    )
    satisfaction_points = Part(
        "satisfaction_points",
        None if satisfied.value is None else satisfaction_max * satisfied.value,
        satisfied.no_data,
        satisfaction_max,
    )
    cap = _f(w.supervision_unreplied.cap)
    deduction = min(c["supervision_unreplied"] * _f(w.supervision_unreplied.per_item), cap)
    supervision = Part("supervision_deduction", deduction)
    sections = (evasion_points, handling_points, feedback_points, satisfaction_points)
    rates = (evasion, interim, done, rework, forced, repeat, feedback, satisfied)
    total, rule, no_total = _total(
        sections, -deduction, " − supervision_deduction", "再减督办未回复扣分"
    )
    notes = [
        f"督办未回复每件扣 {_text(_f(w.supervision_unreplied.per_item))} 分，封顶 {_text(cap)} 分",
    ]
    for part in (evasion, repeat):
        if part.value is not None and part.value > 1:
            notes.append(f"{LABELS[part.name]}（{part.name}）超过 100%，(1 − 比率) 按 0 计")
    return Score(
        scheme="dongcheng",
        label=w.label,
        seed=w.seed,
        counts=counts,
        parts=(*rates, *sections, supervision),
        total=total,
        total_rule=rule,
        total_no_data=no_total,
        has_grade=True,
        grade=None if total is None else _grade(total, w),
        notes=tuple(notes),
    )


# -- registry --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scheme:
    name: str
    counts: tuple[str, ...]
    has_grade: bool
    run: Callable[[Any, SchemesFile, str | None], Score]


def _run_zhenru(raw: Any, weights: SchemesFile, variant: str | None) -> Score:
    chosen = weights.zhenru if variant is None else weights.zhenru.with_variant(variant)
    return zhenru(raw, chosen)


def _no_variant(name: str, variant: str | None) -> None:
    if variant is not None:
        raise ValueError(f"评分方案 {name} 没有可选的扣分值（--variant 只用于 zhenru）")


def _run_jiangning(raw: Any, weights: SchemesFile, variant: str | None) -> Score:
    _no_variant("jiangning", variant)
    return jiangning(raw, weights.jiangning)


def _run_dongcheng(raw: Any, weights: SchemesFile, variant: str | None) -> Score:
    _no_variant("dongcheng", variant)
    return dongcheng(raw, weights.dongcheng)


SCHEMES: Mapping[str, Scheme] = {
    "jiangning": Scheme("jiangning", JIANGNING_COUNTS, False, _run_jiangning),
    "zhenru": Scheme("zhenru", ZHENRU_COUNTS, False, _run_zhenru),
    "dongcheng": Scheme("dongcheng", DONGCHENG_COUNTS, True, _run_dongcheng),
}
SCHEME_NAMES: tuple[str, ...] = tuple(SCHEMES)


def score(
    scheme: str, raw_counts: Any, weights: SchemesFile, *, variant: str | None = None
) -> Score:
    """The score of ``scheme`` for ``raw_counts``. ValueError for an unknown scheme or variant,
    CountError (a ValueError) naming the count for bad counts."""
    if scheme not in SCHEMES:
        raise ValueError(f"未知的评分方案 {scheme!r}（可选：{'、'.join(SCHEME_NAMES)}）")
    return SCHEMES[scheme].run(raw_counts, weights, variant)


# -- seed 000 grid-order rates ----------------------------------------------------------------


def grid_order_rates(raw_counts: Any) -> tuple[Part, ...]:
    """江宁路 二(一)1 网格工单, over the orders closed in the period: 及时办结率 (closed within
    24 h), 按时办结率 (within the longest term of the order's type), 一次性办结率 (verified at the
    first check) and 逾期率 (closed after the term). Each is no data when nothing was closed."""
    counts = validate_counts(GRID_ORDER_COUNTS, raw_counts)
    for name in GRID_ORDER_COUNTS[1:]:
        _at_most(counts, [name], "closed")
    reason = "无数据：办结工单数（closed）为 0"

    def rate(name: str, numerator: str) -> Part:
        value = _ratio(counts[numerator], counts["closed"])
        return Part(name, value, None if value is not None else reason)

    return (
        rate("timely_rate", "closed_within_24h"),
        rate("on_time_rate", "closed_on_time"),
        rate("first_pass_rate", "verified_first_check"),
        rate("overdue_rate", "closed_overdue"),
    )
