"""Reports: made once per (kind, period) — on demand or by the worker's schedule — kept in
storage, listed and downloaded.

A report is assembled from its sources (backend.exports.sources) inside the session's read
snapshot, built into .xlsx bytes (backend.exports.workbook) before any write lock, then
stored and its row written in one short write.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import date, datetime

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from backend.auth.models import User
from backend.config import Settings
from backend.db import begin_write, row_id, session_scope
from backend.errors import Conflict, InvalidInput, NotFound
from backend.exports import repository as repo
from backend.exports import sources
from backend.exports.models import ReportExport
from backend.exports.periods import (
    KIND_LABELS,
    Kind,
    Period,
    last_finished,
    needs_generation,
    period_of,
    previous,
    year_before,
)
from backend.exports.schemas import ExportIn, ExportOut
from backend.exports.workbook import IndicatorRow, ReportData, build
from backend.pagination import Page, last_id, page_by_id
from backend.seams.storage import Storage, content_key

log = logging.getLogger("gridline.exports")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHUNK = 256 * 1024


def period_for(kind: Kind, day: date | None, settings: Settings, now: datetime) -> Period:
    """The period of ``kind`` that ``day`` falls in; without a day, the last finished one."""
    today = now.astimezone(settings.tz).date()
    if day is None:
        return last_finished(kind, today)
    period = period_of(kind, day)
    if period.first > today:
        raise InvalidInput("该期间尚未开始，无法生成报表", code="period_not_started", field="from")
    return period


def export_out(row: ReportExport) -> ExportOut:
    kind = Kind(row.kind)
    period = Period(kind, row.period_from, row.period_to)
    return ExportOut(
        id=row_id(row),
        kind=kind,
        kind_label=KIND_LABELS[kind],
        from_=row.period_from,
        to=row.period_to,
        status=row.status,
        created_at=row.created_at,
        generated_at=row.generated_at,
        requested_by=row.requested_by,
        size_bytes=row.size_bytes,
        file_name=period.file_name(),
        download=f"/api/v1/exports/{row_id(row)}/download",
    )


# -- assembling a report ----------------------------------------------------------------------


def report_data(session: Session, period: Period, settings: Settings, now: datetime) -> ReportData:
    departments = sources.departments(session, period, settings, now)
    members = sources.members(session, period, settings)
    notes = [
        "统计口径：本期受理（创建）的工单及其时限、退单、延期、督办；"
        "时间按上海时间（Asia/Shanghai）计。",
        "派单用时：从工单受理到派单，P95 为 95% 的工单不超过的用时。",
    ]
    indicators = None
    if period.kind is Kind.bimonthly:
        indicators = _indicator_rows(session, period, settings)
        notes.append(
            "双月通报（夏阳街道规定五）：未按时先行接单、未先行联系、逾期为本期到期且超时的时限；"
            "环比为上一双月，同比为去年同期。"
        )
    return ReportData(
        title=f"网格工单{KIND_LABELS[period.kind]}",
        period_label=period.label(),
        generated_at=now.astimezone(settings.tz),
        summary=sources.summary(session, period, settings, now),
        departments=departments,
        members=members,
        indicators=indicators,
        comparison_labels=(previous(period).label(), year_before(period).label()),
        notes=notes,
    )


def _indicator_rows(session: Session, period: Period, settings: Settings) -> list[IndicatorRow]:
    names = repo.department_names(session)
    now = sources.indicators(session, period, settings)
    before = sources.indicators(session, previous(period), settings)
    last_year = sources.indicators(session, year_before(period), settings)
    ids = sorted(set(now) | set(before) | set(last_year), key=lambda i: names.get(i, str(i)))
    # A department with nothing to count in a period counts 0; its rate and score: no data.
    empty = repo.no_indicators()
    return [
        IndicatorRow(
            names.get(i, str(i)),
            {**empty, **now.get(i, {})},
            {**empty, **before.get(i, {})},
            {**empty, **last_year.get(i, {})},
        )
        for i in ids
    ]


def ensure(
    session: Session,
    storage: Storage,
    period: Period,
    settings: Settings,
    now: datetime,
    *,
    requested_by: int | None,
    refresh: bool,
) -> tuple[ReportExport, bool]:
    """The report of ``period``: the one there is, or (none yet, or ``refresh``) made now.
    Answers (row, made)."""
    existing = repo.export_of(session, period.kind.value, period.first, period.last)
    if existing is not None and existing.status == "ready" and not refresh:
        return existing, False
    content = build(report_data(session, period, settings, now))
    key = content_key("exports", content, "xlsx")
    storage.put(key, content, XLSX)
    begin_write(session)
    row = repo.export_of(session, period.kind.value, period.first, period.last)
    if row is None:
        row = ReportExport(
            kind=period.kind.value,
            period_from=period.first,
            period_to=period.last,
            created_at=now,
            requested_by=requested_by,
        )
        try:
            with session.begin_nested():  # another process may make the same one now
                session.add(row)
                session.flush()
        except IntegrityError:
            row = repo.export_of(session, period.kind.value, period.first, period.last)
            if row is None:
                raise
    row.status, row.storage_key, row.size_bytes = "ready", key, len(content)
    row.generated_at, row.error = now, None
    if requested_by is not None:
        row.requested_by = requested_by
    session.add(row)
    session.flush()
    return row, True


# -- the API ------------------------------------------------------------------------------------


def request_export(
    session: Session,
    storage: Storage,
    user: User,
    body: ExportIn,
    settings: Settings,
    now: datetime,
) -> tuple[ExportOut, bool]:
    period = period_for(body.kind, body.from_, settings, now)
    row, made = ensure(
        session, storage, period, settings, now, requested_by=user.id, refresh=body.refresh
    )
    return export_out(row), made


def list_exports(
    session: Session, kind: Kind | None, cursor: str | None, limit: int
) -> Page[ExportOut]:
    rows = repo.exports_page(session, kind.value if kind else None, last_id(cursor), limit + 1)
    return page_by_id(rows, limit, [export_out(r) for r in rows[:limit]])


def download(
    session: Session, storage: Storage, export_id: int
) -> tuple[Iterator[bytes], int, str]:
    """The stored file in chunks, its size and its Chinese name."""
    row = repo.export_by_id(session, export_id)
    if row is None:
        raise NotFound("找不到该报表", code="export_not_found")
    if row.status != "ready" or row.storage_key is None:
        raise Conflict("报表尚未生成完成，请稍后再试", code="export_not_ready")
    key = row.storage_key
    size = storage.size(key)

    def chunks() -> Iterator[bytes]:
        for start in range(0, size, CHUNK):
            yield storage.read(key, start, min(size, start + CHUNK) - 1)

    return chunks(), size, export_out(row).file_name


# -- the worker's schedule ----------------------------------------------------------------------


def scheduled_periods(settings: Settings, now: datetime) -> list[Period]:
    """Yesterday's 日报, last week's 周报, last month's 月报, the last full 双月通报."""
    today = now.astimezone(settings.tz).date()
    return [last_finished(kind, today) for kind in Kind]


