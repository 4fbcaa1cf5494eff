"""Which supported language a citizen is writing in.

Detection is restricted to the languages the assistant speaks (a short Spanish message must
not come back as Catalan or Galician) and seeded so the same text always gets the same
answer. Short messages ("ok", "12 high st") carry too little signal: the conversation keeps
its language.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Optional, Tuple

from bot.settings import get_settings

MIN_WORDS = 4
MIN_PROBABILITY = 0.8
SEED = 0


def detect_language(text: Optional[str], hint: Optional[str] = None,
                    current: Optional[str] = None) -> str:
    """A supported language code for `text`.

    `current` is the conversation's language, `hint` the channel's (browser locale, Telegram
    language_code). They win for short texts and when detection is unsure.
    """
    settings = get_settings()
    supported = tuple(settings.supported_languages)
    fallback = next((code for code in (_base(current), _base(hint)) if code in supported),
                    settings.default_language)
    words = (text or "").split()
    if len(words) < MIN_WORDS:
        return fallback
    best, probability = _detect(" ".join(words), supported)
    if best is None or probability < MIN_PROBABILITY:
        return fallback
    return best


def _base(code: Optional[str]) -> Optional[str]:
    """"pt-BR" -> "pt"; channels report regional codes."""
    return code.split("-")[0].split("_")[0].lower() if code else None


def _detect(text: str, supported: Tuple[str, ...]) -> Tuple[Optional[str], float]:
    from langdetect.lang_detect_exception import LangDetectException

    detector = _factory(supported).create()
    detector.append(text)
    try:
        candidates = detector.get_probabilities()
    except LangDetectException:
        return None, 0.0
    if not candidates:
        return None, 0.0
    top = max(candidates, key=lambda item: item.prob)
    return top.lang, top.prob


@lru_cache(maxsize=4)
def _factory(supported: Tuple[str, ...]):  # type: ignore[no-untyped-def]
    """A langdetect factory holding only our languages' profiles, built on first use."""
    from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory

    factory = DetectorFactory()
    profiles = [(Path(PROFILES_DIRECTORY) / code).read_text(encoding="utf-8")
                for code in supported if (Path(PROFILES_DIRECTORY) / code).exists()]
    if len(profiles) < 2:
        raise ValueError("language detection needs at least two supported languages")
    factory.load_json_profile(profiles)
    factory.seed = SEED
    return factory
