"""CategoryClassifier: guesses the service category of a problem report.

DIET decides *that* the citizen is reporting something (intent report_problem or inform);
this component decides *what* it is about (pothole, streetlight, ...), so the report form
can skip or pre-fill its category question. It is also the second opinion on a message the
intent model is unsure of: when DIET cannot place it ("the bin men didn't take my recycling
this week") and this model is sure it describes one service, the message is a report of it,
instead of "Sorry, I didn't understand" or a near FAQ answer. It is a separate, cheap
scikit-learn model because the label lives in example metadata rather than in entity annotations, and because
a probability with a "none" class lets it stay silent on addresses and chit-chat instead of
guessing. Text normalisation is language-neutral (no English-only tooling): one model will
later serve en/es/pt/nl. A report that names two problems is marked with the second
(components.problem_clauses), so neither is lost.
"""

from __future__ import annotations

import logging
import math
import re
import unicodedata
from pathlib import Path
from typing import Any, Dict, List, Optional, Text

import joblib
import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import (ENTITIES, INTENT, INTENT_RANKING_KEY, METADATA,
                                      METADATA_INTENT, PREDICTED_CONFIDENCE_KEY, TEXT)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from components.problem_clauses import with_second_problem

logger = logging.getLogger(__name__)

NONE_LABEL = "__none__"
ENTITY_NAME = "category"
EXTRACTOR_NAME = "CategoryClassifier"
MODEL_FILE_NAME = "category_classifier.joblib"

_CASE_REFERENCE = re.compile(r"\bc[\s-]?\d{4}[\s-]?\d{3,6}\b")
_DIGITS = re.compile(r"\d+")
_NON_WORD = re.compile(r"[^\w']+")
_REPEATS = re.compile(r"(\w)\1{2,}")


def normalise_text(text: Text) -> Text:
    """Reduces the surface variation real citizens produce before featurising.

    Accents are stripped (people often type "espanol" for "español"), case is folded
    ("POTHOLE ON MAIN ST"), runs of 3+ identical letters are shortened ("sooo"),
    case references and numbers become placeholders (a house number says nothing
    about the category) and punctuation becomes whitespace.
    """
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    stripped = _CASE_REFERENCE.sub(" caseref ", stripped)
    stripped = _DIGITS.sub("0", stripped)
    stripped = _REPEATS.sub(r"\1\1", stripped)
    return " ".join(_NON_WORD.sub(" ", stripped).split())


def training_label(message: Message) -> Text:
    """The category a training example teaches: its intent block's metadata, else none.

    Rasa puts intent-block metadata under data["metadata"]["intent"]; every example
    without a category (addresses, status questions, chit-chat, uncategorised
    reports) becomes the explicit none class, so the model learns when to stay silent.
    """
    metadata = message.get(METADATA) or {}
    intent_metadata = metadata.get(METADATA_INTENT) or {}
    category = intent_metadata.get(ENTITY_NAME) if isinstance(intent_metadata, dict) else None
    return str(category) if category else NONE_LABEL


def build_pipeline(c_value: float) -> Pipeline:
    """TF-IDF on words (1-2 grams) and characters (2-5 grams) into a logistic regression.

    Character n-grams carry typos ("pothol", "graffitti") and inflections in any language;
    logistic regression gives probabilities that a plain threshold can act on.
    """
    features = FeatureUnion(
        [
            ("words", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1)),
            (
                "chars",
                TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True),
            ),
        ]
    )
    classifier = LogisticRegression(C=c_value, class_weight="balanced", max_iter=2000)
    return Pipeline([("features", features), ("classifier", classifier)])


