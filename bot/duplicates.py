"""Spotting a report of a problem we already know about, so the citizen can follow the
existing case instead of opening a second one (and the crew is not sent twice).

A match is an open case of the same service either within settings.duplicate_distance_meters
of the new report's coordinates, or at the same address once both addresses are reduced to
one key (address_key): the street and house number when the text names them ("outside 5 Elm
Street by the bakery" and "Elm St no. 5" are one place), the two streets of a corner in either
order, else the whole text; each normalised for case, accents, punctuation and common street
abbreviations in en/es/pt/nl. House numbers are kept: No. 12 and No. 14 are different places.
"""
from __future__ import annotations

import math
import re
import unicodedata
from typing import Collection, Dict, List, Optional, Tuple

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from bot.city import load_city
from bot.models import Case
from bot.places_in_text import corner_streets, numbered_place
from bot.settings import get_settings

__all__ = ["OPEN_STATUSES", "address_key", "find_duplicate", "normalise_address",
           "distance_meters"]

OPEN_STATUSES = ("new", "acknowledged", "in_progress")
EARTH_RADIUS_M = 6_371_008.8  # mean radius (IUGG)

# Abbreviation -> the word both spellings become. Only words that mean the same in every
# language they appear in; "st" is "street" (and "saint", but consistently on both sides).
ABBREVIATIONS: Dict[str, str] = {
    # English
    "st": "street", "str": "street", "rd": "road", "ave": "avenue", "av": "avenue",
    "ln": "lane", "dr": "drive", "ct": "court", "pl": "place", "sq": "square",
    "blvd": "boulevard", "hwy": "highway", "cres": "crescent", "tce": "terrace", "gdns": "gardens",
    # Spanish (c/ handled before punctuation is dropped)
    "avda": "avenida", "avd": "avenida", "pza": "plaza", "ctra": "carretera", "po": "paseo",
    "cl": "calle",
    # Portuguese
    "r": "rua", "pca": "praca", "tv": "travessa", "trav": "travessa", "lgo": "largo",
    "estr": "estrada",
    # Dutch (the "...str." suffix of e.g. "Kerkstr." is handled in _token)
    "pln": "plein",
}
# Full words in different languages for the same kind of street become one word as well,
# so "Av. da Liberdade" and "Avenida da Liberdade" match.
SYNONYMS: Dict[str, str] = {"avenida": "avenue"}
_SPANISH_CALLE = re.compile(r"(?<![\w])c\s*/\s*")


def normalise_address(text: Optional[str]) -> str:
    """A comparison key for an address: "12, High St." and "12 high street" give the same key.

    The city's own name is dropped when it ends the address ("12 High St, Riverton").
    """
    if not text:
        return ""
    plain = unicodedata.normalize("NFKD", text.lower())
    plain = "".join(char for char in plain if not unicodedata.combining(char))
    plain = _SPANISH_CALLE.sub(" calle ", plain)
    plain = re.sub(r"(\d)(st|nd|rd|th)\b", r"\1", plain)  # 2nd Avenue = 2 Avenue
    words = [_token(word) for word in re.findall(r"[a-z0-9]+", plain)]
    city = re.findall(r"[a-z0-9]+", load_city().name.lower())
    if city and words[-len(city):] == city and len(words) > len(city):
        words = words[:-len(city)]
    return " ".join(words)


def address_key(text: Optional[str]) -> str:
    """What two reports at the same place have in common: the street and house number when
    the text names them, the house number last ("elm street 5" for "5 Elm St", "Elm street
    outside number 5" and "the lamp outside 5 Elm Street by the bakery"); the two streets of
    a corner in either order; else the whole text normalised, a leading house number moved
    last so both paths agree ("12, High St.")."""
    place = numbered_place(text or "")
    if place is not None:
        street, number = place
        return f"{normalise_address(street)} {number.lower()}"
    corner = corner_streets(text or "")
    if corner is not None:  # "corner of Oak and 5th" is "corner of 5th and Oak"
        return "corner " + " & ".join(sorted(normalise_address(side) for side in corner))
    key = normalise_address(text)
    first, _, rest = key.partition(" ")
    if rest and re.fullmatch(r"\d+[a-z]?", first):
        return f"{rest} {first}"
    return key


def _token(word: str) -> str:
    """One word of an address in its long form."""
    if word in ABBREVIATIONS:
        word = ABBREVIATIONS[word]
    elif len(word) > 4 and word.endswith("str") and not word[:-3].isdigit():
        word = word[:-3] + "straat"  # Dutch "Kerkstr" = "Kerkstraat"
    return SYNONYMS.get(word, word)


def distance_meters(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle (haversine) distance between two WGS84 points, in metres."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi, d_lambda = math.radians(lat2 - lat1), math.radians(lon2 - lon1)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def find_duplicate(session: Session, *, service_code: str, latitude: Optional[float] = None,
                   longitude: Optional[float] = None, address: Optional[str] = None,
                   exclude_case_id: Optional[int] = None,
                   mine: Collection[int] = ()) -> Optional[Case]:
    """The open case of the same service this report most likely repeats, or None.

    A case in `mine` (ids of the reporting conversation's own and followed cases) wins: the
    citizen reporting it again means that one. Then the nearest case within the distance;
    failing that, the oldest open case with the same address key (the one the crew already
    knows about).
    """
    if latitude is not None and longitude is not None:
        nearest = _nearest(session, service_code, latitude, longitude, exclude_case_id, mine)
        if nearest is not None:
            return nearest
    key = address_key(address)
    if not key:
        return None
    same = [case for case in _open_cases_with_address(session, service_code, key,
                                                      exclude_case_id)
            if address_key(case.address) == key]
    return next((case for case in same if case.id in mine), same[0] if same else None)


def _open_cases(service_code: str, exclude_case_id: Optional[int]) -> Select:
    query = select(Case).where(Case.service_code == service_code,
                               Case.status.in_(OPEN_STATUSES))
    if exclude_case_id is not None:
        query = query.where(Case.id != exclude_case_id)
    return query


def _nearest(session: Session, service_code: str, latitude: float, longitude: float,
             exclude_case_id: Optional[int], mine: Collection[int] = ()) -> Optional[Case]:
    """Bounding box in SQL (cheap, uses no extension), exact haversine in Python."""
    limit = get_settings().duplicate_distance_meters
    d_lat = math.degrees(limit / EARTH_RADIUS_M)
    d_lon = d_lat / max(math.cos(math.radians(latitude)), 1e-6)
    query = _open_cases(service_code, exclude_case_id).where(
        Case.latitude.between(latitude - d_lat, latitude + d_lat),
        Case.longitude.between(longitude - d_lon, longitude + d_lon))
    scored: List[Tuple[bool, float, object, int, Case]] = []
    for case in session.execute(query).scalars():
        distance = distance_meters(latitude, longitude, case.latitude, case.longitude)
        if distance <= limit:
            scored.append((case.id not in mine, distance, case.created_at, case.id, case))
    return min(scored, key=lambda item: item[:4])[4] if scored else None


def _open_cases_with_address(session: Session, service_code: str, key: str,
                             exclude_case_id: Optional[int]) -> List[Case]:
    """Open cases whose address could have `key`, oldest first.

    The SQL filter only narrows by the digits of the key's numbers (every key keeps the house
    number); the exact comparison happens on each case's own key.
    """
    query = _open_cases(service_code, exclude_case_id).where(Case.address.isnot(None))
    for number in re.findall(r"\d+", key):
        query = query.where(Case.address.contains(number))
    return list(session.execute(query.order_by(Case.created_at, Case.id)).scalars())
