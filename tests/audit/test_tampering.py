"""`audit verify` finds direct SQL edits, deletions, insertions, reorderings and rewrites."""

import json

import pytest
from sqlalchemy import delete, select, update

from tabadul.audit import events as ev
from tabadul.audit.hashing import GENESIS, chain_hash, leaf_hash
from tabadul.services import auditing
from tabadul.storage import audit_log
from tabadul.storage.tables import AuditEventRow
from tests.conftest import as_json

ACTOR = ev.Actor("user", "someone", 1, "analyst")


def fill(node, n=10):
    """n consultation events, one transaction each."""
    for i in range(n):
        auditing.record(node, ev.ReportViewed(actor=ACTOR, purpose=f"case {i}", report_id=f"r{i}"))


def first_problem(node):
    outcome = auditing.verify_log(node, None)
    assert not outcome.intact
    return outcome.first


def rows(node):
    with node.db.reading() as session:
        return list(session.scalars(select(AuditEventRow).order_by(AuditEventRow.seq)))


def test_untouched_log_verifies(node):
    fill(node)
    auditing.make_checkpoint(node)
    fill(node, 3)
    outcome = auditing.verify_log(node, None)
    assert outcome.intact
    assert outcome.result.tree_size == 14  # 10 + the checkpoint's own event + 3
    assert outcome.result.checkpoints_checked == 1


def test_events_are_numbered_without_gaps_and_chained(node):
    fill(node, 5)
    stored = rows(node)
    assert [r.seq for r in stored] == [1, 2, 3, 4, 5]
    previous = GENESIS
    for row in stored:
        leaf = leaf_hash(audit_log.entry_from(row).canonical())
        assert leaf.hex() == row.leaf_hash
        previous = chain_hash(previous, leaf)
        assert previous.hex() == row.chain_hash


def test_an_event_rolled_back_with_its_change_is_not_in_the_log(node):
    fill(node, 2)
    with pytest.raises(RuntimeError), node.db.transaction() as session:
        audit_log.add(session, ev.ReportViewed(actor=ACTOR, report_id="never"))
        raise RuntimeError("the change failed")
    assert len(rows(node)) == 2


def test_a_changed_event_is_found_by_number(node):
    fill(node)
    with node.db.transaction() as session:
        session.execute(
            update(AuditEventRow).where(AuditEventRow.seq == 7).values(purpose="nothing to see")
        )
    problem = first_problem(node)
    assert (problem.seq, problem.kind) == (7, "changed")


def test_a_deleted_event_is_found_by_number(node):
    fill(node)
    with node.db.transaction() as session:
        session.execute(delete(AuditEventRow).where(AuditEventRow.seq == 4))
    problem = first_problem(node)
    assert (problem.seq, problem.kind) == (4, "removed")


def test_an_inserted_event_is_found_by_number(node):
    fill(node)
    forged = rows(node)[2]  # a real entry's hashes, to look plausible
    with node.db.transaction() as session:
        # Make room at 6 (through negative numbers, so the primary key never clashes).
        session.execute(
            update(AuditEventRow).where(AuditEventRow.seq >= 6).values(seq=-(AuditEventRow.seq + 1))
        )
        session.execute(
            update(AuditEventRow).where(AuditEventRow.seq < 0).values(seq=-AuditEventRow.seq)
        )
        values = {c.name: getattr(forged, c.name) for c in AuditEventRow.__table__.columns}
        session.execute(
            AuditEventRow.__table__.insert(), [values | {"seq": 6, "purpose": "planted"}]
        )
    problem = first_problem(node)
    assert problem.seq == 6


def test_reordered_events_are_found_by_number(node):
    fill(node)
    a, b = rows(node)[4], rows(node)[5]  # events 5 and 6
    columns = [c.name for c in AuditEventRow.__table__.columns if c.name != "seq"]
    with node.db.transaction() as session:
        session.execute(
            update(AuditEventRow)
            .where(AuditEventRow.seq == 5)
            .values({c: getattr(b, c) for c in columns})
        )
        session.execute(
            update(AuditEventRow)
            .where(AuditEventRow.seq == 6)
            .values({c: getattr(a, c) for c in columns})
        )
    problem = first_problem(node)
    assert problem.seq == 5


