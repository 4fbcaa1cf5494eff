"""The action server with operator routes: `python scripts/run_actions.py --port 5055`.

`rasa run actions` builds rasa_sdk's Sanic app and offers no way to add routes except a
`rasa_sdk_plugins` package on the path; a script that builds the same app
(rasa_sdk.endpoint.create_app) and adds three routes is plainer:
- GET /health (rasa_sdk's own): the process answers (liveness);
- GET /ready: the case database answers (readiness; the actions were registered when the app
  was built);
- GET /metrics: Prometheus text (process metrics and the database gauges of bot.metrics), for
  loopback callers or the bearer token METRICS_TOKEN.
Production and the deploy/ files start the action server with this script.
"""
from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from pathlib import Path
from typing import List, Optional

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a file: the project's packages are importable
    sys.path.insert(0, str(ROOT))

from rasa_sdk.endpoint import create_app  # noqa: E402
from sanic import Request, Sanic  # noqa: E402
from sanic.response import HTTPResponse, json, raw  # noqa: E402

from bot import metrics  # noqa: E402
from bot.health import database_is_reachable  # noqa: E402
from bot.serving import exit_unless_served, watch_serving  # noqa: E402
from bot.startup_freeze import freeze_after_start  # noqa: E402
from bot.settings import get_settings  # noqa: E402


def parse_args(argv: Optional[List[str]]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Run the action server with /ready and /metrics.")
    parser.add_argument("--port", type=int, default=5055)
    parser.add_argument("--actions", default="actions", help="package of custom actions")
    parser.add_argument("--host", default="0.0.0.0")
    return parser.parse_args(argv)


def add_operator_routes(app: Sanic) -> Sanic:
    """/ready and /metrics on rasa_sdk's app (its /health and /webhook stay as they are)."""

    async def ready(_request: Request) -> HTTPResponse:
        # The actions were imported and registered by create_app before the app could run.
        if await asyncio.to_thread(database_is_reachable):
            return json({"status": "ready"})
        return json({"status": "not ready", "database": False}, status=503)

    async def scrape(request: Request) -> HTTPResponse:
        peer = request.conn_info.client_ip if request.conn_info else None
        token = get_settings().metrics_token
        if not metrics.may_read_metrics(peer, request.headers.get("authorization"), token):
            return json({"error": "metrics are for loopback or the metrics token"}, status=403)
        body, content_type = await asyncio.to_thread(metrics.exposition)
        return raw(body, content_type=content_type)

    app.add_route(ready, "/ready", methods=["GET"], name="civic_ready")
    app.add_route(scrape, "/metrics", methods=["GET"], name="civic_metrics")
    return app


def main(argv: Optional[List[str]] = None) -> None:
    args = parse_args(argv)
    logging.basicConfig(level=get_settings().log_level.upper(),
                        format="%(asctime)s %(levelname)s %(name)s %(message)s")
    os.chdir(ROOT)  # rasa_sdk imports the actions package relative to the project
    app = add_operator_routes(create_app(args.actions, cors_origins=None))
    served = watch_serving(app)
    freeze_after_start(app)  # the actions and their language profiles, out of later GCs
    app.run(args.host, args.port, workers=1, access_log=False, motd=False)
    exit_unless_served(served, "The action server", args.port)


if __name__ == "__main__":
    main()
