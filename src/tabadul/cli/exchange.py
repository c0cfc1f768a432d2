"""``tabadul partner``, ``agreement``, ``share`` and ``exchange``: federation from the console.

Partner and agreement commands are the administrator's (run at the console as
the node's operator); sharing is done as a named user (``--user``), so the
access policy and the audit log see who released what.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

import click

from tabadul.cli.common import (
    data_dir_option,
    emit,
    json_option,
    opened,
    reports_errors,
    settings_for,
)
from tabadul.model.partners import AgreementStatus
from tabadul.services import accounts, delivery, federation, sharing
from tabadul.services.node import set_url
from tabadul.storage import exchange as store

user_option = click.option(
    "--user", "username", required=True, help="Act as this user (the policy and audit see them)."
)


def _plain(data: Any) -> Any:
    return json.loads(json.dumps(data, default=str))


# -- partner ------------------------------------------------------------------


@click.group()
def partner() -> None:
    """Link partner nodes: invite, accept, confirm fingerprints, list."""


@partner.command("invite")
@data_dir_option
@json_option
@reports_errors
def partner_invite(data_dir: Path, as_json: bool) -> None:
    """Print an invitation for a partner's administrator, and this node's fingerprint."""
    with opened(data_dir) as node:
        invitation, fingerprint = federation.invite(node, None)
    emit(
        {"invitation": invitation, "fingerprint": fingerprint},
        as_json,
        f"Invitation (give it to the partner's administrator):\n{invitation}\n\n"
        f"This node's fingerprint (read it out to them over another channel):\n{fingerprint}",
    )


@partner.command("accept")
@data_dir_option
@click.option("--invitation", required=True, help="The invitation the partner gave you.")
@json_option
@reports_errors
def partner_accept(data_dir: Path, invitation: str, as_json: bool) -> None:
    """Accept a partner's invitation: records it, and introduces this node to it."""
    with opened(data_dir) as node:
        row = federation.accept(node, None, invitation)
    emit(
        {"partner_id": row.partner_id, "fingerprint": row.fingerprint},
        as_json,
        f"Partner {row.name} recorded as {row.partner_id} (unconfirmed).\n"
        f"Its fingerprint, to compare with what its administrator tells you: {row.fingerprint}",
    )


@partner.command("confirm")
@data_dir_option
@click.option("--partner", "partner_id", required=True, help="The partner's id on this node.")
@click.option("--fingerprint", required=True, help="The fingerprint the partner read out.")
@json_option
@reports_errors
def partner_confirm(data_dir: Path, partner_id: str, fingerprint: str, as_json: bool) -> None:
    """Confirm a partner once its fingerprint matches what its administrator told you."""
    with opened(data_dir) as node:
        row = federation.confirm(node, None, partner_id, fingerprint)
    emit(_plain(asdict(row)), as_json, f"Partner {row.name} confirmed.")


@partner.command("list")
@data_dir_option
@json_option
@reports_errors
def partner_list(data_dir: Path, as_json: bool) -> None:
    """List partner nodes with their fingerprints and status."""
    with opened(data_dir) as node:
        rows = federation.list_partners(node, None)
    emit(
        [
            {
                "partner_id": r.partner_id,
                "node_id": r.node_id,
                "name": r.name,
                "url": r.url,
                "fingerprint": r.fingerprint,
                "status": r.status,
            }
            for r in rows
        ],
        as_json,
        "\n".join(f"{r.partner_id}  {r.status:<12} {r.name}  {r.fingerprint}" for r in rows)
        or "No partners.",
    )


# -- agreement ----------------------------------------------------------------


@click.group()
def agreement() -> None:
    """Bilateral agreements: propose, accept, suspend, end, list."""


