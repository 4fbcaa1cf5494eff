"""Console fixtures (see tests/console/harness.py): console_factory, console_server,
make_staff, staff_client."""
from tests.console.harness import (console_factory, console_server, make_staff,  # noqa: F401
                                   staff_client)
