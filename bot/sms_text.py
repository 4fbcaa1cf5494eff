"""Bot replies made to fit SMS: numbered options for buttons, and segment-aware splitting.

An SMS is billed and delivered per segment: 160 GSM-7 characters alone, 153 per part of a
longer message (the rest is the concatenation header); one character outside GSM-7 (an emoji,
a "ł") turns the whole message into UCS-2 with 70 / 67 UTF-16 units. GSM-7 extension
characters (€ [ ] { } ...) take two septets. Long answers are split into several messages at
sentence or word boundaries, each kept to a few segments, so the citizen never receives a
message cut mid-word. The line that numbers the options is in the reply's own language (read
from the reply, which the bot wrote in the citizen's language), so a Spanish citizen is not
told "Reply 1 for Sí". Pure functions: no database, no provider.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Dict, List, Mapping, Optional, Sequence

from bot.errors import InvalidInput
from bot.language import detect_language
from bot.options_in_text import folded_words

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")
GSM7, UCS2 = "GSM-7", "UCS-2"
SINGLE_LIMIT = {GSM7: 160, UCS2: 70}
PART_LIMIT = {GSM7: 153, UCS2: 67}
DEFAULT_MAX_SEGMENTS = 3  # per message; longer answers become several messages
_SENTENCE_END = re.compile(r"[.!?;:](?=\s)|\n")
_OPTION_REPLY = re.compile(r"^\s*#?\s*(\d{1,2})\s*[.)]?\s*$")
MAX_TITLE_WORDS = 6  # option titles are short ("Change answers", "Yes, talk to a person")
# "Reply 1 for Yes, 2 for No" per language: the line, and one option in it.
OPTION_PROMPTS: Dict[str, Dict[str, str]] = {
    "en": {"line": "Reply {choices}", "choice": "{number} for {title}"},
    "es": {"line": "Responde {choices}", "choice": "{number} para {title}"},
    "pt": {"line": "Responda {choices}", "choice": "{number} para {title}"},
    "nl": {"line": "Stuur {choices}", "choice": "{number} voor {title}"},
}


@dataclass(frozen=True)
class SegmentCount:
    """How a text travels: its encoding, its length in units, and how many segments it takes."""

    encoding: str
    units: int
    segments: int


@dataclass(frozen=True)
class NumberedOption:
    """A button as SMS can offer it: reply with `number` to choose `payload`."""

    number: int
    title: str
    payload: str

    def as_dict(self) -> Dict[str, Any]:
        """JSON-friendly, to keep with the stored replies."""
        return {"number": self.number, "title": self.title, "payload": self.payload}


def encoding_of(text: str) -> str:
    """GSM-7 when every character is in the GSM-7 basic or extension table, else UCS-2."""
    return GSM7 if all(c in GSM7_BASIC or c in GSM7_EXTENSION for c in text) else UCS2


def char_units(char: str, encoding: str) -> int:
    """Septets (GSM-7: extension characters take an escape too) or UTF-16 units (UCS-2)."""
    if encoding == GSM7:
        return 2 if char in GSM7_EXTENSION else 1
    return 2 if ord(char) > 0xFFFF else 1


def text_units(text: str, encoding: Optional[str] = None) -> int:
    """The length of `text` as the network counts it."""
    encoding = encoding or encoding_of(text)
    return sum(char_units(c, encoding) for c in text)


def count_segments(text: str) -> SegmentCount:
    """Segments this text takes as one SMS (an empty text still costs one)."""
    encoding = encoding_of(text)
    units = text_units(text, encoding)
    if units <= SINGLE_LIMIT[encoding]:
        return SegmentCount(encoding, units, 1)
    return SegmentCount(encoding, units, len(_split_units(text, encoding, PART_LIMIT[encoding])))


def _split_units(text: str, encoding: str, limit: int) -> List[str]:
    """Cut into parts of at most `limit` units, never inside a character or escape pair
    (how the network would split it: no boundary search)."""
    parts, current, used = [], [], 0
    for char in text:
        cost = char_units(char, encoding)
        if used + cost > limit:
            parts.append("".join(current))
            current, used = [], 0
        current.append(char)
        used += cost
    parts.append("".join(current))
    return parts


def message_limit(encoding: str, max_segments: int) -> int:
    """Units one message may hold when it may span `max_segments` segments."""
    if max_segments <= 1:
        return SINGLE_LIMIT[encoding]
    return PART_LIMIT[encoding] * max_segments


def split_message(text: str, max_segments: int = DEFAULT_MAX_SEGMENTS) -> List[str]:
    """`text` as one or more messages of at most `max_segments` segments each.

    Cuts after the last sentence end that keeps at least half a message, else at the last
    space, else (one very long word) between characters. Whitespace at the cut is dropped.
    """
    if max_segments < 1:
        raise ValueError("max_segments must be at least 1")
    text = text.strip()
    encoding = encoding_of(text)
    limit = message_limit(encoding, max_segments)
    messages: List[str] = []
    while text_units(text, encoding) > limit:
        head = _fitting_prefix(text, encoding, limit)
        cut = _boundary(head)
        messages.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    if text or not messages:
        messages.append(text)
    return messages


def _fitting_prefix(text: str, encoding: str, limit: int) -> str:
    """The longest prefix of `text` within `limit` units."""
    used = 0
    for index, char in enumerate(text):
        used += char_units(char, encoding)
        if used > limit:
            return text[:index]
    return text


def _boundary(head: str) -> int:
    """Where to cut `head` (the part that fits): a sentence end, else a space, else its end."""
    sentence_ends = [m.end() for m in _SENTENCE_END.finditer(head) if m.end() >= len(head) // 2]
    if sentence_ends:
        return sentence_ends[-1]
    space = head.rfind(" ")
    if space > 0:
        return space
    return len(head)


def numbered_options(buttons: Sequence[Mapping[str, Any]]) -> List[NumberedOption]:
    """Rasa buttons ({"title", "payload"}) numbered from 1, in the order the bot gave them."""
    options = []
    for button in buttons:
        title = str(button.get("title") or "").strip()
        payload = str(button.get("payload") or title).strip()
        if title or payload:
            options.append(NumberedOption(len(options) + 1, title or payload, payload))
    return options


def options_prompt(options: Sequence[NumberedOption], language: str = "en") -> str:
    """"Reply 1 for Yes, 2 for No" (in `language`): the line that replaces the buttons."""
    if not options:
        return ""
    prompt = OPTION_PROMPTS.get(language, OPTION_PROMPTS["en"])
    choices = ", ".join(prompt["choice"].format(number=option.number, title=option.title)
                        for option in options)
    return prompt["line"].format(choices=choices)


def render_reply(text: Optional[str], buttons: Sequence[Mapping[str, Any]] = ()) -> str:
    """One bot reply as SMS text: its text, then the numbered options on their own line."""
    options = numbered_options(buttons)
    language = reply_language(text, options) if options else "en"
    prompt = options_prompt(options, language)
    parts = [part for part in ((text or "").strip(), prompt) if part]
    return "\n".join(parts)


def reply_language(text: Optional[str], options: Sequence[NumberedOption]) -> str:
    """The language the bot wrote this reply in, read from its words and its options' titles
    (the city's default when they do not tell)."""
    return detect_language(" ".join([text or "", *(option.title for option in options)]))


def option_number(reply: Optional[str]) -> Optional[int]:
    """The number in a reply like "2", "2.", "#2" (nothing else around it), else None."""
    match = _OPTION_REPLY.match(reply or "")
    return int(match.group(1)) if match else None


def might_pick_option(reply: Optional[str]) -> bool:
    """Whether a reply could choose an offered option: a number, or a few words that could be
    an option's title (the stored options are read only for these)."""
    return option_number(reply) is not None or 0 < len((reply or "").split()) <= MAX_TITLE_WORDS


def pick_option(reply: Optional[str], options: Sequence[Mapping[str, Any]]) -> Optional[str]:
    """The payload a reply chooses among the stored options: by its number ("2"), or by its
    title typed out ("Versturen", which the model reads as "no"; case, accents and a final
    mark aside). None for any other reply."""
    number = option_number(reply)
    typed = folded_words(reply or "") if number is None else []
    for option in options:
        chosen = (int(option.get("number", 0)) == number if number is not None
                  else bool(typed) and folded_words(str(option.get("title") or "")) == typed)
        if chosen:
            return str(option.get("payload") or "") or None
    return None


def staff_words(text: str, limit: int, what: str, whom: str) -> str:
    """What a staff member typed for a citizen (a question to a reporter, an answer to
    feedback), spaces collapsed; InvalidInput when empty, or too long (`limit`) to reach the
    citizen in one message with its wrapping."""
    words = " ".join((text or "").split())
    if not words:
        raise InvalidInput(f"write the {what} to send to {whom}")
    if len(words) > limit:
        raise InvalidInput(f"the {what} is {len(words)} characters long; keep it under "
                           f"{limit} so it reaches the citizen in one message")
    return words
