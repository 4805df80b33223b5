"""The seeds' rules on real orders from the platform: each test names the seed passage."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

import pytest
from sqlmodel import Session, select

from backend.config import Settings
from backend.sla.profiles import level_rule, load_profile
from backend.worker import sweep
from backend.workorders.models import Supervision
from tests.conftest import SHANGHAI
from tests.hotline.rows import platform_row
from tests.workorders.conftest import closure_body, wav_bytes


def _profile(name: str):
    """A class's settings fixture: the class's tests run under this policy profile."""

    @pytest.fixture
    def settings(_test, database_url, tmp_path) -> Settings:
        return Settings(
            database_url=database_url,
            media_root=tmp_path / "media",
            policy_profile=name,
            inprocess_worker=False,
        )

    return settings


def _department_id(client, as_user, name: str) -> int:
    items = client.get("/api/v1/departments", headers=as_user("demo-admin")).json()["items"]
    return next(d["id"] for d in items if d["name"] == name)


class TestZhenru:
    settings = _profile("zhenru")

    def test_a_return_after_first_contact_is_accepted_seed_003(
        self, hotline_walker, client, as_user
    ) -> None:
        # Seed 003 三(三)3(1): 给予来电人先行联系后 … 上传先行联系录音 … 方可申请退单.
        w = hotline_walker()
        w.step("demo-handler", "accept")
        w.upload("demo-handler", "signoff")
        body = {
            "reason": "楼道隔断属社区管理办职责，已电话告知来电人",
            "suggested_department_id": _department_id(client, as_user, "社区管理办"),
            "signoff_photo_id": w.last_photo("signoff"),
        }
        early = w.step("demo-handler", "returns", expect=422, **body)
        assert early["error"]["code"] == "first_contact_before_return"
        w.call_caller("demo-dispatcher", "command_center")
        w.call_caller("demo-handler", "department")
        assert w.order["status"] == "in_progress"
        w.step("demo-handler", "returns", **body)
        assert w.order["status"] == "returned"

    def test_a_stored_matter_takes_later_calls_out_of_satisfaction_scoring_seed_003(
        self, hotline_walker, client, as_user
    ) -> None:
        # Seed 003 三(四): 同人同事5次以上来电，报备的存电事项，市民再次来电工单仍转送各承办单位或
        # 部门，仍应做好解释疏导工作，但不纳入满意度测评; 备案单 … "证据材料".
        stored = hotline_walker()
        stored.step("demo-handler", "accept")
        stored.upload("demo-handler", "signoff")
        dispatcher_id = client.get("/api/v1/me", headers=as_user("demo-dispatcher")).json()["id"]
        body = {
            "category": "handled_unsatisfied",
            "calls_same_matter": 5,
            "main_claim": "要求拆除邻居楼道隔断",
            "handling": "已多次现场核查并依法处置",
            "conclusion": "已依法处理完毕",
            "reply_points": "1. 隔断已依法处置；2. 其余诉求无政策依据",
            "department_signoff_photo_id": stored.last_photo("signoff"),
            "command_center_approver_id": dispatcher_id,
        }
        no_evidence = stored.step("demo-leader", "store", expect=422, **body)
        assert no_evidence["error"]["code"] == "missing_element"
        stored.upload("demo-handler", "document", photo=None, recording=wav_bytes(0.3))
        stored.step("demo-leader", "store", **body)
        assert stored.order["status"] == "stored" and stored.order["satisfaction_exempt"]

        # The caller calls again: a new platform order, still dispatched to the department.
        later = hotline_walker()
        assert not later.order["satisfaction_exempt"]
        wrong = later.step(
            "demo-dispatcher", "stored-link", expect=422, stored_work_order_id=later.id
        )
        assert wrong["error"]["code"] == "link_to_self"
        later.step("demo-dispatcher", "stored-link", stored_work_order_id=stored.id)
        assert later.order["status"] == "dispatched"  # answered by the department, not merged
        assert later.order["stored_matter_id"] == stored.id and later.order["satisfaction_exempt"]
        assert "stored-link" not in [s["step"] for s in later.order["next_steps"]]
        assert "accept" in [s["step"] for s in later.get("demo-handler")["next_steps"]]
        stored.get("demo-dispatcher")
        assert stored.order["repeat_count"] == 1 and "stored_call_linked" in stored.kinds()
        reply_points = next(e for e in stored.order["events"] if e["kind"] == "stored")
        assert reply_points["payload"]["reply_points"].startswith("1.")

    def test_the_command_center_first_contact_has_its_own_clock_seed_003(
        self, hotline_walker, clock
    ) -> None:
        # Seed 003 三(二)1(1) 一级: "应在受理后由街道城运中心在1个工作日内先行联系市民";
        # (2) 二级: "由处置部门于1个工作日内对市民再次进行先行联系".
        w = hotline_walker(received_at="2026-11-23T08:30:00+08:00")  # Monday
        center, department = w.clock("first_contact_center"), w.clock("first_contact")
        assert center is not None and department is not None
        assert center["due_at"].startswith("2026-11-24")  # 1 working day from arrival
        w.step("demo-handler", "accept")
        w.call_caller("demo-dispatcher", "command_center")
        assert w.clock("first_contact_center")["met_at"] is not None
        assert w.clock("first_contact")["met_at"] is None  # the department's call is still due
        w.call_caller("demo-handler", "department")
        assert w.clock("first_contact")["met_at"] is not None

    def test_a_snapshot_redo_ends_within_the_platform_five_days_seed_003(
        self, hotline_walker
    ) -> None:
        # Seed 003 三(一)2 随申拍: "市平台给定的办理时限为5个自然日 … 且不可延期" — the redo
        # after an unsatisfied callback (回访复核 3个工作日) is cut to the platform's 5 days.
        w = hotline_walker(channel="snapshot", received_at="2026-11-20T08:30:00+08:00")  # Friday
        w.step("demo-handler", "accept")
        w.call_caller("demo-dispatcher", "command_center")
        w.call_caller("demo-handler", "department")
        w.upload("demo-handler", "before")
        w.upload("demo-handler", "after")
        w.upload("demo-handler", "document", photo=None, recording=wav_bytes(0.3), kind="reply")
        calls = {r["kind"]: r["id"] for r in w.order["evidence"]["recordings"]}
        body = closure_body(
            reply_points="11月23日先行联系，11月23日答复：已清理完毕",
            photo_ids=[w.last_photo("after")],
            recording_ids=[calls["first_contact"], calls["reply"]],
        )
        w.step("demo-handler", "closure", **body)
        w.step("demo-dispatcher", "verification", passed=True)
        w.step("demo-dispatcher", "callback", satisfaction="unsatisfied", resolution="unresolved")
        # 3 working days from Monday would be Thursday; the platform's 5th day is Wednesday.
        redo = datetime.fromisoformat(w.clock("redo")["due_at"])
        assert redo == datetime.fromisoformat("2026-11-25T08:30:00+08:00")

    def test_a_patrol_report_has_no_first_contact_clock_seed_003(self, walker) -> None:
        # Seed 003 三(二)1: 所有工单（匿名电话除外）… 先行联系市民 — a grid find has no caller.
        w = walker()
        assert w.clock("first_contact") is None and w.clock("resolve") is not None

    def test_a_closure_without_the_call_recordings_is_refused_naming_them_seed_003(
        self, hotline_walker
    ) -> None:
        # Seed 003 三(三)4 七要素: … 先行联系和回复录音及相关图文附件.
        w = hotline_walker()
        w.step("demo-handler", "accept")
        w.call_caller("demo-dispatcher", "command_center")
        w.call_caller("demo-handler", "department")
        w.upload("demo-handler", "before")
        w.upload("demo-handler", "after")
        refused = w.step("demo-handler", "closure", expect=422, **closure_body())
        assert refused["error"]["code"] == "recording_required"
        assert "答复录音" in refused["error"]["message"]
        w.upload("demo-handler", "document", photo=None, recording=wav_bytes(0.3), kind="reply")
        calls = {r["kind"]: r["id"] for r in w.order["evidence"]["recordings"]}
        unattached = w.step(
            "demo-handler",
            "closure",
            expect=422,
            **closure_body(photo_ids=[w.last_photo("after")], recording_ids=[calls["reply"]]),
        )
        assert unattached["error"]["code"] == "recording_required"
        assert "先行联系录音" in unattached["error"]["message"]
        attached = [calls["first_contact"], calls["reply"]]
        no_points = w.step(
            "demo-handler",
            "closure",
            expect=422,
            **closure_body(photo_ids=[w.last_photo("after")], recording_ids=attached),
        )
        assert no_points["error"]["field"] == "reply_points"
        w.step(
            "demo-handler",
            "closure",
            **closure_body(
                reply_points="11月23日先行联系，11月24日答复：已清理完毕",
                photo_ids=[w.last_photo("after")],
                recording_ids=attached,
            ),
        )
        assert w.order["status"] == "submitted"

    def test_an_extension_past_the_cap_names_the_latest_date_seed_003(self, hotline_walker) -> None:
        # Seed 003 三(三)2: 最长可延期至第12个工作日 — a later date is refused, never cut.
        w = hotline_walker()
        w.step("demo-handler", "accept")
        w.upload("demo-handler", "before")
        resolve = w.clock("resolve")
        asked = datetime.fromisoformat(resolve["due_at"]) + timedelta(days=40)
        refused = w.step(
            "demo-handler",
            "extensions",
            expect=422,
            reason="需协调多个部门",
            plan="分三步处置",
            milestones=[{"date": asked.date().isoformat(), "text": "完成"}],
            photo_ids=[w.last_photo("before")],
            requested_due_at=asked.isoformat(),
        )
        assert refused["error"]["code"] == "extension_beyond_cap"
        assert refused["error"]["field"] == "requested_due_at"
        assert "最迟可延期至 2026-12-" in refused["error"]["message"]
        asked = datetime.fromisoformat(resolve["due_at"]) + timedelta(days=1)
        late_milestone = w.step(
            "demo-handler",
            "extensions",
            expect=422,
            reason="需协调多个部门",
            plan="分三步处置",
            milestones=[{"date": (asked + timedelta(days=3)).date().isoformat(), "text": "完成"}],
            photo_ids=[w.last_photo("before")],
            requested_due_at=asked.isoformat(),
        )
        assert late_milestone["error"]["field"] == "milestones"

    @pytest.mark.parametrize(("phone", "allowed"), [("021-52851234", True), ("13812345678", False)])
    def test_a_landline_caller_may_be_visited_after_the_failed_calls_seed_003(
        self, hotline_walker, clock, phone, allowed
    ) -> None:
        # Seed 003 附件6: 若为固定电话，市民有详细联系地址的应上门面访 … 并留好现场工作照片.
        w = hotline_walker(caller_phone=phone, address="铜川路9号3室")
        w.step("demo-handler", "accept")
        w.call_caller("demo-dispatcher", "command_center")
        for _ in range(3):
            w.step("demo-handler", "first-contact", level="department", outcome="failed")
            clock.advance(timedelta(minutes=40))
        w.upload("demo-handler", "scene")
        answer = w.step(
            "demo-handler",
            "first-contact",
            expect=200 if allowed else 422,
            level="department",
            outcome="reached",
            method="visit",
            visit_photo_id=w.last_photo("scene"),
        )
        if allowed:
            assert answer["status"] == "in_progress" and answer["first_contact_at"] is not None
        else:
            assert answer["error"]["code"] == "visit_not_applicable"


class TestJiangning:
    settings = _profile("jiangning")

    def test_a_re_dispatch_keeps_the_street_resolve_clock_seed_000(
        self, hotline_walker, client, as_user, clock
    ) -> None:
        # Seed 000: 自系统派发至街道网格中心之日起 — the street's clock does not restart.
        w = hotline_walker(received_at="2026-11-23T08:00:00+08:00")
        resolve_due = w.clock("resolve")["due_at"]
        clock.advance(timedelta(hours=2))
        w.step("demo-handler", "accept")
        w.upload("demo-handler", "signoff")
        w.step(
            "demo-handler",
            "returns",
            reason="楼道隔断属社区管理办职责",
            suggested_department_id=_department_id(client, as_user, "社区管理办"),
            signoff_photo_id=w.last_photo("signoff"),
        )
        clock.advance(timedelta(hours=1))
        w.step("demo-dispatcher", f"returns/{w.order['returns'][-1]['id']}/decision", approve=True)
        w.get("demo-dispatcher")
        assert w.order["status"] == "dispatched"
        assert w.clock("resolve")["due_at"] == resolve_due
        accept = w.clock("accept")
        if accept is not None:  # the new department's own clock, from the re-dispatch
            assert accept["met_at"] is None

    def test_only_a_difficult_grid_case_is_extended_seed_000(self, walker) -> None:
        # Seed 000 一(一)1(3) 疑难案件 "工单经延期后要求3日内处置完成"; 一(二)3
        # "若案件确系疑难问题，承办部门或单位应主动、及时地申请延期" — a 一般 grid case is not.
        w = walker()
        assert w.order["level"] == "general"
        w.step("demo-handler", "accept")
        w.upload("demo-handler", "before")
        refused = w.step(
            "demo-handler",
            "extensions",
            expect=422,
            reason="需协调多个部门",
            plan="分三步处置",
            milestones=[{"date": w.clock("resolve")["due_at"][:10], "text": "完成"}],
            photo_ids=[w.last_photo("before")],
        )
        assert refused["error"]["code"] == "extension_not_allowed"
        profile = load_profile("jiangning")
        assert level_rule(profile, "patrol", "difficult").extension.allowed
        assert not level_rule(profile, "patrol", "simple").extension.allowed


class TestXiayang:
    settings = _profile("xiayang")

    @pytest.mark.parametrize(
        ("received_at", "handle_due"),
        [
            ("2026-11-23T08:30:00+08:00", "2026-11-25"),  # Monday: 2 working days
            # Friday evening: 2 working days would end Wednesday, past the 3 natural days.
            ("2026-11-20T17:00:00+08:00", "2026-11-23"),
        ],
    )
    def test_a_snapshot_order_gives_the_department_two_working_days_inside_three_seed_002(
        self, hotline_walker, received_at, handle_due
    ) -> None:
        # Seed 002 三1: "随身拍工单为3个自然日。特殊工单会要求四级承办部门在2个工作日之内对工单进行
        # 处置完成并提交".
        w = hotline_walker(channel="snapshot", received_at=received_at)
        resolve, handle = w.clock("resolve"), w.clock("handle")
        assert handle["due_at"].startswith(handle_due) and handle["due_at"] <= resolve["due_at"]

    def test_a_hotline_order_has_no_department_handle_clock_seed_002(self, hotline_walker) -> None:
        # Seed 002 二1: 常规工单 "5个工作日内进行工单处置并提交" — the resolve clock only.
        assert hotline_walker().clock("handle") is None


class TestOverdueSupervision:
    settings = _profile("zhenru")

    def test_a_breached_hotline_resolve_clock_is_supervised_once_seed_000(
        self, hotline_walker, clock, db, database_url, settings, client, as_user
    ) -> None:
        # Seed 000: 工单超过办理时限 … 逾期督办; raised by the system, once, by any worker.
        w = hotline_walker()
        w.step("demo-handler", "accept")
        due = datetime.fromisoformat(w.clock("resolve")["due_at"])
        later = due + timedelta(minutes=1)
        results = []

        def one_worker() -> None:
            results.append(sweep(db, later, settings=settings))

        workers = [threading.Thread(target=one_worker) for _ in range(2)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(60)
        sweep(db, later + timedelta(minutes=5), settings=settings)
        with Session(db) as session:
            notices = session.exec(
                select(Supervision).where(Supervision.work_order_id == w.id)
            ).all()
        assert [(n.kind, n.issued_by) for n in notices] == [("overdue", None)]
        order = w.get("demo-dispatcher")
        assert [e["kind"] for e in order["events"]].count("supervision_issued") == 1
        reply = w.clock("supervision_reply")
        assert reply is not None and reply["met_at"] is None
        w.step(
            "demo-handler",
            f"supervisions/{notices[0].id}/reply",
            reply="已协调物业清理，预计明日办结",
        )
        assert w.clock("supervision_reply")["met_at"] is not None


class TestEscalations:
    settings = _profile("zhenru")

    def test_ten_similar_complaints_send_one_warning_to_answer_in_3_working_days_seed_003(
        self, send, db
    ) -> None:
        # Seed 003 三(五): 但凡收到集中性投诉满10件及以上的 … 发送预警信息推送单 … 3个工作日内反馈.
        ids = [
            send(platform_row(address="铜川路100弄5号", caller_phone=f"1381234{i:04d}")).json()[
                "results"
            ][0]["work_order_id"]
            for i in range(11)
        ]
        with Session(db) as session:
            warnings = session.exec(select(Supervision).where(Supervision.kind == "warning")).all()
        assert [w.work_order_id for w in warnings] == [ids[9]]
        # Issued Monday 09:00: three working days later, Thursday.
        assert warnings[0].reply_due_at.astimezone(SHANGHAI).date().isoformat() == "2026-11-26"
        assert "10件" in warnings[0].notice

    def test_a_matter_re_assigned_three_times_reaches_the_leader_seed_003(
        self, send, client, as_user
    ) -> None:
        # Seed 003 附件6: 重新交办3次及以上 … 上报处置部门分管领导.
        for _ in range(4):
            row = platform_row(address="铜川路200号", repeat_flag=True)
            assert send(row).status_code == 201
        inbox = client.get("/api/v1/inbox", headers=as_user("demo-leader")).json()["items"]
        escalated = [n for n in inbox if n["kind"] == "reassignment_escalated"]
        assert len(escalated) == 1 and "重新交办3次" in escalated[0]["title"]


class TestDifficultWorkPlan:
    settings = _profile("jiangning")

    def test_a_difficult_hotline_case_must_have_its_plan_within_15_days_seed_000(
        self, hotline_walker
    ) -> None:
        # Seed 000 一(二)2: 疑难案件必须在15日内确定工作方案.
        w = hotline_walker(level="difficult")
        plan = w.clock("work_plan")
        assert plan is not None and plan["met_at"] is None
        general = hotline_walker(level="general", lat=31.236, lng=121.409, address="铜川路9号")
        assert general.clock("work_plan") is None


class TestHeyang:
    settings = _profile("heyang")

    def test_a_result_reply_needs_the_signed_stamp_and_a_callback_its_record_seed_001(
        self, walker
    ) -> None:
        # Seed 001 四(二)6 结果回复: 分管领导签字并加盖单位公章; 四(二)7: 回访 … 影像记录或录音.
        w = walker()
        w.step("demo-handler", "accept")
        w.step("demo-handler", "check-in", lat=31.24452, lng=121.40302)
        w.upload("demo-handler", "before")
        w.upload("demo-handler", "after")
        photos = [w.last_photo("before"), w.last_photo("after")]
        unsigned = w.step("demo-handler", "closure", expect=422, **closure_body(photo_ids=photos))
        assert unsigned["error"]["field"] == "leader_signoff_photo_id"
        w.upload("demo-handler", "signoff")
        signed = closure_body(photo_ids=photos, leader_signoff_photo_id=w.last_photo("signoff"))
        w.step("demo-handler", "closure", **signed)
        w.step("demo-dispatcher", "verification", passed=True)
        unrecorded = w.step(
            "demo-dispatcher",
            "callback",
            expect=422,
            satisfaction="satisfied",
            resolution="resolved",
        )
        assert unrecorded["error"]["code"] == "callback_record_required"
        w.upload(
            "demo-dispatcher", "document", photo=None, recording=wav_bytes(0.3), kind="callback"
        )
        w.step(
            "demo-dispatcher",
            "callback",
            satisfaction="satisfied",
            resolution="resolved",
            recording_id=w.last_recording(),
        )
        assert w.order["status"] == "closed"


class TestDongcheng:
    settings = _profile("dongcheng")

    def test_a_second_return_carries_the_leaders_signed_statement_seed_004(
        self, walker, client, as_user
    ) -> None:
        # Seed 004 第九条: 首次回退 … 注明回退的法律依据;
        # 再次回退，须上传有承办部门主管领导签署意见的说明.
        w = walker()
        w.step("demo-handler", "accept")
        body = {
            "reason": "楼道隔断属社区管理办职责，依据《物业管理条例》",
            "suggested_department_id": _department_id(client, as_user, "社区管理办"),
        }
        w.step("demo-handler", "returns", **body)
        w.step(
            "demo-dispatcher",
            f"returns/{w.order['returns'][-1]['id']}/decision",
            approve=False,
            note="属片区职责，请继续办理",
        )
        unsigned = w.step("demo-handler", "returns", expect=422, **body)
        assert unsigned["error"]["code"] == "signoff_photo_required"
        assert "主管领导签署意见" in unsigned["error"]["message"]
        w.upload("demo-handler", "signoff")
        w.step("demo-handler", "returns", signoff_photo_id=w.last_photo("signoff"), **body)
        assert w.order["status"] == "returned"


PROFILES = ["jiangning", "heyang", "xiayang", "zhenru", "dongcheng"]


@pytest.mark.parametrize("profile", PROFILES)
def test_a_hotline_order_gets_its_profiles_hotline_clocks(
    profile, database_url, tmp_path, db, clock
) -> None:
    # Each seed's hotline terms, from the order's arrival at the street (seed 000's rule).
    from fastapi.testclient import TestClient

    from backend.catalog.service import load_catalog
    from backend.db import session_scope
    from backend.main import create_app
    from backend.org.demo import create_demo_street
    from backend.sla import calendar_data, deadlines
    from backend.sla import profiles as profile_rules
    from tests.conftest import DEMO_PASSWORD

    settings = Settings(
        database_url=database_url,
        media_root=tmp_path / "media",
        policy_profile=profile,
        inprocess_worker=False,
    )
    with session_scope(db) as session:
        load_catalog(session, clock.now())
        create_demo_street(session, settings, clock.now())
    with TestClient(create_app(settings, clock), raise_server_exceptions=False) as client:
        token = client.post(
            "/api/v1/auth/login", data={"username": "demo-dispatcher", "password": DEMO_PASSWORD}
        ).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        received = "2026-11-23T08:30:00+08:00"
        answer = client.post(
            "/api/v1/hotline/orders", json=platform_row(received_at=received), headers=headers
        )
        assert answer.status_code == 201, answer.text
        order = client.get(
            f"/api/v1/workorders/{answer.json()['results'][0]['work_order_id']}",
            headers=headers,
        ).json()
    loaded = profile_rules.load_profile(profile)
    expected = profile_rules.clocks(loaded, "hotline", order["level"])
    clocks = {c["name"]: c for c in order["clocks"]}
    assert order["source"] == "hotline" and order["status"] == "dispatched"
    assert set(clocks) == set(expected), (profile, order["level"])
    resolve_due = deadlines.add_duration(
        datetime.fromisoformat(received),
        expected["resolve"],
        calendar_data.default_calendar(),
        SHANGHAI,
    ).due_at
    assert datetime.fromisoformat(clocks["resolve"]["due_at"]) == resolve_due


class TestXiayangInterviews:
    settings = _profile("xiayang")

    def test_three_late_acceptances_in_two_months_call_the_department_to_an_interview_seed_002(
        self, demo, db, settings, clock
    ) -> None:
        # Seed 002 五1: 同一部门未按时先行接单三次的由街道纪工委进行约谈 (每双月通报).
        from backend.db import row_id, session_scope
        from backend.notify.models import Notification
        from backend.org import repository as org_repo
        from backend.sla import service as sla
        from backend.sla.profiles import Duration, Unit
        from backend.workorders import repository as order_repo
        from backend.workorders.opening import NewOrder, open_order
        from backend.workorders.states import Source

        now = clock.now()
        with session_scope(db) as session:
            team = org_repo.department_by_name(session, "第一片区")
            assert team is not None
            for i in range(4):
                order = open_order(
                    session,
                    NewOrder(
                        source=Source.hotline,
                        level="general",
                        description=f"第{i + 1}件：楼道堆物",
                        address=f"铜川路{i + 1}号",
                        lat=None,
                        lng=None,
                        category_number=66,
                        grid_id=None,
                        suggestions=[],
                        confident=False,
                    ),
                    actor_id=None,
                    first_event={"source": "hotline"},
                    settings=settings,
                    now=now + timedelta(hours=i),
                )
                order_repo.update_order(
                    session, row_id(order), status="dispatched", lead_department_id=team.id
                )
                sla.start_clock(
                    session,
                    row_id(order),
                    "hotline",
                    "general",
                    "accept",
                    Duration(1, Unit.WORKING_DAYS),
                    settings,
                    now + timedelta(hours=i),
                )
        sweep(db, now + timedelta(days=1, hours=1, minutes=30), settings=settings)
        with Session(db) as session:
            notices = session.exec(
                select(Notification).where(Notification.kind == "interview_required")
            ).all()
        assert notices == []  # two late so far
        sweep(db, now + timedelta(days=1, hours=5), settings=settings)
        with Session(db) as session:
            notices = session.exec(
                select(Notification).where(Notification.kind == "interview_required")
            ).all()
        assert {n.dedupe_key.rsplit(":", 1)[0] for n in notices} == {f"interview:{team.id}"}
        assert len({n.user_id for n in notices}) == len(notices)  # each leader told once
        assert all("第3次" in n.title for n in notices)


class TestZhenruResubmission:
    settings = _profile("zhenru")

    def test_a_closure_sent_back_is_signed_again_seed_003(self, walker) -> None:
        # Seed 003 三(三)2(3): 仍坚持做不属实结案的，处置部门分管领导需2次确认;
        # 三(三)3(3): 处置不力 … 回退处置部门重新办结的 … 责任人签字确认.
        w = walker()
        w.step("demo-handler", "accept")
        w.step("demo-handler", "check-in", lat=31.24452, lng=121.40302)
        w.upload("demo-handler", "scene")
        w.upload("demo-handler", "signoff")
        first_signoff = w.last_photo("signoff")
        untrue = closure_body(
            fact_finding="untrue",
            result="explained",
            photo_ids=[w.last_photo("scene")],
            leader_signoff_photo_id=first_signoff,
        )
        w.step("demo-handler", "closure", **untrue)
        w.step(
            "demo-dispatcher", "verification", passed=False, reasons="现场确有堆物，不属实依据不足"
        )
        again = w.step("demo-handler", "closure", expect=422, **untrue)
        assert again["error"]["code"] == "second_confirmation_required"
        w.upload("demo-handler", "signoff")
        w.step(
            "demo-handler",
            "closure",
            **{**untrue, "leader_signoff_photo_id": w.last_photo("signoff")},
        )
        assert w.order["status"] == "submitted"
        # A different finding after the send-back needs the person responsible's signature.
        w.step("demo-dispatcher", "verification", passed=False, reasons="请按实际情况办理")
        w.upload("demo-handler", "before")
        w.upload("demo-handler", "after")
        fixed = closure_body(photo_ids=[w.last_photo("before"), w.last_photo("after")])
        unsigned = w.step("demo-handler", "closure", expect=422, **fixed)
        assert unsigned["error"]["code"] == "responsible_signoff_required"
        w.upload("demo-handler", "signoff")
        w.step(
            "demo-handler",
            "closure",
            **fixed,
            responsible_signoff_photo_id=w.last_photo("signoff"),
        )
        assert w.order["status"] == "submitted"
