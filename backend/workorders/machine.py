"""The one authority on an order's status: which step may happen now, by whom, and what
status it leads to. Pure.

reported → dispatched → accepted → in_progress → submitted → verified → closed → archived;
side paths: returned (to the command center), rejected (不予受理), merged, stored (存电).
A stored order is not archived: it stays on file so later calls on the same matter can be
linked to it (seed 003 三(四): 市民再次来电工单仍转送 … 但不纳入满意度测评).
Steps that record something without moving the order (evidence, extensions, supervision)
keep the status.

``transition`` answers the new status and the events to record, or raises RuleViolation
naming what is missing; ``next_steps`` asks the same rules for every step, so a step offered
to a user is a step ``transition`` accepts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from backend.auth.roles import Role
from backend.sla.profiles import Rules
from backend.workorders.facts import OrderFacts
from backend.workorders.handling.rules import CONTACT_LEVELS
from backend.workorders.states import OPEN, STATUS_LABELS, WORKING, Status
from backend.workorders.violations import RuleViolation


class Step(StrEnum):
    """Each value is the step's path segment: POST /api/v1/workorders/{id}/<value>."""

    dispatch = "dispatch"
    merge = "merge"
    reject = "reject"
    accept = "accept"
    first_contact = "first-contact"
    check_in = "check-in"
    evidence = "evidence"
    request_return = "returns"
    decide_return = "return-decision"
    request_extension = "extensions"
    decide_extension = "extension-decision"
    submit_closure = "closure"
    assist_report = "assist-report"
    verify = "verification"
    callback = "callback"
    supervise = "supervisions"
    reply_supervision = "supervision-reply"
    store = "store"
    link_stored = "stored-link"
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


S = Status
COMMAND = frozenset({Role.dispatcher, Role.leader, Role.admin})
HANDLER = frozenset({Role.handler})
LEAD = frozenset({Relation.lead})
BOTH = frozenset({Relation.lead, Relation.assist})
# An outcome's target; SAME keeps the status, PRIOR goes back to where the order was before
# the pending return.
SAME = "same"
PRIOR = "prior"
Needs = Callable[[OrderFacts, Rules, str | None], list[tuple[str, str, str | None]]]
# When the order's pending request is a leader's to decide: the refusal's message, else None.
LeaderOnly = Callable[[OrderFacts], str | None]


@dataclass(frozen=True)
class Rule:
    label: str
    from_statuses: frozenset[Status]
    roles: frozenset[str]
    # outcome -> target status (a Status, SAME or PRIOR); None is the outcome of a plain step
    outcomes: dict[str | None, str]
    # For handlers: which relations to the order may act. Other roles act street-wide.
    relations: frozenset[Relation] = LEAD
    # Preconditions from what the order already has: (code, message, field) for each missing.
    needs: Needs | None = None
    # Steps that decide a pending request which needs a leader are a leader's alone.
    leader_only: LeaderOnly | None = None


@dataclass(frozen=True)
class Transition:
    step: Step
    outcome: str | None
    before: Status
    after: Status

    @property
    def moves(self) -> bool:
        return self.before is not self.after


@dataclass(frozen=True)
class NextStep:
    step: Step
    label: str
    ready: bool
    needs: tuple[str, ...]  # what is still missing, in Chinese (empty when ready)


# -- preconditions -------------------------------------------------------------------------


def _first_contact_needs(facts: OrderFacts, rules: Rules, outcome: str | None) -> list:
    level = (outcome or "department.reached").split(".", 1)[0]
    levels = rules.first_contact.levels
    missing = []
    if level not in levels:
        names = "、".join(CONTACT_LEVELS.get(lv, lv) for lv in levels)
        return [("invalid_first_contact_level", f"本街道先行联系由{names}进行", "level")]
    remaining = [lv for lv in levels if lv not in facts.contacted_levels]
    if not remaining:
        missing.append(("first_contact_done", "先行联系已完成", "level"))
    elif level in facts.contacted_levels:
        missing.append(("first_contact_done", "本级先行联系已完成", "level"))
    else:
        earlier = [lv for lv in levels[: levels.index(level)] if lv not in facts.contacted_levels]
        if earlier:
            missing.append(("first_contact_order", "须先由指挥中心（城运中心）先行联系", "level"))
    if level == "department" and facts.status is S.dispatched:
        missing.append(("accept_first", "请先接单", "level"))
    return missing


