"""Whether a message asks to withdraw a report already sent: "actually please cancel that
report, the owner just moved it", "ik wil mijn melding intrekken".

After a report was sent, the model reads such a request as a plain "no" ("OK, anything
else?"), a status check or nothing at all, and the crew went out to a car already gone. The
words alone say it: a word for cancelling or withdrawing, with the report or "it" as its
object, in four languages. Inside a form the same words stop the report being made
(actions.report_form); the caller looks only outside one (actions.withdrawals).
"""
from __future__ import annotations

from typing import FrozenSet

from bot.options_in_text import folded_words, phrase_set, says_a_phrase

MAX_WORDS = 20

WITHDRAW: FrozenSet[str] = phrase_set("""
cancel that report|cancel my report|cancel the report|cancel this report|cancel it please
can you cancel it|please cancel it|cancel that one|withdraw my report|withdraw the report
withdraw it|take my report back|delete my report|delete the report|cancel my complaint
cancela el aviso|cancelar el aviso|cancela mi aviso|cancelar mi aviso|anula el aviso
anular el aviso|anula mi aviso|retira el aviso|retirar el aviso|cancelalo|anulalo
cancela la queja|cancelar mi queja|borra el aviso|borrar el aviso
cancelar o pedido|cancela o pedido|cancelem o pedido|cancelar o meu pedido|anular o pedido
anulem o pedido|retirar o pedido|cancelar a queixa|cancelem isso|apagar o pedido
melding intrekken|mijn melding intrekken|trek de melding in|trek mijn melding in
annuleer de melding|annuleer mijn melding|melding annuleren|melding verwijderen
verwijder mijn melding|verwijder de melding
""")


def asks_to_withdraw(text: str) -> bool:
    """Whether `text` asks for a report already sent to be withdrawn."""
    words = folded_words(text or "")
    return 0 < len(words) <= MAX_WORDS and not text.startswith("/") \
        and says_a_phrase(text, WITHDRAW)
