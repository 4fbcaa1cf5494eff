"""A local fake of the Telegram Bot API, driven through python-telegram-bot itself.

It serves the methods the channel uses (getMe, sendMessage, sendPhoto, answerCallbackQuery,
getFile and its download path, setWebhook, deleteWebhook, getWebhookInfo) on 127.0.0.1 at a
free port, with urlencoded or multipart (file upload) parameters, records every call, and can be told to fail the next calls of a method with 429
(`retry_after`) or 500, or to hang before answering (a timeout the client sees; the hung call
is recorded with `hung=True` and never takes effect). Point a Bot at it with base_url=f"{fake.base_url}/bot" and
base_file_url=f"{fake.base_url}/file/bot" (channels.telegram.make_bot does).
"""
from __future__ import annotations

import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from email import policy
from email.parser import BytesParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Dict, List, Optional, Tuple
from urllib.parse import parse_qs, unquote

BOT_USER = {"id": 4242, "is_bot": True, "first_name": "Civic", "username": "civic_test_bot",
            "can_join_groups": False, "can_read_all_group_messages": False,
            "supports_inline_queries": False}


@dataclass
class Call:
    """One Bot API request: the method and its parameters (JSON values decoded)."""

    method: str
    params: Dict[str, Any]
    at: float = field(default_factory=time.monotonic)
    hung: bool = False  # scripted to hang: the client timed out, nothing was sent
    failed: bool = False  # scripted to fail (429/500): nothing was sent


def _decode(value: str) -> Any:
    """JSON objects and lists (reply_markup...) decoded; every other value kept as sent."""
    if not value.startswith(("{", "[")):
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def _form(content_type: str, raw: bytes) -> Dict[str, Any]:
    """The call's parameters: a urlencoded form, or a multipart one (a file upload, whose
    parts are kept as bytes)."""
    if not content_type.startswith("multipart/form-data"):
        return {key: _decode(values[0]) for key, values in parse_qs(raw.decode("utf-8")).items()}
    message = BytesParser(policy=policy.HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + raw)
    params: Dict[str, Any] = {}
    for part in message.iter_parts():
        value = part.get_payload(decode=True)
        params[part.get_param("name", header="content-disposition")] = (
            value if part.get_filename() else _decode(value.decode("utf-8")))
    return params


