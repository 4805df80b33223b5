"""What every step's body carries: the version of the order the client saw."""

from __future__ import annotations

from backend.fields import ApiModel, Version


class Versioned(ApiModel):
    version: Version
