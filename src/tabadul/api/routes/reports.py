"""``/api/v1/reports``: record, read, list, correct and withdraw reports."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query, status

from tabadul.api.deps import CurrentUser, NodeDep, Purpose
from tabadul.schemas.common import Page
from tabadul.schemas.reports import (
    ReportIn,
    ReportOut,
    ReportReceipt,
    ReportVersionIn,
    VersionSummary,
    WithdrawIn,
)
from tabadul.services import reports
from tabadul.storage.reports import ReportFilter

router = APIRouter(prefix="/api/v1/reports", tags=["reports"])


@router.post("", status_code=status.HTTP_201_CREATED)
def record_report(
    body: ReportIn, node: NodeDep, user: CurrentUser, purpose: Purpose
) -> ReportOut | ReportReceipt:
    """Record a report with its entities and mentions in one transaction."""
    return reports.record(node, user, body, purpose)


@router.get("")
def list_reports(
    node: NodeDep,
    user: CurrentUser,
    purpose: Purpose,
    topic: str | None = None,
    status: Annotated[str | None, Query(pattern="^(draft|released|withdrawn)$")] = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    classification: str | None = None,
    tlp: str | None = None,
    limit: Annotated[int, Query(ge=1, le=reports.MAX_PAGE)] = 50,
    cursor: str | None = None,
) -> Page[ReportOut]:
    """Reports, newest first; filter by topic, status and date of information."""
    filters = ReportFilter(
        topic=topic.strip().lower() if topic else None,
        status=status,
        date_from=date_from,
        date_to=date_to,
        classification=classification.strip().upper() if classification else None,
        tlp=tlp.strip().upper() if tlp else None,
    )
    return reports.list_reports(node, user, filters, limit, cursor, purpose)


@router.get("/{report_id}")
def get_report(
    report_id: str,
    node: NodeDep,
    user: CurrentUser,
    purpose: Purpose,
    version: Annotated[int | None, Query(ge=1)] = None,
) -> ReportOut:
    """A report as of its current version (or ``?version=N``)."""
    return reports.get(node, user, report_id, version, purpose)


@router.get("/{report_id}/versions")
def list_versions(
    report_id: str, node: NodeDep, user: CurrentUser, purpose: Purpose
) -> list[VersionSummary]:
    """The report's version history, oldest first."""
    return reports.versions(node, user, report_id, purpose)


@router.post("/{report_id}/versions", status_code=status.HTTP_201_CREATED)
def add_version(
    report_id: str, body: ReportVersionIn, node: NodeDep, user: CurrentUser, purpose: Purpose
) -> ReportOut | ReportReceipt:
    """Record a new version (a correction, or a draft's release); earlier versions stay."""
    return reports.add_version(node, user, report_id, body, purpose)


@router.post("/{report_id}/withdraw")
def withdraw_report(
    report_id: str, body: WithdrawIn, node: NodeDep, user: CurrentUser, purpose: Purpose
) -> ReportOut | ReportReceipt:
    """Withdraw a report; the withdrawal is its final version."""
    return reports.withdraw(node, user, report_id, body.reason, purpose)
