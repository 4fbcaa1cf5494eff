"""bot/places_in_text.py: the place a report's first message names, in four languages, and
the everyday words that must not be read as one."""
from __future__ import annotations

from typing import Optional

import pytest

from bot.places_in_text import (corner_streets, house_number, number_given, numbered_place,
                                 place_mentioned, place_on_street)


@pytest.mark.parametrize("text, place", [
    ("the streetlight outside 14 Oak Avenue has been out for a week", "14 Oak Avenue"),
    ("pothole at 22 Baker Street", "22 Baker Street"),
    ("there's a huge pothole on Elm street outside number 5", "Elm street outside number 5"),
    ("graffiti on the wall at 3 High St.", "3 High St"),
    ("noise from 12 Park Place every night", "12 Park Place"),
    ("I live at 5 Church Road and the bin was missed", "5 Church Road"),
    ("the light at the corner of Oak and 5th is out", "corner of Oak and 5th"),
    ("streetlight broken corner of Oak St and 5th Ave", "corner of Oak St and 5th Ave"),
    ("pothole where Mill Lane meets Church Road", "Mill Lane meets Church Road"),
    ("the light at Mill Lane / Church Road is out", "Mill Lane / Church Road"),
    ("Mill Lane and Church Road junction has a pothole", "Mill Lane and Church Road"),
    ("farola apagada en Calle Mayor y Calle Sol esquina", "Calle Mayor y Calle Sol"),
    ("hay un bache enorme en la calle Mayor 12", "calle Mayor 12"),
    ("farola rota en la esquina de Olmo con Quinta", "esquina de Olmo con Quinta"),
    ("buraco na Rua do Carmo, 20 há uma semana", "Rua do Carmo, 20"),
    ("lâmpada apagada na esquina da Rua do Carmo com a Avenida 5",
     "esquina da Rua do Carmo com a Avenida 5"),
    ("kapotte lantaarnpaal in de Kerkstraat 12", "Kerkstraat 12"),
    ("gat in de weg op de hoek van de Kerkstraat en de Molenweg",
     "hoek van de Kerkstraat en de Molenweg"),
])
def test_a_findable_place_is_read_as_written(text: str, place: str) -> None:
    mention = place_mentioned(text)
    assert mention is not None and mention.complete
    assert mention.text == place


@pytest.mark.parametrize("text, street", [
    ("rubbish not collected on Mill Lane", "Mill Lane"),
    ("potholes all along Mill Lane and Church Road", "Mill Lane"),  # two streets, no corner
    ("pothole on Elm Street where the bus stops", "Elm Street"),
    ("flytipping again on Mill lane", "Mill lane"),
    ("a car parked in Willow Way blocking the drive", "Willow Way"),
    ("water leak on 5th Avenue", "5th Avenue"),
    ("St. Mary's Road has a broken light", "St. Mary's Road"),
    ("big pothole Elm Street", "Elm Street"),  # the capitals say where the name starts
    ("pothole on Elm street 5 days ago", "Elm street"),  # 5 days is not a house number
    ("hay un bache en la Calle Mayor desde hace un mes", "Calle Mayor"),
    ("o buraco na rua do Carmo voltou", "Rua do Carmo"),
    ("lixo na Av. da Liberdade", "Av. da Liberdade"),
    ("vuilnis niet opgehaald in de Molenweg", "Molenweg"),
])
def test_a_street_without_a_number_is_only_a_street(text: str, street: str) -> None:
    mention = place_mentioned(text)
    assert mention is not None and not mention.complete
    assert mention.street == street


@pytest.mark.parametrize("text", [
    # Without a house number, a street needs a capital that does not just start a sentence:
    # these lose a real street or two ("london road") so as never to ask "where on Bike lane?".
    "pot hole on london road", "a truck is parked in the bike lane", "Bus lane blocked again",
    "la luz de la calle parpadea", "gritos y jaleo en la plaza cada noche",
    "rua completamente as escuras a noite", "de paal op de hoek staat scheef en geeft geen licht",
    "can I ask for a new street light", "cars keep swerving into the other lane",
    "pothole on the main road", "it's close to the school", "by the way the bins were missed",
    "the road is flooded", "dead animal in the street", "I want to report a problem",
    "my bin was not collected", "er ligt glas op het fietspad", "a rua está cheia de lixo",
    "hay basura en la calle", "the light at the end of my road", "", "12",
])
def test_everyday_words_are_not_a_place(text: str) -> None:
    assert place_mentioned(text) is None


@pytest.mark.parametrize("answer, street, address", [
    ("12", "Mill Lane", "12 Mill Lane"),
    ("no. 12a", "Mill Lane", "12a Mill Lane"),
    ("8", "Calle mayor", "Calle mayor 8"),
    ("número 7", "Rua do Carmo", "Rua do Carmo 7"),
    ("14", "Kerkstraat", "Kerkstraat 14"),
    ("outside the school", "Mill Lane", "outside the school, Mill Lane"),
    ("near 3 Mill Lane", "Mill Lane", "near 3 Mill Lane"),
    ("14 Oak Avenue", "Mill Lane", "14 Oak Avenue"),  # they moved on to another street
])
def test_an_answer_on_the_street_becomes_one_address(answer: str, street: str,
                                                     address: str) -> None:
    assert place_on_street(answer, street) == address


@pytest.mark.parametrize("text, number", [
    ("12", "12"), ("no. 12a", "12a"), ("#4", "4"), ("nr 3", "3"), ("número 7", "7"),
    ("12 Elm", None), ("skip", None), ("", None), ("123456", None),
])
def test_a_house_number_is_a_whole_answer(text: str, number: Optional[str]) -> None:
    assert house_number(text) == number


@pytest.mark.parametrize("text, streets", [
    ("the light on the corner of Oak and 5th is out", ("Oak", "5th")),
    ("esquina de Olmo con Quinta", ("Olmo", "Quinta")),
    ("hoek van de Kerkstraat en de Molenweg", ("Kerkstraat", "Molenweg")),
    ("where Mill Lane meets Church Road", ("Mill Lane", "Church Road")),
    ("at Mill Lane & Church Road", ("Mill Lane", "Church Road")),
    ("12 Mill Lane & 14 Church Road", None),
    ("a truck in the bike lane / bus lane", None),
    ("14 Oak Avenue", None),
    ("op de hoek staat scheef en kapot", None),
])
def test_the_two_streets_of_a_corner(text: str, streets) -> None:
    assert corner_streets(text) == streets


@pytest.mark.parametrize("text, place", [
    ("the lamp outside 14 Oak Avenue is out", ("Oak Avenue", "14")),
    ("Elm street outside number 5", ("Elm street", "5")),
    ("Kerkstraat 12a", ("Kerkstraat", "12a")),
    ("Rua do Carmo, 20", ("Rua do Carmo", "20")),
    ("Elm Street 5 days ago", None),
    ("corner of Oak and 5th", None),
    ("on Mill Lane", None),
])
def test_the_street_and_house_number_of_a_place(text: str, place) -> None:
    assert numbered_place(text) == place


@pytest.mark.parametrize("text, number", [
    ("no, it's number 14, not 12", "14"),
    ("actually it's outside number 32, not 30", "32"),
    ("no, el número es 47, no 45", "47"),
    ("é o número 7", "7"),
    ("nummer 12 bedoel ik", "12"),
    ("the number is actually 32", "32"),
    ("no 45 is wrong", None),  # "no" here says no
    ("there are 2 of them", None),  # no word for a number
    ("number of weeks: 3 weeks", None),  # a time
])
def test_number_given(text: str, number: Optional[str]) -> None:
    assert number_given(text) == number
