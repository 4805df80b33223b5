"""The JWT signing key: GRID_SECRET_KEY when set, else a random key made for this instance.

The instance key is generated on first use and kept in the database, so every API and worker
process of one instance signs and checks with the same key, and no two installs share one.
"""

from __future__ import annotations

import secrets
import threading
from datetime import datetime

from sqlalchemy.engine import Engine

from backend.auth import repository as repo
from backend.config import Settings
from backend.db import session_scope

SIGNING_KEY = "jwt_signing_key"
_lock = threading.Lock()


def load_or_create(engine: Engine, now: datetime) -> str:
    """The instance's key, creating it (in its own transaction) the first time."""
    with session_scope(engine) as session:
        found = repo.instance_secret(session, SIGNING_KEY)
        if found:
            return found
        repo.create_instance_secret(session, SIGNING_KEY, secrets.token_urlsafe(48), now)
    with session_scope(engine) as session:
        created = repo.instance_secret(session, SIGNING_KEY)
    if not created:
        raise RuntimeError("the instance signing key could not be stored")
    return created


class SigningKey:
    """Resolves the key once per process (after the database exists) and keeps it."""

    def __init__(self, settings: Settings, engine: Engine) -> None:
        self._value = settings.secret_key
        self._engine = engine

    def get(self, now: datetime) -> str:
        if self._value is None:
            with _lock:
                if self._value is None:
                    self._value = load_or_create(self._engine, now)
        return self._value
