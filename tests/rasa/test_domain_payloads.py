"""Button payloads in domain/ survive Rasa's placeholder filling: the citizen's button sends
`/intent{"entity":"value"}`, and rendering it logs no interpolation error."""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Iterator, Tuple

import pytest
import yaml
from rasa.core.nlg.interpolator import interpolate_text

ROOT = Path(__file__).resolve().parents[2]
PAYLOAD = re.compile(r"^/(?P<intent>\w+)(?P<entities>\{.*\})?$")


def domain_payloads() -> Iterator[Tuple[str, str]]:
    for path in sorted((ROOT / "domain").glob("*.yml")):
        responses = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("responses") or {}
        for name, variations in responses.items():
            for variation in variations:
                for button in variation.get("buttons") or []:
                    yield name, button["payload"]


@pytest.mark.parametrize("response, payload", sorted(set(domain_payloads())))
def test_rendered_payload_is_an_intent_with_json_entities(
        response: str, payload: str, capsys: pytest.CaptureFixture) -> None:
    rendered = interpolate_text(payload, {"language": "en", "category": "pothole"})

    match = PAYLOAD.match(rendered)
    assert match, (response, rendered)
    if match["entities"]:
        assert isinstance(json.loads(match["entities"]), dict), (response, rendered)
    captured = capsys.readouterr()
    assert "interpolator" not in captured.out + captured.err, (response, payload)
