"""Reading a Twilio webhook: its form fields, its signature, and what the number tells us.

Kept apart from channels/sms.py so the signature check can be tested on its own against
twilio-python's known answer.
"""
from __future__ import annotations

from typing import Any, List, Mapping, Optional
from urllib.parse import parse_qsl

from twilio.request_validator import RequestValidator

__all__ = ["Params", "parse_form", "signature_is_valid", "language_hint"]


class Params(dict):
    """Form fields as lists; `getall` is what twilio's RequestValidator asks a multidict for."""

    def getall(self, name: str) -> List[str]:
        return list(self[name])

    def first(self, name: str, default: str = "") -> str:
        values = self.get(name) or [default]
        return values[0]


def parse_form(body: bytes) -> Params:
    """An x-www-form-urlencoded body; ValueError when it is not valid UTF-8 form data."""
    params = Params()
    for name, value in parse_qsl(body.decode("utf-8"), keep_blank_values=True,
                                 strict_parsing=False):
        params.setdefault(name, []).append(value)
    return params


def signature_is_valid(auth_token: str, url: str, params: Mapping[str, Any],
                       signature: Optional[str]) -> bool:
    """Twilio's own check (RequestValidator): HMAC-SHA1 of the URL and sorted parameters."""
    if not auth_token or not signature:
        return False
    return bool(RequestValidator(auth_token).validate(url, params, signature))


def language_hint(phone: str) -> Optional[str]:
    """A language guess from the country code; the conversation may still change it."""
    prefixes = (("+34", "es"), ("+351", "pt"), ("+55", "pt"), ("+31", "nl"), ("+32", "nl"))
    return next((language for prefix, language in prefixes if phone.startswith(prefix)), None)
