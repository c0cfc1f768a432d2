"""Report pages: the list, the read view with its handling banner, recording and correcting."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup, escape
from pydantic import ValidationError

from tabadul.access.policy import Action, Kind
from tabadul.api.deps import NodeDep
from tabadul.errors import ErrorDetail, TabadulError, ValidationFailed
from tabadul.model.grading import SCHEMES
from tabadul.model.handling import HandlingCode, Tlp
from tabadul.schemas.common import validation_failed
from tabadul.schemas.reports import ReportIn, ReportOut, ReportVersionIn
from tabadul.services import federation, reports, sharing
from tabadul.services.node import Node
from tabadul.storage.reports import ReportFilter
from tabadul.web import tagging
from tabadul.web.forms import listed
from tabadul.web.pages import render
from tabadul.web.security import CsrfChecked, PagePrincipal, WorkingContext

router = APIRouter(include_in_schema=False)
TLP_CLASS = {t.value: t.value.lower().replace("+", "-") for t in Tlp}


@router.get("/reports")
def report_list(
    request: Request,
    node: NodeDep,
    user: PagePrincipal,
    purpose: WorkingContext,
    topic: str | None = None,
    status: str | None = None,
    classification: str | None = None,
    tlp: str | None = None,
    cursor: str | None = None,
) -> HTMLResponse:
    """Reports the user may read, newest first, with filters."""
    filters = ReportFilter(
        topic=topic.strip().lower() if topic else None,
        status=status or None,
        classification=classification or None,
        tlp=tlp or None,
    )
    page = reports.list_reports(node, user, filters, limit=50, cursor=cursor, purpose=purpose)
    return render(
        request,
        "reports/list.html",
        page=page,
        filters=filters,
        levels=node.classification.levels,
        tlps=[t.value for t in Tlp],
        tlp_class=TLP_CLASS,
    )


@router.get("/reports/new")
def new_form(
    request: Request, node: NodeDep, user: PagePrincipal, purpose: WorkingContext
) -> HTMLResponse:
    """An empty report form."""
    return _form(request, node, user, None, {})


@router.post("/reports/new")
async def new_submit(
    request: Request,
    node: NodeDep,
    user: PagePrincipal,
    purpose: WorkingContext,
    _csrf: CsrfChecked,
) -> Response:
    """Record the report, or show the form again with what is wrong."""
    form = dict(await request.form())
    try:
        created = reports.record(node, user, ReportIn.model_validate(_payload(form)), purpose)
    except (TabadulError, ValidationError) as exc:
        return _form(request, node, user, None, form, _problems(exc))
    return RedirectResponse(f"/reports/{created.id}", status_code=303)


@router.get("/reports/{report_id}")
def read(
    request: Request,
    node: NodeDep,
    user: PagePrincipal,
    purpose: WorkingContext,
    report_id: str,
    version: int | None = None,
) -> HTMLResponse:
    """A report with its handling banner, highlighted entities and versions."""
    report = reports.get(node, user, report_id, version, purpose)
    history = reports.versions(node, user, report_id, purpose)
    may_share = node.policy.allows_role(user, Action.SHARE, Kind.REPORT)
    known = federation.list_partners(node, user) if may_share else []
    return render(
        request,
        "reports/read.html",
        report=report,
        shares=sharing.shares_of(node, user, report_id) if may_share else [],
        partners=[p for p in known if p.status == "confirmed"],
        why_not=sharing.preview(node, user, report_id) if may_share else {},
        partner_names={p.partner_id: p.name for p in known},
        may_share=may_share,
        body=highlighted(report),
        history=history,
        tlp_class=TLP_CLASS,
        grading=_grading_text(report),
        codes={c.value: c.meaning for c in HandlingCode},
    )


@router.get("/reports/{report_id}/edit")
def edit_form(
    request: Request, node: NodeDep, user: PagePrincipal, purpose: WorkingContext, report_id: str
) -> HTMLResponse:
    """The form for a new version, filled with the current one."""
    report = reports.get(node, user, report_id, None, purpose)
    return _form(request, node, user, report, _fields_of(report))


@router.post("/reports/{report_id}/edit")
async def edit_submit(
    request: Request,
    node: NodeDep,
    user: PagePrincipal,
    purpose: WorkingContext,
    _csrf: CsrfChecked,
    report_id: str,
) -> Response:
    """Record the new version, or show the form again with what is wrong."""
    form = dict(await request.form())
    try:
        payload = _payload(form) | {"note": str(form.get("note") or "") or None}
        reports.add_version(node, user, report_id, ReportVersionIn.model_validate(payload), purpose)
    except (TabadulError, ValidationError) as exc:
        report = reports.get(node, user, report_id, None, purpose)
        return _form(request, node, user, report, form, _problems(exc))
    return RedirectResponse(f"/reports/{report_id}", status_code=303)


@router.post("/reports/{report_id}/withdraw")
async def withdraw(
    request: Request,
    node: NodeDep,
    user: PagePrincipal,
    purpose: WorkingContext,
    _csrf: CsrfChecked,
    report_id: str,
) -> Response:
    """Withdraw the report, with the reason given."""
    form = await request.form()
    reason = str(form.get("reason") or "").strip()
    if not reason:
        return RedirectResponse(f"/reports/{report_id}?withdraw=reason", status_code=303)
    reports.withdraw(node, user, report_id, reason, purpose)
    return RedirectResponse(f"/reports/{report_id}", status_code=303)


def highlighted(report: ReportOut) -> Markup:
    """The body as HTML with every mentioned entity marked and linked (spans don't overlap)."""
    names = {e.id: e for e in report.entities}
    spans = sorted(
        (m for m in report.mentions if m.start is not None and m.end is not None),
        key=lambda m: (m.start or 0, -(m.end or 0)),
    )
    out, position = [], 0
    for m in spans:
        if m.start is None or m.end is None or m.start < position or m.entity not in names:
            continue
        entity = names[m.entity]
        out.append(escape(report.body[position : m.start]))
        out.append(
            Markup('<a class="mention schema-{}" href="/entities/{}" title="{}">{}</a>').format(
                entity.schema_.lower(), entity.id, entity.caption, report.body[m.start : m.end]
            )
        )
        position = m.end
    out.append(escape(report.body[position:]))
    return Markup("").join(out)


def _grading_text(report: ReportOut) -> str:
    g = report.grading
    sources, infos = SCHEMES[g["scheme"]]
    return f"{g['source']}{g['information']} — {sources[g['source']]}; {infos[g['information']]}"


def _form(
    request: Request,
    node: Node,
    user: PagePrincipal,
    report: ReportOut | None,
    values: dict[str, Any],
    problems: list[ErrorDetail] | None = None,
) -> HTMLResponse:
    clearance_rank = node.classification.rank(user.clearance)
    return render(
        request,
        "reports/form.html",
        422 if problems else 200,
        report=report,
        values=values,
        problems=problems or [],
        levels=node.classification.levels[: clearance_rank + 1],
        compartments=sorted(user.compartments),
        tlps=[t.value for t in Tlp],
        codes=[c.value for c in HandlingCode],
        schemes={name: (list(s), list(i)) for name, (s, i) in SCHEMES.items()},
        tag_kinds=[*tagging.KINDS, *tagging.ATTACHED],
    )


def _payload(form: dict[str, Any]) -> dict[str, Any]:
    """The report API's body from the editor's fields (checking is the service's job)."""
    body = str(form.get("body") or "")
    tagged = tagging.from_tags(str(form.get("tags") or ""), body)
    codes = [c for c in (c.value for c in HandlingCode) if form.get(f"code_{c}")]
    compartments = [k.removeprefix("compartment_") for k in form if k.startswith("compartment_")]
    payload: dict[str, Any] = {
        "title": str(form.get("title") or ""),
        "body": body,
        "language": form.get("language") or None,
        "topics": listed(form.get("topics")),
        "date_of_information": form.get("date_of_information") or None,
        "classification": form.get("classification") or None,
        "compartments": compartments,
        "handling": {
            "tlp": str(form.get("tlp") or ""),
            "codes": codes,
            "restrictions": str(form.get("restrictions") or "").strip() or None,
            "originator_control": bool(form.get("originator_control")),
        },
        "grading": {
            "scheme": str(form.get("grading_scheme") or "admiralty"),
            "source": str(form.get("grading_source") or ""),
            "information": str(form.get("grading_information") or ""),
        },
        "nature": form.get("nature") or "fact",
        "status": form.get("status") or "released",
        "entities": tagged.entities,
        "mentions": tagged.mentions,
    }
    return payload


def _fields_of(report: ReportOut) -> dict[str, Any]:
    values: dict[str, Any] = {
        "title": report.title,
        "body": report.body,
        "language": report.language,
        "topics": ", ".join(report.topics),
        "date_of_information": report.date_of_information.isoformat()
        if isinstance(report.date_of_information, dt.date)
        else "",
        "classification": report.classification,
        "tlp": report.handling["tlp"],
        "restrictions": report.handling.get("restrictions") or "",
        "originator_control": report.handling.get("originator_control"),
        "grading_scheme": report.grading["scheme"],
        "grading_source": report.grading["source"],
        "grading_information": report.grading["information"],
        "nature": report.nature,
        "status": report.status,
        "tags": tagging.to_tags(report.mentions, report.body),
    }
    codes = report.handling.get("codes")
    for code in codes if isinstance(codes, list) else []:
        values[f"code_{code}"] = "on"
    for compartment in report.compartments:
        values[f"compartment_{compartment}"] = "on"
    return values


def _problems(exc: Exception) -> list[ErrorDetail]:
    if isinstance(exc, ValidationError):
        return list(validation_failed(exc).details)
    if isinstance(exc, ValidationFailed):
        return list(exc.details) or [ErrorDetail("", exc.message)]
    assert isinstance(exc, TabadulError)
    return [ErrorDetail("", exc.message)]
