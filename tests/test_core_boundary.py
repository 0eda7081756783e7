"""The one rule: the core imports no web framework, no database driver and does no network IO."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

CORE = Path(__file__).resolve().parents[1] / "src" / "threadkit"

BANNED = {
    "flask",
    "werkzeug",
    "django",
    "starlette",
    "fastapi",
    "sqlalchemy",
    "alembic",
    "sqlite3",
    "psycopg",
    "psycopg2",
    "pymysql",
    "MySQLdb",
    "redis",
    "requests",
    "httpx",
    "aiohttp",
    "urllib3",
    "authlib",
    "socket",
    "smtplib",
    "ssl",
    "http.client",
    "urllib.request",
}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def banned_in(names: set[str]) -> set[str]:
    return {
        name
        for name in names
        if any(name == banned or name.startswith(banned + ".") for banned in BANNED)
    }


def test_core_sources_exist() -> None:
    """The scan below looks at real files (an empty scan would prove nothing)."""
    assert len(list(CORE.rglob("*.py"))) >= 5


@pytest.mark.parametrize("path", sorted(CORE.rglob("*.py")), ids=lambda p: str(p.relative_to(CORE)))
def test_core_module_imports_nothing_banned(path: Path) -> None:
    """No core module imports a web framework, DB driver or network library."""
    assert set() == banned_in(imported_modules(path))


def test_the_check_catches_a_banned_import(tmp_path: Path) -> None:
    """The checker itself flags a forbidden import (so the rule can fail)."""
    sample = tmp_path / "bad.py"
    sample.write_text("import sqlalchemy.orm\nfrom flask import Flask\nimport json\n")
    assert {"sqlalchemy.orm", "flask"} == banned_in(imported_modules(sample))