def _first_contact_complete(facts: OrderFacts, rules: Rules) -> bool:
    return not facts.has_caller or set(rules.first_contact.levels) <= facts.contacted_levels


def _return_needs(facts: OrderFacts, rules: Rules, outcome: str | None) -> list:
    if facts.pending_return is not None:
        return [("return_pending", "该工单已有待审核的退单申请", "returns")]
    contacted = "department" in facts.contacted_levels
    if rules.return_window.first_contact_before and facts.has_caller and not contacted:
        return [("first_contact_before_return", "需先行联系来电人并上传录音后方可退单", "level")]
    return []


def _return_decision_needs(facts: OrderFacts, rules: Rules, outcome: str | None) -> list:
    if facts.pending_return is None:
        return [("no_pending_return", "没有待审核的退单申请", "return_id")]
    return []


def _extension_needs(facts: OrderFacts, rules: Rules, outcome: str | None) -> list:
    if not facts.extendable:
        return [("extension_not_allowed", "该类工单不可延期", "extension")]
    missing = []
    if facts.clock("resolve") is None:
        missing.append(("no_resolve_clock", "该工单没有办结时限，无需延期", "extension"))
    if facts.pending_extension is not None:
        missing.append(("extension_pending", "已有延期申请待审批", "extension"))
    return missing


def _extension_decision_needs(facts: OrderFacts, rules: Rules, outcome: str | None) -> list:
    if facts.pending_extension is None:
        return [("no_pending_extension", "没有待审批的延期申请", "extension_id")]
    return []


RECORDING_NEEDS = {"first_contact": "先行联系录音", "reply": "答复录音"}


def _closure_needs(facts: OrderFacts, rules: Rules, outcome: str | None) -> list:
    if not _first_contact_complete(facts, rules) and facts.first_contact_at is None:
        return [("first_contact_required", "需先完成先行联系", "first_contact_at")]
    if not facts.has_caller:
        return []
    kinds = {r.kind for r in facts.recordings if r.report_id is None}
    # A caller reached by SMS or in person (seed 003) leaves a screenshot or a visit, no call.
    if any(a.reached and a.method != "call" for a in facts.contact_attempts):
        kinds.add("first_contact")
    return [
        ("recording_required", f"需上传{RECORDING_NEEDS[kind]}", "recording_ids")
        for kind in rules.closure.required_recordings
        if kind not in kinds
    ]


def _return_leader(facts: OrderFacts) -> str | None:
    pending = facts.pending_return
    return "该退单须由分管领导审批" if pending is not None and pending.needs_leader else None


def _extension_leader(facts: OrderFacts) -> str | None:
    pending = facts.pending_extension
    return "该延期须由分管领导审批" if pending is not None and pending.needs_leader else None


def _reply_needs(facts: OrderFacts, rules: Rules, outcome: str | None) -> list:
    if not facts.unreplied_supervisions:
        return [("no_open_supervision", "没有待回复的督办单", "supervision_id")]
    return []


def _store_needs(facts: OrderFacts, rules: Rules, outcome: str | None) -> list:
    if not rules.store.allowed:
        return [("store_not_allowed", "本街道未实行存电机制", "store")]
    return []


def _link_stored_needs(facts: OrderFacts, rules: Rules, outcome: str | None) -> list:
    if not rules.store.allowed:
        return [("store_not_allowed", "本街道未实行存电机制", "store")]
    if facts.stored_matter_id is not None:
        return [("already_linked_stored", "该工单已关联存电事项", "stored_work_order_id")]
    return []


