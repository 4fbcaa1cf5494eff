"""Whether a message only says the citizen wants to give feedback, or already gives it.

"The bin men were great today, thanks" is the feedback: asking "What would you like to tell
us?" after it would make the citizen repeat themselves. "I'd like to give some feedback" is
as long, but says nothing yet: taken as the feedback, the team would read only that. A
message is an announcement when every word in it is a word of asking to give feedback, in
one of the four languages, accents dropped.
"""
from __future__ import annotations

from bot.options_in_text import folded_words

ANNOUNCEMENT_WORDS = frozenset("""
i i'd id i'm im i've ive we we'd would like love want wanted wanna to give leave make send
share post write have got some a an my our me us can could may please just quick little bit
feedback comment comments complaint complain suggestion suggestions idea ideas review opinion
compliment compliments rate rating ratings experience thoughts improve improvement
about on of for with regarding the this that your you here's here is it service services
chat chatbot bot app report council city
quiero quisiera querria me gustaria dar dejar poner hacer enviar tengo tener una un unos mi
mis opinion opiniones comentario comentarios sugerencia sugerencias queja quejas resena
valoracion valorar felicitar felicitacion proponer mejora idea sobre el la los las del de al
a con servicio chat aviso atencion app ayuntamiento para les os puedo quisieramos algo
quero queria gostaria gostava de dar deixar fazer enviar tenho ter uma um umas uns minha meu
minhas meus opiniao opinioes comentario comentarios sugestao sugestoes reclamacao reclamar
elogio elogiar avaliar avaliacao feedback sobre o a os as do da dos das ao com servico chat
pedido atendimento app camara para vos posso algo
ik wij wil wilde zou graag willen geven geef achterlaten doorgeven sturen delen een mijn
onze feedback opmerking opmerkingen klacht klagen suggestie suggesties idee ideeen mening
beoordeling beoordelen compliment complimenten over de het van voor met dienst
dienstverlening service chat chatbot app melding gemeente kan mag iets even
""".split())


def announces_feedback(text: str) -> bool:
    """True when `text` only asks to give feedback ("I'd like to give some feedback",
    "quiero dejar un comentario sobre el servicio"); False when it says something of its own,
    or is empty."""
    words = folded_words(text)
    return bool(words) and all(word in ANNOUNCEMENT_WORDS for word in words)
