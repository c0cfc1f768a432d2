"""The running node: its settings, database, identity and policy; and creating a new node.

A data directory holds ``node.json`` (the node's id, written once by
``tabadul init``), the SQLite database unless PostgreSQL is configured, and
later the node's keys. Opening a node checks that the directory and the
database belong to the same node, so a misconfigured URL cannot mix two
agencies' data.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from tabadul.access.keyring import MASTER_BYTES, Keyring
from tabadul.access.passwords import generate_password, hash_password
from tabadul.access.policy import Policy
from tabadul.errors import ConfigurationError, Conflict, ValidationFailed
from tabadul.exchange.keys import NodeKeys
from tabadul.model.accounts import Role
from tabadul.model.handling import Classification
from tabadul.model.ids import new_id
from tabadul.settings import Settings
from tabadul.storage import migrate
from tabadul.storage import nodes as node_rows
from tabadul.storage.database import Database
from tabadul.storage.tables import NodeRow, UserRow
from tabadul.storage.types import utcnow

NODE_FILE = "node.json"
SECRET_FILE = "secret.key"  # noqa: S105 (a file name, not a secret)
SIGNING_KEY_FILE = "signing-key.pem"
ENCRYPTION_KEY_FILE = "encryption-key.pem"
DEFAULT_URL = "http://127.0.0.1:8000"
ADMIN_USERNAME = "admin"


@dataclass(frozen=True)
class Identity:
    """Who this node is."""

    id: str
    name: str
    country: str | None
    url: str


@dataclass(frozen=True)
class InitResult:
    """What ``tabadul init`` prints: the node id and the administrator's one-time password."""

    node_id: str
    admin_username: str
    admin_password: str


class Activity:
    """Whether something is under way, or ended a moment ago (thread-safe).

    The inbox marks requests from partners with it, so that the in-process
    worker can let them go first (:meth:`tabadul.jobs.worker.Worker._give_way`).
    """

    def __init__(self, linger_seconds: float = 0.2) -> None:
        self._lock = threading.Lock()
        self._running = 0
        self._ended = 0.0
        self._linger = linger_seconds

    def __enter__(self) -> Activity:
        with self._lock:
            self._running += 1
        return self

    def __exit__(self, *exc: object) -> None:
        with self._lock:
            self._running -= 1
            self._ended = time.monotonic()

    def busy(self) -> bool:
        """True while under way, and for ``linger_seconds`` after (the next request is near)."""
        with self._lock:
            return self._running > 0 or time.monotonic() - self._ended < self._linger


class Node:
    """Everything a service needs to act on this node."""

    def __init__(
        self,
        settings: Settings,
        db: Database,
        identity: Identity,
        keyring: Keyring,
        signing_key: Ed25519PrivateKey,
        encryption_key: X25519PrivateKey | None = None,
    ) -> None:
        self.settings = settings
        self.db = db
        self.identity = identity
        self.keyring = keyring
        self.signing_key = signing_key
        # The federation keys: the audit's signing key doubles as the node's long-term
        # Ed25519 identity (DESIGN.md, 'Between nodes'); X25519 receives encrypted messages.
        self.keys = NodeKeys(signing_key, encryption_key or _encryption_key(settings.data_dir))
        self.classification = Classification.of(settings.classification_levels)
        self.policy = Policy(self.classification)
        # Partners' requests being received (the in-process worker lets them go first).
        self.receiving = Activity()

    @classmethod
    def open(cls, settings: Settings) -> Node:
        """Open an initialised node, bringing its database schema up to date."""
        marker = _read_marker(settings.data_dir)
        keyring = Keyring(_master_secret(settings.data_dir))
        signing_key = _signing_key(settings.data_dir)
        encryption_key = _encryption_key(settings.data_dir)
        db = Database(settings.sqlalchemy_url)
        try:
            migrate.upgrade(db)
            with db.reading() as session:
                row = node_rows.get(session)
            if row is None:
                raise ConfigurationError("the database holds no node; run 'tabadul init' first")
            if row.id != marker:
                raise ConfigurationError(
                    f"the data directory belongs to node {marker} but the database to node {row.id}"
                )
        except BaseException:
            db.dispose()
            raise
        identity = Identity(row.id, row.name, row.country, row.url)
        return cls(settings, db, identity, keyring, signing_key, encryption_key)

    def close(self) -> None:
        """Release the database connections."""
        self.db.dispose()


