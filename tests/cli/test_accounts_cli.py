import pytest

from tabadul.errors import AuthenticationRequired
from tabadul.services import accounts
from tabadul.services.node import Node
from tests.conftest import as_json


def test_init_creates_a_node_and_prints_the_admin_password_once(make_settings, cli):
    settings = make_settings()
    out = as_json(cli(settings, "init", "--name", "Rabat", "--country", "MA", "--json"))
    assert out["admin_username"] == "admin"
    assert len(out["admin_password"]) >= 16
    node = Node.open(settings)
    try:
        assert node.identity.id == out["node_id"]
        assert node.identity.country == "MA"
    finally:
        node.close()
    assert (settings.data_dir / "node.json").stat().st_mode & 0o077 == 0
    again = cli(settings, "init", "--name", "Rabat", expect=1)
    assert "already holds a node" in again.stderr


def test_init_refuses_a_bad_country_code(make_settings, cli):
    result = cli(make_settings(), "init", "--name", "X", "--country", "Morocco", expect=1)
    assert "two-letter" in result.stderr


def test_user_add_token_create_and_revoke(settings, node, cli):
    user = as_json(
        cli(settings, "user", "add", "--username", "liaison1", "--role", "liaison", "--json")
    )
    assert user["username"] == "liaison1"
    assert user["role"] == "liaison"
    token = as_json(cli(settings, "token", "create", "--user", "liaison1", "--json"))
    assert token["token"].startswith("tbd_")
    assert accounts.authenticate_token(node, token["token"]).username == "liaison1"
    assert token["scopes"] == ["read"]  # the default: read only
    cli(settings, "token", "revoke", "--id", token["id"])
    listed = {u["username"]: u for u in as_json(cli(settings, "user", "list", "--json"))}
    assert listed["liaison1"]["role"] == "liaison"
    assert listed["liaison1"]["clearance"] == "RESTRICTED"
    assert not listed["liaison1"]["disabled"]
    (revoked,) = as_json(cli(settings, "token", "list", "--user", "liaison1", "--json"))
    assert revoked["revoked_at"] is not None


def test_clearance_compartments_and_disabling_from_the_cli(settings, node, cli):
    cli(
        settings,
        "user",
        "add",
        "--username",
        "ana",
        "--role",
        "analyst",
        "--clearance",
        "secret",
        "--compartment",
        "op-nour",
    )
    out = as_json(
        cli(
            settings,
            "user",
            "add-compartment",
            "--username",
            "ana",
            "--compartment",
            "SRC-7",
            "--json",
        )
    )
    assert out["compartments"] == ["op-nour", "src-7"]
    out = as_json(
        cli(
            settings,
            "user",
            "remove-compartment",
            "--username",
            "ana",
            "--compartment",
            "op-nour",
            "--json",
        )
    )
    assert out["compartments"] == ["src-7"]
    out = as_json(
        cli(
            settings,
            "user",
            "set-clearance",
            "--username",
            "ana",
            "--level",
            "confidential",
            "--json",
        )
    )
    assert out["clearance"] == "CONFIDENTIAL"
    bad = cli(settings, "user", "set-clearance", "--username", "ana", "--level", "cosmic", expect=1)
    assert "unknown classification" in bad.stderr
    token = as_json(
        cli(
            settings,
            "token",
            "create",
            "--user",
            "ana",
            "--scope",
            "read",
            "--scope",
            "write",
            "--json",
        )
    )
    assert token["scopes"] == ["read", "write"]
    principal = accounts.authenticate_token(node, token["token"])
    assert (principal.clearance, principal.compartments) == ("CONFIDENTIAL", frozenset({"src-7"}))
    assert as_json(cli(settings, "user", "disable", "--username", "ana", "--json"))["disabled"]

    with pytest.raises(AuthenticationRequired):
        accounts.authenticate_token(node, token["token"])
    cli(settings, "user", "enable", "--username", "ana")
    assert accounts.authenticate_token(node, token["token"]).username == "ana"


def test_reset_password_gives_a_new_one_once(settings, node, cli):
    cli(settings, "user", "add", "--username", "ana", "--role", "analyst")
    out = as_json(cli(settings, "user", "reset-password", "--username", "ana", "--json"))
    assert len(out["password"]) >= 16
    assert as_json(cli(settings, "user", "reset-totp", "--username", "ana", "--json")) == {
        "username": "ana",
        "totp_enrolled": False,
    }


def test_user_add_refuses_duplicates_and_unknown_roles(settings, cli):
    cli(settings, "user", "add", "--username", "ana", "--role", "analyst")
    assert (
        "already exists"
        in cli(settings, "user", "add", "--username", "ana", "--role", "analyst", expect=1).stderr
    )
    cli(settings, "user", "add", "--username", "bob", "--role", "spy", expect=2)


def test_commands_on_a_directory_that_is_not_a_node_explain_what_to_do(make_settings, cli):
    result = cli(make_settings(), "user", "list", expect=1)
    assert "tabadul init" in result.stderr
