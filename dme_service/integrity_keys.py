"""The integrity keys: HMAC keys kept outside the database (docs/security.md LOG-2, RET-2).

Whoever can write to the database must not be able to rewrite the audit trail or a signed
order and recompute its hash; so both are keyed with HMAC-SHA-256 under a key the database
never holds (docs/security.md LOG-2 and RET-2).

Where the key lives, first match wins:
- `DME_AUDIT_KEY`: `ID:SECRET` pairs separated by commas, the last one current (several
  app nodes on several machines must share it, so production sets this from its secret store);
- else the instance file `audit_keys` (`ID SECRET` per line, the last one current), created
  with mode 0600 on first run, like the session secret key.

Rotation: add a key (`dme-service audit rotate-key` appends one to the file; with the
environment, append `,ID:SECRET`). New rows and signatures use the newest key; every row keeps
its key id, so the older keys stay in the list for as long as rows signed with them are kept.
Each purpose (audit rows, audit seals, signatures) uses its own key derived from the secret.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

ENV_NAME = "DME_AUDIT_KEY"
KEY_FILENAME = "audit_keys"
MIN_SECRET_BYTES = 32
_KEY_ID = re.compile(r"^[A-Za-z0-9_-]{1,16}$")
PURPOSES = ("audit.row", "audit.seal", "signature")


class KeyringError(RuntimeError):
    """The key setting or file is unusable; the message names it and the fix."""


@dataclass(frozen=True)
class Keyring:
    """Every known secret by key id, and the id new rows use."""

    secrets: dict[str, bytes]
    current_id: str
    source: str

    def key(self, purpose: str, key_id: str | None = None) -> bytes | None:
        """The purpose's derived key for key_id (the current one by default), or None."""
        secret = self.secrets.get(key_id or self.current_id)
        if secret is None:
            return None
        return hmac.new(secret, b"dme_service " + purpose.encode(), hashlib.sha256).digest()


_cache: dict[tuple, Keyring] = {}


def keyring() -> Keyring:
    """The keyring from DME_AUDIT_KEY or the instance key file (re-read when the file changes)."""
    raw = os.environ.get(ENV_NAME, "").strip()
    if raw:
        cache_key: tuple = ("env", raw)
        if cache_key not in _cache:
            pairs = (pair.strip().split(":", 1) for pair in raw.split(",") if pair.strip())
            _cache[cache_key] = parse("\n".join(" ".join(pair) for pair in pairs), ENV_NAME)
        return _cache[cache_key]
    path = key_file()
    ensure_key_file(path)
    stat = path.stat()
    cache_key = ("file", str(path), stat.st_mtime_ns, stat.st_size)
    if cache_key not in _cache:
        _cache[cache_key] = parse(path.read_text(), str(path))
    return _cache[cache_key]


def key_file() -> Path:
    """The instance folder's key file (DME_INSTANCE_PATH, like the session secret)."""
    from dme_service.config import instance_path_from_env

    return Path(instance_path_from_env()) / KEY_FILENAME


def ensure_key_file(path: Path) -> None:
    """Create the key file with one fresh key, mode 0600, unless it exists.

    Written to a private temporary file first and then linked into place: two workers (or
    threads) starting together never read a half-written file or write two different keys.
    """
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(f"k1 {new_secret()}\n")
    try:
        os.link(temporary, path)
    except FileExistsError:
        pass
    finally:
        temporary.unlink()


def new_secret() -> str:
    """32 random bytes, URL-safe base64."""
    return base64.urlsafe_b64encode(secrets.token_bytes(MIN_SECRET_BYTES)).decode().rstrip("=")


def parse(text: str, where: str) -> Keyring:
    """`ID SECRET` lines (blank lines and # comments skipped); the last key is current."""
    found: dict[str, bytes] = {}
    current = None
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split()
        if len(parts) != 2 or not _KEY_ID.match(parts[0]):
            raise KeyringError(f"{where}: entry {number} is not 'ID SECRET' (ID: 1-16 letters)")
        secret = parts[1].encode()
        if len(secret) < MIN_SECRET_BYTES:
            raise KeyringError(f"{where}: key {parts[0]} is shorter than {MIN_SECRET_BYTES} bytes")
        found[parts[0]] = secret
        current = parts[0]
    if current is None:
        raise KeyringError(f"{where}: no key (expected 'ID SECRET')")
    return Keyring(found, current, where)


def rotate() -> str:
    """Append a new current key to the instance key file; returns its id."""
    if os.environ.get(ENV_NAME, "").strip():
        raise KeyringError(
            f"{ENV_NAME} is set, so the key file is not used: append ',ID:SECRET' to it instead"
        )
    path = key_file()
    ensure_key_file(path)
    ring = keyring()
    number = 1 + max((int(k[1:]) for k in ring.secrets if re.fullmatch(r"k[0-9]+", k)), default=0)
    key_id = f"k{number}"
    with path.open("a") as handle:
        handle.write(f"{key_id} {new_secret()}\n")
    return key_id


def sign(purpose: str, message: str) -> tuple[str, str]:
    """(current key id, hex HMAC-SHA-256 of message under the purpose's key)."""
    ring = keyring()
    key = ring.key(purpose)
    return ring.current_id, hmac.new(key, message.encode(), hashlib.sha256).hexdigest()


def check(purpose: str, message: str, key_id: str | None, digest: str | None) -> bool:
    """True when digest is message's HMAC under key_id; an unknown key id never checks out."""
    if not key_id or not digest:
        return False
    key = keyring().key(purpose, key_id)
    if key is None:
        return False
    expected = hmac.new(key, message.encode(), hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, digest)
