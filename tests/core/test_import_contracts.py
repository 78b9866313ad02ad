"""The import rules of ADR 0001 and 0005, as import-linter contracts: they hold, and a crossing of the kinds they
once listed (the shell drawing with a domain's private charts, the API reading a domain's models or building its
open data with publication's private `ocds`) is refused."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = ROOT / "pyproject.toml"

# Modules planted in a copy of the source, each importing what the contracts keep it from: the refusal must name
# each import.
PLANTED = {
    "pegasus.web.crossing": ["pegasus.estate.charts"],
    "pegasus.api.crossing": ["pegasus.estate.models", "pegasus.governance.models", "pegasus.publication.ocds"],
}


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


def _python_only(folder: str, names: list[str]) -> list[str]:
    """What `shutil.copytree` leaves out of a copy of the source: everything but packages and Python modules."""
    return [
        name for name in names if not (name.endswith(".py") or Path(folder, name).is_dir()) or name == "__pycache__"
    ]


def test_a_crossing_into_a_domain_s_private_modules_is_refused(tmp_path):
    # given a copy of the source with a module in the shell and one in the API that cross into private modules
    shutil.copytree(ROOT / "src" / "pegasus", tmp_path / "src" / "pegasus", ignore=_python_only)
    for module, imported in PLANTED.items():
        path = tmp_path / "src" / f"{module.replace('.', '/')}.py"
        path.write_text("".join(f"import {name}\n" for name in imported), encoding="utf-8")
    shutil.copy(PYPROJECT, tmp_path / "pyproject.toml")

    # when the contracts are checked there, in a process of their own (this one has imported the real `pegasus`)
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, importlinter.cli as c; sys.exit(c.lint_imports(no_cache=True, no_logo=True))",
        ],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(tmp_path / "src")},
        capture_output=True,
        text=True,
        timeout=120,
    )

    # then the check fails, naming each crossing
    assert result.returncode == 1, result.stdout + result.stderr
    refused = [f"{module} -> {name}" for module, imported in PLANTED.items() for name in imported]
    assert [line for line in refused if line not in result.stdout] == [], result.stdout
