"""Corrections of a closed week's book (backend.quotas.ledger.corrections): pure."""

from __future__ import annotations

from backend.quotas.ledger import BookedLine, LedgerLine, base_key, corrections

BONUS = LedgerLine("bonus_day_off", 1, 12, "bonus_day_off:12", "10-11 非工作日上报")
MISSING_ONE = LedgerLine("missing_find", -1, None, "missing_find:-", "少报 1 个")
MISSING_TWO = LedgerLine("missing_find", -2, None, "missing_find:-", "少报 2 个")


def booked(*lines: LedgerLine) -> list[BookedLine]:
    return [BookedLine(x.line_key, x.reason, x.points) for x in lines]


def test_a_book_that_matches_gets_nothing() -> None:
    assert corrections(booked(BONUS, MISSING_ONE), [BONUS, MISSING_ONE]) == []
    assert corrections([], []) == []


def test_a_line_no_longer_due_is_reversed_and_a_new_one_added() -> None:
    # The find behind the bonus was rejected: its +1 reversed, one find missing now.
    fixes = corrections(booked(BONUS), [MISSING_ONE])
    assert [(f.reason, f.points, f.work_order_id, f.line_key) for f in fixes] == [
        ("bonus_day_off", -1, 12, "bonus_day_off:12~1"),
        ("missing_find", -1, None, "missing_find:-"),
    ]
    assert all(f.note.startswith("更正") for f in fixes)
    # Applied, the book matches: a second run writes nothing.
    assert corrections(booked(BONUS) + booked(*fixes), [MISSING_ONE]) == []


def test_a_changed_amount_books_the_difference_and_keys_stay_unique() -> None:
    first = corrections(booked(MISSING_ONE), [MISSING_TWO])
    assert [(f.points, f.line_key) for f in first] == [(-1, "missing_find:-~1")]
    # Back to one missing find (the rejection was undone): +1, under the next key.
    again = corrections(booked(MISSING_ONE, *first), [MISSING_ONE])
    assert [(f.points, f.line_key) for f in again] == [(1, "missing_find:-~2")]
    assert base_key("missing_find:-~2") == "missing_find:-"