def generate_scheduled(
    engine: Engine, storage: Storage, settings: Settings, now: datetime
) -> list[Period]:
    """Makes each scheduled report that is missing (or was made before its period ended, or
    failed an hour ago), each in its own transaction; answers the periods made. Idempotent:
    a second run in the same period makes nothing."""
    due = scheduled_periods(settings, now)
    with session_scope(engine, write=False) as session:
        known = {
            (r.kind, r.period_from, r.period_to): r
            for r in repo.exports_of(session, [(p.kind.value, p.first, p.last) for p in due])
        }
    made: list[Period] = []
    for period in due:
        row = known.get((period.kind.value, period.first, period.last))
        end = sources.bounds(period, settings)[1]
        if not needs_generation(
            row.status if row else None, row.generated_at if row else None, end, now
        ):
            continue
        try:
            with session_scope(engine, write=False) as session:
                ensure(session, storage, period, settings, now, requested_by=None, refresh=True)
            made.append(period)
        except Exception:
            log.exception("report %s %s could not be made", period.kind, period.first)
            _record_failure(engine, period, now)
    return made


def _record_failure(engine: Engine, period: Period, now: datetime) -> None:
    with session_scope(engine) as session:
        row = repo.export_of(session, period.kind.value, period.first, period.last)
        if row is None:
            row = ReportExport(
                kind=period.kind.value,
                period_from=period.first,
                period_to=period.last,
                created_at=now,
            )
        if row.status != "ready":  # a ready report stays downloadable as it was
            row.status, row.generated_at = "failed", now
        row.error = "生成失败，将稍后重试"
        session.add(row)
