"""requirements.lock pins a version for every dependency, inside every stated bound.

./dev setup installs with the lock as constraints; when someone adds or raises a
dependency without running ``./dev lock``, this test names what to refresh.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
LOCK = ROOT / "requirements.lock"
OURS = {"threadkit"} | {
    tomllib.loads(p.read_text())["project"]["name"]
    for p in [*ROOT.glob("adapters/*/pyproject.toml"), *ROOT.glob("examples/*/pyproject.toml")]
}


def locked_versions() -> dict[str, str]:
    """Return ``{canonical name: version}`` for every pin in requirements.lock."""
    pins: dict[str, str] = {}
    for line in LOCK.read_text(encoding="utf-8").splitlines():
        found = re.match(r"([A-Za-z0-9_.\-]+)==([^\s;]+)", line)
        if found:
            pins[canonicalize_name(found.group(1))] = found.group(2)
    return pins


def stated_requirements() -> list[tuple[str, Requirement]]:
    """Every third-party requirement of the dev setup, with the file that states it."""
    stated: list[tuple[str, Requirement]] = []
    dev = ROOT / "requirements-dev.txt"
    for line in dev.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            stated.append((dev.name, Requirement(line)))
    for project in [ROOT, *ROOT.glob("adapters/*"), *ROOT.glob("examples/*")]:
        pyproject = project / "pyproject.toml"
        if not pyproject.is_file():
            continue
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
        hook = data.get("tool", {}).get("hatch", {}).get("metadata", {}).get("hooks", {})
        names = [
            *data["project"].get("dependencies", []),
            *hook.get("custom", {}).get("dependencies", []),
        ]
        where = str(pyproject.relative_to(ROOT))
        stated.extend((where, Requirement(name)) for name in names)
    return [(where, req) for where, req in stated if req.name not in OURS]


def test_every_dependency_is_locked_within_its_bounds() -> None:
    """Each stated dependency has a pin in requirements.lock that its bounds allow."""
    pins = locked_versions()
    stated = stated_requirements()
    assert len(stated) > 15
    stale = {
        f"{where}: {req}": pins.get(canonicalize_name(req.name), "not locked")
        for where, req in stated
        if canonicalize_name(req.name) not in pins
        or not req.specifier.contains(pins[canonicalize_name(req.name)], prereleases=True)
    }
    assert {} == stale, "run ./dev lock and commit requirements.lock"


def test_the_lock_installs_from_pypi_only() -> None:
    """No other index, URL or VCS source: a fresh machine installs it from PyPI alone."""
    text = LOCK.read_text(encoding="utf-8")
    assert [] == re.findall(r"(?m)^(--\S*index-url.*|--find-links.*|.*@ .*|-e .*)$", text)
