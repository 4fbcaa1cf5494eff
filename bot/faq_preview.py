"""How an answer will look to a citizen on each channel, before it is published.

SMS is the channel that bites: one character outside GSM-7 (a "ç" is fine, a "ã" is not) turns
the whole message into UCS-2 and more than halves what a segment holds, and the SMS channel
splits long answers into several messages. The counting is bot.sms_text's, the same code the
SMS channel sends with, so the preview cannot disagree with the bill.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import List, Mapping, Sequence

from bot.faq_content import answer_with_links
from bot.sms_text import GSM7, GSM7_BASIC, GSM7_EXTENSION, count_segments, split_message

TELEGRAM_LIMIT = 4096  # characters in one Telegram message


@dataclass(frozen=True)
class SmsMessagePreview:
    text: str
    encoding: str
    units: int
    segments: int


@dataclass(frozen=True)
class AnswerPreview:
    """One language's answer as SMS, Telegram and web chat would carry it."""

    language: str
    text: str  # answer plus link lines, as sent
    characters: int
    encoding: str  # of the whole text: "GSM-7" or "UCS-2"
    units: int  # septets (GSM-7) or UTF-16 units (UCS-2)
    segments: int  # as one SMS
    non_gsm_characters: List[str]  # what forces UCS-2, so the editor can replace it
    sms_messages: List[SmsMessagePreview]  # what the SMS channel actually sends
    telegram_fits: bool
    webchat_paragraphs: List[str]

    @property
    def sms_segments_total(self) -> int:
        return sum(message.segments for message in self.sms_messages)


def non_gsm_characters(text: str) -> List[str]:
    """Distinct characters outside GSM-7, in order of appearance."""
    found: List[str] = []
    for char in text:
        if char not in GSM7_BASIC and char not in GSM7_EXTENSION and char not in found:
            found.append(char)
    return found


def preview_answer(language: str, answer: str, links: Sequence[Mapping[str, str]]
                   ) -> AnswerPreview:
    text = answer_with_links(answer or "", links)
    whole = count_segments(text)
    messages = []
    for part in split_message(text):
        counted = count_segments(part)
        messages.append(SmsMessagePreview(part, counted.encoding, counted.units, counted.segments))
    return AnswerPreview(
        language=language, text=text, characters=len(text), encoding=whole.encoding,
        units=whole.units, segments=whole.segments,
        non_gsm_characters=[] if whole.encoding == GSM7 else non_gsm_characters(text),
        sms_messages=messages, telegram_fits=len(text) <= TELEGRAM_LIMIT,
        webchat_paragraphs=[line for line in text.split("\n") if line.strip()])


def preview_version(answers: Mapping[str, str], links: Sequence[Mapping[str, str]],
                    languages: Sequence[str]) -> List[AnswerPreview]:
    """A preview per language that has an answer."""
    return [preview_answer(language, answers[language], links)
            for language in languages if (answers.get(language) or "").strip()]
