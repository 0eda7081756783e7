"""One table of error codes (threadkit.codes): the code, the Flask mapping and the docs agree.

The source of every distribution (core and adapters) is parsed: each error code
written in it must be in ``threadkit.codes.CODES``, and each code there must
still be used somewhere, so the table can be neither incomplete nor stale.
"""

from __future__ import annotations

import ast
import builtins
import importlib
import pkgutil
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from threadkit.codes import CODES, markdown_table
from threadkit.errors import ThreadkitError

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = [
    "threadkit",
    "threadkit_flask",
    "threadkit_sqlalchemy",
    "threadkit_social",
    "threadkit_akismet",
    "threadkit_notify",
]
# Calls that take a code, besides the error classes, and where it is (argument index).
CODE_ARGUMENTS = {
    "Reason": 1,  # Reason(step, code, message)
    "hold": 1,  # Verdict.hold(step, code, message), likewise spam and reject
    "spam": 1,
    "reject": 1,
    "problem_response": 1,  # problem_response(status, code, detail)
    "problem_body": 1,
    "HTTPProblem": 1,  # HTTPProblem(status, code, message)
    "_Field": 1,  # SizeLimits' fields: _Field(label, too_long, too_large)
    "_Refused": 0,  # the importers' XML refusals
    "_matches": 2,  # KeywordList: self._matches(words, haystacks, code, outcome)
}
SECOND_CODE_ARGUMENT = {"_Field": 2}


def _source_files() -> list[Path]:
    files = list((ROOT / "src").rglob("*.py"))
    files += [path for path in (ROOT / "adapters").glob("*/src/**/*.py")]
    # Test kits and fake servers carry codes of their own test data, not of threadkit.
    return [
        path
        for path in files
        if "testing" not in path.name
        and "testing" not in path.parent.name
        and "migrations" not in path.parts
    ]


def _error_classes() -> dict[str, type[ThreadkitError]]:
    for package in PACKAGES:
        module = importlib.import_module(package)
        for info in pkgutil.walk_packages(module.__path__, f"{package}."):
            if not any(part in info.name for part in ("testing", "migrations", "__main__")):
                importlib.import_module(info.name)
    found: dict[str, type[ThreadkitError]] = {"ThreadkitError": ThreadkitError}
    pending = [ThreadkitError]
    while pending:
        for sub in pending.pop().__subclasses__():
            found[sub.__name__] = sub
            pending.append(sub)
    return found


def _callee(node: ast.Call) -> str:
    func = node.func
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")


