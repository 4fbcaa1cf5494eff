"""Unit tests of components/category_classifier.py on a small in-test TrainingData.

The component is trained, persisted into a real LocalModelStorage and loaded back, so the
tests exercise the same path `rasa train` / `rasa run` use.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any, Dict, List, Optional

import numpy as np
import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from components.category_classifier import (
    NONE_LABEL,
    CategoryClassifier,
    OneTextScorer,
    normalise_text,
    predict_proba,
    training_label,
)

CATEGORY_EXAMPLES = {
    "pothole": [
        "pothole on the road",
        "big hole in the road",
        "the road has potholes",
        "deep pothole near the school",
        "pot hole outside my house",
        "a hole in the tarmac",
    ],
    "streetlight": [
        "street light is out",
        "the lamp post is dark",
        "streetlight broken",
        "the street lamp flickers",
        "no light on the lamp post",
        "street lights off",
    ],
    "litter": [
        "rubbish everywhere",
        "litter on the pavement",
        "the bin is overflowing with rubbish",
        "trash all over the street",
        "litter in the park",
        "bottles and cans left everywhere",
    ],
}
NONE_EXAMPLES = [
    ("12 high street", "inform"),
    ("corner of oak and 5th", "inform"),
    ("outside the library", "inform"),
    ("skip", "inform"),
    ("4", "inform"),
    ("near the station", "inform"),
    ("hello", "greet"),
    ("thanks", "thank"),
    ("I want to report a problem", "report_problem"),
    ("there is an issue on my street", "report_problem"),
    ("what's the weather", "out_of_scope"),
    ("tell me a joke", "out_of_scope"),
]


def _training_data() -> TrainingData:
    messages = [
        Message.build(text, "report_problem", intent_metadata={"category": code})
        for code, texts in CATEGORY_EXAMPLES.items()
        for text in texts
    ]
    messages += [Message.build(text, intent) for text, intent in NONE_EXAMPLES]
    return TrainingData(training_examples=messages)


@pytest.fixture(scope="module")
def storage_and_resource(tmp_path_factory: pytest.TempPathFactory) -> tuple:
    storage = LocalModelStorage(Path(tmp_path_factory.mktemp("model_storage")))
    resource = Resource("category_classifier")
    context = ExecutionContext(GraphSchema({}), "test")
    component = CategoryClassifier.create({}, storage, resource, context)
    component.train(_training_data())
    return storage, resource, context


def _loaded(storage_and_resource: tuple, **config: Any) -> CategoryClassifier:
    storage, resource, context = storage_and_resource
    return CategoryClassifier.load(
        {**CategoryClassifier.get_default_config(), **config}, storage, resource, context
    )


def _parse(
    component: CategoryClassifier,
    text: str,
    intent: str,
    entities: Optional[List[Dict[str, Any]]] = None,
) -> List[Dict[str, Any]]:
    message = Message(data={"text": text, "intent": {"name": intent, "confidence": 0.9}})
    if entities is not None:
        message.set("entities", entities)
    component.process([message])
    return message.get("entities", [])


def test_loaded_model_emits_contract_entity(storage_and_resource: tuple) -> None:
    text = "massive pothole in the road by my house"
    entities = _parse(_loaded(storage_and_resource), text, "report_problem")
    assert len(entities) == 1
    entity = entities[0]
    assert set(entity) == {
        "entity",
        "value",
        "start",
        "end",
        "confidence_entity",
        "extractor",
        "alternatives",
    }
    assert (entity["entity"], entity["value"], entity["start"], entity["end"]) == (
        "category",
        "pothole",
        0,
        len(text),
    )
    assert entity["extractor"] == "CategoryClassifier"
    assert 0.35 <= entity["confidence_entity"] <= 1.0
    alternatives = entity["alternatives"]
    assert 1 <= len(alternatives) <= 3
    assert all(alt["value"] not in ("pothole", NONE_LABEL) for alt in alternatives)
    assert all(alt["confidence"] <= entity["confidence_entity"] for alt in alternatives)


def test_inform_with_bare_service_name_gets_category(storage_and_resource: tuple) -> None:
    entities = _parse(_loaded(storage_and_resource), "street lamp", "inform")
    assert [e["value"] for e in entities] == ["streetlight"]


@pytest.mark.parametrize("text", ["14 high street", "outside the library", "skip"])
def test_none_class_is_never_emitted_even_without_threshold(
    storage_and_resource: tuple, text: str
) -> None:
    component = _loaded(storage_and_resource, threshold=0.0)
    assert component.rank(text)[0][0] == NONE_LABEL
    assert _parse(component, text, "inform") == []


def test_threshold_is_respected(storage_and_resource: tuple) -> None:
    text = "rubbish and litter all over the pavement"
    assert _parse(_loaded(storage_and_resource, threshold=0.999999), text, "report_problem") == []
    assert [e["value"] for e in _parse(_loaded(storage_and_resource), text, "report_problem")] == [
        "litter"
    ]


@pytest.mark.parametrize("intent", ["greet", "check_status", "out_of_scope", "nlu_fallback"])
def test_other_intents_get_no_category(storage_and_resource: tuple, intent: str) -> None:
    assert _parse(_loaded(storage_and_resource), "pothole in the road", intent) == []


def test_button_payload_category_is_left_untouched(storage_and_resource: tuple) -> None:
    payload_entity = {"entity": "category", "value": "litter", "start": 0, "end": 7}
    entities = _parse(_loaded(storage_and_resource), "pothole", "inform", [dict(payload_entity)])
    assert entities == [payload_entity]


UNSURE_TEXT = "deep pothole in the road outside my house"


def _unsure_message(text: str, ranking: List[tuple]) -> Message:
    """A message as DIET leaves it: its top intent and the whole ranking."""
    intents = [{"name": name, "confidence": confidence} for name, confidence in ranking]
    return Message(data={"text": text, "intent": dict(intents[0]), "intent_ranking": intents})


def _sure_of(storage_and_resource: tuple, text: str, **config: Any) -> CategoryClassifier:
    """The component, with `sure_above` just under its confidence in `text`'s top label (the
    in-test model is small, so its probabilities are modest)."""
    component = _loaded(storage_and_resource)
    confidence = component.rank(text)[0][1]
    return _loaded(storage_and_resource, **{"sure_above": confidence - 0.01, **config})


@pytest.mark.parametrize("ranking", [
    [("check_status", 0.45), ("greet", 0.30), ("report_problem", 0.25)],  # too low
    [("check_status", 0.62), ("report_problem", 0.58)],  # the top two too close
])
def test_an_unsure_message_the_model_is_sure_of_becomes_a_report(
        storage_and_resource: tuple, ranking: List[tuple]) -> None:
    component = _sure_of(storage_and_resource, UNSURE_TEXT)
    message = _unsure_message(UNSURE_TEXT, ranking)
    component.process([message])
    confidence = component.rank(UNSURE_TEXT)[0][1]
    assert message.get("intent") == {"name": "report_problem", "confidence": confidence}
    names = [item["name"] for item in message.get("intent_ranking")]
    assert names[0] == "report_problem" and names.count("report_problem") == 1
    assert [e["value"] for e in message.get("entities")] == ["pothole"]


@pytest.mark.parametrize("text, ranking, config", [
    (UNSURE_TEXT, [("check_status", 0.9), ("greet", 0.1)], {}),  # DIET is sure
    (UNSURE_TEXT, [("check_status", 0.45), ("greet", 0.3)], {"sure_above": 1.0}),
    (UNSURE_TEXT, [("check_status", 0.45), ("greet", 0.3)], {"vague_categories": ["pothole"]}),
    ("outside the library", [("greet", 0.45), ("inform", 0.3)], {}),  # no service at all
    ('/report_problem{"category":"pothole"}', [("greet", 0.45), ("inform", 0.3)], {}),
])
def test_a_second_opinion_needs_an_unsure_intent_and_a_sure_service(
        storage_and_resource: tuple, text: str, ranking: List[tuple],
        config: Dict[str, Any]) -> None:
    component = _sure_of(storage_and_resource, UNSURE_TEXT, **config)
    message = _unsure_message(text, ranking)
    component.process([message])
    assert message.get("intent")["name"] == ranking[0][0]
    assert message.get("entities", []) == []


def test_untrained_component_adds_nothing(tmp_path: Path) -> None:
    storage = LocalModelStorage(tmp_path)
    component = CategoryClassifier.load(
        CategoryClassifier.get_default_config(),
        storage,
        Resource("never_trained"),
        ExecutionContext(GraphSchema({}), "t"),
    )
    assert _parse(component, "pothole in the road", "report_problem") == []


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("POTHOLE on Main St!!", "pothole on main st"),
        ("en Português, por favor", "en portugues por favor"),
        ("my case C-2026-000123 sooooo slow", "my case caseref soo slow"),
        ("outside number 12", "outside number 0"),
        ("it's   broken\n", "it's broken"),
    ],
)
def test_normalise_text(raw: str, expected: str) -> None:
    assert normalise_text(raw) == expected


def test_training_label_reads_intent_block_metadata() -> None:
    labelled = Message.build("pothole", "report_problem", intent_metadata={"category": "pothole"})
    example_only = Message.build("pothole", "report_problem", example_metadata={"note": "x"})
    assert training_label(labelled) == "pothole"
    assert training_label(example_only) == NONE_LABEL
    assert training_label(Message.build("hi", "greet")) == NONE_LABEL


def test_the_direct_prediction_is_the_pipelines_own(storage_and_resource: tuple) -> None:
    """rank() builds one text's TF-IDF row itself and predict_proba joins the vectorizers'
    rows itself rather than through the FeatureUnion, with the weights kept in Fortran order:
    the probabilities must be exactly those of the pipeline as trained, for texts seen and
    unseen in training, texts with no known feature, and every language's NLU data."""
    component = _loaded(storage_and_resource)
    loaded = component._pipeline
    assert loaded.steps[-1][1].coef_.flags.f_contiguous
    pipeline = copy.deepcopy(loaded)
    pipeline.steps[-1][1].coef_ = np.ascontiguousarray(loaded.steps[-1][1].coef_)
    texts = [normalise_text(text) for text in (
        "pothole on the road", "the lamp post is dark", "12 high street", "", "qqq zzz",
        "huge pot-hole and broken street light on Elm St 12", "¿hay un bache en la calle?",
        "litter litter litter everywhere, litter!", "x" * 500, *nlu_texts())]
    scorer = OneTextScorer.for_pipeline(loaded)
    assert scorer is not None and component._scorer is not None
    for text in texts:
        stock = pipeline.predict_proba([text])
        assert (predict_proba(loaded, [text]) == stock).all()
        assert (scorer.probabilities(text) == stock[0]).all(), text
    assert (predict_proba(loaded, texts) == pipeline.predict_proba(texts)).all()


def nlu_texts() -> List[str]:
    """Every 7th training example of data/nlu, in every language."""
    import yaml

    texts = []
    for path in sorted((Path(__file__).resolve().parents[2] / "data" / "nlu").glob("*/*.yml")):
        for block in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu") or []:
            texts += [line[2:] for line in str(block.get("examples") or "").splitlines()
                      if line.startswith("- ")]
    return texts[::7]


def test_a_pipeline_of_another_shape_is_scored_the_general_way(
        storage_and_resource: tuple) -> None:
    pipeline = copy.deepcopy(_loaded(storage_and_resource)._pipeline)
    pipeline.steps[0][1].transformer_list[1][1].norm = "l1"
    assert OneTextScorer.for_pipeline(pipeline) is None
    assert OneTextScorer.for_pipeline(None) is None