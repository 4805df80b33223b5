from tests.reports.conftest import submit  # noqa: F401  (shared fixture)
from tests.workorders.conftest import probe_hidden_steps, walker  # noqa: F401  (shared fixtures)
