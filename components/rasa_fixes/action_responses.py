"""Fix 1. Rasa 3.6 checks every action server response with jsonschema.validate, which (jsonschema 4)
re-checks the schema itself against the metaschema on every call: about 70 ms of CPU on the
event loop per action call, close to a third of the server's CPU under load
(docs/performance.md). The schema never changes, so it is checked once and its validator kept;
responses are validated as before (the same ValidationError, chosen by best_match as
jsonschema.validate does).

Fix 4. An action server response's events are checked against a oneOf of 23 event schemas, and
jsonschema tries every one of them for every event: about 0.3 ms per event, 5 ms for a reply
that sets 17 slots. Each branch pins "event" to its own name, so only the branch named by the
event can match; the cached validator goes straight to it. Valid and invalid responses are
told apart exactly as before, and an invalid one is re-checked the stock way so its error
reads the same.
"""
from __future__ import annotations

from typing import Any, Dict, List, Tuple


def install_cached_validation(discriminate_one_of: bool = True) -> None:
    """jsonschema.validate, with each distinct schema checked and compiled once (and its
    discriminated oneOfs taken straight to their branch, unless `discriminate_one_of` is off)."""
    import jsonschema
    from jsonschema.exceptions import best_match
    from jsonschema.validators import validator_for

    cache: List[Tuple[Any, Any, Any]] = []  # (schema, validator, stock validator)

    def validate(instance: Any, schema: Any, cls: Any = None, *args: Any, **kwargs: Any) -> None:
        found = next((entry for entry in cache if entry[0] is schema or entry[0] == schema), None)
        if found is None:
            klass = cls or validator_for(schema)
            klass.check_schema(schema)
            stock = klass(schema, *args, **kwargs)
            fast = discriminating(klass)(schema, *args, **kwargs) if discriminate_one_of else stock
            found = (schema, fast, stock)
            cache.append(found)
        _, fast, stock = found
        if fast is not stock and fast.is_valid(instance):
            return
        error = best_match(stock.iter_errors(instance))
        if error is not None:
            raise error

    jsonschema.validate = validate


def discriminating(klass: Any) -> Any:
    """`klass` with a oneOf that, when every branch pins the same property to its own string
    (Rasa's events: "event": "slot", "user", ...), checks only the branch the instance names.
    Any other branch fails on that property, so the instance is valid exactly when that branch
    passes. Other oneOfs, and instances without the property, go through the stock check."""
    from jsonschema import _validators, validators
    from jsonschema.exceptions import ValidationError

    known: Dict[int, Tuple[Any, Any]] = {}  # id(branches) -> (branches, discriminator or None)

    def one_of(validator: Any, branches: Any, instance: Any, schema: Any) -> Any:
        if id(branches) not in known:
            known[id(branches)] = (branches, discriminator(branches))
        found = known[id(branches)][1]
        name = instance.get(found[0]) if found and isinstance(instance, dict) else None
        if not isinstance(name, str):
            yield from _validators.oneOf(validator, branches, instance, schema)
        elif name not in found[1]:
            yield ValidationError(f"{instance!r} is not valid under any of the given schemas")
        else:
            yield from validator.descend(instance, branches[found[1][name]],
                                         schema_path=found[1][name])

    return validators.extend(klass, {"oneOf": one_of})


def discriminator(branches: Any) -> Any:
    """(property, {its string: branch index}) when every branch pins one and the same property
    to a string of its own with "const"; None otherwise."""
    names: Dict[str, int] = {}
    keys = set()
    for index, branch in enumerate(branches if isinstance(branches, list) else []):
        properties = branch.get("properties") if isinstance(branch, dict) else None
        pinned = [(key, rule["const"]) for key, rule in (properties or {}).items()
                  if isinstance(rule, dict) and isinstance(rule.get("const"), str)]
        if len(pinned) != 1 or pinned[0][1] in names:
            return None
        keys.add(pinned[0][0])
        names[pinned[0][1]] = index
    return (keys.pop(), names) if len(keys) == 1 and names else None
