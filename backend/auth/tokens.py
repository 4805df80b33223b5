"""Password hashing and token primitives. Pure: secrets and "now" come in as arguments."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
ALGORITHM = "HS256"
# A real hash verified against when the username is unknown, so both paths cost the same.
_DUMMY_HASH = _hasher.hash("gridline-dummy-password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


@dataclass(frozen=True)
class AccessClaims:
    user_id: int
    role: str
    family_id: str  # the login the token belongs to; logout revokes the whole family


class InvalidToken(Exception):
    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


def create_access_token(
    *, user_id: int, role: str, family_id: str, secret: str, now: datetime, lifetime: timedelta
) -> str:
    claims = {
        "sub": str(user_id),
        "role": role,
        "fam": family_id,
        "typ": "access",
        "iat": int(now.timestamp()),
        "exp": int((now + lifetime).timestamp()),
        "jti": uuid.uuid4().hex,
    }
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


_MAX_USER_ID = 2**63 - 1


def _int_claim(value: object) -> int:
    """An integer claim as signed: an int, or a short string of ASCII digits."""
    if isinstance(value, bool):
        raise InvalidToken("invalid")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 19:
        return int(value)
    raise InvalidToken("invalid")


def decode_access_token(token: str, *, secret: str, now: datetime) -> AccessClaims:
    """Verifies signature and expiry; any malformed claim is InvalidToken, never a crash."""
    try:
        # Expiry is checked against the injected clock, not the wall clock.
        claims = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            options={
                "verify_exp": False,
                "verify_iat": False,
                "verify_nbf": False,
                "require": ["sub", "exp", "typ", "fam"],
            },
        )
    except jwt.PyJWTError as exc:
        raise InvalidToken("invalid") from exc
    if not isinstance(claims, dict) or claims.get("typ") != "access":
        raise InvalidToken("invalid")
    expires = _int_claim(claims["exp"])
    user_id = _int_claim(claims["sub"])
    family = claims["fam"]
    if not 1 <= user_id <= _MAX_USER_ID or not isinstance(family, str) or len(family) > 36:
        raise InvalidToken("invalid")
    for optional in ("nbf", "iat"):
        if optional in claims:
            _int_claim(claims[optional])
    if "nbf" in claims and _int_claim(claims["nbf"]) > int(now.timestamp()):
        raise InvalidToken("invalid")
    if expires <= int(now.timestamp()):
        raise InvalidToken("expired")
    role = claims.get("role", "")
    return AccessClaims(
        user_id=user_id, role=role if isinstance(role, str) else "", family_id=family
    )


def new_refresh_token() -> tuple[str, str]:
    """Returns (token for the client, hash to store). Only the hash is ever stored."""
    token = secrets.token_urlsafe(32)
    return token, hash_refresh_token(token)


def hash_refresh_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
