"""The access policy on its own: roles, scopes, need-to-know, and its SQL form agreeing with it."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tabadul.access.policy import Action, Kind, Policy, Principal, Resource, Scope
from tabadul.model.accounts import Role
from tabadul.model.handling import Classification
from tabadul.model.protection import Protection, strictest

LEVELS = Classification.of(["RESTRICTED", "CONFIDENTIAL", "SECRET"])
POLICY = Policy(LEVELS)


def who(role=Role.ANALYST, clearance="SECRET", compartments=(), scopes=tuple(Scope)):
    return Principal(1, "someone", role, clearance, frozenset(compartments), frozenset(scopes))


def report(level="RESTRICTED", *compartments):
    return Resource(Kind.REPORT, Protection(level, frozenset(compartments)))


@pytest.mark.parametrize("role", [Role.ANALYST, Role.LIAISON, Role.SUPERVISOR])
def test_intelligence_roles_read_and_write_reports(role):
    for action in (Action.READ, Action.CREATE, Action.UPDATE, Action.WITHDRAW):
        assert POLICY.can(who(role), action, report())


@pytest.mark.parametrize("role", [Role.ADMINISTRATOR, Role.AUDITOR])
def test_administrators_and_auditors_never_touch_intelligence(role):
    for kind in (Kind.REPORT, Kind.ENTITY):
        for action in Action:
            assert not POLICY.can(who(role), action, Resource(kind))


def test_only_administrators_manage_users_and_only_auditors_read_the_audit_log():
    for role in Role:
        assert POLICY.can(who(role), Action.MANAGE, Resource(Kind.USER)) is (
            role is Role.ADMINISTRATOR
        )
        assert POLICY.can(who(role), Action.READ, Resource(Kind.AUDIT)) is (role is Role.AUDITOR)


def test_only_liaison_officers_and_supervisors_share_and_only_supervisors_approve():
    for role in Role:
        assert POLICY.can(who(role), Action.SHARE, report()) is (
            role in {Role.LIAISON, Role.SUPERVISOR}
        )
        assert POLICY.can(who(role), Action.APPROVE, report()) is (role is Role.SUPERVISOR)


def test_token_scopes_limit_what_a_role_may_do():
    read_only = who(scopes=[Scope.READ])
    assert POLICY.can(read_only, Action.READ, report())
    assert not POLICY.can(read_only, Action.CREATE, report())
    write_only = who(scopes=[Scope.WRITE])
    assert not POLICY.can(write_only, Action.READ, report())
    assert not POLICY.can(
        who(Role.LIAISON, scopes=[Scope.READ, Scope.WRITE]), Action.SHARE, report()
    )


def test_clearance_must_reach_the_classification():
    assert POLICY.can(who(clearance="CONFIDENTIAL"), Action.READ, report("CONFIDENTIAL"))
    assert not POLICY.can(who(clearance="CONFIDENTIAL"), Action.READ, report("SECRET"))


def test_every_compartment_of_the_record_must_be_held():
    holder = who(compartments=["op-a"])
    assert POLICY.can(holder, Action.READ, report("RESTRICTED", "op-a"))
    assert not POLICY.can(holder, Action.READ, report("RESTRICTED", "op-a", "src-1"))
    assert not POLICY.can(who(), Action.READ, report("RESTRICTED", "op-a"))


def test_unknown_levels_are_refused_both_ways():
    assert not POLICY.can(who(clearance="COSMIC"), Action.READ, report("RESTRICTED"))
    assert not POLICY.can(who(), Action.READ, report("UNKNOWN-LEVEL"))


def test_entity_takes_the_strictest_protection_of_its_reports():
    label = strictest(
        LEVELS, [Protection("RESTRICTED", frozenset({"a"})), Protection("SECRET", frozenset({"b"}))]
    )
    assert label == Protection("SECRET", frozenset({"a", "b"}))
    assert strictest(LEVELS, []) is None


levels = st.sampled_from(["RESTRICTED", "CONFIDENTIAL", "SECRET"])
groups = st.frozensets(st.sampled_from(["a", "b", "c"]), max_size=3)


@given(levels, groups, levels, groups)
def test_the_list_filter_agrees_with_can(clearance, held, level, carried):
    person = who(clearance=clearance, compartments=held)
    seen = POLICY.visibility(person)
    by_filter = level in seen.levels and carried <= seen.compartments
    assert by_filter == POLICY.can(person, Action.READ, report(level, *carried))
