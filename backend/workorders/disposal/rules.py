"""Disposal rules (pure): 存电 (stored calls)."""

from __future__ import annotations

from dataclasses import dataclass

from backend.sla.profiles import StoreRule
from backend.workorders.closure_rules import ClosureRules, load_closure_rules
from backend.workorders.facts import OrderFacts
from backend.workorders.violations import RuleViolation


@dataclass(frozen=True)
class StoreRequest:
    """存电备案单 (seed 003 三(四)): category, the caller's count on this matter, the five
    elements, and the double sign-off (双审签)."""

    category: str
    calls_same_matter: int
    main_claim: str
    handling: str
    conclusion: str
    reply_points: str
    evidence_count: int
    department_head_signoff: bool  # 处置部门主要负责同志
    hotline_head_signoff: bool  # 街道城运中心热线部门负责人


def store_evidence_count(facts: OrderFacts) -> int:
    """证据材料 (seed 003 三(四)2: 录音、照片、视频、法律法规等相关凭证): the order's own photos
    and recordings. Sign-off photos are the forms themselves, not evidence of the matter, and a
    reporter's photos are the complaint, not the department's proof."""
    photos = sum(1 for p in facts.photos if p.report_id is None and p.phase != "signoff")
    recordings = sum(1 for r in facts.recordings if r.report_id is None)
    return photos + recordings


def check_stored_link(target_status: str | None, target_id: int | None, order_id: int) -> None:
    """A later call links only to an order on file as stored (存电)."""
    if target_id == order_id:
        raise RuleViolation("link_to_self", "不能关联到自身", "stored_work_order_id")
    if target_status != "stored":
        raise RuleViolation("not_a_stored_order", "目标工单不存在或未存电", "stored_work_order_id")


def check_store_request(
    request: StoreRequest, *, rule: StoreRule, rules: ClosureRules | None = None
) -> None:
    rules = rules or load_closure_rules()
    if not rule.allowed:
        raise RuleViolation("store_not_allowed", "本街道未实行存电机制", "store")
    if request.category not in rules.stored_call_categories:
        allowed = "、".join(c.label for c in rules.stored_call_categories.values())
        raise RuleViolation("invalid_store_category", f"存电事项须属于：{allowed}", "category")
    if rule.min_calls is not None and request.calls_same_matter < rule.min_calls:
        raise RuleViolation(
            "not_repeat_caller",
            f"同人同事来电{rule.min_calls}次以上方可报备存电（现{request.calls_same_matter}次）",
            "calls_same_matter",
        )
    texts = {
        "main_claim": request.main_claim,
        "handling": request.handling,
        "conclusion": request.conclusion,
        "reply_points": request.reply_points,
    }
    for field, label in rules.stored_call_elements.items():
        empty = request.evidence_count <= 0 if field == "evidence" else not texts[field].strip()
        if empty:
            raise RuleViolation("missing_element", f"存电备案单缺少“{label}”", field)
    if not request.department_head_signoff:
        raise RuleViolation(
            "department_signoff_required", "存电须由处置部门主要负责同志审签", "signoff"
        )
    if not request.hotline_head_signoff:
        raise RuleViolation(
            "hotline_signoff_required", "存电须由街道城运中心热线部门负责人审签", "signoff"
        )
