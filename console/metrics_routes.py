"""GET /metrics and GET /ready of the console: for Prometheus and the load balancer, not staff.

/metrics is not behind the staff sign-in (Prometheus has no account) but is not public either:
loopback callers or the bearer token METRICS_TOKEN (bot.metrics.may_read_metrics). The peer
address is the TCP peer, so a proxy in front must refuse /metrics itself (deploy/nginx.conf
does). /ready is the readiness probe: the case database answers. /health (console.auth_routes)
stays the liveness probe.
"""
from __future__ import annotations

import asyncio

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json, raw

from bot import metrics
from bot.health import database_is_reachable
from bot.settings import get_settings

blueprint = Blueprint("metrics")


@blueprint.get("/metrics")
async def scrape(request: Request) -> HTTPResponse:
    """Process metrics plus the database gauges, read now."""
    peer = request.conn_info.client_ip if request.conn_info else None
    token = get_settings().metrics_token
    if not metrics.may_read_metrics(peer, request.headers.get("authorization"), token):
        return json({"error": "metrics are for loopback or the metrics token"}, status=403)
    body, content_type = await asyncio.to_thread(metrics.exposition)
    return raw(body, content_type=content_type)


@blueprint.get("/ready")
async def ready(_request: Request) -> HTTPResponse:
    """503 while the case database cannot be reached: take this console out of rotation."""
    if await asyncio.to_thread(database_is_reachable):
        return json({"status": "ready"})
    return json({"status": "not ready", "database": False}, status=503)