def initialise(
    settings: Settings, name: str, country: str | None = None, url: str = DEFAULT_URL
) -> InitResult:
    """Create a node: data directory, database schema, identity and first administrator."""
    if not name.strip():
        raise ValidationFailed.field("name", "a node needs a name")
    if country is not None and (len(country) != 2 or not country.isalpha()):
        raise ValidationFailed.field("country", "use a two-letter ISO 3166-1 code, e.g. MA")
    data_dir = settings.data_dir
    if (data_dir / NODE_FILE).exists():
        raise Conflict(f"{data_dir} already holds a node")
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    db = Database(settings.sqlalchemy_url)
    try:
        migrate.upgrade(db)
        node_id = new_id()
        password = generate_password()
        now = utcnow()
        with db.transaction() as session:
            if node_rows.get(session) is not None:
                raise Conflict("the database already holds a node")
            session.add(
                NodeRow(
                    id=node_id,
                    name=name.strip(),
                    country=country.upper() if country else None,
                    url=check_url(url),
                    created_at=now,
                )
            )
            session.add(
                UserRow(
                    username=ADMIN_USERNAME,
                    role=Role.ADMINISTRATOR.value,
                    password_hash=hash_password(password),
                    clearance=Classification.of(settings.classification_levels).lowest,
                    display_name="Node administrator",
                    disabled=False,
                    created_at=now,
                    updated_at=now,
                )
            )
        _master_secret(data_dir)
        _signing_key(data_dir)
        _encryption_key(data_dir)
        _write_marker(data_dir, node_id)
    finally:
        db.dispose()
    return InitResult(node_id, ADMIN_USERNAME, password)


def _write_marker(data_dir: Path, node_id: str) -> None:
    path = data_dir / NODE_FILE
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump({"node_id": node_id}, handle)
        handle.write("\n")


def _master_secret(data_dir: Path) -> bytes:
    """The node's master secret, created (owner-only) the first time it is needed."""
    stored = _owner_only(
        data_dir / SECRET_FILE,
        lambda: base64.b64encode(secrets.token_bytes(MASTER_BYTES)) + b"\n",
    )
    return base64.b64decode(stored)


def _signing_key(data_dir: Path) -> Ed25519PrivateKey:
    """The node's Ed25519 signing key (audit checkpoints), created owner-only when missing."""
    path = data_dir / SIGNING_KEY_FILE
    key = _private_key(path, lambda: _pem(Ed25519PrivateKey.generate()))
    if not isinstance(key, Ed25519PrivateKey):
        raise ConfigurationError(f"{path} is not an Ed25519 private key")
    return key


def _encryption_key(data_dir: Path) -> X25519PrivateKey:
    """The node's X25519 key that partners encrypt to, created owner-only when missing."""
    path = data_dir / ENCRYPTION_KEY_FILE
    key = _private_key(path, lambda: _pem(X25519PrivateKey.generate()))
    if not isinstance(key, X25519PrivateKey):
        raise ConfigurationError(f"{path} is not an X25519 private key")
    return key


def _private_key(path: Path, create: Callable[[], bytes]) -> PrivateKeyTypes:
    return serialization.load_pem_private_key(_owner_only(path, create), password=None)


def _pem(key: Ed25519PrivateKey | X25519PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _owner_only(path: Path, create: Callable[[], bytes]) -> bytes:
    """The contents of a secret file, written by ``create`` (mode 600) when it does not exist.

    An existing file that others may read is refused: a key or secret that
    leaked through loose permissions must be replaced, not used.
    """
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        if path.stat().st_mode & 0o077:
            raise ConfigurationError(
                f"{path} must be readable by its owner only (chmod 600)"
            ) from None
        return path.read_bytes()
    with os.fdopen(fd, "wb") as handle:
        handle.write(create())
    return path.read_bytes()


def set_url(settings: Settings, url: str) -> str:
    """Change the address partners reach this node at (``tabadul node set-url``)."""
    clean = check_url(url)
    db = Database(settings.sqlalchemy_url)
    try:
        migrate.upgrade(db)
        with db.transaction() as session:
            row = node_rows.get(session)
            if row is None:
                raise ConfigurationError("the database holds no node; run 'tabadul init' first")
            row.url = clean
    finally:
        db.dispose()
    return clean


def check_url(url: str) -> str:
    """An http(s) base URL without a trailing slash, or ValidationFailed."""
    text = url.strip().rstrip("/")
    if not text.startswith(("http://", "https://")) or len(text) > 500 or " " in text:
        raise ValidationFailed.field("url", "give an http:// or https:// address")
    return text


def _read_marker(data_dir: Path) -> str:
    path = data_dir / NODE_FILE
    try:
        data = json.loads(path.read_text())
        return str(data["node_id"])
    except FileNotFoundError:
        raise ConfigurationError(
            f"{data_dir} is not a Tabadul node; run 'tabadul init --data-dir {data_dir}'"
        ) from None
    except (ValueError, KeyError, TypeError):
        raise ConfigurationError(f"{path} is damaged; it should hold the node id") from None
