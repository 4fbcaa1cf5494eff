"""Whether a message only says what the citizen wants to do, or already does it.

"The bin men were great today, thanks" is the feedback: asking "What would you like to tell
us?" after it would make the citizen repeat themselves. "I'd like to give some feedback" is
as long, but says nothing yet: taken as the feedback, the team would read only that. So with
notes on a report: "forgot to say it's right by the school gates" is the note, "I want to
add a photo to my report" is not. So within a report: "I want to report a problem", said at
"Where is it?", is neither the place nor more about the problem. A message is an
announcement when every word in it is a word of asking to do that, in one of the four
languages, accents dropped.
"""
from __future__ import annotations

from typing import FrozenSet

from bot.options_in_text import folded_words
from bot.references import without_references

FEEDBACK_WORDS = frozenset("""
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


NOTE_WORDS = frozenset("""
i i'd id i'm im i've ive i'll we would like love want wanted wanna need needs to add adding
added attach attaching send sending put include give tell update updating more another extra
some something anything a an the my our me us this that it its in on into onto to for with
about of please can could may just also still forgot forget forgotten left out mention
mentioned missing thing things else detail details info information note notes comment
comments photo photos picture pictures pic pics image images video report reports reported
case cases complaint request reference ref number here is there's one new better yesterday
earlier already made sent opened submitted later tomorrow tonight afterwards soon you your
quiero quisiera me gustaria necesito puedo anadir agregar adjuntar enviar mandar poner
incluir dar decir contar actualizar mas otra otro otras otros algo una un unos mi mis el la
los las lo de del al a en con para sobre por favor tambien olvide olvido mencionar falta
faltaba detalle detalles informacion nota comentario foto fotos imagen video aviso avisos
caso incidencia queja referencia numero que hice envie ayer antes ya nueva mejor luego
despues tarde manana te mandarte enviarte
quero queria gostaria preciso posso acrescentar adicionar juntar anexar enviar mandar por
incluir dar dizer contar atualizar mais outra outro algo uma um minha meu o a os as do da
de ao no na em com para sobre por favor tambem esqueci esqueceu mencionar falta faltou
detalhe detalhes informacao nota comentario foto fotos fotografia fotografias imagem video
pedido pedidos caso queixa referencia numero que fiz enviei ontem antes ja nova melhor
depois tarde amanha logo lhe
ik wil wilde zou graag willen moet kan mag iets toevoegen bijvoegen sturen versturen sturen
geven vertellen doorgeven aanvullen aanvulling bijwerken meer nog een andere extra mijn de
het van aan bij in op voor met over alstublieft graag ook vergeten vermelden noemen mis
ontbreekt detail details informatie info notitie opmerking foto fotos afbeelding video
melding meldingen zaak klacht verzoek kenmerk nummer die dat ik heb gisteren eerder al
nieuwe betere later straks morgen u jullie je
""".split())


REPORT_WORDS = frozenset("""
i i'd id i'm im i've ive i'll we would like want wanted wanna need needs have got to report
reporting make raise log file submit send a an the some this that my new another one other
problem problems issue issues fault faults complaint complain something here please can could
may just how do where
quiero quisiera queria me gustaria necesito tengo puedo reportar denunciar avisar informar
comunicar dar poner hacer un una el la de del otro otra nuevo nueva problema problemas
incidencia incidencias aviso averia queja algo como donde por favor
quero queria gostaria preciso tenho posso reportar denunciar avisar comunicar participar
fazer dar um uma o a de do da outro outra novo nova problema problemas ocorrencia pedido
avaria queixa algo como onde por favor
ik wil wilde zou graag willen moet kan mag heb een de het iets nieuw nieuwe ander andere
probleem problemen melding melden doen maken storing klacht hoe waar alstublieft
""".split())


# A wish to report names the act or the problem in general: without one of these, words of
# REPORT_WORDS are an answer ("one" to "Is it one light or several?", "otro", "iets").
REPORTING_WORDS = frozenset("""
report reporting raise log file submit problem problems issue issues fault faults complaint
complain reportar denunciar avisar informar comunicar problema problemas incidencia
incidencias aviso averia queja participar ocorrencia avaria queixa melding melden probleem
problemen storing klacht
""".split())


def announces(text: str, vocabulary: FrozenSet[str],
              naming: FrozenSet[str] = frozenset()) -> bool:
    """True when every word of `text` is one of `vocabulary` (references to a report left
    out), and one of them is of `naming` when given; False when it says something of its
    own, or is empty."""
    words = folded_words(without_references(text))
    return bool(words) and all(word in vocabulary for word in words) \
        and (not naming or any(word in naming for word in words))


def announces_feedback(text: str) -> bool:
    """Only asks to give feedback ("I'd like to give some feedback", "quiero dejar un
    comentario sobre el servicio")."""
    return announces(text, FEEDBACK_WORDS)


def announces_note(text: str) -> bool:
    """Only asks to add to a report ("I want to add a photo to my report", "can I add
    something to C-2026-000123?")."""
    return announces(text, NOTE_WORDS)


def announces_report(text: str) -> bool:
    """Only asks to report a problem ("I want to report a problem", "quiero reportar una
    incidencia"), naming none. "One" or "otro" alone is an answer, not the wish."""
    return announces(text, REPORT_WORDS, REPORTING_WORDS)
