"""The work-order walkers and the report helpers, shared."""

from tests.reports.conftest import submit  # noqa: F401
from tests.workorders.conftest import probe_hidden_steps, walker  # noqa: F401
