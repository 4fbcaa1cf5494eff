"""The photo question only where a photo helps: not for noise (content/services.yml,
`photos: false`). A photo sent anyway is still kept."""
from __future__ import annotations

import pytest

from tests.actions.factories import responses
from tests.actions.test_report_form_actions import validate

pytestmark = pytest.mark.usefixtures("database")

NOISE_TEXT = "my neighbours are playing loud music again, it's 2am"


def noise_named(text: str = NOISE_TEXT) -> dict:
    return {"entity": "category", "value": "noise", "start": 0, "end": len(text)}


def test_a_noise_report_is_not_asked_for_a_photo(domain: dict) -> None:
    """"If you can, send a photo of it now" came after the noise questions, at 2am."""
    slots, _ = validate(None, {"category": "noise"}, domain, text=NOISE_TEXT,
                        intent="report_problem", entities=[noise_named()])
    assert slots["category"] == "noise" and slots["photos"] == "none"


def test_a_pothole_report_still_asks(domain: dict) -> None:
    text = "there's a pothole on my street"
    slots, _ = validate(None, {"category": "pothole"}, domain, text=text,
                        intent="report_problem", entities=[{**noise_named(text),
                                                            "value": "pothole"}])
    assert slots["category"] == "pothole" and "photos" not in slots


def test_a_photo_sent_with_a_noise_report_is_kept(domain: dict) -> None:
    """Photos came before the type was known: they stay."""
    slots, _ = validate("category", {"category": "noise"}, domain, text="noise",
                        entities=[noise_named("noise")],
                        slots={"photos": "1 photo(s)", "attachment_ids": ["a1"]})
    assert slots["category"] == "noise" and "photos" not in slots


def test_a_photo_sent_later_in_a_noise_report_is_added(domain: dict) -> None:
    slots, messages = validate(
        "followup", {"photos": "attached"}, domain, text="", metadata={"attachments": ["p9"]},
        slots={"category": "noise", "photos": "none", "location": "31 Birch Avenue",
               "description": NOISE_TEXT, "submission_id": "s"})
    assert slots["photos"] == "1 photo(s)" and slots["attachment_ids"] == ["p9"]
    assert responses(messages) == ["utter_photo_received"]
