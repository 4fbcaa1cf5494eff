"""bot/duplicates.py: a new report matches an open case of the same service within the
configured distance, or at the same normalised address; never a closed case, another
service, or the case itself."""
from __future__ import annotations

import uuid
from typing import Callable, Tuple

import pytest

from bot.cases import change_status, open_case
from bot.db import session_scope
from bot.duplicates import address_key, distance_meters, find_duplicate, normalise_address
from bot.settings import get_settings
from tests.identities import unused_spot

METRE_LAT = 1 / 111_195  # degrees of latitude per metre on the mean sphere


@pytest.fixture
def spot() -> Tuple[float, float]:
    """A point nobody else in the shared test database uses."""
    return unused_spot()


@pytest.fixture
def street() -> str:
    """A street name nobody else in the shared test database uses."""
    return "Zq" + uuid.uuid4().hex[:8]


def test_haversine_known_distances() -> None:
    # London (51.5074, -0.1278) to Paris (48.8566, 2.3522): about 343.5 km.
    assert distance_meters(51.5074, -0.1278, 48.8566, 2.3522) == pytest.approx(343_500, rel=0.005)
    # One degree of latitude on the mean sphere is 111.195 km.
    assert distance_meters(0, 0, 1, 0) == pytest.approx(111_195, rel=1e-4)
    assert distance_meters(10, 10, 10, 10) == 0


@pytest.mark.parametrize("one, other", [
    ("12, High St.", "12 high street"),
    ("12 High Street, Riverton", "12 High St"),
    ("C/ Mayor, 12", "Calle Mayor 12"),
    ("Avda. de la Paz 3", "Avenida de la Paz, 3"),
    ("Av. da Liberdade 5", "Avenida da Liberdade 5"),
    ("R. Augusta 10", "Rua Augusta, 10"),
    ("Praça do Comércio 3", "Pca do Comercio 3"),
    ("Kerkstr. 5", "Kerkstraat 5"),
    ("7 Mill Rd", "7 MILL ROAD"),
])
def test_addresses_that_mean_the_same_place_normalise_alike(one: str, other: str) -> None:
    assert normalise_address(one) == normalise_address(other)


@pytest.mark.parametrize("one, other", [
    ("Elm street outside number 5", "5 Elm Street"),
    ("the lamp outside 5 Elm St by the bakery", "Elm St no. 5"),
    ("12, High St.", "12 high street"),
    ("12, High St.", "High Street 12"),
    ("12 Calle Mayor", "C/ Mayor, 12"),
    ("Rua do Carmo, 20", "R. do Carmo 20"),
    ("Kerkstr. 5A", "voor Kerkstraat 5a"),
    ("12 High Street, Riverton", "12 High St"),
    ("corner of Oak St and 5th Ave", "the corner of 5th Avenue & Oak Street"),
    ("where Mill Lane meets Church Road", "corner of Church Rd and Mill Lane"),
    ("esquina de C/ Mayor con Calle Sol", "esquina de Calle Sol y Calle Mayor"),
])
def test_one_place_written_differently_has_one_key(one: str, other: str) -> None:
    assert address_key(one) == address_key(other)


@pytest.mark.parametrize("one, other", [
    ("Elm street outside number 5", "Elm street outside number 7"),
    ("5 Elm Street", "5 Elm Road"),
    ("Elm Street 5 days ago", "5 Elm Street"),
    ("Kerkstraat 5", "Kerkstraat 50"),
    ("behind the library", "behind the station"),
    ("corner of Oak and 5th", "corner of Oak and 6th"),
])
def test_different_places_have_different_keys(one: str, other: str) -> None:
    assert address_key(one) != address_key(other)


@pytest.mark.parametrize("one, other", [
    ("12 High St", "14 High St"),
    ("12 High St", "12 High Rd"),
    ("Kerkstraat 5", "Kerkstraat 50"),
])
def test_different_places_stay_different(one: str, other: str) -> None:
    assert normalise_address(one) != normalise_address(other)


