"""What counts as a usable answer for each field of a report, as plain functions.

Kept apart from the form action so the judgement calls (is "asdf" a place? is "no" a skip?)
are tested directly, and so the form reads as the flow it is.
"""
from __future__ import annotations

import math
import re
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

from bot.announcements import announces_report
from bot.options_in_text import folded_words
from bot.places_in_text import PlaceMention, house_number, place_mentioned, place_on_street
from bot.services import FollowupQuestion

MIN_LOCATION_CHARS = 4
MAX_LOCATION_CHARS = 300
MIN_DESCRIPTION_CHARS = 8
MAX_DESCRIPTION_CHARS = 2000
MAX_ANSWER_CHARS = 500
DESCRIPTIVE_WORDS = 6  # a first message longer than this already describes the problem
LONG_DESCRIPTIVE_WORDS = 12  # ...even when the classifier could not name its type
FOLLOWUP_DONE = "done"
PHOTOS_NONE = "none"

# Whole answers meaning "I don't know / leave it out" in the languages we speak, and words
# that also mean "nothing" where nothing is a fine answer (photos: "no").
EXPLICIT_SKIP = frozenset({
    "skip", "not sure", "don't know", "dont know", "i don't know", "i dont know", "no idea",
    "i'm not sure", "im not sure", "saltar", "omitir", "no sé", "no se", "no lo sé",
    "no lo se", "ni idea", "pular", "não sei", "nao sei", "não faço ideia", "nao faco ideia",
    "overslaan", "weet ik niet", "ik weet het niet", "geen idee",
})
SKIP_WORDS = EXPLICIT_SKIP | frozenset({
    "no", "none", "nope", "n/a", "na", "-", "no photo", "no photos", "ninguna", "ninguno",
    "nenhuma", "nenhum", "não", "nao", "nee", "geen",
})
_PARENTHESES = re.compile(r"\s*\([^)]*\)")
_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)
_ALNUM = re.compile(r"[^\W_]", re.UNICODE)


def _normal(text: str) -> str:
    return text.strip().lower().replace("’", "'").rstrip(".!")


def is_explicit_skip(text: str) -> bool:
    """Whether a reply says "I don't know" (SKIP, not sure...): no answer, and no more."""
    return _normal(text) in EXPLICIT_SKIP


# "I'm not sure of the number", "no sé el número": the citizen does not know the answer.
NOT_KNOWN = ("not sure", "don't know", "dont know", "no idea", "can't remember",
             "cant remember", "no se", "no lo se", "ni idea", "nao sei", "nao faco ideia",
             "weet ik niet", "weet het niet", "geen idee", "weet niet")


def says_not_known(text: str) -> bool:
    """Whether a reply says the citizen does not know (SKIP, "I'm not sure of the number")."""
    return is_explicit_skip(text) or _has_phrase(folded_words(text), NOT_KNOWN)


# "I can't see one", "no se ve", "ik zie geen nummer": the citizen cannot tell. Read only in a
# short reply without digits, so "I can't see the number, it's near 14" keeps its words.
CANNOT_TELL = ("can't see", "cant see", "cannot see", "couldn't see", "couldnt see",
               "don't see", "dont see", "didn't look", "didnt look", "can't tell", "cant tell",
               "no number", "hard to tell", "no se ve", "no lo veo",
               "no veo", "no se puede ver", "nao consigo ver", "nao vejo", "nao da para ver",
               "zie geen", "zie het niet", "kan het niet zien", "niet te zien", "geen nummer")
CANNOT_TELL_WORDS = 6


def says_cannot_tell(text: str) -> bool:
    """Whether a short reply says the citizen does not know or cannot see the answer (so the
    question is skipped, not answered with those words nor taken for a call for help)."""
    words = folded_words(text)
    if not words or len(words) > CANNOT_TELL_WORDS or any(char.isdigit() for char in text):
        return False
    return says_not_known(text) or _has_phrase(words, CANNOT_TELL)


def _has_phrase(words: Sequence[str], phrases: Sequence[str]) -> bool:
    """Whether one of `phrases` (folded words, space-separated) is among `words`, whole."""
    plain = f" {' '.join(words)} "
    return any(f" {phrase} " in plain for phrase in phrases)


def is_skip(text: str) -> bool:
    """Whether an answer means "nothing to add" (SKIP, no, none... in any of our languages)."""
    return _normal(text) in SKIP_WORDS


def plausible_location(text: str) -> bool:
    """A street address, corner or landmark: some letters, not a keyboard smash or a skip."""
    cleaned = text.strip()
    if not MIN_LOCATION_CHARS <= len(cleaned) <= MAX_LOCATION_CHARS or is_skip(cleaned):
        return False
    return _has_words(cleaned)


