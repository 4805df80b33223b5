from tests.hotline.conftest import send  # noqa: F401  (shared fixture)
from tests.reports.conftest import submit  # noqa: F401  (shared fixture)
