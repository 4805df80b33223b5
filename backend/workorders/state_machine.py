"""Which step may happen to an order in which status, by whom. Pure.

reported → dispatched → accepted → in_progress → submitted → verified → (called back) closed
→ archived; side paths: returned (to the command center), rejected (不予受理), merged,
stored (存电). Steps that record something without moving the order (evidence, extension
requests, supervision) are listed with no target status.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from backend.workorders.models import Status


class Step(StrEnum):
    dispatch = "dispatch"
    accept = "accept"
    first_contact = "first_contact"
    check_in = "check_in"
    evidence = "evidence"
    request_return = "request_return"
    decide_return = "decide_return"
    request_extension = "request_extension"
    decide_extension = "decide_extension"
    submit_closure = "submit_closure"
    assist_report = "assist_report"
    verify = "verify"
    callback = "callback"
    supervise = "supervise"
    reply_supervision = "reply_supervision"
    store = "store"
    reject = "reject"
    merge = "merge"
    archive = "archive"


class Relation(StrEnum):
    """How the acting handler's department stands to the order."""

    lead = "lead"
    assist = "assist"
    none = "none"


@dataclass(frozen=True)
class Actor:
    role: str
    relation: Relation = Relation.none


@dataclass(frozen=True)
class Rule:
    from_statuses: frozenset[Status]
    roles: frozenset[str]
    # For handlers: which relations to the order may act. Other roles act street-wide.
    relations: frozenset[Relation] = frozenset({Relation.lead})
    label: str = ""


class IllegalTransition(Exception):
    def __init__(self, message: str, code: str = "illegal_transition") -> None:
        self.message, self.code = message, code
        super().__init__(message)


S = Status
WORKING = frozenset({S.accepted, S.in_progress})
OPEN = frozenset(
    {S.reported, S.dispatched, S.accepted, S.in_progress, S.submitted, S.verified, S.returned}
)
COMMAND = frozenset({"dispatcher", "leader", "admin"})
HANDLER = frozenset({"handler"})
BOTH = frozenset({Relation.lead, Relation.assist})

RULES: dict[Step, Rule] = {
    Step.dispatch: Rule(frozenset({S.reported, S.returned}), COMMAND, label="派单"),
    Step.accept: Rule(frozenset({S.dispatched}), HANDLER, label="接单"),
    # Zhenru's first contact has two levels: the command center's, then the department's.
    Step.first_contact: Rule(
        frozenset({S.dispatched, S.accepted, S.in_progress}),
        HANDLER | {"dispatcher"},
        label="先行联系",
    ),
    Step.check_in: Rule(WORKING, HANDLER, BOTH, label="到场"),
    Step.evidence: Rule(
        WORKING | {S.submitted}, HANDLER | {"inspector", "dispatcher"}, BOTH, label="上传证据"
    ),
    Step.request_return: Rule(frozenset({S.dispatched, S.accepted}), HANDLER, label="退单"),
    Step.decide_return: Rule(frozenset({S.returned}), COMMAND, label="退单审核"),
    Step.request_extension: Rule(WORKING, HANDLER, label="申请延期"),
    Step.decide_extension: Rule(WORKING, COMMAND, label="延期审批"),
    Step.submit_closure: Rule(frozenset({S.in_progress}), HANDLER, label="提交结案"),
    Step.assist_report: Rule(
        WORKING | {S.submitted}, HANDLER, frozenset({Relation.assist}), label="协办反馈"
    ),
    Step.verify: Rule(
        frozenset({S.submitted}), frozenset({"dispatcher", "inspector"}), label="核查"
    ),
    Step.callback: Rule(frozenset({S.verified}), frozenset({"dispatcher"}), label="回访"),
    Step.supervise: Rule(OPEN - {S.reported}, frozenset({"dispatcher", "leader"}), label="督办"),
    Step.reply_supervision: Rule(OPEN - {S.reported}, HANDLER, BOTH, label="督办回复"),
    Step.store: Rule(OPEN - {S.reported, S.returned}, frozenset({"leader"}), label="存电"),
    Step.reject: Rule(frozenset({S.reported, S.returned}), COMMAND, label="不予受理"),
    Step.merge: Rule(frozenset({S.reported, S.returned}), COMMAND, label="合并"),
    Step.archive: Rule(
        frozenset({S.closed, S.rejected, S.stored, S.merged}),
        frozenset({"dispatcher", "admin"}),
        label="归档",
    ),
}

STATUS_LABELS = {
    S.reported: "待派单",
    S.dispatched: "已派单",
    S.accepted: "已接单",
    S.in_progress: "处置中",
    S.submitted: "待核查",
    S.verified: "待回访",
    S.called_back: "已回访",
    S.closed: "已结案",
    S.archived: "已归档",
    S.returned: "退单待审",
    S.rejected: "不予受理",
    S.merged: "已合并",
    S.stored: "已存电",
}


def check(step: Step, status: str, actor: Actor) -> None:
    """Raises IllegalTransition (409) or a permission error code when the step may not happen."""
    rule = RULES[step]
    if actor.role not in rule.roles:
        raise IllegalTransition(f"当前角色不能执行「{rule.label}」", code="role_forbidden")
    if actor.role == "handler" and actor.relation not in rule.relations:
        raise IllegalTransition(
            f"只有主办（或协办）部门能执行「{rule.label}」", code="not_your_order"
        )
    if Status(status) not in rule.from_statuses:
        label = STATUS_LABELS.get(Status(status), status)
        raise IllegalTransition(f"工单当前为「{label}」，不能执行「{rule.label}」")


# Where an outcome decides the next status.
AFTER = {
    (Step.accept, None): S.accepted,
    (Step.first_contact, "reached"): S.in_progress,
    (Step.check_in, None): S.in_progress,
    (Step.request_return, None): S.returned,
    (Step.submit_closure, None): S.submitted,
    (Step.verify, "pass"): S.verified,
    (Step.verify, "fail"): S.in_progress,
    (Step.callback, "satisfied"): S.closed,
    (Step.callback, "unsatisfied"): S.in_progress,
    (Step.store, None): S.stored,
    (Step.reject, None): S.rejected,
    (Step.merge, None): S.merged,
    (Step.archive, None): S.archived,
    (Step.dispatch, None): S.dispatched,
    (Step.decide_return, "approved"): S.dispatched,
}


def next_status(step: Step, status: str, outcome: str | None = None) -> str:
    """The status after the step (unchanged for steps that only record something)."""
    target = AFTER.get((step, outcome))
    return target.value if target else status
