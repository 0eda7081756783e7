"""One version for every threadkit distribution, written once in src/threadkit/__init__.py."""

from __future__ import annotations

import importlib.metadata
import re
import tomllib
from pathlib import Path

import threadkit
from tools.lockstep import LockstepMetadataHook, core_version

ROOT = Path(__file__).resolve().parents[1]
PROJECTS = sorted(
    [
        ROOT / "pyproject.toml",
        *ROOT.glob("adapters/*/pyproject.toml"),
        *ROOT.glob("examples/*/pyproject.toml"),
    ]
)


def test_the_version_literal_is_written_once() -> None:
    """No pyproject.toml or package states a version of its own; all read the core's."""
    assert len(PROJECTS) >= 7
    static = [p for p in PROJECTS if "version" in tomllib.loads(p.read_text())["project"]]
    assert [] == static
    literals = [
        str(path.relative_to(ROOT))
        for source in [ROOT / "src", *ROOT.glob("adapters/*/src"), *ROOT.glob("examples/*/src")]
        for path in source.rglob("*.py")
        if re.search(r'^_*VERSION_* = "', path.read_text(encoding="utf-8"), re.M | re.I)
    ]
    assert ["src/threadkit/__init__.py"] == literals


def test_every_installed_distribution_has_the_core_version_and_pins_it() -> None:
    """Adapters and the example are installed at the core's version and pin the core to it."""
    names = [tomllib.loads(p.read_text())["project"]["name"] for p in PROJECTS]
    versions = {name: importlib.metadata.version(name) for name in names}
    assert {name: threadkit.__version__ for name in names} == versions
    for name in names:
        if name == "threadkit":
            continue
        requires = importlib.metadata.requires(name) or []
        assert f"threadkit=={threadkit.__version__}" in requires, name


def test_the_hook_pins_lockstep_names_and_keeps_the_rest(tmp_path: Path) -> None:
    """The lockstep hook sets the version and pins the listed names ahead of other deps."""
    hook = LockstepMetadataHook(
        str(tmp_path), {"lockstep": ["threadkit"], "dependencies": ["flask>=3.1"]}
    )
    metadata: dict[str, object] = {"name": "threadkit-demo"}
    hook.update(metadata)
    version = core_version(ROOT)
    expected = {
        "name": "threadkit-demo",
        "version": version,
        "dependencies": [f"threadkit=={version}", "flask>=3.1"],
    }
    assert expected == metadata
    assert threadkit.__version__ == version
