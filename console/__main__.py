"""`python -m console`: the staff console and Open311 API on settings.console_port.

One process (the session, throttling and audit state live in the database, so replicas scale
by running more of these behind a load balancer). The access log is off: URLs can carry case
references and search terms, and the assistant's logs never hold citizens' data.
"""
from __future__ import annotations

import logging

from bot.serving import exit_unless_served, watch_serving
from bot.settings import get_settings
from console.app import create_app

HOST = "0.0.0.0"  # inside a container or VM; put a TLS proxy in front for staff


def _log_to_stderr(level: str) -> None:
    """Our own loggers (bot.*, console.*) to stderr; Sanic configures its own."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    for name in ("bot", "console"):
        logger = logging.getLogger(name)
        logger.setLevel(level)
        logger.addHandler(handler)
        logger.propagate = False


def main() -> None:
    settings = get_settings()
    _log_to_stderr(settings.log_level)
    app = create_app()
    served = watch_serving(app)
    app.run(host=HOST, port=settings.console_port, workers=1, access_log=False, debug=False,
            auto_reload=False, motd=False)
    exit_unless_served(served, "The staff console", settings.console_port)


if __name__ == "__main__":
    main()
