"""The layering contracts in .importlinter hold, and each of them can fail.

The rules themselves (the core imports no adapter, framework, driver or network
library; adapters import no other adapter and no private module) are written
once, in .importlinter; these tests run ``lint-imports`` on the real tree and on
copies of a package with one bad import added.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORE = ROOT / "src" / "threadkit"
AKISMET = ROOT / "adapters" / "threadkit-akismet" / "src" / "threadkit_akismet"
WEB = ROOT / "adapters" / "threadkit-web" / "src" / "threadkit_web"
CORE_RULE = "core-imports-no-adapter-framework-or-driver"


def lint_imports(*args: str, pythonpath: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``lint-imports`` from the repository root (packages in ``pythonpath`` come first)."""
    env = dict(os.environ)
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
    command = [sys.executable, "-c", "from importlinter.cli import lint_imports_command as c; c()"]
    return subprocess.run(
        [*command, "--no-logo", "--no-cache", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_tree_keeps_every_contract() -> None:
    """The real code keeps all five layering contracts."""
    result = lint_imports()
    assert 0 == result.returncode, result.stdout + result.stderr
    assert "6 kept, 0 broken" in result.stdout


@pytest.mark.slow
@pytest.mark.parametrize(
    ("package", "bad_module", "contract"),
    [
        (CORE, "import flask\n", CORE_RULE),
        (CORE, "import sqlite3\n", CORE_RULE),
        (CORE, "from threadkit_flask import Threadkit\n", CORE_RULE),
        (CORE, "from urllib.request import urlopen\n", "core-opens-no-connection"),
        (CORE, "import http.client\n", "core-opens-no-connection"),
        (AKISMET, "import threadkit_notify\n", "adapters-are-independent"),
        (AKISMET, "import threadkit_server\n", "nothing-imports-the-server"),
        (AKISMET, "from threadkit import _rules\n", "private-modules-stay-private"),
        (AKISMET, "from threadkit.testing import _kit\n", "private-modules-stay-private"),
        (WEB, "import flask\n", "the-web-layer-is-framework-neutral"),
        (WEB, "import threadkit_flask\n", "the-web-layer-is-framework-neutral"),
    ],
    ids=["core-flask", "core-sqlite3", "core-adapter", "core-urlopen", "core-http-client",
         "adapter-adapter", "adapter-server", "adapter-private", "adapter-private-testing",
         "web-flask", "web-adapter"],
)
def test_a_bad_import_breaks_its_contract(
    tmp_path: Path, package: Path, bad_module: str, contract: str
) -> None:
    """A copy of a package with one forbidden import added fails that contract."""
    for each in {package, CORE}:
        shutil.copytree(each, tmp_path / each.name, ignore=shutil.ignore_patterns("__pycache__"))
    # A private test-kit module to import (the real kit has none left to tempt anyone).
    (tmp_path / CORE.name / "testing" / "_kit.py").write_text('"""Private."""\n')
    (tmp_path / package.name / "bad_import.py").write_text(bad_module, encoding="utf-8")
    result = lint_imports("--contract", contract, pythonpath=tmp_path)
    assert 1 == result.returncode, result.stdout + result.stderr
    assert f"{package.name}.bad_import" in result.stdout
    assert "0 kept, 1 broken" in result.stdout


def test_an_allowed_import_keeps_the_contracts(tmp_path: Path) -> None:
    """urllib.parse and http.HTTPStatus stay allowed in the core (the check is not too broad)."""
    copy = tmp_path / CORE.name
    shutil.copytree(CORE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    (copy / "fine_import.py").write_text(
        "from http import HTTPStatus\nfrom urllib.parse import quote\n", encoding="utf-8"
    )
    result = lint_imports(pythonpath=tmp_path)
    assert 0 == result.returncode, result.stdout + result.stderr
