"""Which of a follow-up question's options a message names.

"Which bin was missed: general waste, recycling, garden or food?" is a question the citizen
has often answered already: "my recycling bin wasn't collected". The catalogue lists each
option's words per language (content/services.yml, `values`), and the report form takes the
option a description names instead of asking (actions/report_form.py). A wrong answer sent
to a crew costs more than a question asked, so this is strict: the option must be the only
one named, a longer phrase wins over a shorter one inside it ("litter bin" is a full bin,
not loose litter), and "not the recycling" names nothing.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import FrozenSet, Iterable, List, Optional, Sequence, Set, Tuple

from bot.faq_text import fold

_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*")
# A word that negates what follows: "not the recycling", "no es la papelera", "geen glas".
NEGATORS = frozenset("not no never nor ni nunca nao nem niet geen nooit".split())
# Words that may stand between a negation and the option: "not the recycling".
ARTICLES = frozenset("the a an my our el la los las un una o os as um uma de het een mijn".split())


@dataclass(frozen=True)
class QuestionOption:
    """One answer of a question with a fixed set, in one language: `key` is permanent (the
    Open311 value), `name` is what citizens see, `words` are phrases naming it in a message."""

    key: str
    name: str
    words: Tuple[str, ...] = ()


def options_named(text: str, options: Sequence[QuestionOption]) -> List[QuestionOption]:
    """The options whose words appear in `text`, in the order of `options`; a plain plural
    names what its singular does ("plastics" and "o do plástico" both name the recycling)."""
    words = folded_words(text)
    singular = [plain_singular(word) for word in words]
    found = []
    for option in options:
        for phrase in option.words:
            phrase_words = [plain_singular(word) for word in folded_words(phrase)]
            found.extend((len(phrase_words), start, option)
                         for start in _starts(singular, phrase_words))
    taken: Set[int] = set()
    named: Set[str] = set()
    for length, start, option in sorted(found, key=lambda match: (-match[0], match[1])):
        span = set(range(start, start + length))
        if span & taken:
            continue  # inside a longer phrase already matched
        taken |= span
        if not _negated(words, start):
            named.add(option.key)
    return [option for option in options if option.key in named]


def plain_singular(word: str) -> str:
    """A folded word with a plain plural "s" dropped ("potholes", "plasticos"). Both sides of
    a match go through it, so a word that merely ends in "s" still matches itself."""
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") \
        else word


def option_in_text(text: str, options: Sequence[QuestionOption]) -> Optional[QuestionOption]:
    """The one option `text` names; None when it names none, or more than one."""
    named = options_named(text, options)
    return named[0] if len(named) == 1 else None


def option_replied(text: str, options: Sequence[QuestionOption]) -> Optional[QuestionOption]:
    """The option a reply is, word for word: a button pressed, or its name or one of its
    words typed alone ("garden" to "Which bin was missed?")."""
    reply = folded_words(text)
    if not reply:
        return None
    return next((option for option in options
                 if any(folded_words(phrase) == reply for phrase in (option.name, *option.words))),
                None)


def folded_words(text: str) -> List[str]:
    """Lower-case words without accents (bot.faq_text.fold), apostrophes kept ("Doesn’t" ->
    "doesn't")."""
    return _WORD.findall(fold((text or "").replace("’", "'")))


def phrase_set(block: str) -> FrozenSet[str]:
    """Phrases written one per "|" or line, as says_a_phrase reads them (folded words: no
    accents, lower case)."""
    return frozenset(phrase.strip() for phrase in block.replace("\n", "|").split("|")
                     if phrase.strip())


def says_a_phrase(text: str, phrases: Iterable[str]) -> bool:
    """Whether one of `phrases` (folded words, space-separated) is in the text, as whole
    words: "it's all one problem" says "one problem", "someone" does not say "one"."""
    plain = f" {' '.join(folded_words(text))} "
    return any(f" {phrase.strip()} " in plain for phrase in phrases if phrase.strip())


def _starts(words: List[str], phrase: List[str]) -> List[int]:
    """Where `phrase` appears in `words`, as whole words."""
    if not phrase:
        return []
    return [index for index in range(len(words) - len(phrase) + 1)
            if words[index:index + len(phrase)] == phrase]


def _negated(words: List[str], start: int) -> bool:
    """Whether the words before `start` negate it: "not recycling", "not the recycling"."""
    before = words[max(0, start - 2):start]
    if before and _negation(before[-1]):
        return True
    return len(before) == 2 and _negation(before[0]) and before[1] in ARTICLES


def _negation(word: str) -> bool:
    return word in NEGATORS or word.endswith("n't")
