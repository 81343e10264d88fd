"""The office's audit key: the secret that makes the chain unforgeable, kept out of the
database (an environment variable, or a key file made at set-up)."""

import hmac
import os
import secrets
from hashlib import sha256
from pathlib import Path

from flask import current_app

KEY_BYTES = 32
MIN_KEY_LENGTH = 16


class AuditKeyMissing(RuntimeError):
    """No audit key is configured and the key file does not exist."""


def key_file(config) -> Path:
    return Path(config["AUDIT_KEY_FILE"])


def load_key(config) -> bytes:
    """Read the key from AUDIT_KEY, else from AUDIT_KEY_FILE; raise if neither is there."""
    if config.get("AUDIT_KEY"):
        key = config["AUDIT_KEY"].encode()
    else:
        path = key_file(config)
        try:
            key = path.read_text().strip().encode()
        except FileNotFoundError:
            raise AuditKeyMissing(
                f"No audit key: set AUDIT_KEY, or run `flask init-db` to create {path}."
            ) from None
    if len(key) < MIN_KEY_LENGTH:
        raise AuditKeyMissing(f"The audit key is shorter than {MIN_KEY_LENGTH} characters.")
    return key


def ensure_key_file(config) -> Path | None:
    """Create the key file with a new random key, readable by its owner only, unless a key
    is configured or the file exists; answer the file's path when it was created."""
    path = key_file(config)
    if config.get("AUDIT_KEY") or path.exists():
        return None
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(secrets.token_hex(KEY_BYTES) + "\n")
    return path


def current_key() -> bytes:
    """The key of the running app, read once per app."""
    cache = current_app.extensions.setdefault("audit_key", {})
    if "key" not in cache:
        cache["key"] = load_key(current_app.config)
    return cache["key"]


def mac(key: bytes, message: bytes) -> str:
    """HMAC-SHA-256 of `message` under `key`, as hex."""
    return hmac.new(key, message, sha256).hexdigest()
