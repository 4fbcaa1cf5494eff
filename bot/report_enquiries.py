"""Whether a message asks after the citizen's own report: "hola, ¿qué pasa con mi aviso?".

The intent model reads some of these as policy questions or cannot place them, mostly in
Spanish and Portuguese, where it has fewer examples ("o que se passa com o meu pedido?" is a
policy question at 0.98). The FAQ then offers unrelated entries. A message that names the
citizen's report (a possessive and a word for a report, or "what I reported") together with
a word that asks how it stands is an enquiry about it, in any of the four languages. A
question about reports in general ("what happens to my report once I've sent it") asks how
things work, not how one stands, and is not one.
"""
from __future__ import annotations

from typing import FrozenSet

from bot.interrogatives import OPENERS, reads_as_question
from bot.options_in_text import folded_words, phrase_set, says_a_phrase

# The citizen's report, folded (accents dropped, lower case).
THEIR_REPORT: FrozenSet[str] = phrase_set("""
my report|my complaint|my case|my request|my ticket|what i reported|the one i reported|i reported
mi aviso|mi denuncia|mi queja|mi incidencia|mi reclamacion|mi reporte|mi caso|mi solicitud
lo que avise|lo que reporte|lo que comunique|lo que denuncie|lo que os dije|lo mio
meu pedido|minha queixa|minha reclamacao|minha ocorrencia|minha denuncia|meu caso|meu chamado
o que comuniquei|o que reportei|o que avisei|que vos falei|que comuniquei|que reportei
mijn melding|mijn klacht|mijn zaak|mijn verzoek|wat ik meldde|wat ik gemeld heb
wat ik heb gemeld|ik doorgaf|ik meldde|ik heb doorgegeven
""")

# Words that ask how it stands.
HOW_IT_STANDS: FrozenSet[str] = phrase_set("""
what's happening|whats happening|what is happening|going on|any news|any update|an update
status|how is|how's|hows|progress|heard back|looked at|fixed yet|done yet|happened to
que pasa|que paso|que hay|que ha pasado|que fue|como va|como esta|como sigue|novedad
novedades|noticia|noticias|estado|revisado|mirado|visto|respuesta|en que punto|en que quedo
se passa|passou|aconteceu|e feito|como vai|como anda|novidade|novidades|olhou|olharam|viram
resposta|em que ponto|em que ficou
wat gebeurt|wat is er gebeurd|hoe staat|hoe is het|nieuws|gekeken|bekeken|stand van zaken
antwoord|hoe ver
""")

# "Once I've sent it": how reporting works, not how one report stands.
IN_GENERAL: FrozenSet[str] = phrase_set("""
once|after i|when i|cuando|despues de|quando|depois de|nadat|zodra|wanneer ik
""")


# Asking how a problem named stands: "any news on the pothole?", "hoe staat het met de kuil?",
# "¿cómo va lo del bache?" (read as a new report, or as feedback, by the model).
AFTER_A_PROBLEM: FrozenSet[str] = phrase_set("""
any news on|any news about|any update on|any updates on|any progress on|what's happening with
whats happening with|what is happening with|what's going on with|whats going on with
how's the|hows the|how is the|how are the
como va lo del|como va lo de|como va el|como va la|que pasa con el|que pasa con la
que hay del|que hay de la|alguna novedad|hay novedades|como sigue el|como sigue la
como esta o|como esta a|como vai o|como vai a|como anda o|como anda a|o que se passa com
alguma novidade|ha novidades|novidades sobre|novidades do|novidades da
hoe staat het met|hoe is het met|nieuws over|hoe ver is|hoe gaat het met de
""")
MAX_PROBLEM_WORDS = 10


def asks_after_a_problem(text: str) -> bool:
    """Whether `text` is a short question of how a problem it names stands ("any news on the
    pothole?"): a citizen asking after what they reported (actions.status finds their report
    of that kind), not a new report."""
    words = folded_words(text)
    return (0 < len(words) <= MAX_PROBLEM_WORDS and says_a_phrase(text, AFTER_A_PROBLEM)
            and not says_a_phrase(text, IN_GENERAL)
            and any(reads_as_question(text, language) for language in OPENERS))


def asks_after_a_report(text: str) -> bool:
    """Whether `text` asks how the citizen's own report stands."""
    return (says_a_phrase(text, THEIR_REPORT) and says_a_phrase(text, HOW_IT_STANDS)
            and not says_a_phrase(text, IN_GENERAL))


def mentions_their_report(text: str) -> bool:
    """Whether `text` speaks of a report the citizen made ("the noise I reported is even
    louder tonight"): a new report in those words is likely that one again."""
    return says_a_phrase(text, THEIR_REPORT)
