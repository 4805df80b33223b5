from tests.reports.conftest import submit  # noqa: F401  (shared fixture)
from tests.workorders.conftest import walker  # noqa: F401  (shared fixture)
