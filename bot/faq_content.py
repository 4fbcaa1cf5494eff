"""What one version of an FAQ entry holds, and the rules it must meet before it is saved.

Shared by the console's editor, the bulk import and the seed, so an entry is judged the same
way whichever door it came in by. Every problem is collected (not just the first), because the
comms team fixes a form or a file in one pass.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Sequence

from bot.settings import get_settings

TOPIC_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{1,79}$")
MAX_QUESTION_CHARS = 300
MAX_ANSWER_CHARS = 2000  # a Telegram message holds 4096; beyond this it is an article, not an answer
REQUIRED_LANGUAGE = "en"  # retrieval falls back to English, so every entry needs it


@dataclass(frozen=True)
class FaqContent:
    """Questions per language, an answer per language, and links: one version's content."""

    questions: Dict[str, List[str]] = field(default_factory=dict)
    answers: Dict[str, str] = field(default_factory=dict)
    links: List[Dict[str, str]] = field(default_factory=list)

    def as_dict(self) -> Dict[str, Any]:
        return {"questions": self.questions, "answers": self.answers, "links": self.links}


def languages() -> List[str]:
    """The languages the assistant answers in (settings), English first."""
    supported = list(get_settings().supported_languages)
    return [REQUIRED_LANGUAGE] + [code for code in supported if code != REQUIRED_LANGUAGE]


def clean_content(questions: Mapping[str, Sequence[str]], answers: Mapping[str, str],
                  links: Sequence[Mapping[str, str]]) -> FaqContent:
    """Whitespace trimmed, empty phrasings and languages dropped, repeated phrasings once."""
    clean_questions: Dict[str, List[str]] = {}
    for language, texts in questions.items():
        seen: List[str] = []
        for text in texts or []:
            text = " ".join(str(text).split())
            if text and text.lower() not in {known.lower() for known in seen}:
                seen.append(text)
        if seen:
            clean_questions[language] = seen
    clean_answers = {language: str(text).strip() for language, text in answers.items()
                     if text and str(text).strip()}
    clean_links = [{"title": str(link.get("title") or "").strip(),
                    "url": str(link.get("url") or "").strip()} for link in links
                   if str(link.get("title") or "").strip() or str(link.get("url") or "").strip()]
    return FaqContent(clean_questions, clean_answers, clean_links)


def content_problems(content: FaqContent) -> List[str]:
    """Every reason `content` cannot be saved ([] when it can)."""
    problems: List[str] = []
    allowed = set(languages())
    for language in sorted((set(content.questions) | set(content.answers)) - allowed):
        problems.append(f"language {language!r} is not one the assistant speaks "
                        f"({', '.join(languages())})")
    if not content.questions.get(REQUIRED_LANGUAGE):
        problems.append("English questions are required")
    if not content.answers.get(REQUIRED_LANGUAGE):
        problems.append("an English answer is required")
    for language, texts in content.questions.items():
        if any(len(text) > MAX_QUESTION_CHARS for text in texts):
            problems.append(f"a {language} question is longer than {MAX_QUESTION_CHARS} characters")
    for language, text in content.answers.items():
        if len(text) > MAX_ANSWER_CHARS:
            problems.append(f"the {language} answer is longer than {MAX_ANSWER_CHARS} characters")
    for number, link in enumerate(content.links, start=1):
        if not re.match(r"^https?://\S+$", link["url"]):
            problems.append(f"link {number} needs a URL starting with https:// or http://")
    return problems


def topic_problems(topic: str) -> List[str]:
    if TOPIC_PATTERN.match(topic or ""):
        return []
    return ["the topic must be 2-80 lowercase letters, digits or hyphens, e.g. 'bin-collection-day'"]


def missing_parts(questions: Mapping[str, Sequence[str]], answers: Mapping[str, str]
                  ) -> Dict[str, List[str]]:
    """Per language, what is missing: "questions" and/or "answer" ({} when complete)."""
    missing: Dict[str, List[str]] = {}
    for language in languages():
        parts = []
        if not questions.get(language):
            parts.append("questions")
        if not (answers.get(language) or "").strip():
            parts.append("answer")
        if parts:
            missing[language] = parts
    return missing


def parse_lines(text: str) -> List[str]:
    """One question per line (the editor's textarea and the CSV cell)."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def parse_links(text: str) -> List[Dict[str, str]]:
    """Links written one per line as "Title | https://..." (or just the URL)."""
    links = []
    for line in parse_lines(text):
        title, separator, url = line.rpartition("|")
        if not separator:
            title, url = "", line
        links.append({"title": title.strip(), "url": url.strip()})
    return links


def format_links(links: Sequence[Mapping[str, str]]) -> str:
    """The inverse of parse_links, to fill the editor."""
    return "\n".join(f"{link.get('title')} | {link.get('url')}" if link.get("title")
                     else str(link.get("url") or "") for link in links or [])


def link_lines(links: Sequence[Mapping[str, str]]) -> List[str]:
    """"Title: https://..." for each link with a URL, as the citizen sees them."""
    lines = []
    for link in links or []:
        url = (link or {}).get("url")
        if url:
            title = (link.get("title") or "").strip()
            lines.append(f"{title}: {url}" if title else url)
    return lines


def answer_with_links(answer: str, links: Sequence[Mapping[str, str]]) -> str:
    """The text the bot sends: the answer, then one line per link."""
    return "\n".join([answer.strip(), *link_lines(links)])