def plausible_description(text: str) -> bool:
    """A few words about the problem, not a single letter, a row of punctuation, or only the
    wish to report one ("I want to report a problem", bot.announcements)."""
    cleaned = text.strip()
    return (len(cleaned) >= MIN_DESCRIPTION_CHARS and _has_words(cleaned)
            and not is_skip(cleaned) and not announces_report(cleaned))


def _has_words(text: str) -> bool:
    """Letters and at least three different characters ("aaaa" and "...." are not words)."""
    characters = {char.lower() for char in _ALNUM.findall(text)}
    return bool(_LETTER.search(text)) and len(characters) >= 3


def with_detail(description: Optional[str], detail: str) -> str:
    """The description with a reply that said more about the problem added on its own line;
    the description itself when it already holds those words."""
    detail = detail.strip()
    if not description:
        return detail[:MAX_DESCRIPTION_CHARS]
    if detail.casefold() in description.casefold():
        return description
    return f"{description}\n{detail}"[:MAX_DESCRIPTION_CHARS]


def descriptive(text: str, names_a_category: bool) -> bool:
    """Whether the message that opened the report already describes the problem.

    "I want to report a problem" is long but says nothing; the classifier naming a type is
    the sign that the words are about the problem itself.
    """
    words = len(text.split())
    if text.startswith("/") or not plausible_description(text):
        return False
    return words > LONG_DESCRIPTIVE_WORDS or (names_a_category and words > DESCRIPTIVE_WORDS)


def place_in_first_message(text: str) -> Optional[PlaceMention]:
    """A place named in the message that opened the report, when it reads as one."""
    mention = place_mentioned(text)
    return mention if mention is not None and plausible_location(mention.text) else None


def place_answer(text: str, street: Optional[str]) -> Optional[str]:
    """The answer to the place question as an address, completed with the street the first
    message named ("12" on Mill Lane is "12 Mill Lane"); None when it is not a place."""
    cleaned = text.strip()
    if street and house_number(cleaned) is not None:
        return place_on_street(cleaned, street)
    if not plausible_location(cleaned) or announces_report(cleaned):
        return None
    return place_on_street(cleaned, street) if street else cleaned


class InvalidPin(ValueError):
    """A location pin whose coordinates are missing, not numbers or out of range."""


def read_pin(metadata: Mapping[str, Any]) -> Optional[Tuple[float, float]]:
    """(latitude, longitude) of a map pin in message metadata; None when there is no pin."""
    pin = metadata.get("location")
    if pin is None:
        return None
    if not isinstance(pin, Mapping):
        raise InvalidPin("location metadata is not an object")
    try:
        latitude, longitude = float(pin["latitude"]), float(pin["longitude"])
    except (KeyError, TypeError, ValueError) as error:
        raise InvalidPin("location pin lacks numeric coordinates") from error
    if not (math.isfinite(latitude) and math.isfinite(longitude)):
        raise InvalidPin("location pin is not finite")
    if not (-90.0 <= latitude <= 90.0 and -180.0 <= longitude <= 180.0):
        raise InvalidPin("location pin is out of range")
    return latitude, longitude


def pin_label(latitude: float, longitude: float) -> str:
    """How a pinned place is kept in the location slot and shown in the summary."""
    return f"Pinned location ({latitude:.5f}, {longitude:.5f})"


def attachment_ids(metadata: Mapping[str, Any]) -> List[str]:
    """Photo ids the channel stored for this message (metadata.attachments)."""
    ids = metadata.get("attachments")
    if not isinstance(ids, (list, tuple)):
        return []
    return [str(item) for item in ids if isinstance(item, (str, int)) and str(item).strip()]


def merge_ids(existing: Optional[Sequence[str]], new: Sequence[str]) -> List[str]:
    """Earlier photos plus new ones, each once, in the order they arrived."""
    merged: List[str] = list(existing or [])
    merged.extend(item for item in new if item not in merged)
    return merged


def photos_label(count: int) -> str:
    """The photos slot value: "<n> photo(s)", or "none"."""
    return f"{count} photo(s)" if count else PHOTOS_NONE


def next_question(questions: Sequence[FollowupQuestion],
                  answers: Mapping[str, Any]) -> Optional[FollowupQuestion]:
    """The first question without an answer yet; None when all are answered."""
    return next((question for question in questions if question.code not in answers), None)


def followup_answer(text: str) -> Tuple[bool, Optional[str]]:
    """(accepted, answer). SKIP, or "I can't see one", means "not known" (None); "no" is a real answer here, since
    many follow-up questions are yes/no; empty text, or only the wish to report a problem,
    is not an answer."""
    cleaned = text.strip()
    if not cleaned or announces_report(cleaned):
        return False, None
    if is_explicit_skip(cleaned) or says_cannot_tell(cleaned):
        return True, None
    return True, cleaned[:MAX_ANSWER_CHARS]