@agreement.command("propose")
@data_dir_option
@click.option("--partner", "partner_id", required=True, help="The partner's id on this node.")
@click.option("--topics", required=True, help="Topics in scope, comma-separated.")
@click.option("--max-tlp", required=True, help="Highest TLP label that may flow (e.g. AMBER).")
@click.option("--auto-answer-queries", is_flag=True, help="Answer hit/no-hit queries at once.")
@click.option("--valid-until", type=click.DateTime(["%Y-%m-%d"]), default=None, help="End date.")
@json_option
@reports_errors
def agreement_propose(
    data_dir: Path,
    partner_id: str,
    topics: str,
    max_tlp: str,
    auto_answer_queries: bool,
    valid_until: dt.datetime | None,
    as_json: bool,
) -> None:
    """Propose an agreement to a confirmed partner (signed; active once it accepts)."""
    with opened(data_dir) as node:
        row = federation.propose(
            node,
            None,
            partner_id,
            [t for t in topics.split(",") if t.strip()],
            max_tlp,
            auto_answer_queries=auto_answer_queries,
            valid_until=valid_until.date() if valid_until else None,
        )
    emit(
        {**_plain(asdict(row)), "agreement_id": row.agreement_id},
        as_json,
        f"Agreement {row.agreement_id} proposed; it is active once the partner accepts it.",
    )


@agreement.command("accept")
@data_dir_option
@click.option("--agreement", "agreement_id", required=True, help="The proposed agreement's id.")
@json_option
@reports_errors
def agreement_accept(data_dir: Path, agreement_id: str, as_json: bool) -> None:
    """Accept (sign) an agreement the partner proposed."""
    with opened(data_dir) as node:
        row = federation.accept_agreement(node, None, agreement_id)
    emit(_plain(asdict(row)), as_json, f"Agreement {row.agreement_id} is active.")


@agreement.command("suspend")
@data_dir_option
@click.option("--agreement", "agreement_id", required=True, help="The agreement's id.")
@click.option("--reason", default="", help="Why (kept in the audit log and told to the partner).")
@json_option
@reports_errors
def agreement_suspend(data_dir: Path, agreement_id: str, reason: str, as_json: bool) -> None:
    """Suspend an agreement: new traffic stops at once, both ways."""
    with opened(data_dir) as node:
        row = federation.change_agreement(
            node, None, agreement_id, AgreementStatus.SUSPENDED, reason
        )
    emit(_plain(asdict(row)), as_json, f"Agreement {row.agreement_id} suspended.")


@agreement.command("end")
@data_dir_option
@click.option("--agreement", "agreement_id", required=True, help="The agreement's id.")
@click.option("--reason", default="", help="Why (kept in the audit log and told to the partner).")
@json_option
@reports_errors
def agreement_end(data_dir: Path, agreement_id: str, reason: str, as_json: bool) -> None:
    """End an agreement for good."""
    with opened(data_dir) as node:
        row = federation.change_agreement(node, None, agreement_id, AgreementStatus.ENDED, reason)
    emit(_plain(asdict(row)), as_json, f"Agreement {row.agreement_id} ended.")


@agreement.command("list")
@data_dir_option
@json_option
@reports_errors
def agreement_list(data_dir: Path, as_json: bool) -> None:
    """List agreements."""
    with opened(data_dir) as node:
        rows = federation.list_agreements(node, None)
    emit(
        [_plain(asdict(r)) for r in rows],
        as_json,
        "\n".join(
            f"{r.agreement_id}  {r.status:<10} partner {r.partner_id}  "
            f"topics {','.join(r.topics)}  max TLP:{r.max_tlp}"
            for r in rows
        )
        or "No agreements.",
    )


# -- share --------------------------------------------------------------------


@click.group()
def share() -> None:
    """Share reports with partners, approve shares, answer consent."""


@share.command("report")
@data_dir_option
@user_option
@click.option("--report", "report_id", required=True, help="The report's id.")
@click.option("--partner", "partner_ids", multiple=True, required=True, help="Partner id (repeat).")
@click.option("--purpose", default=None, help="Why (kept in the audit log).")
@json_option
@reports_errors
def share_report(
    data_dir: Path,
    username: str,
    report_id: str,
    partner_ids: tuple[str, ...],
    purpose: str | None,
    as_json: bool,
) -> None:
    """Share a report's current version with partners (the policy on send decides)."""
    with opened(data_dir) as node:
        actor = accounts.principal_named(node, username)
        shares = sharing.share(node, actor, report_id, list(partner_ids), purpose)
    emit(
        {"shares": [_plain(asdict(s)) for s in shares]},
        as_json,
        "\n".join(f"{s.id}  {s.partner}  {s.status}  {s.reason or ''}" for s in shares),
    )


@share.command("approve")
@data_dir_option
@user_option
@click.option("--share", "share_id", required=True, help="The share waiting for approval.")
@json_option
@reports_errors
def share_approve(data_dir: Path, username: str, share_id: str, as_json: bool) -> None:
    """Approve a share that waits for four eyes (a supervisor)."""
    with opened(data_dir) as node:
        out = sharing.approve(node, accounts.principal_named(node, username), share_id)
    emit(_plain(asdict(out)), as_json, f"Share {out.id}: {out.status}")