class FakeTelegramApi:
    """The fake server; `calls` grows as the bot talks to it (thread-safe reads via methods)."""

    def __init__(self, token: str) -> None:
        self.token = token
        self.calls: List[Call] = []
        self.webhook: Dict[str, Any] = {}
        self._files: Dict[str, Tuple[bytes, Optional[int]]] = {}
        self._failures: Dict[str, List[Tuple[int, int]]] = {}
        self._hangs: Dict[str, List[float]] = {}
        self._lock = threading.Lock()
        self._message_ids = itertools.count(1)
        self._server: Optional[ThreadingHTTPServer] = None

    # --- control ---------------------------------------------------------------------------

    def start(self) -> "FakeTelegramApi":
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    @property
    def base_url(self) -> str:
        assert self._server is not None, "start() the fake first"
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def add_file(self, file_id: str, data: bytes, reported_size: Optional[int] = None) -> None:
        """A file the bot can getFile and download; reported_size defaults to len(data)."""
        self._files[file_id] = (data, len(data) if reported_size is None else reported_size)

    def fail_next(self, method: str, status: int = 429, retry_after: int = 1, times: int = 1) -> None:
        """The next `times` calls of `method` answer `status` (429 carries retry_after)."""
        with self._lock:
            self._failures.setdefault(method, []).extend([(status, retry_after)] * times)

    def hang_next(self, method: str, seconds: float, times: int = 1) -> None:
        """The next `times` calls of `method` wait `seconds`, then fail with 504 unanswered."""
        with self._lock:
            self._hangs.setdefault(method, []).extend([seconds] * times)

    def accepted_texts(self, chat_id: Optional[str] = None) -> List[str]:
        """Texts of the sendMessage calls that were not scripted to fail or hang."""
        return [str(call.params.get("text")) for call in self.calls_of("sendMessage")
                if not call.hung and not call.failed
                and (chat_id is None or str(call.params.get("chat_id")) == str(chat_id))]

    # --- inspection ------------------------------------------------------------------------

    def calls_of(self, method: str) -> List[Call]:
        with self._lock:
            return [call for call in self.calls if call.method == method]

    def sent_texts(self, chat_id: Optional[str] = None) -> List[str]:
        """Texts of sendMessage calls (to one chat), in order."""
        return [str(call.params.get("text")) for call in self.calls_of("sendMessage")
                if chat_id is None or str(call.params.get("chat_id")) == str(chat_id)]

    def wait_for(self, predicate: Callable[[], bool], timeout: float = 15.0) -> bool:
        """Poll until `predicate()` holds; True if it did before the deadline."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return True
            time.sleep(0.02)
        return predicate()

    # --- the API ---------------------------------------------------------------------------

    def _answer(self, method: str, params: Dict[str, Any]) -> Tuple[int, Dict[str, Any]]:
        with self._lock:
            hangs = self._hangs.get(method)
            hang = hangs.pop(0) if hangs else None
            failures = self._failures.get(method) if hang is None else None
            failure = failures.pop(0) if failures else None
            self.calls.append(Call(method, params, hung=hang is not None,
                                   failed=failure is not None))
        if hang is not None:
            time.sleep(hang)
            return 504, {"ok": False, "error_code": 504, "description": "Gateway Timeout"}
        if failure is not None:
            status, retry_after = failure
            body: Dict[str, Any] = {"ok": False, "error_code": status,
                                    "description": "Too Many Requests: retry after "
                                    f"{retry_after}" if status == 429 else "Internal Server Error"}
            if status == 429:
                body["parameters"] = {"retry_after": retry_after}
            return status, body
        handler = getattr(self, f"_api_{method}", None)
        if handler is None:
            return 404, {"ok": False, "error_code": 404, "description": "Not Found"}
        return 200, {"ok": True, "result": handler(params)}

    def _message(self, params: Dict[str, Any], **extra: Any) -> Dict[str, Any]:
        return {"message_id": next(self._message_ids), "date": int(time.time()),
                "chat": {"id": int(params["chat_id"]), "type": "private"}, **extra}

    def _api_getMe(self, params: Dict[str, Any]) -> Any:
        return BOT_USER

    def _api_sendMessage(self, params: Dict[str, Any]) -> Any:
        return self._message(params, text=params.get("text", ""))

    def _api_sendPhoto(self, params: Dict[str, Any]) -> Any:
        return self._message(params, photo=[{"file_id": "sent", "file_unique_id": "sent",
                                             "width": 1, "height": 1}])

    def _api_answerCallbackQuery(self, params: Dict[str, Any]) -> Any:
        return True

    def _api_setWebhook(self, params: Dict[str, Any]) -> Any:
        self.webhook = dict(params)
        return True

    def _api_deleteWebhook(self, params: Dict[str, Any]) -> Any:
        self.webhook = {}
        return True

    def _api_getWebhookInfo(self, params: Dict[str, Any]) -> Any:
        return {"url": self.webhook.get("url", ""), "has_custom_certificate": False,
                "pending_update_count": 0}

    def _api_getFile(self, params: Dict[str, Any]) -> Any:
        file_id = str(params.get("file_id"))
        if file_id not in self._files:
            raise KeyError(file_id)
        return {"file_id": file_id, "file_unique_id": f"u{file_id}",
                "file_size": self._files[file_id][1], "file_path": f"photos/{file_id}.jpg"}

    def _download(self, path: str) -> Optional[bytes]:
        name = path.rsplit("/", 1)[-1]
        file_id = name[:-4] if name.endswith(".jpg") else name
        with self._lock:
            self.calls.append(Call("download", {"file_id": file_id}))
        entry = self._files.get(file_id)
        return entry[0] if entry else None

    def _handler_class(self) -> type:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # connections kept open, as api.telegram.org does

            def log_message(self, format: str, *args: Any) -> None:  # quiet
                return

            def _send(self, status: int, body: bytes, content_type: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                prefix = f"/file/bot{fake.token}/"
                path = unquote(self.path)
                data = fake._download(path[len(prefix):]) if path.startswith(prefix) else None
                if data is None:
                    self._send(404, b"not found", "text/plain")
                else:
                    self._send(200, data, "application/octet-stream")

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                prefix, path = f"/bot{fake.token}/", unquote(self.path)
                if not path.startswith(prefix):
                    body = {"ok": False, "error_code": 401, "description": "Unauthorized"}
                    self._send(401, json.dumps(body).encode(), "application/json")
                    return
                params = _form(self.headers.get("Content-Type") or "", raw)
                try:
                    status, body = fake._answer(path[len(prefix):], params)
                except KeyError:
                    status, body = 400, {"ok": False, "error_code": 400,
                                         "description": "Bad Request: invalid file_id"}
                self._send(status, json.dumps(body).encode(), "application/json")

        return Handler
