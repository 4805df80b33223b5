from tests.reports.conftest import submit  # noqa: F401  (shared fixture)