def test_a_report_within_the_distance_finds_the_open_case(
        db: str, report: Callable[..., dict], spot: Tuple[float, float]) -> None:
    lat, lon = spot
    limit = get_settings().duplicate_distance_meters
    with session_scope(db) as session:
        existing = open_case(session, **report(latitude=lat, longitude=lon, address=None)).case
        near = find_duplicate(session, service_code="pothole",
                              latitude=lat + (limit - 5) * METRE_LAT, longitude=lon)
        far = find_duplicate(session, service_code="pothole",
                             latitude=lat + (limit + 5) * METRE_LAT, longitude=lon)
        other_service = find_duplicate(session, service_code="graffiti", latitude=lat,
                                       longitude=lon)
        itself = find_duplicate(session, service_code="pothole", latitude=lat, longitude=lon,
                                exclude_case_id=existing.id)
    assert near is not None and near.id == existing.id
    assert far is None and other_service is None and itself is None


def test_the_nearest_open_case_wins(db: str, report: Callable[..., dict],
                                    spot: Tuple[float, float]) -> None:
    lat, lon = spot
    with session_scope(db) as session:
        further = open_case(session, **report(latitude=lat + 30 * METRE_LAT, longitude=lon)).case
        nearer = open_case(session, **report(latitude=lat + 10 * METRE_LAT, longitude=lon)).case
        found = find_duplicate(session, service_code="pothole", latitude=lat, longitude=lon)
    assert found.id == nearer.id != further.id


def test_the_citizens_own_case_wins_over_a_nearer_or_older_one(
        db: str, report: Callable[..., dict], spot: Tuple[float, float]) -> None:
    """Reporting it again means their own report, not the nearest or the first."""
    lat, lon = spot
    street = f"{uuid.uuid4().hex[:8]} Street"
    with session_scope(db) as session:
        older = open_case(session, **report(latitude=lat, longitude=lon,
                                            address=f"12 {street}")).case
        own = open_case(session, **report(latitude=lat + 30 * METRE_LAT, longitude=lon,
                                          address=f"12 {street}")).case
        pinned = find_duplicate(session, service_code="pothole", latitude=lat, longitude=lon,
                                mine={own.id})
        written = find_duplicate(session, service_code="pothole", address=f"12 {street}",
                                 mine={own.id})
        neither = find_duplicate(session, service_code="pothole", address=f"12 {street}")
    assert pinned.id == written.id == own.id and neither.id == older.id


@pytest.mark.parametrize("closing", ["resolved", "closed_not_fixed", "referred", "duplicate"])
def test_closed_cases_are_not_duplicates(db: str, report: Callable[..., dict],
                                         spot: Tuple[float, float], closing: str) -> None:
    lat, lon = spot
    with session_scope(db) as session:
        case = open_case(session, **report(latitude=lat, longitude=lon)).case
        change_status(session, case, closing, "done", by="alice")
        assert find_duplicate(session, service_code="pothole", latitude=lat,
                              longitude=lon) is None


def test_the_same_normalised_address_matches_without_coordinates(
        db: str, report: Callable[..., dict], street: str) -> None:
    with session_scope(db) as session:
        first = open_case(session, **report(address=f"12 {street} St.", latitude=None,
                                            longitude=None)).case
        open_case(session, **report(address=f"14 {street} Street", latitude=None, longitude=None))
        found = find_duplicate(session, service_code="pothole",
                               address=f"12, {street.upper()} STREET, Riverton")
        next_door = find_duplicate(session, service_code="pothole", address=f"16 {street} St")
    assert found is not None and found.id == first.id
    assert next_door is None


def test_the_same_street_and_number_match_however_written(
        db: str, report: Callable[..., dict], street: str) -> None:
    with session_scope(db) as session:
        first = open_case(session, **report(address=f"{street} street outside number 5",
                                            latitude=None, longitude=None)).case
        found = find_duplicate(session, service_code="pothole",
                               address=f"the lamp outside 5 {street} St by the bakery")
        across = find_duplicate(session, service_code="pothole",
                                address=f"15 {street} St by the bakery")
    assert found is not None and found.id == first.id
    assert across is None


def test_coordinates_far_away_still_match_by_address(db: str, report: Callable[..., dict],
                                                     street: str, spot: Tuple[float, float]) -> None:
    lat, lon = spot
    with session_scope(db) as session:
        existing = open_case(session, **report(address=f"3 {street} Rd", latitude=lat,
                                               longitude=lon)).case
        found = find_duplicate(session, service_code="pothole", latitude=-lat, longitude=-lon,
                               address=f"3 {street} Road")
    assert found.id == existing.id


def test_nothing_to_compare_finds_nothing(db: str) -> None:
    with session_scope(db) as session:
        assert find_duplicate(session, service_code="pothole") is None
        assert find_duplicate(session, service_code="pothole", address="  ,. ") is None