RULES: dict[Step, Rule] = {
    # The system dispatches clear reports at intake (dispatch_mode auto).
    # A returned order dispatched, merged or rejected settles its pending return with it: a
    # return that needs a leader is then the leader's step (as its decision would be).
    Step.dispatch: Rule(
        "派单",
        frozenset({S.reported, S.returned}),
        COMMAND | {"system"},
        {None: S.dispatched},
        leader_only=_return_leader,
    ),
    Step.merge: Rule(
        "合并",
        frozenset({S.reported, S.returned}),
        COMMAND,
        {None: S.merged},
        leader_only=_return_leader,
    ),
    Step.reject: Rule(
        "不予受理",
        frozenset({S.reported, S.returned}),
        COMMAND,
        {None: S.rejected},
        leader_only=_return_leader,
    ),
    Step.accept: Rule("接单", frozenset({S.dispatched}), HANDLER, {None: S.accepted}),
    # Zhenru's first contact has two levels: the command center's, then the department's.
    Step.first_contact: Rule(
        "先行联系",
        frozenset({S.dispatched, S.accepted, S.in_progress}),
        HANDLER | {"dispatcher"},
        {
            "department.reached": S.in_progress,
            "command_center.reached": SAME,
            "department.failed": SAME,
            "command_center.failed": SAME,
        },
        needs=_first_contact_needs,
    ),
    Step.check_in: Rule("到场", WORKING, HANDLER, {None: S.in_progress}, BOTH),
    # Verified orders take the callback's recording (回访录音) before the callback itself.
    Step.evidence: Rule(
        "上传证据",
        WORKING | {S.submitted, S.verified},
        HANDLER | {"inspector", "dispatcher"},
        {None: SAME},
        BOTH,
    ),
    # A return may follow the department's first contact (then the order is in progress).
    Step.request_return: Rule(
        "退单",
        frozenset({S.dispatched, S.accepted, S.in_progress}),
        HANDLER,
        {None: S.returned},
        needs=_return_needs,
    ),
    Step.decide_return: Rule(
        "退单审核",
        frozenset({S.returned}),
        COMMAND,
        {"approved": S.dispatched, "refused": PRIOR},
        needs=_return_decision_needs,
        leader_only=_return_leader,
    ),
    Step.request_extension: Rule(
        "申请延期", WORKING, HANDLER, {None: SAME}, needs=_extension_needs
    ),
    Step.decide_extension: Rule(
        "延期审批",
        WORKING,
        COMMAND,
        {"approved": SAME, "refused": SAME},
        needs=_extension_decision_needs,
        leader_only=_extension_leader,
    ),
    Step.submit_closure: Rule(
        "提交结案", frozenset({S.in_progress}), HANDLER, {None: S.submitted}, needs=_closure_needs
    ),
    Step.assist_report: Rule(
        "协办反馈", WORKING | {S.submitted}, HANDLER, {None: SAME}, frozenset({Relation.assist})
    ),
    Step.verify: Rule(
        "核查",
        frozenset({S.submitted}),
        frozenset({"dispatcher", "inspector"}),
        {"pass": S.verified, "fail": S.in_progress},
    ),
    Step.callback: Rule(
        "回访",
        frozenset({S.verified}),
        frozenset({"dispatcher"}),
        {"satisfied": S.closed, "unsatisfied": S.in_progress},
    ),
    Step.supervise: Rule(
        "督办", OPEN - {S.reported}, frozenset({"dispatcher", "leader"}), {None: SAME}
    ),
    Step.reply_supervision: Rule(
        "督办回复", OPEN - {S.reported}, HANDLER, {None: SAME}, BOTH, needs=_reply_needs
    ),
    Step.store: Rule(
        "存电",
        OPEN - {S.reported, S.returned},
        frozenset({"leader"}),
        {None: S.stored},
        needs=_store_needs,
    ),
    # A later call on a stored matter: still handled (解释疏导), linked to the stored order.
    Step.link_stored: Rule("关联存电", OPEN, COMMAND, {None: SAME}, needs=_link_stored_needs),
    Step.archive: Rule(
        "归档",
        frozenset({S.closed, S.rejected, S.merged}),
        frozenset({"dispatcher", "admin"}),
        {None: S.archived},
    ),
}
# The outcome next_steps assumes when it asks about a step that has several.
DEFAULT_OUTCOME: dict[Step, str] = {
    Step.first_contact: "department.reached",
    Step.decide_return: "approved",
    Step.decide_extension: "approved",
    Step.verify: "pass",
    Step.callback: "satisfied",
}


