"""Import architecture: no cycle between any two modules of the project, and the library imports neither
the service, the harness nor the command.

``lint-imports`` (contracts in pyproject.toml, run by scripts/test) holds the layers; these tests hold
the module graph itself, with imports inside functions and under ``TYPE_CHECKING`` counted, since a
cycle through either is still a cycle.
"""

from __future__ import annotations

from functools import cache

import grimp
import pytest

PACKAGES = ("rag", "api", "eval", "rag_cli")


@cache
def _graph() -> grimp.ImportGraph:
    return grimp.build_graph(*PACKAGES, cache_dir=None)  # a stale cache would hide a new import


def import_cycles(graph: grimp.ImportGraph) -> list[frozenset[str]]:
    """The strongly connected groups of two or more modules (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[frozenset[str]] = []
    for root in sorted(graph.modules):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root))))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.find_modules_directly_imported_by(child)))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                group = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.add(member)
                    if member == node:
                        break
                if len(group) > 1:
                    cycles.append(frozenset(group))
    return cycles


def test_the_cycle_finder_finds_a_cycle_and_nothing_else():
    graph = grimp.ImportGraph()
    for module in ("a", "a.x", "a.y", "a.z", "a.w"):
        graph.add_module(module)
    graph.add_import(importer="a.x", imported="a.y")
    graph.add_import(importer="a.y", imported="a.z")
    graph.add_import(importer="a.z", imported="a.x")
    graph.add_import(importer="a.w", imported="a.x")
    assert import_cycles(graph) == [frozenset({"a.x", "a.y", "a.z"})]


def test_no_import_cycle_between_modules():
    cycles = [sorted(c) for c in import_cycles(_graph())]
    assert cycles == [], f"import cycles: {cycles}"


@pytest.mark.parametrize("outer", ["api", "eval", "rag_cli"])
def test_the_library_imports_nothing_of_the_service_the_harness_or_the_command(outer):
    chains = _graph().find_shortest_chains(importer="rag", imported=outer, as_packages=True)
    assert chains == set(), f"rag reaches {outer}: {sorted(chains)}"


def test_the_harness_and_the_service_do_not_import_each_other_or_the_command():
    graph = _graph()
    for importer, imported in [("eval", "api"), ("api", "eval"), ("api", "rag_cli"), ("eval", "rag_cli")]:
        assert not graph.find_shortest_chains(importer=importer, imported=imported, as_packages=True), (
            f"{importer} imports {imported}"
        )
