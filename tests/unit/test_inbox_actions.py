"""Which inbox items a step settles (backend.workorders.actions): every action an item may ask
for is settled by some step, an ended order asks nothing more, and a step that did not do the
thing asked (a failed call, one reply of several) settles nothing."""

from __future__ import annotations

import pytest

from backend.workorders.actions import CLOCK_ACTIONS, EVERY, settled_by
from backend.workorders.machine import PRIOR, RULES, SAME, Step, Transition
from backend.workorders.states import Status

# The actions the notices ask for besides the clocks' (backend.workorders.notices' callers).
ASKED = {
    Step.dispatch,
    Step.accept,
    Step.decide_return,
    Step.decide_extension,
    Step.submit_closure,
    Step.verify,
    Step.reply_supervision,
    *CLOCK_ACTIONS.values(),
}


def _changes(step: Step) -> list[Transition]:
    rule = RULES[step]
    before = sorted(rule.from_statuses)[0]
    return [
        Transition(
            step,
            outcome,
            before,
            before if target in (SAME, PRIOR) else Status(target),
        )
        for outcome, target in rule.outcomes.items()
    ]


@pytest.mark.parametrize("action", sorted(ASKED))
def test_every_action_asked_for_is_settled_by_taking_it(action: Step) -> None:
    assert any(
        action in settled_by(change, unreplied_supervisions=1) for change in _changes(action)
    )


@pytest.mark.parametrize("after", [Status.closed, Status.rejected, Status.merged, Status.stored])
def test_an_ended_order_asks_nothing_more(after: Status) -> None:
    change = Transition(Step.callback, "satisfied", Status.verified, after)
    assert settled_by(change, unreplied_supervisions=0) == EVERY


def test_a_step_that_did_not_do_what_was_asked_settles_nothing() -> None:
    failed = Transition(Step.first_contact, "department.failed", Status.accepted, Status.accepted)
    assert settled_by(failed, unreplied_supervisions=0) == frozenset()
    one_of_two = Transition(Step.reply_supervision, None, Status.in_progress, Status.in_progress)
    assert settled_by(one_of_two, unreplied_supervisions=2) == frozenset()
    evidence = Transition(Step.evidence, None, Status.accepted, Status.accepted)
    assert settled_by(evidence, unreplied_supervisions=0) == frozenset()