def format_answers(questions: Sequence[FollowupQuestion], answers: Mapping[str, Any]) -> str:
    """Follow-up answers for the summary, one "question answer" line each; skips left out."""
    lines = [f"{short_prompt(question.prompt)} {answers[question.code]}"
             for question in questions if answers.get(question.code)]
    return "\n".join(lines)


def short_prompt(prompt: str) -> str:
    """The question itself, without its examples, explanation or the options it lists after
    a colon ("Which bin was missed: general waste, ...?" -> "Which bin was missed?"), for the
    summary: the answer beside it says which option it was."""
    head, mark, _ = _PARENTHESES.sub("", prompt).partition("?")
    question, colon, _ = head.partition(":")
    return f"{question.strip()}{mark}" if colon and mark else f"{head.strip()}{mark}"


def known_answers(answers: Optional[Dict[str, Any]]) -> Dict[str, str]:
    """The answers stored on a case: skipped questions are left out."""
    return {code: str(value) for code, value in (answers or {}).items() if value}


# The summary's changes asked for in words ("the address is wrong", "cambiar el tipo"): the
# field each word names (actions.slots.CORRECTABLE_FIELDS), and the words that ask a change.
FIELD_WORDS: Dict[str, frozenset] = {
    "location": frozenset("""place address location street where spot lugar direccion sitio
        calle ubicacion local morada endereco rua localizacao plaats adres locatie straat
        plek""".split()),
    "category": frozenset("""type kind category service tipo categoria clase servicio servico
        soort categorie dienst""".split()),
    "description": frozenset("""description details detail descripcion detalles descricao
        detalhes beschrijving omschrijving""".split()),
    "answers": frozenset("""answer answers respuesta respuestas resposta respostas antwoord
        antwoorden""".split()),
    "photos": frozenset("""photo photos picture pictures foto fotos foto's fotografia fotografias
        afbeelding""".split()),
}
CHANGE_WORDS = frozenset("""change edit fix update modify wrong incorrect mistake mistakes
    error errors typo cambiar cambia cambio corregir corrige editar mal equivocado equivocada
    incorrecto incorrecta erroneo errores mudar muda alterar altera corrigir errado errada
    incorreto incorreta erro erros engano
    wijzigen wijzig veranderen verander aanpassen verbeteren verkeerd fout onjuist""".split())
SHORT_CHANGE_WORDS = 3  # "the address", "otro lugar": naming the field is enough
# "Not right" in words that are not wrong on their own, accents dropped.
NOT_RIGHT = ("not right", "isn't right", "not correct", "isn't correct", "no es correcto",
             "no esta bien", "nao esta certo", "nao esta correto", "klopt niet", "niet goed",
             "niet juist")
# A word of stopping makes "no, that's wrong, cancel it" a cancel, not a change.
STOPPING = frozenset("cancel cancelar cancela annuleren annuleer stop".split())


def field_to_change(text: str) -> Optional[str]:
    """The one field a reply to the summary asks to change, in words ("change the place",
    "the address is wrong", "foto's wijzigen"); None when it names none, or several. The
    model reads "change the place" as "no", which cancelled the report."""
    words = folded_words(text)
    named = {field for field, vocabulary in FIELD_WORDS.items()
             if any(word in vocabulary for word in words)}
    asks = len(words) <= SHORT_CHANGE_WORDS or any(word in CHANGE_WORDS for word in words)
    return named.pop() if len(named) == 1 and asks else None


# A "no" to "Shall I send it?" that means it: the report is cancelled.
CHANGED_MIND = ("changed my mind", "never mind", "forget it", "don't send", "dont send",
                "do not send", "not anymore", "no longer", "cambiado de opinion", "da igual",
                "olvidalo", "no lo envies", "no enviar", "mudei de ideias", "esquece",
                "nao envie", "nao enviar", "bedacht", "laat maar", "niet versturen",
                "niet sturen")


def more_than_no(text: str) -> bool:
    """Whether a "no" to "Shall I send it?" says more than no ("no, it's about 50cm wide"):
    more than SHORT_CHANGE_WORDS words, and neither a word of stopping nor a change of mind.
    The citizen is asked what to change (the question says how to cancel) instead of the
    report being cancelled."""
    words = folded_words(text)
    return len(words) > SHORT_CHANGE_WORDS and not any(word in STOPPING for word in words) \
        and not _has_phrase(words, CHANGED_MIND)


def asks_a_change(text: str) -> bool:
    """Whether a reply to the summary asks for a change without naming the one field to
    change ("that's wrong", "hay un error", "klopt niet", "change the place and the type"):
    the model reads most as "no", which cancelled the whole report. Then the citizen is
    asked which part."""
    words = folded_words(text)
    if any(word in STOPPING for word in words):
        return False
    named = [field for field, vocabulary in FIELD_WORDS.items()
             if any(word in vocabulary for word in words)]
    return (any(word in CHANGE_WORDS for word in words) or len(named) > 1
            or _has_phrase(words, NOT_RIGHT))