def category_entity(
    text: Text, ranking: List[tuple[Text, float]], max_alternatives: int
) -> Dict[Text, Any]:
    """The contract's category entity for the best service in `ranking` (best first).

    Alternatives are the next services, never the none class.
    """
    value, confidence = ranking[0]
    alternatives = [
        {"value": code, "confidence": round(prob, 4)}
        for code, prob in ranking[1:]
        if code != NONE_LABEL
    ][:max_alternatives]
    return {
        "entity": ENTITY_NAME,
        "value": value,
        "start": 0,
        "end": len(text),
        "confidence_entity": round(confidence, 4),
        "extractor": EXTRACTOR_NAME,
        "alternatives": alternatives,
    }


def ready_to_predict(pipeline: Pipeline) -> Pipeline:
    """The loaded pipeline with the classifier's weights laid out for one message at a time.

    scikit-learn scores a message as `features @ coef_.T`, and scipy copies a transposed
    (Fortran-ordered) dense operand into a contiguous one first: the whole weight matrix,
    for every message. Kept in Fortran order, `coef_.T` is already contiguous; the values,
    and so every probability, are the same."""
    classifier = pipeline.steps[-1][1]
    if isinstance(getattr(classifier, "coef_", None), np.ndarray):
        classifier.coef_ = np.asfortranarray(classifier.coef_)
    return pipeline


def predict_proba(pipeline: Pipeline, texts: List[Text]) -> np.ndarray:
    """pipeline.predict_proba(texts) for build_pipeline's pipeline, without the FeatureUnion's
    joblib dispatch and block-matrix join: each vectorizer's rows side by side, then the
    classifier. That machinery cost more than the vectorizers on one short message. A
    pipeline of any other shape goes the general way."""
    union, classifier = pipeline.steps[0][1], pipeline.steps[-1][1]
    if not _plain_union(pipeline):
        return pipeline.predict_proba(texts)
    features = sparse.hstack([vectorizer.transform(texts)
                              for _, vectorizer in union.transformer_list], format="csr")
    return classifier.predict_proba(features)


def _plain_union(pipeline: Pipeline) -> bool:
    """A FeatureUnion of fitted transformers (no weights, none dropped) into the classifier."""
    union = pipeline.steps[0][1]
    return (len(pipeline.steps) == 2 and isinstance(union, FeatureUnion)
            and not union.transformer_weights
            and not any(isinstance(step, str) for _, step in union.transformer_list))


