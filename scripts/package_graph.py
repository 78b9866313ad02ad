"""Print the imports between Pegasus' top-level packages as a Mermaid `graph LR`, each edge labelled with its count.

A package is a domain (`estate`, `sourcing`...), `core`, the shell (`web`) or the API (`api`); an edge `a --> b`
counts the import statements in `pegasus.a` and its modules that name a module of `pegasus.b`. Migrations are left
out (they name other apps' models by design), and so are the project's top-level modules (`settings`, `urls`, `cli`,
`wsgi`), which wire the packages together. The graph is grimp's, the one `lint-imports` checks.

    uv run --frozen python scripts/package_graph.py [--omit core]
"""

import argparse
import sys
from collections import Counter

import grimp

ROOT = "pegasus"


def is_migration(module: str) -> bool:
    """Whether a module is an app's migrations package or one of its migrations."""
    return "migrations" in module.split(".")


def package_of(module: str, packages: frozenset[str]) -> str | None:
    """The top-level package a module belongs to (`pegasus.estate.models` -> `estate`), or None for another module."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in packages else None


def package_edges(graph: grimp.ImportGraph, packages: frozenset[str]) -> Counter[tuple[str, str]]:
    """Import statements from one top-level package's modules to another's, counted per (importer, imported)."""
    edges: Counter[tuple[str, str]] = Counter()
    for importer in graph.modules:
        source = package_of(importer, packages)
        if source is None or is_migration(importer):
            continue
        for imported in graph.find_modules_directly_imported_by(importer):
            target = package_of(imported, packages)
            if target is None or target == source or is_migration(imported):
                continue
            edges[source, target] += len(graph.get_import_details(importer=importer, imported=imported))
    return edges


def mermaid(packages: frozenset[str], edges: Counter[tuple[str, str]]) -> str:
    """A Mermaid `graph LR`: every package a node (even one without edges), then the edges, in a stable order."""
    lines = ["graph LR"]
    lines += [f"    {name}" for name in sorted(packages)]
    lines += [f"    {source} -->|{count}| {target}" for (source, target), count in sorted(edges.items())]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Imports between Pegasus' top-level packages, as Mermaid.")
    parser.add_argument("--omit", action="append", default=[], help="leave a package and its edges out (repeatable)")
    args = parser.parse_args(argv)

    graph = grimp.build_graph(ROOT, cache_dir=None)
    # A top-level package is a child of the root that has children of its own; settings, urls and cli have none.
    packages = frozenset(
        child.split(".")[1] for child in graph.find_children(ROOT) if graph.find_children(child)
    ) - set(args.omit)
    print(mermaid(packages, package_edges(graph, packages)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
