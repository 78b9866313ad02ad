"""The page kit stands apart from the domains: the domains import it, and it imports none of them."""

import ast
from pathlib import Path

import pegasus.ui

DOMAINS = ("estate", "sourcing", "procurement", "evaluation", "governance", "publication", "performance", "web", "api")


def _imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_no_module_of_the_kit_imports_a_domain_or_the_shell():
    root = Path(pegasus.ui.__file__).parent
    found = {
        f"{path.relative_to(root)}: {name}"
        for path in root.rglob("*.py")
        for name in _imported(path)
        if name.split(".")[:2] in [["pegasus", domain] for domain in DOMAINS]
    }
    assert found == set()
