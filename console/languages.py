"""The supported languages' names as staff read them in the console (English)."""
from __future__ import annotations

LANGUAGE_NAMES = {"en": "English", "es": "Spanish", "pt": "Portuguese", "nl": "Dutch"}


def language_name(code: str) -> str:
    """"Spanish" for "es"; the code itself for a language the console has no name for."""
    return LANGUAGE_NAMES.get(code, code)
