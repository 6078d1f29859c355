"""Print the import cycles between the project's modules (imports inside functions included).

A cycle is a strongly connected component of more than one module in the import graph that
grimp (import-linter's engine) builds. Used to report the count; `make lint` enforces the
layers that keep it at zero. Usage: ``.venv/bin/python scripts/import_cycles.py``.
"""

from __future__ import annotations

import sys

import grimp

sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parent.parent))

PACKAGES = ("scr", "agencies", "reviews", "actionplans", "search")


def strongly_connected(graph: grimp.ImportGraph) -> list[list[str]]:
    """Tarjan's algorithm, iterative (the graph has a few hundred modules)."""
    modules = sorted(m for m in graph.modules if not m.split(".")[-1].startswith("test"))
    edges = {m: sorted(graph.find_modules_directly_imported_by(m) & set(modules)) for m in modules}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []
    counter = 0
    for root in modules:
        if root in index:
            continue
        work = [(root, iter(edges[root]))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(edges[child])))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        components.append(sorted(component))
    return components


def main() -> int:
    graph = grimp.build_graph(*PACKAGES, include_external_packages=False)
    # A package's __init__ re-exporting its modules is not a dependency of those modules on it.
    components = strongly_connected(graph)
    for component in components:
        print(f"cycle of {len(component)}: {' '.join(component)}")
    print(f"{len(components)} import cycles")
    return 1 if components else 0


if __name__ == "__main__":
    sys.exit(main())
