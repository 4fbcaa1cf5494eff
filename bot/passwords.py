"""Staff password policy and hashing (argon2id via argon2-cffi, its current default parameters).

The policy follows NIST SP 800-63B / OWASP ASVS level 1: a minimum length from settings, long
passphrases allowed, no composition rules, and refusal of passwords that are known to be common
or that contain the username.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import FrozenSet, List

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from bot.errors import WeakPassword
from bot.settings import get_settings

COMMON_PASSWORDS_FILE = Path(__file__).resolve().parent / "common_passwords.txt"
MAX_LENGTH = 128  # long passphrases welcome; a bound keeps hashing cost predictable


@lru_cache(maxsize=1)
def hasher() -> PasswordHasher:
    """argon2id with the library's current recommended parameters; when they change, stored
    hashes are upgraded at the next successful sign-in (see needs_rehash)."""
    return PasswordHasher()


@lru_cache(maxsize=1)
def common_passwords() -> FrozenSet[str]:
    """The refused list, lower-cased; comment lines (#) and blanks ignored."""
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines
                     if line.strip() and not line.lstrip().startswith("#"))


def password_problems(password: str, username: str = "") -> List[str]:
    """Why `password` is refused, as sentences for the form; empty when it is acceptable."""
    problems = []
    minimum = get_settings().password_min_length
    if len(password) < minimum:
        problems.append(f"Use at least {minimum} characters.")
    if len(password) > MAX_LENGTH:
        problems.append(f"Use at most {MAX_LENGTH} characters.")
    lowered = password.lower()
    if lowered in common_passwords() or lowered.strip() in common_passwords():
        problems.append("This password is too common; choose a less predictable one.")
    if username and len(username) >= 3 and username.lower() in lowered:
        problems.append("The password must not contain the username.")
    if password and len(set(password)) == 1:
        problems.append("The password must not repeat a single character.")
    return problems


def check_password_policy(password: str, username: str = "") -> None:
    """Raise WeakPassword (with every reason) unless `password` meets the policy."""
    problems = password_problems(password, username)
    if problems:
        raise WeakPassword(problems)


def hash_password(password: str) -> str:
    return hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """True when `password` matches; a malformed stored hash counts as a mismatch."""
    try:
        return hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with older parameters than the hasher's current ones."""
    try:
        return hasher().check_needs_rehash(password_hash)
    except InvalidHashError:
        return True
