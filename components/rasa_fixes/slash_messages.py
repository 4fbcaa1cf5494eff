"""Every button a citizen presses reaches Rasa in its slash syntax, `/inform{"category":
"pothole"}`; so do the SMS option numbers, once the channel has looked up the payload they stand
for. Rasa 3.6 parses such a message through the whole NLU pipeline (tokens, four featurizers,
DIET, the category classifier, the fallback classifier) and then the graph's last node,
RegexMessageHandler, throws all of that away: for a payload naming an intent of the domain it
answers a new message holding only the text, that intent at the payload's confidence, and the
payload's entities. Every question of the report form that offers choices is answered so.

That answer depends on the text and the domain alone, so when the model's NLU target is the
stock RegexMessageHandler and it unpacks the message, its answer is taken without running the
pipeline before it. Anything it would not unpack (free text, an intent the domain does not
know, text that merely starts with a slash) still goes through the whole graph.
"""
from __future__ import annotations

from typing import Any, Dict, Optional


def install_direct_slash_parses() -> None:
    """MessageProcessor._parse_message_with_graph asking RegexMessageHandler alone first."""
    from rasa.core.processor import MessageProcessor

    stock = MessageProcessor._parse_message_with_graph

    def _parse_message_with_graph(self: Any, message: Any, tracker: Any,
                                  only_output_properties: bool = True) -> Dict[str, Any]:
        parsed = unpacked_payload(self, message.text)
        if parsed is None:
            return stock(self, message, tracker, only_output_properties)
        return parse_data_of(parsed, only_output_properties)

    _parse_message_with_graph.__wrapped__ = stock  # type: ignore[attr-defined]
    MessageProcessor._parse_message_with_graph = _parse_message_with_graph  # type: ignore


def unpacked_payload(processor: Any, text: Optional[str]) -> Any:
    """The Message RegexMessageHandler makes of `text` in slash syntax naming a known intent;
    None when the graph has to run (not slash syntax, not unpacked, or another NLU target)."""
    from rasa.shared.nlu.constants import TEXT
    from rasa.shared.nlu.training_data.message import Message

    if not text or not text.lstrip().startswith("/"):
        return None
    handler = regex_message_handler(processor)
    if handler is None:
        return None
    message = Message(data={TEXT: text})
    unpacked = handler.process([message], processor.domain)[0]
    return None if unpacked is message else unpacked


def regex_message_handler(processor: Any) -> Any:
    """The loaded component of the model's NLU target when that is the stock handler running
    its `process`, else None (a custom recipe, a component not loaded yet)."""
    from rasa.nlu.classifiers.regex_message_handler import RegexMessageHandler

    nodes = getattr(processor.graph_runner, "_instantiated_nodes", None) or {}
    node = nodes.get(processor.model_metadata.nlu_target)
    if node is None or node._component_class is not RegexMessageHandler or node._hooks:
        return None
    if node._fn_name != "process":
        return None
    return node._component


def parse_data_of(parsed: Any, only_output_properties: bool) -> Dict[str, Any]:
    """What MessageProcessor._parse_message_with_graph makes of the graph's parsed message."""
    from rasa.shared.nlu.constants import (ENTITIES, INTENT, INTENT_NAME_KEY,
                                           PREDICTED_CONFIDENCE_KEY, TEXT)

    parse_data: Dict[str, Any] = {
        TEXT: "", INTENT: {INTENT_NAME_KEY: None, PREDICTED_CONFIDENCE_KEY: 0.0}, ENTITIES: []}
    parse_data.update(parsed.as_dict(only_output_properties=only_output_properties))
    return parse_data