def _permitted(rule: Rule, facts: OrderFacts, actor: Actor) -> RuleViolation | None:
    if actor.role not in rule.roles:
        return RuleViolation("role_forbidden", f"当前角色不能执行「{rule.label}」")
    if actor.role == Role.handler and actor.relation not in rule.relations:
        return RuleViolation("not_your_order", f"只有主办（或协办）部门能执行「{rule.label}」")
    if facts.status not in rule.from_statuses:
        return RuleViolation("illegal_transition", _wrong_status(rule, facts.status))
    if rule.leader_only is not None and actor.role != Role.leader:
        message = rule.leader_only(facts)
        if message is not None:
            return RuleViolation("leader_required", message)
    return None


def _wrong_status(rule: Rule, status: Status) -> str:
    """Names the statuses the step needs, not only the one the order is in."""
    label = STATUS_LABELS.get(status, status)
    wanted = "、".join(f"「{STATUS_LABELS[s]}」" for s in Status if s in rule.from_statuses)
    return f"工单当前为「{label}」，不能执行「{rule.label}」：须在{wanted}时进行"


def _target(rule: Rule, step: Step, outcome: str | None, facts: OrderFacts) -> Status:
    if outcome not in rule.outcomes:
        raise ValueError(f"step {step.value!r} has no outcome {outcome!r}")
    target = rule.outcomes[outcome]
    if target == SAME:
        return facts.status
    if target == PRIOR:
        pending = facts.pending_return
        return Status(pending.prior_status) if pending else facts.status
    return Status(target)


def transition(
    facts: OrderFacts,
    step: Step,
    actor: Actor,
    outcome: str | None,
    rules: Rules,
    now: datetime,
) -> Transition:
    """The status after ``step`` with ``outcome``, or RuleViolation: a role or relation that
    may not take it (``role_forbidden``, ``not_your_order``), a status it cannot happen in
    (``illegal_transition``), or the first precondition the order lacks. An outcome the step
    does not have is a programming error (ValueError)."""
    rule = RULES[step]
    target = _target(rule, step, outcome, facts)
    refused = _permitted(rule, facts, actor)
    if refused is not None:
        raise refused
    if rule.needs is not None:
        missing = rule.needs(facts, rules, outcome)
        if missing:
            code, message, field = missing[0]
            raise RuleViolation(code, message, field)
    return Transition(step=step, outcome=outcome, before=facts.status, after=target)


def next_steps(
    facts: OrderFacts, actor: Actor, rules: Rules, now: datetime
) -> tuple[NextStep, ...]:
    """Every step this actor may take on the order now, each with what it still needs."""
    offered = []
    for step, rule in RULES.items():
        if _permitted(rule, facts, actor) is not None:
            continue
        outcome = DEFAULT_OUTCOME.get(step)
        if step is Step.first_contact:
            outcome = _first_contact_outcome(facts, actor, rules)
            if outcome is None:
                continue
        missing = rule.needs(facts, rules, outcome) if rule.needs else []
        if any(code in _HIDE_WHEN_MISSING for code, _, _ in missing):
            continue
        offered.append(
            NextStep(step, rule.label, not missing, tuple(message for _, message, _ in missing))
        )
    return tuple(offered)


# Preconditions that make a step meaningless rather than merely not yet possible.
_HIDE_WHEN_MISSING = frozenset(
    {
        "first_contact_done",
        "no_pending_return",
        "no_pending_extension",
        "no_open_supervision",
        "store_not_allowed",
        "already_linked_stored",
        "no_resolve_clock",
        "extension_not_allowed",
        "invalid_first_contact_level",
    }
)


def _first_contact_outcome(facts: OrderFacts, actor: Actor, rules: Rules) -> str | None:
    """The level this actor would record now: the command center's own, a handler's the
    department's; None when that level is not the actor's to record or is done."""
    level = "command_center" if actor.role == Role.dispatcher else "department"
    if level not in rules.first_contact.levels or level in facts.contacted_levels:
        return None
    return f"{level}.reached"
