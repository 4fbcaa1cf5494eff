"""Whether a message says the problem is fixed, or the report no longer needed: "the
streetlight on Oak Avenue is working again", "ya está arreglado, podéis cerrar el aviso".

A citizen who tells the city the pothole has been filled saves a crew a wasted trip, and is
owed an answer. The intent model has no intent for it and reads these messages as anything
else: a new report of the problem ("de lantaarnpaal doet het weer" is a streetlight report
at 1.0), a status check, or, worst, "still not fixed", which would reopen the case they say
is done ("ya está arreglado, podéis cerrar el aviso" at 0.88). The reading here is
deterministic, so it can correct the model before any action runs
(components.fixed_statement) without retraining it.

It errs towards missing: a miss gets the status, as before; a wrong hit would tell a
caseworker a problem is fixed. So a negation, "still", "yet", "when", "but" and the like rule
a message out, and so does a question ("has it been fixed?"), unless it asks to close the
report ("can you close my report? it's sorted").
"""
from __future__ import annotations

from typing import FrozenSet

from bot.interrogatives import OPENERS, reads_as_question
from bot.options_in_text import NEGATORS, folded_words, phrase_set, says_a_phrase

# Done: fixed, repaired, working again, cleared away, stopped.
DONE: FrozenSet[str] = phrase_set("""
been fixed|is fixed|it's fixed|its fixed|are fixed|was fixed|were fixed|got fixed|fixed it
fixed now|fixed already|already fixed|they fixed|you fixed|someone fixed|fixed the|fixed this
been repaired|is repaired|was repaired|were repaired|repaired it|repaired now|already repaired
been mended|was mended|mended it|works again|working again|works now|working now
lit again|been sorted|sorted it|sorted now|all sorted|it's sorted|got sorted
been resolved|is resolved|was resolved|been dealt with|was dealt with|been cleared|was cleared
cleared it|cleared away|been cleaned|was cleaned|been removed|was removed|removed it|taken away
been collected|was collected|they collected|been emptied|was emptied|been filled|was filled
filled it|filled in now|noise has stopped|noise stopped|music has stopped|music stopped
alarm has stopped|alarm stopped|leak has stopped|leak stopped|barking has stopped|stopped now
ya esta arreglado|ya esta arreglada|ya lo arreglaron|ya la arreglaron|lo han arreglado
la han arreglado|han arreglado|ya arreglaron|arreglaron|ya se arreglo|ya esta reparado
ya esta reparada|han reparado|repararon|ya funciona|vuelve a funcionar|funciona otra vez
ya esta solucionado|ya esta solucionada|se ha solucionado|se soluciono|solucionaron
ya lo quitaron|lo han quitado|la han quitado|ya lo recogieron|lo han recogido|han recogido
ya lo limpiaron|han limpiado|lo han tapado|han tapado|ya taparon|ya esta resuelto
se ha resuelto|se resolvio|ya alumbra|ya se enciende
ja foi reparado|ja foi reparada|foi reparado|foi reparada|repararam|ja foi consertado
ja foi consertada|foi consertado|foi consertada|consertaram|ja foi arranjado|ja foi arranjada
arranjaram|ja esta arranjado|ja esta arranjada|ja esta resolvido|ja foi resolvido
foi resolvido|resolveram|ja funciona|voltou a funcionar|ja acende|ja recolheram|recolheram
ja foi recolhido|ja foi recolhida|ja tiraram|tiraram|ja limparam|ja taparam|taparam
ja esta tratado|ja trataram
is gemaakt|al gemaakt|zijn gemaakt|gerepareerd|is hersteld|al hersteld|werkt weer
doet het weer|doen het weer|brandt weer|branden weer|is opgelost|al opgelost|is verholpen
al verholpen|is weggehaald|al weggehaald|is opgehaald|al opgehaald|is opgeruimd
al opgeruimd|is schoongemaakt|is gedicht|al gedicht
""")

# Back on: done for a light, the water or the power; for music, an alarm or a party it is the
# problem back (bot.recurrence_words), so these count only without a nuisance named.
BACK_ON: FrozenSet[str] = phrase_set(
    "is back on|are back on|back on again|it's back on|its back on")
NUISANCES: FrozenSet[str] = frozenset("""
music noise party parties alarm bass speakers drilling drums barking dog dogs generator radio
tv shouting smell stench musica ruido fiesta alarma perro perros ladridos gritos olor
barulho festa alarme cao caes latidos gritos cheiro muziek lawaai herrie geluid feest
hond honden geblaf geschreeuw stank
""".split())