@share.command("status")
@data_dir_option
@user_option
@click.option("--share", "share_id", required=True, help="The share's id.")
@json_option
@reports_errors
def share_status(data_dir: Path, username: str, share_id: str, as_json: bool) -> None:
    """Show a share's status and the partner's receipt."""
    with opened(data_dir) as node:
        out = sharing.get_share(node, accounts.principal_named(node, username), share_id)
    emit(_plain(asdict(out)), as_json, f"Share {out.id}: {out.status} {out.reason or ''}")


@share.command("consent")
@data_dir_option
@user_option
@click.option("--report", "report_id", required=True, help="A report this node originated.")
@click.option("--partner", "partner_id", required=True, help="The partner that holds it.")
@click.option("--third-party", required=True, help="Node id it may pass the report on to.")
@json_option
@reports_errors
def share_consent(
    data_dir: Path, username: str, report_id: str, partner_id: str, third_party: str, as_json: bool
) -> None:
    """As originator, consent that a partner passes a report on to a third party."""
    with opened(data_dir) as node:
        actor = accounts.principal_named(node, username)
        message_id = sharing.grant_consent(node, actor, report_id, partner_id, third_party)
    emit({"message_id": message_id}, as_json, f"Consent sent ({message_id}).")


# -- exchange -----------------------------------------------------------------


@click.group()
def exchange() -> None:
    """The node's federation plumbing: address, outbox, delivery, reconciliation."""


@exchange.command("set-url")
@data_dir_option
@click.option("--url", required=True, help="The address partners reach this node at.")
@reports_errors
def exchange_set_url(data_dir: Path, url: str) -> None:
    """Change this node's address (partners learn it from the descriptor)."""
    clean = set_url(settings_for(data_dir), url)
    click.echo(f"The node's address is now {clean}.")


@exchange.command("outbox")
@data_dir_option
@click.option("--status", type=click.Choice(["queued", "delivered", "refused"]), default=None)
@click.option("--flagged", is_flag=True, help="Only messages undelivered for too long.")
@click.option("--limit", default=100, show_default=True, type=int)
@json_option
@reports_errors
def exchange_outbox(
    data_dir: Path, status: str | None, flagged: bool, limit: int, as_json: bool
) -> None:
    """List outgoing messages (metadata only), oldest first."""
    with opened(data_dir) as node, node.db.reading() as session:
        rows = store.outbox(session, status, limit, flagged)
        out = [
            {
                "message_id": r.message_id,
                "partner_id": r.partner_id,
                "type": r.type,
                "report_id": r.report_id,
                "version": r.version,
                "status": r.status,
                "attempts": r.attempts,
                "created_at": r.created_at.isoformat(),
                "delivered_at": r.delivered_at.isoformat() if r.delivered_at else None,
                "flagged": r.flagged_at is not None,
                "last_error": r.last_error,
            }
            for r in rows
        ]
    emit(
        out,
        as_json,
        "\n".join(
            f"{o['message_id']}  {o['type']:<18} {o['status']:<10} tries {o['attempts']}"
            + ("  FLAGGED" if o["flagged"] else "")
            for o in out
        )
        or "The outbox is empty.",
    )


@exchange.command("deliver")
@data_dir_option
@json_option
@reports_errors
def exchange_deliver(data_dir: Path, as_json: bool) -> None:
    """Send what is due now, without waiting for the worker."""
    with opened(data_dir) as node:
        count = delivery.deliver_due(node)
    emit({"answered": count}, as_json, f"{count} message(s) answered by partners.")


@exchange.command("reconcile")
@data_dir_option
@click.option("--partner", "partner_ids", multiple=True, help="Only this partner (repeat).")
@json_option
@reports_errors
def exchange_reconcile(data_dir: Path, partner_ids: tuple[str, ...], as_json: bool) -> None:
    """Queue a digest of what was sent to partners now; gaps they find are re-sent."""
    with opened(data_dir) as node, node.db.transaction() as session:
        sent = delivery.reconcile(session, node, list(partner_ids) or None)
    emit({"messages": sent}, as_json, f"{len(sent)} reconciliation message(s) queued.")
