"""python-telegram-bot's transport on aiohttp instead of httpx.

A Bot API call through PTB's default HTTPXRequest cost the Rasa server about 2.6 ms of CPU
(sendMessage against the local fake, client side), half of it in httpx and httpcore; through
aiohttp, which the Rasa server already runs, about 1.35 ms. PTB supports its own transports
(telegram.request.BaseRequest): this one makes the same requests (form fields, or multipart
when a file is sent), keeps connections open, and raises what PTB's does: TimedOut for a
timeout, NetworkError for a connection that failed. Status codes and the Bot API's answers
(429 retry_after, 5xx) are PTB's to interpret, as with httpx.
"""
from __future__ import annotations

import asyncio
from typing import Any, Optional, Tuple

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

CONNECT_SECONDS = 5.0  # PTB's HTTPXRequest defaults
READ_SECONDS = 5.0
WRITE_SECONDS = 5.0
MEDIA_WRITE_SECONDS = 20.0
CONNECTIONS = 256  # PTB's default pool for a Bot's calls


class AiohttpRequest(BaseRequest):
    """A BaseRequest whose session is made on first use, on the event loop that uses it (and
    again if another loop does: a session belongs to one loop)."""

    def __init__(self, connections: int = CONNECTIONS) -> None:
        self._connections = connections
        self._session: Optional[aiohttp.ClientSession] = None
        self._loop: Optional[asyncio.AbstractEventLoop] = None

    @property
    def read_timeout(self) -> float:
        return READ_SECONDS

    async def initialize(self) -> None:
        self._current_session()

    async def shutdown(self) -> None:
        session, self._session = self._session, None
        if session is not None and not session.closed:
            await session.close()

    def _current_session(self) -> aiohttp.ClientSession:
        loop = asyncio.get_running_loop()
        if self._session is None or self._session.closed or self._loop is not loop:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._connections),
                headers={"User-Agent": self.USER_AGENT})
            self._loop = loop
        return self._session

    async def do_request(self, url: str, method: str, request_data: Optional[RequestData] = None,
                         read_timeout: Any = BaseRequest.DEFAULT_NONE,
                         write_timeout: Any = BaseRequest.DEFAULT_NONE,
                         connect_timeout: Any = BaseRequest.DEFAULT_NONE,
                         pool_timeout: Any = BaseRequest.DEFAULT_NONE) -> Tuple[int, bytes]:
        """One Bot API request; (status, body) for PTB to read."""
        files = request_data.multipart_data if request_data else None
        connect = _seconds(connect_timeout, CONNECT_SECONDS)
        read = _seconds(read_timeout, READ_SECONDS)
        write = _seconds(write_timeout, MEDIA_WRITE_SECONDS if files else WRITE_SECONDS)
        # aiohttp has no write timeout of its own: the whole call is bounded by all three.
        parts = (connect, read, write)
        timeout = aiohttp.ClientTimeout(
            total=None if None in parts else sum(parts), sock_connect=connect, sock_read=read)
        try:
            async with self._current_session().request(
                    method, url, data=_body(request_data, files), timeout=timeout) as answer:
                return answer.status, await answer.read()
        except asyncio.TimeoutError as error:
            raise TimedOut from error
        except aiohttp.ClientError as error:
            raise NetworkError(f"aiohttp.{error.__class__.__name__}: {error}") from error


def _seconds(value: Any, default: float) -> Optional[float]:
    """A timeout PTB passed (None: wait indefinitely), or ours when it passed none."""
    return default if isinstance(value, type(BaseRequest.DEFAULT_NONE)) else value


def _body(request_data: Optional[RequestData], files: Any) -> Any:
    """Form fields, as HTTPXRequest sends them; a multipart form when a file goes with them."""
    if request_data is None:
        return None
    if not files:
        return request_data.json_parameters
    form = aiohttp.FormData()
    for name, value in request_data.json_parameters.items():
        form.add_field(name, value)
    for name, (filename, content, mimetype) in files.items():
        form.add_field(name, content, filename=filename, content_type=mimetype)
    return form
