"""Who must sign a closure that comes back (seed 003 三(三)2–3). Pure.

- 2(3): the command center sent back an 不属实 closure and the department insists on 不属实:
  its leader confirms a second time — a new signed photo, not the first one again.
- 3(1)/(3): a closure after an unsatisfied callback (回退件) or after a failed check (处置不力)
  carries the signature of the person responsible (责任人); the leader's signature covers it.
"""

from __future__ import annotations

from dataclasses import dataclass

from backend.workorders.violations import RuleViolation

UNTRUE = "untrue"


@dataclass(frozen=True)
class EarlierClosure:
    fact_finding: str | None
    leader_signoff_photo_id: int | None


def check_resubmission(
    *,
    fact_finding: str,
    leader_signoff_photo_id: int | None,
    responsible_signoff_photo_id: int | None,
    earlier: EarlierClosure | None,
    sent_back: bool,
) -> None:
    if earlier is None or not sent_back:
        return
    insisted_untrue = fact_finding == UNTRUE and earlier.fact_finding == UNTRUE
    if insisted_untrue and (
        leader_signoff_photo_id is None
        or leader_signoff_photo_id == earlier.leader_signoff_photo_id
    ):
        raise RuleViolation(
            "second_confirmation_required",
            "城运中心退回后仍坚持不属实结案的，须由处置部门分管领导第二次签字确认（上传新的签字照片）",
            "leader_signoff_photo_id",
        )
    if leader_signoff_photo_id is None and responsible_signoff_photo_id is None:
        raise RuleViolation(
            "responsible_signoff_required",
            "退回重办的工单再次结案，须由处置部门责任人签字确认（上传签字照片）",
            "responsible_signoff_photo_id",
        )


RECORDING_LABELS = {"first_contact": "先行联系录音", "reply": "答复录音"}


def check_attached_recordings(
    required: tuple[str, ...],
    attached_kinds: set[str],
    *,
    has_caller: bool,
    first_contact_without_call: bool,
) -> None:
    """Seed 003's 七要素 end with 先行联系和回复录音: the closure report attaches them (an SMS
    or a visit leaves no first-contact call to attach)."""
    if not has_caller:
        return
    for kind in required:
        if kind == "first_contact" and first_contact_without_call:
            continue
        if kind not in attached_kinds:
            raise RuleViolation(
                "recording_required",
                f"结案报告须附{RECORDING_LABELS[kind]}（七要素：先行联系和回复录音）",
                "recording_ids",
            )
