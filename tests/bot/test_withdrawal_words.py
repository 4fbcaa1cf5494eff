"""Which messages ask to withdraw a report already sent (bot.withdrawal_words)."""
from __future__ import annotations

import pytest

from bot.withdrawal_words import asks_to_withdraw


@pytest.mark.parametrize("text", [
    "actually please cancel that report, the owner just moved it", "can you cancel it please",
    "I want to withdraw my report", "cancela el aviso, ya no hace falta",
    "podem cancelar o pedido?", "ik wil mijn melding intrekken", "annuleer de melding maar",
])
def test_requests_to_withdraw(text: str) -> None:
    assert asks_to_withdraw(text)


@pytest.mark.parametrize("text", [
    "no", "cancel", "no thanks", "I want to report a problem", "what's the status of my report",
    "/deny", "",
])
def test_other_messages(text: str) -> None:
    assert not asks_to_withdraw(text)
