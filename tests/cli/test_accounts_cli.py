from tabadul.services import accounts
from tabadul.services.node import Node
from tests.cli.conftest import as_json


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
    cli(settings, "token", "revoke", "--id", token["id"])
    listed = as_json(cli(settings, "user", "list", "--json"))
    assert {"username": "liaison1", "role": "liaison", "disabled": False} in listed


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
