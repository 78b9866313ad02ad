"""The import rules of ADR 0001 and 0005, as import-linter contracts: they hold, and each crossing still listed as an
ignore is a real import that the contracts would refuse without it."""

import re
from pathlib import Path

import pytest
from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = ROOT / "pyproject.toml"


def ignore_groups(text: str) -> list[tuple[str, list[int]]]:
    """Each commented group of `ignore_imports` lines that names a crossing still to fix (the kept rules aside)."""
    lines = text.splitlines()
    start = next(n for n, line in enumerate(lines) if line.strip() == "[tool.importlinter]")
    groups: list[tuple[str, list[int]]] = []
    current: list[int] | None = None
    for n in range(start, len(lines)):
        line = lines[n].strip()
        if line.startswith("# ") and re.match(r"# [a-z.,* ]+ -> ", line):
            current = []
            groups.append((line[2:], current))
        elif line.startswith("#") and current == []:
            continue  # the group's comment goes on
        elif line.startswith("#") or line in {"]", ""}:
            current = None
        elif current is not None and line.startswith('"pegasus') and "->" in line:
            current.append(n)
    return [(name, found) for name, found in groups if found]


def check(tmp_path: Path, text: str) -> int:
    config = tmp_path / "pyproject.toml"
    config.write_text(text, encoding="utf-8")
    return lint_imports(config_filename=str(config), cache_dir=str(tmp_path / "cache"), no_logo=True)


@pytest.fixture(scope="module")
def project(tmp_path_factory, monkeypatch_module):
    monkeypatch_module.chdir(ROOT)
    monkeypatch_module.syspath_prepend(str(ROOT / "src"))
    return PYPROJECT.read_text(encoding="utf-8"), tmp_path_factory.mktemp("contracts")


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch


def test_the_contracts_hold(project):
    text, folder = project
    assert check(folder, text) == 0


def test_each_listed_crossing_is_refused_once_its_ignores_go(project, capsys):
    text, folder = project
    lines = text.splitlines()
    groups = ignore_groups(text)
    assert groups, "no crossing is listed: this test has nothing left to prove, and can go"
    still_passing = []
    for name, found in groups:
        without = "\n".join(line for n, line in enumerate(lines) if n not in set(found))
        if check(folder, without) == 0:
            still_passing.append(name)
    capsys.readouterr()
    assert still_passing == []