def _literal(node: ast.expr) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _code_sites(classes: dict[str, type[ThreadkitError]]) -> Iterator[tuple[str, str, ast.AST]]:
    """Yield ``(code, where, node)`` for every code written in the source."""
    for path in _source_files():
        where = str(path.relative_to(ROOT))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                name = _callee(node)
                if name in CODE_ARGUMENTS:
                    indexes = [CODE_ARGUMENTS[name], SECOND_CODE_ARGUMENT.get(name, -1)]
                elif name in classes and not hasattr(builtins, name):
                    indexes = [0]
                else:
                    continue
                for index in indexes:
                    if 0 <= index < len(node.args):
                        argument = node.args[index]
                        assert not isinstance(argument, ast.JoinedStr), (
                            f"{where}:{node.lineno}: write error codes out, not as f-strings"
                        )
                        code = _literal(argument)
                        if code is not None:
                            yield code, f"{where}:{node.lineno}", node
            elif isinstance(node, ast.Assign | ast.AnnAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                names = [target.id for target in targets if isinstance(target, ast.Name)]
                value = _literal(node.value) if node.value is not None else None
                if value is not None and any(n == "code" or n.startswith("CODE_") for n in names):
                    yield value, f"{where}:{node.lineno}", node


@pytest.fixture(scope="module")
def classes() -> dict[str, type[ThreadkitError]]:
    return _error_classes()


@pytest.fixture(scope="module")
def sites(classes: dict[str, type[ThreadkitError]]) -> list[tuple[str, str, ast.AST]]:
    return list(_code_sites(classes))


def test_every_code_in_the_source_is_in_the_table(sites: list[tuple[str, str, ast.AST]]) -> None:
    """A code raised (or given to a Reason) anywhere must be listed in threadkit.codes.CODES."""
    missing = sorted({f"{code} ({where})" for code, where, _ in sites if code not in CODES})
    assert [] == missing, "add these to threadkit/codes.py: code, HTTP status, field, meaning"


def test_every_code_in_the_table_is_still_used(
    sites: list[tuple[str, str, ast.AST]], classes: dict[str, type[ThreadkitError]]
) -> None:
    """The table lists no code that nothing uses any more (class defaults and HTTP codes count)."""
    from threadkit_flask.problems import HTTP_CODES

    used = {code for code, _, _ in sites} | set(HTTP_CODES.values()) | {"http_error"}
    used |= {cls.default_code for cls in classes.values()}
    assert [] == sorted(set(CODES) - used)


def test_literal_statuses_agree_with_the_table(sites: list[tuple[str, str, ast.AST]]) -> None:
    """A status written beside a code (HTTPProblem, problem_response) is the table's."""
    wrong = []
    for code, where, node in sites:
        if isinstance(node, ast.Call) and _callee(node) in ("HTTPProblem", "problem_response"):
            status = node.args[0]
            if isinstance(status, ast.Constant) and status.value != CODES[code].status:
                wrong.append(
                    f"{where}: {code} is {status.value}, the table says {CODES[code].status}"
                )
    assert [] == wrong


def test_class_defaults_agree_with_the_table(classes: dict[str, type[ThreadkitError]]) -> None:
    """Each error class's default code is listed with the class's own HTTP status."""
    core = {name: cls for name, cls in classes.items() if cls.__module__ == "threadkit.errors"}
    assert {name: cls.http_status for name, cls in core.items()} == {
        name: CODES[cls.default_code].status for name, cls in core.items()
    }


def test_flask_problem_codes_agree_with_the_table() -> None:
    """The codes Flask gives Werkzeug's HTTP errors are in the table, with that status."""
    from threadkit_flask.problems import HTTP_CODES

    assert HTTP_CODES == {
        status: code for status, code in HTTP_CODES.items() if CODES[code].status == status
    }


def test_an_error_takes_its_status_from_the_table() -> None:
    """A step's thread_closed is 409 like the engine's; an unlisted code keeps its class's."""
    from threadkit.errors import RejectedError

    assert (409, 422) == (
        RejectedError("thread_closed").http_status,
        RejectedError("site_specific").http_status,
    )


def test_architecture_doc_shows_the_table() -> None:
    """docs/architecture.md holds the table exactly as threadkit.codes renders it."""
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    found = re.search(r"<!-- codes:begin -->\n(.*?)<!-- codes:end -->", text, re.S)
    assert found is not None, "docs/architecture.md needs the codes table between its markers"
    assert markdown_table() == found.group(1)


def _documented_codes() -> Iterator[tuple[str, str]]:
    """Yield ``(code, file)`` for each code in a docs table column headed "code"."""
    pages = [*sorted((ROOT / "docs").glob("*.md")), ROOT / "README.md"]
    for page in pages:
        columns: list[int] = []
        for line in page.read_text(encoding="utf-8").splitlines():
            if not line.startswith("|"):
                columns = []
                continue
            cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
            if not columns and not set(line) <= set("|-: "):
                columns = [i for i, cell in enumerate(cells) if "code" in cell.lower()] or [-1]
                continue
            for index in columns:
                if 0 <= index < len(cells):
                    # "(field `name`)" beside codes names a field, not a code.
                    cell = re.sub(r"\(field [^)]*\)", "", cells[index])
                    for code in re.findall(r"`([a-z][a-z0-9_]*)`", cell):
                        yield code, page.name


def test_docs_list_only_codes_the_table_has() -> None:
    """No docs table names a code that threadkit.codes does not define."""
    unknown = sorted(
        {f"{code} ({page})" for code, page in _documented_codes() if code not in CODES}
    )
    assert [] == unknown
