"""A month of orders (November 2026) written straight into the database as timeline facts,
with the orders each count must find. The orders are made to sit on every edge the count
definitions have (backend/scoring/metrics.py): the period's first and last minute in Shanghai,
a merged order, a 存电 order, a first contact with no clock, a clock running past its due time,
a re-submitted closure whose latest report decides, a warning that is not a 督办件, a return
approved and one refused, a department with no order at all.

Orders (lead 第一片区 = A unless said; H = 12345 hotline, P = a grid member's patrol find):

    H1  dispatched 11-02, closed 11-03 08:00 (23 h after arrival): resolved, 满意; every clock
        on time; a city 督办 replied in time; the department reached the caller.
    H2  dispatched 11-05, closed 11-12: explained, 不满意; first contact breached, resolve met
        late; one failed check; two closures, the first 不属实, the latest 属实; a 预警 notice.
    H3  dispatched 11-10, in progress: no caller (no first-contact clock); resolve due 11-20
        and never met; a street 督办 never replied (due 11-22); a return refused; an extension.
    H4  dispatched 11-15, 存电 (stored, satisfaction exempt, 满意 not counted): 参考备案; resolve
        met in time; two repeat reports merged into it.
    H7  dispatched 11-30 23:30 Shanghai (the period's last half hour): dispatched only; first
        contact due 12-01 10:00 and not made (now is 12-02); resolve still running.
    H9  dispatched 11-08, closed 11-09: explained, 一般; the latest closure says 无政策依据.
    P1  patrol, created 11-03 08:00, closed 11-03 18:00: resolved, 基本满意; the latest
        closure is 部分解决 (an interim result).
    M   hotline, merged: never counted by the schemes, but it arrived in the period.
    H5  dispatched 10-31 23:00 Shanghai (October), closed 11-02: only the grid rates see it.
    H8  dispatched 12-01 00:10 Shanghai (December): nowhere.
    H6  lead 第二片区 (B), accepted: A returned it on 11-04, the return was approved.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from backend.db import session_scope
from backend.org.models import Department, Grid, GridLevel
from backend.sla.models import Clock
from backend.workorders.models import (
    Extension,
    ReturnRequest,
    Supervision,
    WorkOrder,
    WorkOrderEvent,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
FROM, TO = "2026-11-01", "2026-11-30"
NOW = datetime(2026, 12, 2, 9, 0, tzinfo=SHANGHAI)


def t(month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI)


class Month:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.ids: dict[str, int] = {}
        with Session(engine) as session:
            by_name = {d.name: d.id for d in session.exec(select(Department))}
            grids = session.exec(
                select(Grid).where(Grid.level == GridLevel.grid).order_by(Grid.id)
            ).all()
        self.a, self.b, self.c = by_name["第一片区"], by_name["第二片区"], by_name["示范物业公司"]
        self.grid, self.other_grid = grids[0].id, grids[1].id
        self._users()

    def _users(self) -> None:
        from backend.auth.models import User

        with Session(self.engine) as session:
            self.user = session.exec(select(User).order_by(User.id)).first().id  # type: ignore[union-attr]

    # -- writing facts -------------------------------------------------------------------------

    def order(
        self,
        name: str,
        *,
        created: datetime,
        dispatched: datetime | None,
        status: str,
        source: str = "hotline",
        lead: int | None = None,
        grid: int | None = None,
        clocks: tuple[tuple[str, datetime, datetime | None, bool], ...] = (),
        closures: tuple[dict[str, str], ...] = (),
        **fields: Any,
    ) -> None:
        """``clocks``: (name, due, met_at, breached). ``closures``: the closure reports'
        payloads, in order; the latest one's findings go on the order, as the closure step
        keeps them."""
        latest = closures[-1] if closures else {}
        with session_scope(self.engine) as session:
            order = WorkOrder(
                closure_fact_finding=latest.get("fact_finding"),
                closure_claim_finding=latest.get("claim_finding"),
                closure_result=latest.get("result"),
                number=f"WG202611-{name}",
                source=source,
                level="general",
                status=status,
                profile="zhenru",
                description=f"测试工单 {name}",
                created_at=created,
                dispatched_at=dispatched,
                lead_department_id=self.a if lead is None else lead,
                grid_id=self.grid if grid is None else grid,
                **fields,
            )
            session.add(order)
            session.flush()
            assert order.id is not None
            self.ids[name] = order.id
            for clock, due, met, breached in clocks:
                session.add(
                    Clock(
                        work_order_id=order.id,
                        name=clock,
                        started_at=dispatched or created,
                        amount=1,
                        unit="working_days",
                        due_at=due,
                        met_at=met,
                        breached_at=due if breached else None,
                    )
                )
            for seq, payload in enumerate(closures, start=1):
                session.add(
                    WorkOrderEvent(
                        work_order_id=order.id,
                        seq=seq,
                        kind="closure_submitted",
                        at=created + timedelta(hours=seq),
                        payload=payload,
                        prev_hash="0" * 64,
                        hash=f"{seq:064d}",
                    )
                )

    def add(self, row: Any) -> None:
        with session_scope(self.engine) as session:
            session.add(row)

    def supervision(
        self, name: str, *, level: str, kind: str, issued: datetime, due: datetime,
        replied: datetime | None,
    ) -> None:  # fmt: skip
        self.add(
            Supervision(
                work_order_id=self.ids[name],
                kind=kind,
                level=level,
                notice="请尽快办理",
                issued_at=issued,
                reply_due_at=due,
                reply="已办理" if replied else None,
                replied_at=replied,
            )
        )

    def return_request(self, name: str, *, by: int, status: str, at: datetime) -> None:
        self.add(
            ReturnRequest(
                work_order_id=self.ids[name],
                department_id=by,
                requested_by=self.user,
                reason="不属于本部门职责",
                prior_status="dispatched",
                status=status,
                created_at=at,
            )
        )

    def numbers(self, *names: str) -> set[str]:
        return {f"WG202611-{n}" for n in names}


def closure(**fields: str) -> dict[str, str]:
    return {"fact_finding": "true", "claim_finding": "lawful", "result": "resolved", **fields}


def seed_month(engine: Engine) -> Month:
    month = Month(engine)
    o = month.order
    o(
        "H1", created=t(11, 2), dispatched=t(11, 2, 9, 10), status="closed",
        closed_at=t(11, 3, 8), resolution="resolved", satisfaction="satisfied",
        contacted_levels="department",
        clocks=(("first_contact", t(11, 3), t(11, 2, 10), False),
                ("resolve", t(11, 9), t(11, 2, 20), False)),
        closures=(closure(),),
    )  # fmt: skip
    o(
        "H2", created=t(11, 5), dispatched=t(11, 5, 9, 20), status="closed",
        closed_at=t(11, 12), resolution="explained", satisfaction="unsatisfied",
        contacted_levels="command_center", failed_checks=1,
        clocks=(("first_contact", t(11, 6), None, True),
                ("resolve", t(11, 10), t(11, 11), True)),
        closures=(closure(fact_finding="untrue"), closure(result="explained")),
    )  # fmt: skip
    o(
        "H3", created=t(11, 10), dispatched=t(11, 10, 9, 30), status="in_progress",
        clocks=(("resolve", t(11, 20), None, False),),
    )  # fmt: skip
    o(
        "H4", created=t(11, 15), dispatched=t(11, 15, 9, 40), status="stored",
        satisfaction_exempt=True, satisfaction="satisfied", resolution="filed_for_reference",
        repeat_count=2, clocks=(("resolve", t(11, 25), t(11, 20), False),),
    )  # fmt: skip
    o(
        "H7", created=t(11, 30, 23), dispatched=t(11, 30, 23, 30), status="dispatched",
        clocks=(("first_contact", t(12, 1, 10), None, False),
                ("resolve", t(12, 10), None, False)),
    )  # fmt: skip
    o(
        "H9", created=t(11, 8), dispatched=t(11, 8, 9, 50), status="closed",
        closed_at=t(11, 9, 12), resolution="explained", satisfaction="neutral",
        contacted_levels="command_center,department",
        clocks=(("first_contact", t(11, 9), t(11, 8, 11), False),
                ("resolve", t(11, 15), t(11, 9), False)),
        closures=(closure(result="explained", claim_finding="no_policy_basis"),),
    )  # fmt: skip
    o(
        "P1", created=t(11, 3, 8), dispatched=t(11, 3, 8, 1), status="closed", source="patrol",
        closed_at=t(11, 3, 18), resolution="resolved", satisfaction="basically_satisfied",
        clocks=(("resolve", t(11, 5), t(11, 3, 17), False),),
        closures=(closure(), closure(result="partly_resolved")),
    )  # fmt: skip
    o("M", created=t(11, 6), dispatched=t(11, 6, 9, 2), status="merged")
    o(
        "H5", created=t(10, 31, 22), dispatched=t(10, 31, 23), status="closed",
        closed_at=t(11, 2), resolution="resolved", satisfaction="neutral",
        clocks=(("resolve", t(11, 6), t(11, 1), False),),
    )  # fmt: skip
    o("H8", created=t(12, 1, 0, 5), dispatched=t(12, 1, 0, 10), status="dispatched")
    o(
        "H6", created=t(11, 4), dispatched=t(11, 4, 15), status="accepted", lead=month.b,
        grid=month.other_grid,
    )  # fmt: skip
    month.supervision(
        "H1", level="city", kind="in_progress", issued=t(11, 2, 12), due=t(11, 9),
        replied=t(11, 3),
    )  # fmt: skip
    month.supervision(
        "H2", level="street", kind="warning", issued=t(11, 6), due=t(11, 7), replied=t(11, 6, 15)
    )
    month.supervision(
        "H3", level="street", kind="overdue", issued=t(11, 21), due=t(11, 22), replied=None
    )
    month.return_request("H3", by=month.a, status="refused", at=t(11, 11))
    month.return_request("H6", by=month.a, status="approved", at=t(11, 4, 10))
    month.add(
        Extension(
            work_order_id=month.ids["H3"],
            requested_by=month.user,
            reason="需协调物业",
            plan="两周内完成",
            old_due_at=t(11, 20),
            proposed_due_at=t(11, 30),
            created_at=t(11, 12),
        )
    )
    return month


# The orders behind each count of department A in November (names as above); counts of
# times give (count, orders).
EXPECTED: dict[str, dict[str, Any]] = {
    "jiangning": {
        "dispatched": {"H1", "H2", "H3", "H4", "H7", "H9"},
        "first_contacted": {"H1", "H3", "H4", "H9"},  # H3, H4: nobody to contact
        "on_time": {"H1", "H4", "H9"},
        "resolved": {"H1"},
        "explained": {"H2", "H9"},
        "filed_for_reference": {"H4"},
        "bonus": set(),
        "penalty": set(),
    },
    "zhenru": {
        "accepted": {"H1", "H2", "H3", "H4", "H9"},  # H7 still waits to be accepted
        "accepted_all_departments": {"H1", "H2", "H3", "H4", "H9", "H6"},
        "resolved": {"H1"},
        "explained_accepted": {"H9"},
        "explained_not_accepted": {"H2"},
        "unresolved": {"H4"},
        "satisfied": {"H1"},  # H4 is 存电
        "basic_satisfied": set(),  # P1 is a patrol find, not a 12345 order
        "neutral": {"H9"},
        "unsatisfied": {"H2"},
        "missed_first_contact": {"H2", "H7"},
        "late": {"H2", "H3"},
        "supervision_street": {"H3"},  # H2's is a 预警, not a 督办件
        "supervision_district": set(),
        "supervision_city": {"H1"},
        "untrue": {"H9"},  # H2's latest closure is 属实
        "total_orders": {"H1", "H2", "H3", "H4", "H7", "H9"},
        "copied_reports": set(),
        "unjustified_returns": {"H3"},
    },
    "dongcheng": {
        "received": {"H1", "H2", "H3", "H4", "H7", "H9", "P1"},
        "unjustified_returns": {"H3"},
        "rated": {"H1", "H2", "H3", "H4", "H9", "P1"},
        "interim_done": {"P1"},
        "done": {"H1", "H9"},
        "rework": {"H2"},
        "forced_closed": {"H3"},
        "repeat_reports": (2, {"H4"}),
        "supervision_unreplied": {"H3"},
        "visited": {"H1", "H2", "H9", "P1"},
        "feedback_confirmed": {"H1", "H9"},
        "satisfied": {"H1", "P1"},
    },
}
# The grid of A's orders, closed in November.
EXPECTED_GRID = {
    "closed": {"H1", "H2", "H9", "P1", "H5"},
    "closed_within_24h": {"H1", "P1"},
    "closed_on_time": {"H1", "H9", "P1", "H5"},
    "verified_first_check": {"H1", "H9", "P1", "H5"},
    "closed_overdue": {"H2"},
}
