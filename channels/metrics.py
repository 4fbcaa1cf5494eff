"""Metrics, liveness and readiness of a Rasa server, as an input channel (credentials.yml).

Rasa has no hook for extra routes, but every input channel's blueprint is mounted, so this
channel carries the operator's routes under /webhooks/metrics/:
- GET /webhooks/metrics/health: the process answers (liveness; never touches the database,
  so a database outage does not make Kubernetes restart every replica);
- GET /webhooks/metrics/ready: the model is loaded and the case database answers (readiness;
  a load balancer sends no citizen to a replica that would fail them);
- GET /webhooks/metrics/metrics: Prometheus text, for loopback callers or the bearer token
  METRICS_TOKEN (bot.metrics.may_read_metrics).
It also times every turn: once the server has started it wraps the agent's handle_message,
the one call all channels go through, to count messages per channel and observe turn latency
(and again on each readiness check or scrape, so a model replaced over the API is timed too).
"""
from __future__ import annotations

import asyncio
import time
from typing import Any, Awaitable, Callable, Dict, Optional

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json, raw

from bot import metrics
from bot.health import database_is_reachable
from bot.settings import get_settings

HandleMessage = Callable[[UserMessage], Awaitable[Any]]


def timed(handle_message: HandleMessage) -> HandleMessage:
    """`handle_message` that records each turn's channel and duration (errors included)."""
    if getattr(handle_message, "civic_timed", False):
        return handle_message

    async def handle(message: UserMessage) -> Any:
        started = time.perf_counter()
        try:
            return await handle_message(message)
        finally:
            metrics.record_turn(message.input_channel or "unknown", time.perf_counter() - started)

    handle.civic_timed = True  # type: ignore[attr-defined]
    return handle


def time_agent(app: Any) -> None:
    """Wrap the loaded agent's handle_message (again after a model is replaced over the API)."""
    agent = getattr(app.ctx, "agent", None)
    if agent is not None:
        agent.handle_message = timed(agent.handle_message)


def agent_is_ready(app: Any) -> bool:
    agent = getattr(app.ctx, "agent", None)
    return bool(agent is not None and agent.is_ready())


def metrics_token() -> Optional[str]:
    return get_settings().metrics_token


class MetricsInput(InputChannel):
    """No citizen talks here: it is the operator's window into this replica."""

    @classmethod
    def name(cls) -> str:
        return "metrics"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> "MetricsInput":
        return cls()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        bp = Blueprint("metrics_webhook", __name__)

        @bp.listener("after_server_start")
        async def wrap_agent(app: Any, _loop: Any) -> None:
            time_agent(app)

        @bp.get("/health")
        async def health(_request: Request) -> HTTPResponse:
            return json({"status": "ok"})

        @bp.get("/ready")
        async def ready(request: Request) -> HTTPResponse:
            time_agent(request.app)  # idempotent: re-times a model replaced over the API
            checks = {"model_loaded": agent_is_ready(request.app),
                      "database": await asyncio.to_thread(database_is_reachable)}
            return json({"status": "ready" if all(checks.values()) else "not ready", **checks},
                        status=200 if all(checks.values()) else 503)

        @bp.get("/metrics")
        async def scrape(request: Request) -> HTTPResponse:
            if not metrics.may_read_metrics(request.conn_info.client_ip if request.conn_info else None,
                                            request.headers.get("authorization"), metrics_token()):
                return json({"error": "metrics are for loopback or the metrics token"}, status=403)
            time_agent(request.app)
            body, content_type = await asyncio.to_thread(metrics.exposition)
            return raw(body, content_type=content_type)

        return bp
