"""Passwords: argon2id hashing, legacy-hash upgrade and the password policy (docs/security.md
AUTH-4).

Pure Python (argon2-cffi; Werkzeug only to read legacy hashes), so the CLI, the demo seeder and
the web views share one definition of what a good password is and how it is stored.
"""

from __future__ import annotations

import functools
import unicodedata
from importlib import resources

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

# AUTH-4: argon2-cffi's RFC 9106 "low memory" profile, spelled out so a library default change
# cannot silently weaken stored hashes: argon2id, m=65536 KiB, t=3, p=4 (~85 ms per verify on
# 2 cores), above OWASP's floor (19 MiB, t=2, p=1).
HASHER = PasswordHasher(time_cost=3, memory_cost=65536, parallelism=4, hash_len=32, salt_len=16)

MIN_LENGTH = 12  # AUTH-4 / NIST SP 800-63B 5.1.1.2 (ASVS 2.1.1)
# ASVS 2.1.2 wants at least 64 allowed; the upper bound only stops megabyte "passwords" (IN-2).
MAX_LENGTH = 1024

# Werkzeug's formats (`scrypt:`, `pbkdf2:`) are accepted at login only to be replaced by argon2id.
_LEGACY_PREFIXES = ("scrypt:", "pbkdf2:")


def _normalized(password: str) -> str:
    """NFKC form, so the same password typed on another keyboard or OS still matches
    (NIST SP 800-63B 5.1.1.2 recommends normalizing before hashing)."""
    return unicodedata.normalize("NFKC", password)


def hash_password(password: str) -> str:
    """The argon2id hash (PHC string) to store for `password`."""
    return HASHER.hash(_normalized(password))


def verify_password(stored_hash: str | None, password: str) -> bool:
    """True when `password` matches `stored_hash` (argon2 of any cost, or a legacy Werkzeug hash).

    Never raises for a wrong password or a malformed/empty hash: login answers the same way for
    both (AUTH-5), and a damaged row must not turn into a 500.
    """
    if not stored_hash:
        return False
    if stored_hash.startswith(_LEGACY_PREFIXES):
        from werkzeug.security import check_password_hash

        return check_password_hash(stored_hash, password)
    try:
        return HASHER.verify(stored_hash, _normalized(password))
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def check_needs_rehash(stored_hash: str) -> bool:
    """True when the hash is legacy or weaker than HASHER; login then stores a fresh hash."""
    if stored_hash.startswith(_LEGACY_PREFIXES):
        return True
    try:
        return HASHER.check_needs_rehash(stored_hash)
    except InvalidHashError:
        return True


@functools.cache
def common_passwords() -> frozenset[str]:
    """The bundled list of common passwords (lower-case), read once per process."""
    text = resources.files("dme_service").joinpath("data/common-passwords.txt").read_text("utf-8")
    return frozenset(
        line.strip().lower() for line in text.splitlines() if line and not line.startswith("# ")
    )


def password_problems(password: str, *, email: str | None = None) -> list[str]:
    """What is wrong with `password` as a new password, in words a user can act on; [] if fine.

    AUTH-4 / NIST SP 800-63B 5.1.1.2: a length floor, a generous ceiling, no truncation, no
    composition rules, and a check against known-common passwords and the account's own e-mail.
    """
    candidate = _normalized(password)
    length = len(candidate)
    if length < MIN_LENGTH:
        return [
            f"Use at least {MIN_LENGTH} characters (this one has {length}). "
            "A few unrelated words make a long password that is easy to remember."
        ]
    if length > MAX_LENGTH:
        return [f"Use at most {MAX_LENGTH} characters (this one has {length})."]
    lowered = candidate.lower()
    if lowered in common_passwords() or len(set(lowered)) == 1:
        return ["This password is on a list of commonly used passwords. Choose another one."]
    if email and _derived_from_email(lowered, email):
        return ["Do not build your password from your e-mail address. Choose another one."]
    return []


def _derived_from_email(lowered: str, email: str) -> bool:
    """The e-mail address, its part before the @, or a password containing either (NIST SP
    800-63B 5.1.1.2: context-specific words "and derivatives", so
    `pt@demo.clinic1` is refused). A local part under 4 characters only counts when it is the
    whole password: `pt` occurs inside too many good passphrases."""
    address = email.strip().lower()
    local = address.split("@", 1)[0]
    if address in lowered or lowered == local:
        return True
    return len(local) >= 4 and local in lowered
