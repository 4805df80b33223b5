"""The code lists and the closure wording lint: what the app's forms need to offer the right
choices and to warn while a report is typed (GET /api/v1/codes, POST /api/v1/closure/lint)."""

from __future__ import annotations

from fastapi import APIRouter

from backend.deps import CurrentUser, SettingsDep
from backend.org.models import GridDuty
from backend.quotas.ledger import REASON_LABELS
from backend.scoring.schemes import LABELS as SCORE_PART_LABELS
from backend.sla.service import profile_for
from backend.workorders import closure_rules
from backend.workorders.closure.schemas import ClosureLintIn, ClosureLintOut, LintProblemOut
from backend.workorders.codes import code_lists
from backend.workorders.schemas import CodeOut

router = APIRouter(tags=["codes"])

GRID_DUTY_LABELS = {GridDuty.member.value: "网格员", GridDuty.chief.value: "网格长"}


@router.get("/codes", response_model=dict[str, list[CodeOut]])
def codes(_: CurrentUser, settings: SettingsDep) -> dict[str, list[CodeOut]]:
    """Every code list with its Chinese labels, e.g. ``{"reject_reasons": [{"code":
    "legal_procedure", "label": "已通过法定程序处理"}, …], …}``. Steps take the ``code``.
    The levels are the street's policy profile's and differ per source: ``levels.<source>``
    lists a source's (what dispatch offers), ``levels`` every level (to label an order's)."""
    lists = {
        **code_lists(profile_for(settings)),
        # The members' points: the ledger's reasons, and what a person does in a grid.
        "points_reasons": REASON_LABELS,
        "grid_duties": GRID_DUTY_LABELS,
        # The parts of the department scores, as the seeds name them (先行联系分, 推诿率 …).
        "score_parts": dict(SCORE_PART_LABELS),
    }
    return {
        name: [CodeOut(code=code, label=label) for code, label in labels.items()]
        for name, labels in lists.items()
    }


@router.post("/closure/lint", response_model=ClosureLintOut, tags=["workorder steps"])
def closure_lint(body: ClosureLintIn, _: CurrentUser) -> ClosureLintOut:
    """The forbidden and discouraged wording in a closure report being written, by the rules
    the closure step applies: a ``forbidden`` phrase makes the step refuse the report, a
    ``discouraged`` one is recorded as a warning the command center sees."""
    texts = {"process": body.process, "basis": body.basis, "reply": body.reply or ""}
    problems = closure_rules.lint_problems(texts, closure_rules.load_closure_rules())
    return ClosureLintOut(
        problems=[
            LintProblemOut(
                field=p.field, phrase=p.phrase, hint=p.hint, severity=p.severity, message=p.message
            )
            for p in problems
        ]
    )
