"""Headless Chromium (Debian's /usr/bin/chromium, never a downloaded browser) driving the real
chat page served by the real Rasa server (`assistant_servers` from tests/conftest.py).

The driver recognises what the assistant asked by matching each bot bubble against the English
responses in domain/*.yml, so the journey follows the dialogue as written, not as guessed.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Dict, Iterator, List, Optional, Pattern, Tuple

import pytest
import yaml

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

    from tests.integration.servers import AssistantServers

ROOT = Path(__file__).resolve().parents[2]
PHONE = {"width": 375, "height": 667}
TURN_TIMEOUT_MS = 90_000


def _template_regex(text: str) -> Pattern[str]:
    """A response text with {placeholders} as a pattern matching the rendered bubble."""
    parts = re.split(r"\{[a-zA-Z_]+\}", text.strip())
    return re.compile(r"(?s)^" + r".+?".join(re.escape(p) for p in parts) + r"$")


@dataclass
class ResponseCatalogue:
    """English response texts of the domain, to name what a bubble says."""

    patterns: List[Tuple[str, Pattern[str]]] = field(default_factory=list)

    @classmethod
    def load(cls, domain_dir: Path) -> "ResponseCatalogue":
        catalogue = cls()
        for path in sorted(domain_dir.glob("*.yml")):
            responses = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("responses") or {}
            for name, variations in responses.items():
                for variation in variations or []:
                    if variation.get("text") and _is_english(variation):
                        # Rasa's collector splits a text on blank lines into several bubbles.
                        for paragraph in variation["text"].strip().split("\n\n"):
                            catalogue.patterns.append((name, _template_regex(paragraph)))
        return catalogue

    def name_of(self, bubble: str) -> Optional[str]:
        for name, pattern in self.patterns:
            if pattern.match(bubble.strip()):
                return name
        return None


def _is_english(variation: Dict) -> bool:
    conditions = variation.get("condition") or []
    return all(c.get("name") != "language" or c.get("value") == "en" for c in conditions)


class ChatPage:
    """The chat page as a citizen uses it, with waits that end when the assistant answered."""

    def __init__(self, page: "Page", catalogue: ResponseCatalogue) -> None:
        self.page = page
        self.catalogue = catalogue

    def open(self, url: str) -> None:
        self.page.goto(url)
        self.page.wait_for_selector("#message")

    def bot_texts(self) -> List[str]:
        return self.page.locator(".msg--bot .msg__text").all_inner_texts()

    def user_texts(self) -> List[str]:
        return self.page.locator(".msg--user .msg__text").all_inner_texts()

    def transcript(self) -> str:
        return self.page.locator("#log").inner_text()

    def session_id(self) -> str:
        return self.page.evaluate("localStorage.getItem('civic-webchat.session_id')")

    def choices(self) -> List[str]:
        return self.page.locator("button.choice:not([disabled])").all_inner_texts()

    def wait_for_answer(self, bot_count_before: int) -> List[str]:
        """Poll (with a deadline) until the message is answered; the new bot bubbles."""
        self.page.wait_for_function(
            """(before) => !document.querySelector('.msg--pending')
                && document.querySelectorAll('.msg--bot').length > before""",
            arg=bot_count_before, timeout=TURN_TIMEOUT_MS)
        failed = self.page.locator(".msg--failed").count()
        assert failed == 0, f"a message was not sent: {self.page.locator('#error').inner_text()}"
        return self.bot_texts()[bot_count_before:]

    def _answered(self, act: Callable[[], None]) -> List[str]:
        before = self.page.locator(".msg--bot").count()
        act()
        return self.wait_for_answer(before)

    def send_text(self, text: str) -> List[str]:
        def act() -> None:
            self.page.fill("#message", text)
            self.page.click("#send")
        return self._answered(act)

    def click_choice(self, title: str) -> List[str]:
        button = self.page.locator("button.choice:not([disabled])", has_text=title).first
        return self._answered(button.click)

    def share_location(self) -> List[str]:
        return self._answered(lambda: self.page.click("#share-location"))

    def upload_photo(self, name: str, data: bytes) -> List[str]:
        files = [{"name": name, "mimeType": "image/png", "buffer": data}]
        return self._answered(lambda: self.page.set_input_files("#photo", files=files))

    def press_choice(self, title: str) -> List[str]:
        """Keyboard only: focus is on the first offered choice; Tab to `title`, press Enter."""
        assert self.focused("el.classList.contains('choice')"), "focus moves to the offered choices"
        for _ in range(len(self.choices()) + 1):
            if self.focused(f"el.innerText.trim() === {title!r}"):
                return self._answered(lambda: self.page.keyboard.press("Enter"))
            self.page.keyboard.press("Tab")
        raise AssertionError(f"Tab never reached the choice {title!r}")

    def type_and_enter(self, text: str) -> List[str]:
        """Keyboard only: focus is back in the text box after an answer without choices."""
        assert self.focused("el.id === 'message'"), "focus returns to the text box"
        def act() -> None:
            self.page.keyboard.type(text)
            self.page.keyboard.press("Enter")
        return self._answered(act)

    def focused(self, condition: str) -> bool:
        """Evaluate `condition` on document.activeElement (bound as `el`)."""
        return bool(self.page.evaluate(f"(() => {{ const el = document.activeElement; return {condition}; }})()"))

    def last_ask(self, bubbles: List[str]) -> Optional[str]:
        """The last thing the assistant asked among `bubbles` (an utter_ask_* name)."""
        names = [self.catalogue.name_of(text) for text in bubbles]
        asks = [n for n in names if n and n.startswith("utter_ask_")]
        return asks[-1] if asks else None


@pytest.fixture
def phone_page(chromium: "Browser") -> Iterator["Page"]:
    """A fresh phone-sized browser profile that may share a location."""
    context = chromium.new_context(viewport=PHONE, geolocation={"latitude": 51.5072, "longitude": -0.1276},
                                   permissions=["geolocation"], locale="en-GB")
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(scope="session")
def response_catalogue() -> ResponseCatalogue:
    catalogue = ResponseCatalogue.load(ROOT / "domain")
    assert catalogue.patterns, "domain/*.yml holds no responses"
    return catalogue


@pytest.fixture
def chat(phone_page: "Page", response_catalogue: ResponseCatalogue) -> ChatPage:
    return ChatPage(phone_page, response_catalogue)


@pytest.fixture
def chat_url(assistant_servers: "AssistantServers") -> str:
    """The page as Rasa serves it from channels.webchat.WebChatInput."""
    return f"{assistant_servers.rasa_url}/webhooks/webchat/"
