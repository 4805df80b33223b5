"""Ending an order without handling it: 存电 (stored), 不予受理 (rejected), merged into an
earlier order of the same problem, and archiving what is finished."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from backend.auth import repository as auth_repo
from backend.auth.models import Role, User
from backend.config import Settings
from backend.errors import Conflict, InvalidInput
from backend.sla import service as sla
from backend.workorders import closure_rules
from backend.workorders import repository as repo
from backend.workorders.disposal import rules
from backend.workorders.disposal.schemas import MergeIn, RejectIn, StoredLinkIn, StoreIn
from backend.workorders.machine import Step
from backend.workorders.notices import tell_reporters
from backend.workorders.pipeline import Apply, decide, enforce, gather
from backend.workorders.returns.settle import settle
from backend.workorders.states import MERGEABLE, Status
from backend.workorders.step_body import Versioned


def store(
    session: Session, user: User, order_id: int, body: StoreIn, settings: Settings, now: datetime
) -> None:
    """存电 (seed 003): kept on file and counted, but out of satisfaction scoring; double
    sign-off, and the 备案单's evidence is the order's own photos and recordings."""
    gathered = gather(session, user, order_id, settings)
    facts = gathered.facts
    change = decide(gathered, Step.store, now, version=body.version)
    signoff = facts.photo(body.department_signoff_photo_id)
    if signoff is None or signoff.phase != "signoff":
        raise InvalidInput(
            "请上传处置部门负责人签字的存电备案单",
            code="department_signoff_required",
            field="department_signoff_photo_id",
        )
    approver = auth_repo.user_by_id(session, body.command_center_approver_id)
    if approver is None or approver.role != Role.dispatcher:
        raise InvalidInput(
            "须由城运中心热线负责人审签",
            code="hotline_signoff_required",
            field="command_center_approver_id",
        )
    enforce(
        rules.check_store_request,
        rules.StoreRequest(
            category=body.category,
            calls_same_matter=body.calls_same_matter,
            main_claim=body.main_claim,
            handling=body.handling,
            conclusion=body.conclusion,
            reply_points=body.reply_points,
            evidence_count=rules.store_evidence_count(facts),
            department_head_signoff=signoff is not None,
            hotline_head_signoff=approver.role == Role.dispatcher,
        ),
        rule=gathered.rules.store,
    )
    apply = Apply.begin(session, gathered, body.version, change, now, satisfaction_exempt=True)
    # The 备案单 goes on the timeline: a later call is answered from its reply points.
    apply.event(
        "stored",
        category=body.category,
        reason=body.reason,
        calls_same_matter=body.calls_same_matter,
        main_claim=body.main_claim,
        conclusion=body.conclusion,
        reply_points=body.reply_points,
        evidence_count=rules.store_evidence_count(facts),
        department_signoff_photo_id=body.department_signoff_photo_id,
        command_center_approver_id=approver.id,
    )


def reject(
    session: Session, user: User, order_id: int, body: RejectIn, settings: Settings, now: datetime
) -> None:
    gathered = gather(session, user, order_id, settings)
    change = decide(gathered, Step.reject, now, version=body.version)
    reason = enforce(closure_rules.check_reject_reason, body.reason_code)
    apply = Apply.begin(session, gathered, body.version, change, now)
    sla.meet(session, order_id, "dispatch", now)
    settle(session, gathered, apply, user, now, note=f"不予受理：{reason.label}")
    apply.event("rejected", reason_code=body.reason_code, reason=reason.label, note=body.note)
    tell_reporters(
        session,
        gathered.facts,
        "report_rejected",
        f"您上报的问题不予受理：{gathered.facts.number}",
        f"理由：{reason.label}。{body.note or ''}",
        now,
    )


def merge(
    session: Session, user: User, order_id: int, body: MergeIn, settings: Settings, now: datetime
) -> None:
    """A duplicate joins an open order: both reporters stay credited, the target counts a
    repeat (seed 000: 重复举报)."""
    # Who may merge, and whether this order can be merged now, is answered before the target.
    gathered = gather(session, user, order_id, settings)
    change = decide(gathered, Step.merge, now, version=body.version)
    if body.into_work_order_id == order_id:
        raise InvalidInput("不能合并到自身", code="merge_into_self", field="into_work_order_id")
    target = repo.by_id(session, body.into_work_order_id)
    if target is None or Status(target.status) not in MERGEABLE:
        raise InvalidInput(
            "目标工单不存在或已办结", code="invalid_merge_target", field="into_work_order_id"
        )
    apply = Apply.begin(session, gathered, body.version, change, now, duplicate_of_id=target.id)
    sla.meet(session, order_id, "dispatch", now)
    settle(session, gathered, apply, user, now, note=f"已合并至工单 {target.number}")
    if not repo.take_version(
        session, body.into_work_order_id, target.version, repeat_count=target.repeat_count + 1
    ):
        raise Conflict(
            "目标工单已被他人修改，请重试", code="stale_version", field="into_work_order_id"
        )
    apply.event("merged", into=target.id)
    tell_reporters(
        session,
        gathered.facts,
        "report_merged",
        f"您上报的问题已并入工单 {target.number}",
        "该问题已有人上报并在处理中，您可在原工单查看进展。",
        now,
    )
    Apply.system(session, body.into_work_order_id, now).event(
        "duplicate_merged", by=user.id, **{"from": order_id}
    )


def link_stored(
    session: Session,
    user: User,
    order_id: int,
    body: StoredLinkIn,
    settings: Settings,
    now: datetime,
) -> None:
    """A later call on a stored matter (seed 003 三(四): 市民再次来电工单仍转送各承办单位或部门，
    仍应做好解释疏导工作，但不纳入满意度测评). The call is not merged away: the department still
    answers it, from the stored order's reply points. It is linked to the stored order, which
    counts one more call, and both stay out of satisfaction scoring."""
    gathered = gather(session, user, order_id, settings)
    change = decide(gathered, Step.link_stored, now, version=body.version)
    target = repo.by_id(session, body.stored_work_order_id)
    enforce(
        rules.check_stored_link,
        target.status if target else None,
        target.id if target else None,
        order_id,
    )
    assert target is not None and target.id is not None
    apply = Apply.begin(
        session,
        gathered,
        body.version,
        change,
        now,
        stored_matter_id=target.id,
        satisfaction_exempt=True,
    )
    if not repo.take_version(
        session, target.id, target.version, repeat_count=target.repeat_count + 1
    ):
        raise Conflict(
            "存电工单已被他人修改，请重试", code="stale_version", field="stored_work_order_id"
        )
    apply.event("linked_to_stored", stored_work_order_id=target.id, number=target.number)
    Apply.system(session, target.id, now).event(
        "stored_call_linked", by=user.id, **{"from": order_id}
    )


def archive(
    session: Session, user: User, order_id: int, body: Versioned, settings: Settings, now: datetime
) -> None:
    gathered = gather(session, user, order_id, settings)
    change = decide(gathered, Step.archive, now, version=body.version)
    Apply.begin(session, gathered, body.version, change, now).event("archived")
