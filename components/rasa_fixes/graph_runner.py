"""Rasa runs every NLU parse and every next-action prediction through its model graph with
dask's local scheduler, which for each run rebuilds the graph's minimal schema and dask
graph, orders the tasks, and passes each result through a future and a queue: about 4% of
the server's CPU under load, for graphs of a dozen nodes run on one thread (docs/performance.md).
The served graphs are a chain (NLU) and a fan-in (the policies), and the same targets are
asked for every time, so the order the nodes run in is worked out once per set of targets
and inputs, and each run calls the same nodes with the same arguments in that order: the
same outputs, and the same errors (GraphRunError for a RuntimeError or an input named like
a node, a component's own exception otherwise).
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple


def install_sequential_graph_runner() -> None:
    """DaskGraphRunner.run without dask: the minimal schema's nodes in a kept order."""
    from rasa.engine.runner.dask import DaskGraphRunner

    stock = DaskGraphRunner.run

    def run(self: Any, inputs: Optional[Dict[str, Any]] = None,
            targets: Optional[List[str]] = None) -> Dict[str, Any]:
        return run_in_order(self, inputs or {}, list(targets or self._graph_schema.target_names))

    run.__wrapped__ = stock  # type: ignore[attr-defined]
    DaskGraphRunner.run = run  # type: ignore[assignment]


def run_in_order(runner: Any, inputs: Dict[str, Any], targets: List[str]) -> Dict[str, Any]:
    """What DaskGraphRunner.run returns: {target: its node's output}.

    As in the dask graph Rasa builds, an input is the pair (its name, its value) to the nodes
    that need it and replaces a node of the same name; a name nothing provides reaches the
    node as the bare name, for GraphNode to report."""
    from rasa.engine.exceptions import GraphRunError

    order, nodes_named = execution_order(runner, tuple(targets), frozenset(inputs))
    seen = set(nodes_named)  # Rasa checks each input against the nodes and earlier inputs
    for name, value in inputs.items():
        if isinstance(value, str) and value in seen:
            raise GraphRunError(
                f"Input value '{value}' clashes with a node name. Make sure that none of the "
                f"input names passed to the `run` method are the same as node names in the "
                f"graph schema.")
        seen.add(name)
    results: Dict[str, Any] = {name: (name, value) for name, value in inputs.items()}
    nodes = runner._instantiated_nodes
    try:
        for name, needs in order:
            results[name] = nodes[name](*[results.get(need, need) for need in needs])
    except RuntimeError as error:
        raise GraphRunError("Error running runner.") from error
    return dict(results[target] for target in targets)  # KeyError for an unknown one, as dask


def execution_order(runner: Any, targets: Tuple[str, ...], inputs: frozenset
                    ) -> Tuple[Tuple[Tuple[str, Tuple[str, ...]], ...], frozenset]:
    """((node, the names it needs), ...) in dependency order, and the names of the targets'
    minimal schema, kept on the runner per targets and input names: the schema does not
    change once loaded.

    Every node of the targets' minimal schema runs (as under dask), except those an input
    replaces; nodes that do not depend on each other keep the schema's order."""
    kept = runner.__dict__.setdefault("_execution_orders", {})
    key = (targets, inputs)
    if key not in kept:
        schema = runner._graph_schema.minimal_graph_schema(list(targets))
        needs = {name: tuple(node.needs.values()) for name, node in schema.nodes.items()
                 if name not in inputs}
        kept[key] = (tuple((name, needs[name]) for name in dependency_order(needs)),
                     frozenset(schema.nodes))
    return kept[key]


def dependency_order(needs: Dict[str, Tuple[str, ...]]) -> List[str]:
    """The nodes of `needs` (node -> names it needs), each after the nodes it needs; names
    that are not nodes (inputs, placeholders) are ready from the start. Raises ValueError on
    a cycle, which a Rasa graph schema cannot have."""
    done: List[str] = []
    placed = set()
    waiting = dict(needs)
    while waiting:
        ready = [name for name, wanted in waiting.items()
                 if all(need in placed or need not in needs for need in wanted)]
        if not ready:
            raise ValueError(f"the graph has a cycle among {sorted(waiting)}")
        for name in ready:
            done.append(name)
            placed.add(name)
            del waiting[name]
    return done
