"""A local HTTP fake of the parts of Twilio's REST API the SMS channel uses.

Driven through twilio-python's own `Client` (its base URL pointed here), so the request the
library builds and the response it parses are real: Messages create answers 201 with JSON
shaped like Twilio's, errors answer Twilio's error JSON (429, 500, 400 with a code). It also
serves media files (MMS MediaUrlN), behind HTTP basic auth like Twilio's, via a redirect as
Twilio does. Every request is recorded for assertions. Messages can be listed (GET
Messages.json, To/From filters, newest first, as Twilio answers) and a create can be made slow,
before or after it is accepted, to play a timeout whose outcome the client cannot know.
"""
from __future__ import annotations

import base64
import datetime as dt
import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Dict, List, Optional, Tuple
from urllib.parse import parse_qs, urlparse


@dataclass
class SentMessage:
    """One accepted Messages create call."""

    sid: str
    account_sid: str
    to: str
    from_: str
    body: str
    created: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.timezone.utc))


@dataclass
class FakeTwilio:
    """State of the fake: what was sent, scripted failures, media files."""

    account_sid: str = "AC" + "0" * 32
    auth_token: str = "fake-auth-token"
    sent: List[SentMessage] = field(default_factory=list)
    failures: List[Tuple[int, int]] = field(default_factory=list)  # (HTTP status, Twilio code)
    media: Dict[str, Tuple[bytes, str]] = field(default_factory=dict)
    requests: List[Tuple[str, str]] = field(default_factory=list)  # (method, path)
    slow: List[Tuple[float, bool]] = field(default_factory=list)  # (seconds, accept first)
    base_url: str = ""
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: Optional[ThreadingHTTPServer] = None

    def fail_next(self, status: int, code: int, times: int = 1) -> None:
        """The next `times` Messages create calls fail with this HTTP status and Twilio code."""
        with self._lock:
            self.failures.extend([(status, code)] * times)

    def slow_next(self, seconds: float, accept: bool, times: int = 1) -> None:
        """The next `times` creates answer after `seconds`; with accept=True the message is
        recorded (sent) before the wait, so a client that times out does not know it went."""
        with self._lock:
            self.slow.extend([(seconds, accept)] * times)

    def add_media(self, name: str, data: bytes, content_type: str) -> str:
        """Serve `data` and return the MediaUrl Twilio would put in the webhook."""
        self.media[name] = (data, content_type)
        return f"{self.base_url}/2010-04-01/Accounts/{self.account_sid}/Messages/MM1/Media/{name}"

    def bodies_to(self, number: str) -> List[str]:
        with self._lock:
            return [message.body for message in self.sent if message.to == number]

    def start(self) -> "FakeTwilio":
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    # --- request handling, called from the server's threads ---
    def authorised(self, header: Optional[str]) -> bool:
        expected = base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        return header == f"Basic {expected}"

    def create_message(self, form: Dict[str, List[str]]) -> Tuple[int, dict]:
        with self._lock:
            delay, accept_first = self.slow.pop(0) if self.slow else (0.0, False)
        if delay and accept_first:
            answer = self._create(form)
            time.sleep(delay)
            return answer
        time.sleep(delay)
        return self._create(form)

    def list_messages(self, query: Dict[str, List[str]]) -> dict:
        """Messages, newest first, filtered by To and From like Twilio's Messages list."""
        to, from_ = query.get("To", [None])[0], query.get("From", [None])[0]
        with self._lock:
            found = [message for message in reversed(self.sent)
                     if (to is None or message.to == to) and (from_ is None or message.from_ == from_)]
        return {"messages": [_message_json(message) for message in found],
                "next_page_uri": None, "page": 0, "page_size": len(found) or 50,
                "uri": f"/2010-04-01/Accounts/{self.account_sid}/Messages.json"}

    def _create(self, form: Dict[str, List[str]]) -> Tuple[int, dict]:
        with self._lock:
            if self.failures:
                status, code = self.failures.pop(0)
                return status, {"code": code, "message": "scripted failure", "status": status,
                                "more_info": f"https://www.twilio.com/docs/errors/{code}"}
            if not form.get("To") or not form.get("Body"):
                return 400, {"code": 21604, "message": "A 'To' and 'Body' are required",
                             "status": 400, "more_info": ""}
            message = SentMessage("SM" + uuid.uuid4().hex, self.account_sid, form["To"][0],
                                  form.get("From", [""])[0], form["Body"][0])
            self.sent.append(message)
        return 201, _message_json(message)


def _message_json(message: SentMessage) -> dict:
    """The fields twilio-python's MessageInstance reads, as Twilio returns them."""
    created = message.created.strftime("%a, %d %b %Y %H:%M:%S +0000")
    return {
        "sid": message.sid, "account_sid": message.account_sid, "to": message.to,
        "from": message.from_, "body": message.body, "status": "queued",
        "num_segments": "1", "num_media": "0", "direction": "outbound-api",
        "api_version": "2010-04-01", "price": None, "price_unit": "USD", "error_code": None,
        "error_message": None, "messaging_service_sid": None,
        "date_created": created, "date_updated": created, "date_sent": None,
        "uri": f"/2010-04-01/Accounts/{message.account_sid}/Messages/{message.sid}.json",
        "subresource_uris": {"media": f"/2010-04-01/Accounts/{message.account_sid}/Messages/"
                                      f"{message.sid}/Media.json"},
    }


def _handler_for(fake: FakeTwilio) -> type:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # connections kept open, as api.twilio.com does

        def log_message(self, *_args: object) -> None:  # keep test output quiet
            pass

        def _send(self, status: int, body: bytes, content_type: str,
                  headers: Optional[Dict[str, str]] = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def _json(self, status: int, payload: dict) -> None:
            self._send(status, json.dumps(payload).encode(), "application/json")

        def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
            path = urlparse(self.path).path
            fake.requests.append(("POST", path))
            # Read first, whatever the answer: the connection carries the client's next request.
            length = int(self.headers.get("Content-Length") or 0)
            form = parse_qs(self.rfile.read(length).decode(), keep_blank_values=True)
            if not fake.authorised(self.headers.get("Authorization")):
                return self._json(401, {"code": 20003, "message": "Authenticate", "status": 401})
            if path != f"/2010-04-01/Accounts/{fake.account_sid}/Messages.json":
                return self._json(404, {"code": 20404, "message": "Not found", "status": 404})
            self._json(*fake.create_message(form))

        def do_GET(self) -> None:  # noqa: N802
            url = urlparse(self.path)
            path = url.path
            fake.requests.append(("GET", path))
            if path == f"/2010-04-01/Accounts/{fake.account_sid}/Messages.json":
                if not fake.authorised(self.headers.get("Authorization")):
                    return self._json(401, {"code": 20003, "message": "Authenticate", "status": 401})
                return self._json(200, fake.list_messages(parse_qs(url.query)))
            name = path.rsplit("/", 1)[-1]
            if path.startswith("/media-store/") and name in fake.media:
                data, content_type = fake.media[name]
                return self._send(200, data, content_type)
            if "/Media/" in path and name in fake.media:
                if not fake.authorised(self.headers.get("Authorization")):
                    return self._json(401, {"code": 20003, "message": "Authenticate", "status": 401})
                # Twilio redirects media requests to its storage.
                return self._send(307, b"", "text/plain", {"Location": f"/media-store/{name}"})
            self._json(404, {"code": 20404, "message": "Not found", "status": 404})

    return Handler
