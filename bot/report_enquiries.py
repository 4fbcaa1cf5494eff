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

from bot.options_in_text import says_a_phrase

# The citizen's report, folded (accents dropped, lower case).
THEIR_REPORT: FrozenSet[str] = frozenset("""
my report|my complaint|my case|my request|my ticket|what i reported|the one i reported|i reported
mi aviso|mi denuncia|mi queja|mi incidencia|mi reclamacion|mi reporte|mi caso|mi solicitud
lo que avise|lo que reporte|lo que comunique|lo que denuncie|lo que os dije|lo mio
meu pedido|minha queixa|minha reclamacao|minha ocorrencia|minha denuncia|meu caso|meu chamado
o que comuniquei|o que reportei|o que avisei|que vos falei|que comuniquei|que reportei
mijn melding|mijn klacht|mijn zaak|mijn verzoek|wat ik meldde|wat ik gemeld heb
wat ik heb gemeld|ik doorgaf|ik meldde|ik heb doorgegeven
""".replace("\n", "|").strip("|").split("|"))

# Words that ask how it stands.
HOW_IT_STANDS: FrozenSet[str] = frozenset("""
what's happening|whats happening|what is happening|going on|any news|any update|an update
status|how is|how's|hows|progress|heard back|looked at|fixed yet|done yet|happened to
que pasa|que paso|que hay|que ha pasado|que fue|como va|como esta|como sigue|novedad
novedades|noticia|noticias|estado|revisado|mirado|visto|respuesta|en que punto|en que quedo
se passa|passou|aconteceu|e feito|como vai|como anda|novidade|novidades|olhou|olharam|viram
resposta|em que ponto|em que ficou
wat gebeurt|wat is er gebeurd|hoe staat|hoe is het|nieuws|gekeken|bekeken|stand van zaken
antwoord|hoe ver
""".replace("\n", "|").strip("|").split("|"))

# "Once I've sent it": how reporting works, not how one report stands.
IN_GENERAL: FrozenSet[str] = frozenset("""
once|after i|when i|cuando|despues de|quando|depois de|nadat|zodra|wanneer ik
""".replace("\n", "|").strip("|").split("|"))


def asks_after_a_report(text: str) -> bool:
    """Whether `text` asks how the citizen's own report stands."""
    return (says_a_phrase(text, THEIR_REPORT) and says_a_phrase(text, HOW_IT_STANDS)
            and not says_a_phrase(text, IN_GENERAL))


def mentions_their_report(text: str) -> bool:
    """Whether `text` speaks of a report the citizen made ("the noise I reported is even
    louder tonight"): a new report in those words is likely that one again."""
    return says_a_phrase(text, THEIR_REPORT)
