"""The responsibility list data file (附件4 of seed 003) and its loader."""

from __future__ import annotations

from pathlib import Path

import pytest

from backend.catalog.responsibility_list import (
    AREA_TEAM,
    ROLES,
    ResponsibilityList,
    load_responsibility_list,
)


@pytest.fixture(scope="module")
def catalog() -> ResponsibilityList:
    return load_responsibility_list()


def test_file_loads_with_departments(catalog: ResponsibilityList) -> None:
    names = {d.name for d in catalog.departments}
    assert {"综合行政执法队", "城运中心", "社区平安办", "社区管理办", "社区自治办"} <= names
    assert AREA_TEAM not in names


def test_numbers_1_to_104_each_once(catalog: ResponsibilityList) -> None:
    assert sorted(item.number for item in catalog.items) == list(range(1, 105))


def test_group_rental_escalates_on_repeat(catalog: ResponsibilityList) -> None:
    item = next(i for i in catalog.items if i.number == 26)
    assert item.name == "群租"
    assert item.lead.kind == "repeat"
    assert (item.lead.first, item.lead.repeat) == ("片区", "社区平安办")


def test_illegal_construction_led_by_enforcement_team(catalog: ResponsibilityList) -> None:
    item = next(i for i in catalog.items if i.number == 34)
    assert item.name == "违法搭建"
    assert item.lead.kind == "department"
    assert item.lead.department == "综合行政执法队"


def test_six_must_solve_labels_each_on_one_row(catalog: ResponsibilityList) -> None:
    labels = {i.number: i.must_solve for i in catalog.items if i.must_solve}
    assert labels == {
        26: "群租",
        5: "垃圾堆放",
        17: "无证设摊",
        66: "楼道堆物",
        34: "新增违建",
        33: "飞线充电",
    }


def test_assist_roles_are_known(catalog: ResponsibilityList) -> None:
    roles = {a.role for item in catalog.items for a in item.assists}
    assert roles == set(ROLES)


def test_duty_phone_depends_on_time_of_day(catalog: ResponsibilityList) -> None:
    lead = next(i for i in catalog.items if i.number == 97).lead
    assert lead.kind == "time_of_day"
    assert (lead.department, lead.workday_daytime) == ("党政办", "城运中心")


def test_rows_without_a_lead_are_unassigned(catalog: ResponsibilityList) -> None:
    unassigned = [i.number for i in catalog.items if i.lead.kind == "unassigned"]
    assert unassigned == [85, 86, 87]


# (序号, 具体事项, 主办 cell, lead kind, lead department) as read in the seed.
SPOT_CHECKS = [
    (1, "绿地护栏、小区绿化、社区路边座椅", "片区", "area_team", None),
    (17, "占道无照经营", "片区", "area_team", None),
    (33, "飞线充电", "社区平安办", "department", "社区平安办"),
    (52, "文明施工措施不落实", "综合行政执法队", "department", "综合行政执法队"),
    (72, "林长制", "城运中心（绿容条线）", "department", "城运中心"),
    (79, "违规饲养动物", "社区自治办", "department", "社区自治办"),
    (104, "养老服务", "社区服务办", "department", "社区服务办"),
]


@pytest.mark.parametrize(("number", "name", "text", "kind", "department"), SPOT_CHECKS)
def test_spot_check_against_seed(
    catalog: ResponsibilityList,
    number: int,
    name: str,
    text: str,
    kind: str,
    department: str | None,
) -> None:
    item = next(i for i in catalog.items if i.number == number)
    assert (item.name, item.lead.text, item.lead.kind) == (name, text, kind)
    assert item.lead.department == department


def test_assist_qualifiers_parsed(catalog: ResponsibilityList) -> None:
    item = next(i for i in catalog.items if i.number == 77)
    assert [(a.role, a.department, a.qualifier) for a in item.assists] == [
        ("assist", "社区自治办", "社区"),
        ("assist", "社区管理办", "街面"),
        ("enforce", "综合行政执法队", None),
    ]


_BROKEN_HEADER = """\
departments:
  - {name: 社区管理办, kind: functional_office}
items:
  - number: 1
    name: 甲
    scope: ""
    lead: {text: 片区, kind: area_team}
    assists: []
    must_solve: null
"""


def _write(tmp_path: Path, second_item: str) -> Path:
    path = tmp_path / "broken.yaml"
    path.write_text(_BROKEN_HEADER + second_item, encoding="utf-8")
    return path


def test_duplicate_number_names_the_row(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        """\
  - number: 1
    name: 乙
    scope: ""
    lead: {text: 片区, kind: area_team}
    assists: []
    must_solve: null
""",
    )
    with pytest.raises(ValueError, match=r"item 1 \(乙\).*duplicate"):
        load_responsibility_list(path)


def test_unknown_department_names_the_row(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        """\
  - number: 2
    name: 乙
    scope: ""
    lead: {text: 片区, kind: area_team}
    assists:
      - {role: assist, department: 不存在办, qualifier: null}
    must_solve: null
""",
    )
    with pytest.raises(ValueError, match=r"item 2 \(乙\).*不存在办"):
        load_responsibility_list(path)


def test_unknown_lead_department_names_the_row(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        """\
  - number: 2
    name: 乙
    scope: ""
    lead: {text: 某办, kind: department, department: 某办}
    assists: []
    must_solve: null
""",
    )
    with pytest.raises(ValueError, match=r"item 2 \(乙\).*某办"):
        load_responsibility_list(path)
