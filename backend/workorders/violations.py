"""How a pure rule refuses: one exception every rule file raises and every service maps.

Pure: no web or database imports.
"""

from __future__ import annotations


class RuleViolation(Exception):
    """A business rule refused the step: ``code`` is stable, ``message`` is shown to the user
    as is (Chinese), ``field`` names the offending input when there is one."""

    def __init__(self, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
