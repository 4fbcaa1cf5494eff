"""components.rasa_fixes' fixes to how the served model runs must leave every answer exactly as
stock Rasa gives it: sparse features joined without scipy's block builder (fix 9) and the
model graph run in a kept order instead of through dask (fix 10) give the same intents,
confidences, rankings and entities for the held-out messages of every language, and (fix 10)
the same next-action predictions through a conversation; and a button's payload parsed by
RegexMessageHandler alone (fix 11) gives what the whole graph gives, without running it."""
from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any, Dict, List

import pytest
import yaml

from components.rasa_fixes.graph_runner import install_sequential_graph_runner
from components.rasa_fixes.slash_messages import install_direct_slash_parses
from components.rasa_fixes.sparse_joins import install_fast_sparse_joins
from tests.components.test_rasa_fixes_dialogue import report_conversation
from tests.rasa.test_domain_payloads import domain_payloads

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
PER_LANGUAGE = 40


def heldout_messages() -> List[str]:
    messages: List[str] = []
    for path in sorted((ROOT / "tests" / "nlu").glob("*/heldout.yml")):
        blocks = yaml.safe_load(path.read_text(encoding="utf-8"))["nlu"]
        texts = [line[2:].strip() for block in blocks if "intent" in block
                 for line in str(block["examples"]).splitlines() if line.startswith("- ")]
        messages += texts[::max(1, len(texts) // PER_LANGUAGE)][:PER_LANGUAGE]
    return messages


def parses(agent: Any, texts: List[str]) -> List[Dict[str, Any]]:
    async def all_of() -> List[Dict[str, Any]]:
        found = []
        for text in texts:
            parse = await agent.parse_message(text)
            found.append({key: parse.get(key) for key in ("intent", "intent_ranking", "entities")})
        return found
    return asyncio.run(all_of())


def test_every_parse_is_the_stock_one(trained_model: Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from rasa.core.agent import Agent
    from rasa.shared.nlu.training_data.features import Features

    agent = Agent.load(str(trained_model))
    texts = heldout_messages()
    assert len(texts) >= 4 * PER_LANGUAGE - 8
    stock = parses(agent, texts)
    monkeypatch.setattr(Features, "_combine_sparse_features",  # restored afterwards
                        Features._combine_sparse_features)
    install_fast_sparse_joins()
    assert Features._combine_sparse_features.__wrapped__  # the fix is what runs below
    assert parses(agent, texts) == stock


def predictions(agent: Any) -> List[Any]:
    """The policies' prediction after each event of a conversation with rules, a form and slots."""
    from rasa.shared.core.trackers import DialogueStateTracker

    domain = agent.domain
    tracker = DialogueStateTracker.from_events("citizen", [], domain.slots)
    found = []
    for event in report_conversation():
        tracker.update(event, domain)
        prediction = agent.processor.predict_next_with_tracker(tracker)
        found.append({key: value for key, value in prediction.items()
                      if key != "tracker"})  # its events carry the time they were made
    return found


def test_every_parse_and_prediction_is_the_stock_one_in_the_kept_order(
        trained_model: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from rasa.core.agent import Agent
    from rasa.engine.runner.dask import DaskGraphRunner

    agent = Agent.load(str(trained_model))
    texts = heldout_messages()
    stock_parses, stock_predictions = parses(agent, texts), predictions(agent)
    assert len({prediction["policy"] for prediction in stock_predictions}) >= 2
    monkeypatch.setattr(DaskGraphRunner, "run", DaskGraphRunner.run)  # restored afterwards
    install_sequential_graph_runner()
    assert DaskGraphRunner.run.__wrapped__  # the fix is what runs below
    assert parses(agent, texts) == stock_parses
    assert predictions(agent) == stock_predictions


def slash_messages() -> List[str]:
    """Every button payload of the domain as a press sends it, other payloads the actions send,
    and slash texts RegexMessageHandler does not unpack (the last five)."""
    from rasa.core.nlg.interpolator import interpolate_text

    pressed = {interpolate_text(payload, {"language": "es", "category": "pothole"})
               for _, payload in domain_payloads()}
    assert len(pressed) >= 10
    return sorted(pressed) + [
        '/inform{"category": "streetlight"}', '  /affirm  ', '/affirm@0.4',
        '/give_feedback{"rating": "4"}', '/check_status{"case_reference": "C-2026-000123"}',
        '/inform{not json', '/no_such_intent', '/', '/ what is this?', '/ask_policy why not',
        'is it /month or /year?']


def graph_parses(agent: Any, texts: List[str]) -> List[Any]:
    """(parse_message's answer, the graph's full parse, how often the model graph ran) of
    each text."""
    from rasa.core.channels.channel import UserMessage
    from rasa.shared.core.trackers import DialogueStateTracker

    processor, runs = agent.processor, []
    stock_run = processor.graph_runner.run

    def counted(*args: Any, **kwargs: Any) -> Any:
        runs[-1] += 1
        return stock_run(*args, **kwargs)

    processor.graph_runner.run = counted
    found = []
    try:
        for text in texts:
            runs.append(0)
            tracker = DialogueStateTracker.from_events("citizen", [])
            full = processor._parse_message_with_graph(UserMessage(text), tracker, False)
            full.pop("message_id", None)  # a new one for every UserMessage
            found.append((asyncio.run(processor.parse_message(UserMessage(text), tracker)), full))
    finally:
        del processor.graph_runner.run
    return [(parse, full, ran) for (parse, full), ran in zip(found, runs)]


def test_a_payload_is_parsed_as_the_graph_parses_it_without_running_the_graph(
        trained_model: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from rasa.core.agent import Agent
    from rasa.core.processor import MessageProcessor

    agent = Agent.load(str(trained_model))
    texts = slash_messages()
    stock = graph_parses(agent, texts)
    assert all(ran == 2 for _, _, ran in stock)
    monkeypatch.setattr(MessageProcessor, "_parse_message_with_graph",  # restored afterwards
                        MessageProcessor._parse_message_with_graph)
    install_direct_slash_parses()
    fixed = graph_parses(agent, texts)

    assert [(parse, full) for parse, full, _ in fixed] == [(parse, full) for parse, full, _ in stock]
    unpacked = [text for text, (parse, _, _) in zip(texts, stock)
                if parse["intent_ranking"] == [parse["intent"]]]
    assert [text for text, (_, _, ran) in zip(texts, fixed) if ran == 0] == unpacked
    assert len(unpacked) == len(texts) - 5  # only the payloads naming a known intent skip it
    assert any(parse["entities"] for parse, _, _ in fixed[:len(unpacked)])
