"""Which inbox items a step settles. Pure.

An inbox item that asks for an action names it by the step's code (``Step``, as in
``next_steps``: "dispatch", "accept", "verification", …). When that step is taken on the
order, by whoever takes it, every open item on the order asking for it is resolved — in one
statement, whatever the number of items — so a dispatched order no longer shows "待派单" to
the other dispatchers either. An order that has ended asks nothing more of anyone.
"""

from __future__ import annotations

from backend.workorders.machine import Step, Transition
from backend.workorders.states import FINISHED

# Every action an item may ask for.
EVERY = frozenset(Step)
# Statuses after which nobody has anything left to do on the order.
ENDED = FINISHED
# The handling department's work on an order, done once its closure report is in, and moot
# for a department whose return was approved (the next department is told afresh).
DEPARTMENT_WORK = frozenset(
    {Step.accept, Step.first_contact, Step.check_in, Step.request_extension, Step.submit_closure}
)

_SETTLES: dict[Step, frozenset[Step]] = {
    Step.dispatch: frozenset({Step.dispatch}),
    # Merged or rejected instead of dispatched: the queue's item is answered all the same.
    Step.merge: frozenset({Step.dispatch}),
    Step.reject: frozenset({Step.dispatch}),
    # A department answers a new order by accepting it or by returning it.
    Step.accept: frozenset({Step.accept}),
    Step.request_return: frozenset({Step.accept}),
    Step.check_in: frozenset({Step.check_in}),
    Step.decide_return: frozenset({Step.decide_return}),
    # The request carries the work plan a difficult case owes (seed 000).
    Step.request_extension: frozenset({Step.request_extension}),
    Step.decide_extension: frozenset({Step.decide_extension}),
    Step.submit_closure: DEPARTMENT_WORK,
    Step.verify: frozenset({Step.verify}),
    Step.callback: frozenset({Step.callback}),
}

# A clock's reminder or breach asks for the step that meets the clock.
CLOCK_ACTIONS: dict[str, Step] = {
    "dispatch": Step.dispatch,
    "accept": Step.accept,
    "check_in": Step.check_in,
    "first_contact": Step.first_contact,
    "handle": Step.submit_closure,
    "resolve": Step.submit_closure,
    "redo": Step.submit_closure,
    "supervision_reply": Step.reply_supervision,
    "work_plan": Step.request_extension,
}


def settled_by(change: Transition, *, unreplied_supervisions: int) -> frozenset[Step]:
    """The actions ``change`` takes on its order. ``unreplied_supervisions``: how many
    supervision notices were waiting for a reply before the step."""
    if change.after in ENDED:
        return EVERY
    settled = set(_SETTLES.get(change.step, ()))
    # Only the department's own reached call is its first contact; a failed attempt is not.
    if change.step is Step.first_contact and change.outcome == "department.reached":
        settled.add(Step.first_contact)
    # Items about supervision stay open while any notice on the order still waits for one.
    if change.step is Step.reply_supervision and unreplied_supervisions <= 1:
        settled.add(Step.reply_supervision)
    if change.step is Step.decide_return and change.outcome == "approved":
        settled |= DEPARTMENT_WORK
    return frozenset(settled)