def rewrite_from(node, seq, **changes):
    """What a forger with database access does: change an event, recompute every hash."""
    with node.db.transaction() as session:
        session.execute(update(AuditEventRow).where(AuditEventRow.seq == seq).values(**changes))
        previous = GENESIS
        for row in session.scalars(select(AuditEventRow).order_by(AuditEventRow.seq)):
            leaf = leaf_hash(audit_log.entry_from(row).canonical())
            previous = chain_hash(previous, leaf)
            row.leaf_hash, row.chain_hash = leaf.hex(), previous.hex()


def test_a_rewritten_log_is_caught_by_the_signed_checkpoint(node):
    fill(node)
    auditing.make_checkpoint(node)
    rewrite_from(node, 3, actor_name="someone-else")
    problem = first_problem(node)
    assert problem.kind == "checkpoint"
    assert "no longer match the checkpoint" in problem.message


def test_events_cut_from_the_end_are_caught_by_the_checkpoint(node):
    fill(node)
    auditing.make_checkpoint(node)
    with node.db.transaction() as session:
        session.execute(delete(AuditEventRow).where(AuditEventRow.seq > 8))
    problem = first_problem(node)
    assert problem.kind == "removed"
    assert problem.seq == 9


def test_a_forged_checkpoint_signature_is_refused(node):
    fill(node, 3)
    auditing.make_checkpoint(node)
    from tabadul.storage.tables import AuditCheckpointRow

    with node.db.transaction() as session:
        session.execute(update(AuditCheckpointRow).values(signature="A" * 88))
    problem = first_problem(node)
    assert problem.kind == "signature"


def test_a_kept_checkpoint_proves_consistency_until_the_log_is_rewritten(node):
    fill(node, 6)
    kept = auditing.make_checkpoint(node)
    fill(node, 9)
    assert auditing.verify_log(node, None, kept).intact
    proof = auditing.consistency(node, kept)
    from tabadul.audit.merkle import verify_consistency

    assert verify_consistency(
        proof["from"]["tree_size"],
        proof["to"]["tree_size"],
        bytes.fromhex(proof["from"]["root_hash"]),
        bytes.fromhex(proof["to"]["root_hash"]),
        [bytes.fromhex(p) for p in proof["proof"]],
    )
    # The forger also deletes the node's own checkpoints: the kept one still catches it.
    rewrite_from(node, 2, purpose="rewritten")
    from tabadul.storage.tables import AuditCheckpointRow

    with node.db.transaction() as session:
        session.execute(delete(AuditCheckpointRow))
    outcome = auditing.verify_log(node, None, kept)
    assert not outcome.intact
    assert "consistency proof fails" in (outcome.external or "")


def test_cli_verify_reports_the_first_tampered_event_and_fails(settings, node, cli, tmp_path):
    fill(node)
    out = cli(settings, "audit", "checkpoint", "--json")
    kept = tmp_path / "checkpoint.json"
    kept.write_text(out.stdout)
    assert as_json(out)["tree_size"] == 10
    assert "intact" in cli(settings, "audit", "verify", "--checkpoint", kept).stdout
    with node.db.transaction() as session:
        session.execute(
            update(AuditEventRow).where(AuditEventRow.seq == 3).values(actor_name="nobody")
        )
    failed = cli(settings, "audit", "verify", expect=1)
    assert "event 3 changed" in failed.stderr
    report = json.loads(cli(settings, "audit", "verify", "--json", expect=1).stdout)
    assert report["first_problem"]["event"] == 3
    assert report["intact"] is False


def test_cli_refuses_a_checkpoint_of_another_node_or_a_broken_file(settings, node, cli, tmp_path):
    fill(node, 2)
    data = as_json(cli(settings, "audit", "checkpoint", "--json"))
    other = tmp_path / "other.json"
    other.write_text(json.dumps(data | {"node_id": "someone-else"}))
    assert (
        "not of this node"
        in cli(settings, "audit", "verify", "--checkpoint", other, expect=1).stderr
    )
    broken = tmp_path / "broken.json"
    broken.write_text("{}")
    assert (
        "not a checkpoint"
        in cli(settings, "audit", "verify", "--checkpoint", broken, expect=1).stderr
    )
