"""The dispatcher's operator endpoints: a small aiohttp server on settings.dispatcher_health_port.

- GET /health: liveness. 200 while the dispatch loop has finished a pass (or a wait) recently;
  a loop stuck for longer than `stuck_after` seconds answers 503 so the orchestrator restarts
  the process (its claimed messages are reconciled by the next dispatcher, bot.outbox_dispatch).
- GET /ready: readiness. 200 when the case database answers.
- GET /metrics: Prometheus text (outbox sent/failed of this process, outbox lag and backlog read
  from the database now), for loopback callers or the bearer token METRICS_TOKEN.
The dispatcher has no inbound traffic, so "ready" only tells the operator it can work.
"""
from __future__ import annotations

import asyncio
import time
from typing import Callable, Optional

from aiohttp import web

from bot import metrics
from bot.health import database_is_reachable


class Heartbeat:
    """When the dispatch loop last showed signs of life (monotonic seconds)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.last = clock()

    def beat(self) -> None:
        self.last = self.clock()

    def age(self) -> float:
        return self.clock() - self.last


def build_app(heartbeat: Heartbeat, stuck_after: float, token: Optional[str]) -> web.Application:
    """The three routes; `token` is METRICS_TOKEN (None: loopback only)."""

    async def health(_request: web.Request) -> web.Response:
        age = heartbeat.age()
        status = 200 if age <= stuck_after else 503
        return web.json_response({"status": "ok" if status == 200 else "stuck",
                                  "seconds_since_last_pass": round(age, 3)}, status=status)

    async def ready(_request: web.Request) -> web.Response:
        if await asyncio.to_thread(database_is_reachable):
            return web.json_response({"status": "ready"})
        return web.json_response({"status": "not ready", "database": False}, status=503)

    async def scrape(request: web.Request) -> web.Response:
        if not metrics.may_read_metrics(request.remote, request.headers.get("Authorization"), token):
            return web.json_response({"error": "metrics are for loopback or the metrics token"},
                                     status=403)
        body, content_type = await asyncio.to_thread(metrics.exposition)
        return web.Response(body=body, headers={"Content-Type": content_type})

    app = web.Application()
    app.router.add_get("/health", health)
    app.router.add_get("/ready", ready)
    app.router.add_get("/metrics", scrape)
    return app


async def start_health_server(port: int, heartbeat: Heartbeat, stuck_after: float,
                              token: Optional[str], host: str = "0.0.0.0") -> web.AppRunner:
    """Serve on `port` in the running loop; the caller awaits `runner.cleanup()` at the end."""
    runner = web.AppRunner(build_app(heartbeat, stuck_after, token), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    return runner
