"""Citizens' feedback on the service, optionally about one of their cases (closing the loop)."""
from __future__ import annotations

import datetime as dt
import re
from typing import Optional, Union

from sqlalchemy.orm import Session

from bot.cases import find_case
from bot.clock import utc_naive
from bot.errors import InvalidInput
from bot.models import Feedback

# No rating, in the four languages: the rating question offers "Omitir", "Pular" and
# "Overslaan" as buttons, and on SMS a citizen types the word.
SKIP_WORDS = {"", "skip", "none", "no", "nope", "-", "n/a", "omitir", "saltar", "ninguna",
              "ninguno", "pular", "nenhuma", "nenhum", "não", "nao", "overslaan", "geen", "nee"}
# A 1-5 found in a longer reply is a rating only in a short reply ("yes 5", "no, 2") or with
# "stars": the rating pattern also finds the house number that ends "no, it's still broken
# outside number 3" or "the bin men left a mess outside number 3". Mirrors the "stars",
# "/5" and "out of" of the rating regex in data/nlu/en/regex.yml.
SHORT_REPLY_WORDS = 3
STARS = re.compile(r"\bstars?\b|/\s*5\b|\bout of\b", re.IGNORECASE)


# "4, the bot was fine", "5 stars - great": a number set apart; "5 Mill Lane" is an address.
LEADING_RATING = re.compile(r"^\s*([1-5])\s*(?:[,.;:!\-–]|stars?\b|/\s*5|$)", re.IGNORECASE)


def leading_rating(text: str) -> Optional[int]:
    """The 1-5 a reply opens with ("4, and there's a pothole on Mill Lane"), if any."""
    match = LEADING_RATING.match(text or "")
    return int(match.group(1)) if match else None


def rating_meant(text: str) -> bool:
    """Whether a rating the pattern found in a reply was meant as one: a short reply
    (SHORT_REPLY_WORDS), one with "stars", or one that opens with it."""
    return len(text.split()) <= SHORT_REPLY_WORDS or bool(STARS.search(text)) \
        or leading_rating(text) is not None


def parse_rating(value: Union[int, float, str, None]) -> Optional[int]:
    """1-5 from a slot value ("4", "4 stars", 4); None for skip; InvalidInput otherwise."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        number = int(value)
    else:
        text = str(value).strip().lower()
        if text in SKIP_WORDS:
            return None
        match = re.search(r"-?\d+", text)
        if match is None:
            raise InvalidInput("a rating is a number from 1 to 5")
        number = int(match.group())
    if not 1 <= number <= 5:
        raise InvalidInput("a rating is a number from 1 to 5")
    return number


def record_feedback(session: Session, *, sender_id: str, channel: str, text: Optional[str],
                    rating: Union[int, str, None], language: str,
                    case_reference: Optional[str] = None,
                    now: Optional[dt.datetime] = None) -> Feedback:
    """Keep what the citizen said; a case reference links it (CaseNotFound when unknown)."""
    score = parse_rating(rating)
    body = (text or "").strip()
    if not body and score is None:
        raise InvalidInput("feedback needs a comment or a rating")
    case_id = find_case(session, case_reference).id if case_reference else None
    feedback = Feedback(case_id=case_id, sender_id=sender_id, channel=channel, text=body,
                        rating=score, language=language, created_at=utc_naive(now))
    session.add(feedback)
    session.flush()
    return feedback