class OneTextScorer:
    """The pipeline's probabilities for one text, its TF-IDF row built directly.

    For one short message TfidfVectorizer.transform spends about 0.4 ms in input checks and
    sparse products around 10-30 us of n-gram analysis, twice, and the join as much again
    (about 1.2 ms a message, 4% of the Rasa server under load). Here each vectorizer's
    analyzer, vocabulary and idf weights are used as transform uses them: counts, 1 + log
    (sublinear tf), times idf, divided by the row's L2 norm. The entries are kept in the
    order scikit-learn's own sparse product leaves them (descending column within each
    vectorizer), so the norm and the classifier's sums add the same numbers in the same
    order: the probabilities are bit-for-bit those of pipeline.predict_proba."""

    def __init__(self, pipeline: Pipeline) -> None:
        self.classifier = pipeline.steps[-1][1]
        self.parts = []
        offset = 0
        for _, vectorizer in pipeline.steps[0][1].transformer_list:
            self.parts.append((vectorizer.build_analyzer(), vectorizer.vocabulary_,
                               vectorizer.idf_, vectorizer.sublinear_tf, offset))
            offset += len(vectorizer.vocabulary_)
        self.width = offset

    @classmethod
    def for_pipeline(cls, pipeline: Optional[Pipeline]) -> Optional["OneTextScorer"]:
        """A scorer when every vectorizer is a fitted L2-normalised TF-IDF one, else None."""
        if pipeline is None or not _plain_union(pipeline):
            return None
        vectorizers = [step for _, step in pipeline.steps[0][1].transformer_list]
        if not all(isinstance(v, TfidfVectorizer) and v.norm == "l2" and v.use_idf
                   and not v.binary and v.dtype == np.float64 and hasattr(v, "idf_")
                   for v in vectorizers):
            return None
        return cls(pipeline)

    def probabilities(self, text: Text) -> np.ndarray:
        """pipeline.predict_proba([text])[0]."""
        return self.classifier.predict_proba(self.row(text))[0]

    def row(self, text: Text) -> sparse.csr_matrix:
        """The union's feature row for `text`, entries in scikit-learn's order."""
        values, columns = [], []
        for analyze, vocabulary, idf, sublinear, offset in self.parts:
            counts: Dict[int, int] = {}
            for feature in analyze(text):
                column = vocabulary.get(feature)
                if column is not None:
                    counts[column] = counts.get(column, 0) + 1
            if counts:
                order = sorted(counts, reverse=True)
                weights = np.array([counts[column] for column in order], dtype=np.float64)
                if sublinear:
                    np.log(weights, weights)
                    weights += 1
                weights *= idf[order]
                square_sum = 0.0
                for weight in weights:  # one by one, as scikit-learn's normaliser adds them
                    square_sum += weight * weight
                if square_sum != 0.0:
                    weights /= math.sqrt(square_sum)
                values.append(weights)
                columns.append(np.array(order, dtype=np.int32) + offset)
        data = np.concatenate(values) if values else np.zeros(0)
        indices = np.concatenate(columns) if columns else np.zeros(0, dtype=np.int32)
        return sparse.csr_matrix((data, indices, np.array([0, len(data)], dtype=np.int32)),
                                 shape=(1, self.width))


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=True)
class CategoryClassifier(GraphComponent, EntityExtractorMixin):
    """Adds a `category` entity to report_problem/inform messages that imply a service."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """Threshold on the top service's probability; intents the component acts on."""
        return {
            "threshold": 0.35,
            "intents": ["report_problem", "inform"],
            "max_alternatives": 3,
            "C": 30.0,
            # The second opinion (see the module docstring): DIET is unsure below this
            # confidence or with its top two this close (FallbackClassifier's thresholds), and
            # this model is sure of one service at or above `sure_above`; never of a vague one.
            "unsure_below": 0.6,
            "unsure_gap": 0.1,
            "sure_above": 0.9,
            "report_intent": "report_problem",
            "vague_categories": ["other"],
        }

    def __init__(
        self,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        pipeline: Optional[Pipeline] = None,
    ) -> None:
        """Keeps the storage handles so train() can persist where load() will look."""
        self._config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self._pipeline = pipeline
        self._scorer = OneTextScorer.for_pipeline(pipeline)

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> CategoryClassifier:
        """An untrained component (Rasa calls this before train())."""
        return cls(config, model_storage, resource)

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> CategoryClassifier:
        """Reads the fitted pipeline back; a missing file yields a silent component."""
        try:
            with model_storage.read_from(resource) as directory:
                pipeline = ready_to_predict(joblib.load(Path(directory) / MODEL_FILE_NAME))
        except (ValueError, FileNotFoundError):
            logger.warning("category_classifier.not_trained resource=%s", resource.name)
            pipeline = None
        return cls(config, model_storage, resource, pipeline)

    def train(self, training_data: TrainingData) -> Resource:
        """Fits on every example with text; needs at least one service and one other class."""
        examples = [m for m in training_data.training_examples if m.get(TEXT)]
        texts = [normalise_text(m.get(TEXT)) for m in examples]
        labels = [training_label(m) for m in examples]
        if len(set(labels) - {NONE_LABEL}) < 1 or len(set(labels)) < 2:
            logger.warning("category_classifier.no_categories examples=%d", len(examples))
            return self._resource
        self._pipeline = build_pipeline(float(self._config["C"]))
        self._pipeline.fit(texts, labels)
        self._scorer = OneTextScorer.for_pipeline(self._pipeline)
        self.persist()
        return self._resource

    def persist(self) -> None:
        """Writes the fitted pipeline into this component's model-storage directory."""
        if self._pipeline is None:
            return
        with self._model_storage.write_to(self._resource) as directory:
            joblib.dump(self._pipeline, Path(directory) / MODEL_FILE_NAME)

    def process(self, messages: List[Message]) -> List[Message]:
        """Appends a category entity where the intent fits and a service is likely enough;
        a message DIET is unsure of becomes a report where this model is sure of one."""
        if self._pipeline is None:
            return messages
        for message in messages:
            entity = self._predict_entity(message)
            if entity is not None:
                message.set(ENTITIES, message.get(ENTITIES, []) + [entity], add_to_output=True)
        return messages

    def rank(self, text: Text) -> List[tuple[Text, float]]:
        """All labels (services and none) with probabilities, best first."""
        if self._pipeline is None:
            return []
        text = normalise_text(text)
        probabilities = (self._scorer.probabilities(text) if self._scorer is not None
                         else predict_proba(self._pipeline, [text])[0])
        classes = self._pipeline.classes_
        order = np.argsort(-probabilities)
        return [(str(classes[i]), float(probabilities[i])) for i in order]

    def _sure_of(self, ranking: List[tuple[Text, float]]) -> bool:
        """Whether the best label is one specific service, at or above `sure_above`."""
        label, confidence = ranking[0]
        return label not in (NONE_LABEL, *self._config["vague_categories"]) \
            and confidence >= float(self._config["sure_above"])

    def _read_as_report(self, message: Message, confidence: float) -> None:
        """The second opinion: the message is a report (intent, and first in the ranking)."""
        report = {"name": self._config["report_intent"], PREDICTED_CONFIDENCE_KEY: confidence}
        others = [item for item in message.get(INTENT_RANKING_KEY) or []
                  if item.get("name") != report["name"]]
        message.set(INTENT, report, add_to_output=True)
        message.set(INTENT_RANKING_KEY, [report] + others, add_to_output=True)
        logger.debug("category_classifier.second_opinion confidence=%.3f", confidence)

    def _unsure(self, message: Message) -> bool:
        """Whether DIET's intent would fall back: too low, or too close to the runner-up."""
        confidence = float((message.get(INTENT) or {}).get(PREDICTED_CONFIDENCE_KEY) or 0.0)
        if confidence < float(self._config["unsure_below"]):
            return True
        ranking = message.get(INTENT_RANKING_KEY) or []
        if len(ranking) < 2:
            return False
        gap = float(ranking[0].get(PREDICTED_CONFIDENCE_KEY) or 0.0) - \
            float(ranking[1].get(PREDICTED_CONFIDENCE_KEY) or 0.0)
        return gap < float(self._config["unsure_gap"])

    def _predict_entity(self, message: Message) -> Optional[Dict[Text, Any]]:
        """The entity for one message, or None when any rule says stay silent. Ranked once:
        for a report or a bare service name, and for any message DIET is unsure of (the
        second opinion, which may make it a report)."""
        text = message.get(TEXT)
        intent = (message.get(INTENT) or {}).get("name")
        unsure = bool(text) and not text.startswith("/") and self._unsure(message)
        if not text or (intent not in self._config["intents"] and not unsure):
            return None
        if any(e.get("entity") == ENTITY_NAME for e in message.get(ENTITIES, [])):
            return None  # a button payload already chose the category
        ranking = self.rank(text)
        if not ranking:
            return None
        if unsure and self._sure_of(ranking):
            self._read_as_report(message, ranking[0][1])
        elif intent not in self._config["intents"]:
            return None
        if ranking[0][0] == NONE_LABEL or ranking[0][1] < float(self._config["threshold"]):
            return None
        entity = category_entity(text, ranking, int(self._config["max_alternatives"]))
        if (message.get(INTENT) or {}).get("name") != self._config["report_intent"]:
            return entity
        return with_second_problem(entity, text, self.rank, ranking,
                                   (NONE_LABEL, *self._config["vague_categories"]))
