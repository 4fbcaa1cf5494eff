"""Whether a message the model took for adding to a report reads as a new problem instead.

"Há uma fuga de água na Rua do Sol 22" is adding to a report to the model (0.95), from a
citizen who has reported nothing: they were asked "which report?", and describing the
problem again was "not one of our references", round and round. A note to an earlier report
points back at it: a reference, "my report" or "what I reported" (bot.report_enquiries),
only the wish to add something (bot.announcements), or a word that says it is more of
something known: "forgot", "also", "again", "still", "worse", "now" (four languages). A
message with none of these is not a note; with the problem's type named it is a new report
(components.new_problem).
"""
from __future__ import annotations

from typing import FrozenSet

from bot.announcements import announces_note
from bot.options_in_text import phrase_set, says_a_phrase
from bot.references import without_references
from bot.report_enquiries import mentions_their_report

MORE_OF_SOMETHING_KNOWN: FrozenSet[str] = phrase_set("""
forgot|forget|forgotten|also|again|still|worse|bigger|more|another|update|added|mention
mentioned|earlier|before|already|reported|now|too|anymore|any more|getting|got worse|grown
olvide|olvido|tambien|otra vez|de nuevo|sigue|siguen|peor|mas|otra|otro|ya|antes|ahora
todavia|aun|avise|reporte
esqueci|esqueceu|tambem|outra vez|de novo|continua|pior|maior|mais|outra|outro|ja|agora
ainda|reportei|avisei
vergeten|ook|weer|nog steeds|erger|groter|meer|nog|al|eerder|nu|gemeld|andere
""")


def points_back_at_a_report(text: str) -> bool:
    """Whether `text` reads as more about a report already made."""
    return (without_references(text) != text or mentions_their_report(text)
            or announces_note(text) or says_a_phrase(text, MORE_OF_SOMETHING_KNOWN))
