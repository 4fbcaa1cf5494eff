"""Which supported language a citizen is writing in.

Out of the box, langdetect gets a short chat message wrong about half the time ("si" is
not enough text, "ok gracias" may come back as Swahili). Three things make it reliable here:

- it is restricted to the languages the assistant speaks and seeded, so the same text always
  gets the same answer and a Spanish message never comes back as Catalan;
- a small lexicon of very common chat words per language ("si", "ja", "obrigado", "the") and
  a few spelling cues ("ñ", "¿", "ção", "ij") carry short messages, where langdetect guesses;
- a conversation keeps its language: a message shorter than LONG_WORDS never switches it
  ("si", "ok", "2", an address), and a longer one only when the evidence is clear. Explicit
  switches ("en español por favor", a language button) are action_change_language's job.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Dict, Optional, Sequence, Tuple

from bot.settings import get_settings

LONG_WORDS = 4  # a message this long may switch an established conversation's language
SWITCH_SCORE = 0.75  # evidence needed to switch an established conversation
FIRST_SCORE = 0.55  # evidence needed to pick a language when none is established yet
UNLIKE = 0.1  # below this a language is ruled out for a long message
SEED = 0
MIN_LETTERS = 6  # an unknown word shorter than this ("ok", "bin") says nothing about language
SHORT_CERTAINTY = 0.95  # langdetect's probability needed when no word is in the lexicon

# Very common words in chat messages, lower case; accents stripped ("nao" matches "não").
# A word listed under several languages counts for each, split between them.
LEXICON: Dict[str, frozenset] = {
    "en": frozenset("""hi hello hey yes yeah yep nope thanks thank you please the is are my
        there i it and what where when how bye goodbye cheers sorry help can need want report
        street light bin bins not this that of to on with have has been its dont didnt good
        morning afternoon evening great sure cancel skip no my our your it's i'm outside near
        broken road car hole pavement rubbish collected again still why who would like
        submit change none sure""".split()),
    "es": frozenset("""hola si gracias por favor buenos buenas dias tardes noches adios vale
        claro que el la los las del y con para mi es esta hay calle no muy pero como donde
        cuando quiero tengo necesito ayuda un una de en se lo le me nada bien perfecto cancelar
        omitir saltar hasta luego chao chau dale tambien aqui ahi ya todo mucho muchas ninguna
        ninguno usted puedes quien porque hace lleva coche acera basura farola bache arreglar
        roto rota esto eso mas exacto acuerdo sip venga dejalo mejor importa nuevo buen
        saludos vemos hablar dos semanas seguir ni ayudame eres estoy tu va aviso avisos
        quisiera consultar mio vecino cambiar lugar descripcion""".split()),
    "pt": frozenset("""ola oi sim nao obrigado obrigada valeu bom boa dia tarde noite tchau
        adeus por favor voce vc o os as do da dos das no na nos um uma e em com para pra meu
        minha esta tem rua muito mas como onde quando quero preciso ajuda de que se isso isto
        sao aqui tudo ate logo pular cancelar nenhuma nenhum ta beleza certo claro lixo
        buraco ninguem porque esse essa estao passeio carro arranjar pode exato perfeito obg
        brigado deixa nem novo sem boas xau fala falar estou tu vou vai pedido gostaria
        meus minhas mudar descricao""".split()),
    "nl": frozenset("""hallo hoi ja nee dank bedankt dankjewel dankuwel je jij u graag
        alsjeblieft aub goedemorgen goedemiddag goedenavond doei dag de het een en is in op
        van met voor mijn er ik niet wat waar wanneer hoe wil kan moet straat weg geen niks
        maar ook nog al dat die deze overslaan annuleren prima klopt goed oke hulp zit ligt
        staat kapot melding afval wij we zijn heb heeft wordt weet niemand waarom jep jup
        zeker precies akkoord tot morgen doeg annuleer sla elke nacht tegenover bent jullie
        versturen wijzigen soort plaats beschrijving""".split()),
}
# Words every language's chats use alike: they count for nothing (nor towards LONG_WORDS).
NEUTRAL = frozenset("ok okay okey k kk hmm ah eh oh uh xd lol haha jaja kkk c".split())
# Spelling that only one of our languages uses, checked on the raw (accented) text.
CUES: Tuple[Tuple[str, "re.Pattern[str]"], ...] = (
    ("es", re.compile(r"[ñ¿¡]|\b(?:sí|está|qué|cómo|dónde|cuándo|adiós|aquí|también)\b")),
    ("pt", re.compile(r"[ãõç]|\b(?:não|já|olá|você|está|até|é)\b")),
    ("nl", re.compile(r"ij(?![aeiou])|aa")),
)
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?", re.UNICODE)


@dataclass(frozen=True)
class Evidence:
    """How strongly a text points at each supported language (scores sum to about 1)."""

    words: int
    scores: Dict[str, float]

    @property
    def best(self) -> Tuple[Optional[str], float]:
        if not self.scores:
            return None, 0.0
        language = max(self.scores, key=self.scores.__getitem__)
        return language, self.scores[language]


def detect_language(text: Optional[str], hint: Optional[str] = None,
                    current: Optional[str] = None) -> str:
    """A supported language code for `text`.

    `current` is the conversation's established language (None on a first message), `hint`
    the channel's (browser locale, Telegram language_code, phone country). A short message
    keeps `current`; with no `current`, clear words decide, then the hint, then the default.
    """
    settings = get_settings()
    supported = tuple(settings.supported_languages)
    established = _base(current) if _base(current) in supported else None
    fallback = established or next(
        (code for code in (_base(hint),) if code in supported), settings.default_language)
    evidence = language_evidence(text, supported)
    language, score = evidence.best
    if language is None:
        return fallback
    if established:
        switch = evidence.words >= LONG_WORDS and score >= SWITCH_SCORE
        return language if switch else established
    if score >= FIRST_SCORE:
        return language
    # A long first message with no sign of the fallback language is still best read as the
    # language it leans to ("hola, queria saber como va mi aviso": Spanish or Portuguese, but
    # surely not English); the citizen can switch with one word if we lean wrong.
    unlike_fallback = evidence.scores.get(fallback, 0.0) < UNLIKE
    return language if evidence.words >= LONG_WORDS and unlike_fallback else fallback


def language_evidence(text: Optional[str], supported: Sequence[str]) -> Evidence:
    """Lexicon and spelling cues, blended with restricted langdetect for longer texts.

    langdetect is the slow part (milliseconds a call), so it is asked only where its answer
    counts: a text with no known word and enough letters, or a long one."""
    raw = (text or "").lower()
    words = [word for word in _WORD.findall(raw) if word not in NEUTRAL]
    if not words:
        return Evidence(0, {})
    lexical = _lexical_scores(raw, words, supported)
    if not lexical:
        # No known word: trust langdetect only on enough letters and a clear win.
        if sum(len(word) for word in words) < MIN_LETTERS:
            return Evidence(len(words), {})
        statistical = _detect(" ".join(words), tuple(supported))
        if max(statistical.values(), default=0.0) < SHORT_CERTAINTY:
            return Evidence(len(words), {})
        return Evidence(len(words), {code: statistical.get(code, 0.0) for code in supported})
    total = sum(lexical.values())  # above 0: every known word or cue adds to it
    statistical = _detect(" ".join(words), tuple(supported)) if len(words) >= LONG_WORDS else {}
    weight = min(0.5, 0.08 * len(words)) if statistical else 0.0
    return Evidence(len(words), {
        code: (1 - weight) * lexical.get(code, 0.0) / total + weight * statistical.get(code, 0.0)
        for code in supported})


def _lexical_scores(raw: str, words: Sequence[str], supported: Sequence[str]) -> Dict[str, float]:
    scores: Dict[str, float] = {}
    for word in words:
        plain = _strip_accents(word)
        owners = [code for code in supported if plain in LEXICON.get(code, ())]
        for code in owners:
            scores[code] = scores.get(code, 0.0) + 1.0 / len(owners)
    for code, pattern in CUES:
        if code in supported:
            hits = len(pattern.findall(raw))
            if hits:
                scores[code] = scores.get(code, 0.0) + hits
    return scores


def _strip_accents(word: str) -> str:
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _base(code: Optional[str]) -> Optional[str]:
    """"pt-BR" -> "pt"; channels report regional codes."""
    return code.split("-")[0].split("_")[0].lower() if code else None


def _detect(text: str, supported: Tuple[str, ...]) -> Dict[str, float]:
    """langdetect's probabilities over our languages only ({} when it cannot tell)."""
    from langdetect.lang_detect_exception import LangDetectException

    detector = _factory(supported).create()
    detector.append(text)
    try:
        return {item.lang: item.prob for item in detector.get_probabilities()}
    except LangDetectException:
        return {}


@lru_cache(maxsize=4)
def _factory(supported: Tuple[str, ...]):  # type: ignore[no-untyped-def]
    """A langdetect factory holding only our languages' profiles, built on first use."""
    from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory

    factory = DetectorFactory()
    profiles = [(Path(PROFILES_DIRECTORY) / code).read_text(encoding="utf-8")
                for code in supported if (Path(PROFILES_DIRECTORY) / code).exists()]
    if len(profiles) < 2:
        raise ValueError("language detection needs at least two supported languages")
    factory.load_json_profile(profiles)
    factory.seed = SEED
    return factory
