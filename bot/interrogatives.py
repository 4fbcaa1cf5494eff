"""Whether a message reads as a question, in each language the assistant speaks.

A message the model could not place may be a policy question on a topic it was never trained
on ("what's the fine for parking on the footway"), or may be an address, a typo or small talk.
Only the first deserves the FAQ's "is it one of these?" and a place in the comms team's list of
unanswered questions; the rest would bury that list. Written punctuation is the strongest sign,
but citizens on SMS rarely type "?", so a question word or a question-opening verb at the start
counts too. The openers are matched without accents ("como", "cómo") because phones often drop
them. A miss costs little: such a message still gets the FAQ's clear answers and the usual
"I didn't understand" (actions/policy.py, second_look_in_faq).

A question about how to report something ("how do I report a pothole?") is read as the report
itself, and the form starts; asks_how_to_report lets the form say first that the citizen can
report it right here, so the question they asked is answered before the form's first question.
"""
from __future__ import annotations

import re
import unicodedata
from typing import Dict, Tuple

OPENERS: Dict[str, Tuple[str, ...]] = {
    "en": ("what", "whats", "when", "where", "who", "whom", "whose", "why", "how", "which",
           "can", "could", "do", "does", "did", "is", "are", "will", "would", "should", "may",
           "must", "am i", "have i", "has my"),
    "es": ("que", "cuando", "donde", "adonde", "quien", "quienes", "por que", "como", "cual",
           "cuales", "cuanto", "cuanta", "cuantos", "cuantas", "puedo", "se puede", "hay que",
           "tengo que", "es obligatorio", "esta permitido"),
    "pt": ("o que", "que", "quando", "onde", "quem", "porque", "por que", "como", "qual", "quais",
           "quanto", "quanta", "quantos", "quantas", "posso", "pode", "podem", "devo",
           "tenho de", "tenho que", "e permitido", "e proibido", "e obrigatorio"),
    "nl": ("wat", "wanneer", "waar", "wie", "waarom", "hoe", "welke", "welk", "kan", "kun",
           "kunt", "mag", "moet", "is het", "is er", "zijn er", "hoeveel", "heb ik", "wordt"),
}
# "Como una rueda", "como um prato": "como" before an article, a number or "more/less" says
# "like", not "how" (a size given at "¿Qué tamaño tiene?" was taken for a question).
LIKE_AFTER_COMO: Dict[str, Tuple[str, ...]] = {
    "es": ("un", "una", "unos", "unas", "el", "la", "los", "las", "dos", "tres", "cuatro",
           "cinco", "medio", "media", "mas", "menos"),
    "pt": ("um", "uma", "uns", "umas", "dois", "duas", "tres", "quatro", "cinco", "meio",
           "meia", "mais", "menos"),
}
# The verbs citizens use for reporting something to the city, as word starts without accents
# ("denunci" is "denunciar" and "denuncio"); "inform" also matches "informar".
REPORTING_WORDS: Dict[str, Tuple[str, ...]] = {
    "en": ("report", "log", "notify", "flag", "tell"),
    "es": ("denunci", "report", "avis", "inform", "notific", "comunic"),
    "pt": ("comunic", "report", "denunci", "particip", "avis", "inform", "notific"),
    "nl": ("meld", "doorgeven", "doorgegeven", "rapporteer", "aangeven"),
}


def reads_as_question(text: str, language: str) -> bool:
    """True for "...?" in any language, and for a message that opens the way a question in
    `language` opens (English's when the language is not one we know)."""
    stripped = (text or "").strip()
    if not stripped:
        return False
    if stripped.endswith("?") or stripped.startswith("¿"):
        return True
    words = " ".join(re.findall(r"[^\W\d_]+", _plain(stripped)))
    openers = OPENERS.get(language, OPENERS["en"])
    if _como_as_like(_plain(stripped), language):
        return False
    return any(words == opener or words.startswith(opener + " ") for opener in openers)


def _como_as_like(plain: str, language: str) -> bool:
    """Whether the message opens with "como" meaning "like" ("como una rueda", "como 20cm")."""
    tokens = re.findall(r"\w+", plain)
    if len(tokens) < 2 or tokens[0] != "como" or language not in LIKE_AFTER_COMO:
        return False
    return tokens[1] in LIKE_AFTER_COMO[language] or tokens[1][0].isdigit()


def asks_how_to_report(text: str, language: str) -> bool:
    """True for a question that names reporting ("how do I report a pothole", "¿dónde se
    avisa de una farola rota?"); "can you fix the light on Elm Road?" is a question but not
    about reporting, so the form does not tell that citizen they can report it here."""
    if not reads_as_question(text, language):
        return False
    stems = REPORTING_WORDS.get(language, REPORTING_WORDS["en"])
    return any(word.startswith(stems) for word in re.findall(r"[^\W\d_]+", _plain(text)))


def _plain(text: str) -> str:
    """Casefolded, accents dropped, apostrophes closed up ("what's" -> "whats")."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().replace("'", "").replace("’", ""))
    return "".join(char for char in decomposed if not unicodedata.combining(char))
