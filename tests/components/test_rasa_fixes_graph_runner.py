"""components.rasa_fixes.graph_runner (fix 10): the model graph run in a kept order must give
what Rasa's dask runner gives, outputs and errors alike, on graphs shaped like Rasa's own (a
chain, a fan-in, inputs that feed or replace nodes). The served model's parses and
predictions are compared in tests/rasa/test_parse_through_fixes.py."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

import pytest
from rasa.engine.exceptions import GraphComponentException, GraphRunError
from rasa.engine.graph import ExecutionContext, GraphComponent, GraphSchema, SchemaNode
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.engine.storage.local_model_storage import LocalModelStorage

from components.rasa_fixes.graph_runner import dependency_order, install_sequential_graph_runner

CALLS: List[str] = []


class Step(GraphComponent):
    """A node that records that it ran and returns its name with what it was given."""

    @classmethod
    def create(cls, config: Dict[str, Any], **context: Any) -> "Step":
        step = cls()
        step.name, step.fails = config["name"], config.get("fails")
        return step

    def run(self, **given: Any) -> Any:
        CALLS.append(self.name)
        if self.fails is not None:
            raise self.fails
        return (self.name, {key: given[key] for key in sorted(given)})


def node(name: str, fails: Optional[Exception] = None, **needs: str) -> SchemaNode:
    return SchemaNode(needs=needs, uses=Step, constructor_name="create", fn="run",
                      config={"name": name, "fails": fails})


def diamond(**failing: Exception) -> GraphSchema:
    """a -> b, and (a, the input) -> c; b and c -> target; 'spare' is needed by nothing."""
    return GraphSchema({
        "target": node("target", failing.get("target"), left="b", right="c"),
        "c": node("c", failing.get("c"), source="a", extra="__input__"),
        "b": node("b", failing.get("b"), source="a"),
        "a": node("a", failing.get("a")),
        "spare": node("spare"),
    })


@pytest.fixture
def runners(tmp_path: Path) -> Callable[[GraphSchema], Any]:
    """(stock run, fixed run) of one runner for a schema; the fix is undone afterwards."""
    stock = DaskGraphRunner.run

    def make(schema: GraphSchema) -> Any:
        runner = DaskGraphRunner(schema, LocalModelStorage(tmp_path),
                                 ExecutionContext(schema, "test"))
        return (lambda **kw: stock(runner, **kw)), (lambda **kw: DaskGraphRunner.run(runner, **kw))

    install_sequential_graph_runner()
    assert DaskGraphRunner.run.__wrapped__ is stock
    yield make
    DaskGraphRunner.run = stock


def outcome(run: Callable[..., Any], **arguments: Any) -> Any:
    """What a run returns, or its error's type and message, and which nodes ran in what order."""
    CALLS.clear()
    try:
        result: Any = run(**arguments)
    except Exception as error:  # compared, not hidden: both runners must raise the same
        result = (type(error), str(error), type(error.__cause__))
    return result, list(CALLS)


@pytest.mark.parametrize("arguments", [
    {"inputs": {"__input__": [1, 2]}, "targets": ["target"]},
    {"inputs": {"__input__": "text"}, "targets": ["target", "b"]},
    {"inputs": {"__input__": 3}, "targets": ["a"]},
    {"inputs": {"__input__": 3, "b": "given"}, "targets": ["target"]},  # an input replaces b
    {"inputs": {"__input__": 3}, "targets": ["__input__", "c"]},  # an input as a target
    {"inputs": {}, "targets": ["target"]},  # the input missing: GraphNode reports it
    {"inputs": {"__input__": "a"}, "targets": ["target"]},  # an input named like a node
    {"inputs": {"__input__": 1}, "targets": ["nowhere"]},
])
def test_every_run_gives_what_dask_gives(runners: Any, arguments: Dict[str, Any]) -> None:
    stock, fixed = runners(diamond())
    expected, stock_calls = outcome(stock, **arguments)
    for _ in range(2):  # the second run uses the kept order
        got, calls = outcome(fixed, **arguments)
        assert got == expected
        if isinstance(expected, dict):  # after an error, dask's choice of order shows
            assert sorted(calls) == sorted(stock_calls)
        assert all(calls.index(x) < calls.index(y) for x, y in
                   (("a", "b"), ("a", "c"), ("b", "target"), ("c", "target")) if {x, y} <= set(calls))


@pytest.mark.parametrize("failing", ["a", "c", "target"])
@pytest.mark.parametrize("error", [RuntimeError("boom"), ValueError("bad"),
                                   GraphRunError("rasa's own")])
def test_a_failing_node_raises_what_it_raises_under_dask(runners: Any, failing: str,
                                                         error: Exception) -> None:
    stock, fixed = runners(diamond(**{failing: error}))
    arguments = {"inputs": {"__input__": 1}, "targets": ["target"]}
    expected, _ = outcome(stock, **arguments)
    assert expected[0] in (GraphRunError, GraphComponentException)
    assert outcome(fixed, **arguments)[0] == expected


def test_nodes_run_after_what_they_need_and_otherwise_in_schema_order() -> None:
    needs = {"d": ("b", "c"), "c": ("a", "__input__"), "b": ("a",), "a": (), "e": ()}
    assert dependency_order(needs) == ["a", "e", "c", "b", "d"]
    with pytest.raises(ValueError):
        dependency_order({"x": ("y",), "y": ("x",)})
