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


class InvalidToken(Exception):
    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


def create_access_token(
    *, user_id: int, role: str, secret: str, now: datetime, lifetime: timedelta
) -> str:
    claims = {
        "sub": str(user_id),
        "role": role,
        "typ": "access",
        "iat": int(now.timestamp()),
        "exp": int((now + lifetime).timestamp()),
        "jti": uuid.uuid4().hex,
    }
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def decode_access_token(token: str, *, secret: str, now: datetime) -> AccessClaims:
    try:
        # Expiry is checked against the injected clock, not the wall clock.
        claims = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            options={"verify_exp": False, "verify_iat": False, "require": ["sub", "exp", "typ"]},
        )
    except jwt.PyJWTError as exc:
        raise InvalidToken("invalid") from exc
    if claims.get("typ") != "access":
        raise InvalidToken("invalid")
    if int(claims["exp"]) <= int(now.timestamp()):
        raise InvalidToken("expired")
    try:
        return AccessClaims(user_id=int(claims["sub"]), role=str(claims.get("role", "")))
    except ValueError as exc:
        raise InvalidToken("invalid") from exc


def new_refresh_token() -> tuple[str, str]:
    """Returns (token for the client, hash to store). Only the hash is ever stored."""
    token = secrets.token_urlsafe(32)
    return token, hash_refresh_token(token)


def hash_refresh_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
