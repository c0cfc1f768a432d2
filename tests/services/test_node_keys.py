"""A node's secret and keys: created owner-only, kept, and refused when exposed or wrong."""

import os
import stat

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from tabadul.errors import ConfigurationError
from tabadul.services.node import (
    ENCRYPTION_KEY_FILE,
    SECRET_FILE,
    SIGNING_KEY_FILE,
    Node,
)

FILES = (SECRET_FILE, SIGNING_KEY_FILE, ENCRYPTION_KEY_FILE)


def test_secret_and_keys_are_created_owner_only_and_kept(settings):
    for name in FILES:
        mode = stat.S_IMODE((settings.data_dir / name).stat().st_mode)
        assert mode == 0o600, name
    before = {name: (settings.data_dir / name).read_bytes() for name in FILES}
    node = Node.open(settings)
    node.close()
    assert {name: (settings.data_dir / name).read_bytes() for name in FILES} == before


@pytest.mark.parametrize("name", FILES)
def test_a_file_others_may_read_is_refused(settings, name):
    os.chmod(settings.data_dir / name, 0o644)
    with pytest.raises(ConfigurationError, match="owner only"):
        Node.open(settings)


def test_a_key_of_the_wrong_kind_is_refused(settings):
    wrong = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    (settings.data_dir / ENCRYPTION_KEY_FILE).write_bytes(wrong)
    with pytest.raises(ConfigurationError, match="not an X25519 private key"):
        Node.open(settings)