# Not needed any more, in words that would otherwise read as a negation: taken out before
# NOT_DONE is read. Alone they are no statement ("hoeft niet meer" declines an offer).
NO_LONGER_NEEDED: FrozenSet[str] = phrase_set("""
no longer needed|no longer a problem|don't need it anymore|don't need it any more
no need to do anything|no need to come|no need to send anyone|no need anymore
ya no hace falta|ya no es necesario|ja nao e preciso|ja nao e necessario|niet meer nodig
hoeft niet meer
""")

# Asks for the report to be closed: a statement even as a question. "Cancel my report" is
# not here: said during a report, it stops that report.
CLOSE_IT: FrozenSet[str] = phrase_set("""
close my report|close the report|close my case|close the case|close it|can be closed
cerrar mi aviso|cerrar el aviso|cerrar mi incidencia|cerrar la incidencia|cerrar mi denuncia
podeis cerrar|pueden cerrar|puede cerrar|se puede cerrar
fechar o meu pedido|fechar o pedido|fechar a ocorrencia|podem fechar|pode fechar
melding sluiten|sluit mijn melding|mag gesloten|kan gesloten|mogen sluiten|kunnen sluiten
""")

# Not done, not yet, not all of it, or only if: the message is not a statement that it is.
NOT_DONE: FrozenSet[str] = phrase_set("""
not|no|isn't|isnt|hasn't|hasnt|haven't|havent|wasn't|wasnt|weren't|aren't|didn't|didnt
doesn't|doesnt|won't|wont|never|still|yet|when|will|going to|nobody|no one|if|but|half
partly|partially|working on|don't close|has it|have they|have you|did they|did you|out again
has the|has anyone|has someone|has somebody|have the|have any
broken again|broke again|off again|badly|poorly|temporary|temporarily|keeps|mal|slecht
no esta|no han|no lo|no la|no se|no ha|no funciona|sin arreglar|todavia|aun|cuando|sigue
siguen|nadie|nunca|pero|va a|van a|la mitad|otra vez roto|otra vez rota|se ha vuelto a
volvio a romperse
nao|nada|nem|ainda|quando|continua|ninguem
nunca|vao|vai ser|metade|voltou a avariar|avariou outra vez|outra vez avariado
niet|geen|nog niet|nog steeds
nog altijd|wanneer|niemand|nooit|wordt|gaat|zal|maar|half|is het al|weer kapot|alweer kapot
""")

# A reply that is the word alone: "Fixed", "arreglado", "opgelost".
DONE_ALONE: FrozenSet[str] = phrase_set("""
fixed|repaired|sorted|fixed thanks|arreglado|arreglada|solucionado|reparado|reparada
resolvido|consertado|arranjado|opgelost|gerepareerd|gemaakt|verholpen
""")


# Broken still, or broken again: a question holding one of these is a complaint.
STILL_BROKEN: FrozenSet[str] = NEGATORS | phrase_set("""
still|broken|isn't|isnt|hasn't|hasnt|haven't|havent|wasn't|aren't|didn't|didnt|doesn't
doesnt|won't|sigue|siguen|todavia|aun|roto|rota|ainda|continua|avariado|avariada|nog|kapot
""")


def _without(text: str, phrases: FrozenSet[str]) -> str:
    """The text's folded words with every one of `phrases` taken out."""
    plain = f" {' '.join(folded_words(text))} "
    for phrase in sorted(phrases, key=len, reverse=True):
        plain = plain.replace(f" {phrase} ", " ")
    return " ".join(plain.split())


def _back_on(text: str) -> bool:
    """"The light is back on": done, unless what is back on is a nuisance ("the music")."""
    return says_a_phrase(text, BACK_ON) and not NUISANCES.intersection(folded_words(text))


def says_it_is_done(text: str) -> bool:
    """Whether `text` tells the city the problem is fixed, or the report may be closed."""
    if not text or text.startswith("/"):
        return False  # a button's payload says what it means
    if " ".join(folded_words(text)) in DONE_ALONE:
        return not text.rstrip().endswith("?")
    closing = says_a_phrase(text, CLOSE_IT)
    rest = _without(text, NO_LONGER_NEEDED)
    done = closing or says_a_phrase(rest, DONE) or _back_on(rest)
    if not done or says_a_phrase(rest, NOT_DONE):
        return False
    return closing or not any(reads_as_question(text, language) for language in OPENERS)


def asks_whether_fixed(text: str) -> bool:
    """Whether `text` asks if the problem is fixed without saying it is not: "C-2026-000122 já
    resolveram?" is an enquiry about how the report stands, which the model may read as "still
    not fixed" (and reopen a resolved case). "Why is it still broken?" is a complaint."""
    if not text or text.startswith("/"):
        return False
    asked = any(reads_as_question(text, language) for language in OPENERS)
    return asked and not says_a_phrase(text, STILL_BROKEN)
