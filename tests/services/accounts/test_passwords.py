"""Password hashing and policy (security.md AUTH-4)."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher
from werkzeug.security import generate_password_hash

from dme_service.services.accounts import passwords as accounts

GOOD = "correct horse battery staple"

# The stored cost itself is under test here.
pytestmark = pytest.mark.password_cost


def test_hash_is_argon2id_with_the_documented_cost():
    assert accounts.hash_password(GOOD).startswith("$argon2id$v=19$m=65536,t=3,p=4$")


def test_the_right_password_verifies():
    assert accounts.verify_password(accounts.hash_password(GOOD), GOOD)


def test_a_password_missing_its_last_character_fails_so_nothing_is_truncated():
    long_password = "ü" * 80 + "x"
    stored = accounts.hash_password(long_password)
    assert not accounts.verify_password(stored, long_password[:-1])
    assert accounts.verify_password(stored, long_password)


def test_a_composed_and_a_decomposed_accent_are_the_same_password():
    composed, decomposed = "caf\u00e9 au lait tous les jours", "cafe\u0301 au lait tous les jours"
    assert accounts.verify_password(accounts.hash_password(composed), decomposed)


@pytest.mark.parametrize("stored", ["", None, "not-a-hash", "$argon2id$v=19$broken"])
def test_a_missing_or_damaged_hash_never_verifies_and_never_raises(stored):
    assert accounts.verify_password(stored, GOOD) is False


def test_a_current_hash_needs_no_rehash():
    assert not accounts.check_needs_rehash(accounts.hash_password(GOOD))


def test_a_weaker_argon2_hash_needs_rehash_but_still_verifies():
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(GOOD)
    assert accounts.verify_password(weak, GOOD)
    assert accounts.check_needs_rehash(weak)


def test_a_legacy_werkzeug_scrypt_hash_verifies_and_needs_rehash():
    legacy = generate_password_hash(GOOD)
    assert legacy.startswith("scrypt:")
    assert accounts.verify_password(legacy, GOOD)
    assert not accounts.verify_password(legacy, GOOD + "!")
    assert accounts.check_needs_rehash(legacy)


@pytest.mark.parametrize(
    "password",
    ["ab cd ef ghi"[:11], "elevenchars", "x" * 11],
    ids=["eleven-with-spaces", "eleven-letters", "eleven-x"],
)
def test_eleven_characters_are_rejected(password):
    assert "at least 12" in accounts.password_problems(password)[0]


def test_sixty_four_emoji_are_accepted():
    assert accounts.password_problems("🙂🏥🦴💊" * 16) == []


def test_length_counts_characters_not_bytes():
    assert accounts.password_problems("ééééééééééé") != []  # 11 characters, 22 bytes
    assert accounts.password_problems("éàüöçñßøåæîô") == []


def test_no_composition_rules_a_long_lowercase_phrase_is_fine():
    assert accounts.password_problems("maple river stone lantern") == []


@pytest.mark.parametrize("password", ["qwerty123456", "QWERTY123456", "1qaz2wsx3edc"])
def test_a_listed_password_is_rejected_offline(password):
    assert "commonly used" in accounts.password_problems(password)[0]


def test_the_bundled_list_is_loaded_without_its_comment_lines():
    listed = accounts.common_passwords()
    assert len(listed) > 19_000
    assert "#1pimp" in listed
    assert not any(entry.startswith("# ") for entry in listed)


def test_one_repeated_character_is_rejected():
    assert accounts.password_problems("z" * 20) != []


def test_the_account_email_is_rejected_as_a_password():
    problems = accounts.password_problems(
        "Pat.Jones@Clinic.Example", email="pat.jones@clinic.example"
    )
    assert "e-mail" in problems[0]


def test_an_absurdly_long_password_is_rejected():
    assert "at most" in accounts.password_problems("word " * 300)[0]


@pytest.mark.parametrize(
    "password",
    ["pt@demo.clinic1", "xx pt@demo.clinic xx", "pat.jones@clinic.example2", "Pat.Jones2026!!"],
)
def test_pentest_i4_passwords_derived_from_the_email_are_rejected(password):
    email = "pat.jones@clinic.example" if "pat" in password.lower() else "pt@demo.clinic"
    problems = accounts.password_problems(password, email=email)
    assert problems and "e-mail" in problems[0]


def test_a_short_local_part_inside_a_passphrase_is_fine():
    assert accounts.password_problems("an optimistic river crossing", email="pt@demo.clinic") == []
