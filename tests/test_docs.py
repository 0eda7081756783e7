"""Docs are code: every fenced block in the READMEs and docs/ runs, and so do the docstrings.

Each page's ```python blocks run in order in one namespace, in a temporary working
directory, so a page can build on its earlier blocks; whatever a block needs is shown
on the page itself. ```jinja blocks render in the page's Flask ``app`` with the names the
page defined. Shell blocks that call threadkit's own command-line tools run them (with
``--help`` when the real run needs files or servers that are not there). JSON and TOML
blocks must parse, JavaScript must pass ``node --check``, and anything merely shown is
fenced as ```text or ```http. A failure names the file and line of the block.
"""

from __future__ import annotations

import contextlib
import doctest
import importlib
import importlib.util
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tomllib
import traceback
import types
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent

PAGES = sorted(
    [
        ROOT / "README.md",
        *ROOT.glob("docs/*.md"),
        *ROOT.glob("examples/*/README.md"),
        *ROOT.glob("adapters/*/README.md"),
        *ROOT.glob("benchmarks/*.md"),
    ]
)

RUN = {"python", "jinja"}
SHELL = {"bash", "console", "sh"}
CHECKED = {"json", "toml", "js", "html"}
SHOWN = {"text", "http"}
LANGUAGES = RUN | SHELL | CHECKED | SHOWN

FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<lang>[^`\s]*)")


def name_of(page: Path) -> str:
    """The page's path as reports show it: relative to the repository when inside it."""
    return str(page.relative_to(ROOT)) if page.is_relative_to(ROOT) else str(page)


@dataclass(frozen=True)
class Block:
    """One fenced block: where it is, its language and its text."""

    page: Path
    line: int  # 1-based line of the opening fence
    lang: str
    text: str

    @property
    def where(self) -> str:
        return f"{name_of(self.page)}:{self.line}"


def blocks_of(page: Path) -> list[Block]:
    """Every fenced block of a Markdown page, in order."""
    blocks: list[Block] = []
    lines = page.read_text(encoding="utf-8").splitlines()
    index = 0
    while index < len(lines):
        opening = FENCE.match(lines[index])
        if opening is None:
            index += 1
            continue
        fence, indent = opening["fence"], len(opening["indent"])
        body: list[str] = []
        end = index + 1
        while end < len(lines) and not lines[end].strip().startswith(fence):
            body.append(lines[end][indent:] if lines[end][:indent].isspace() else lines[end])
            end += 1
        if end == len(lines):
            raise AssertionError(f"{name_of(page)}:{index + 1}: fence never closed")
        blocks.append(Block(page, index + 1, opening["lang"].lower(), "\n".join(body) + "\n"))
        index = end + 1
    return blocks


ALL_BLOCKS = [block for page in PAGES for block in blocks_of(page)]


def _ids(blocks: list[Block]) -> list[str]:
    return [f"{block.where}-{block.lang or 'none'}" for block in blocks]


def test_pages_are_found() -> None:
    """The collection sees README.md, every docs page and their python blocks."""
    names = {str(page.relative_to(ROOT)) for page in PAGES}
    assert {"README.md", "docs/flask.md", "docs/notifications.md"} <= names
    assert 30 < sum(block.lang == "python" for block in ALL_BLOCKS)


@pytest.mark.parametrize("block", ALL_BLOCKS, ids=_ids(ALL_BLOCKS))
def test_every_block_names_a_known_language(block: Block) -> None:
    """A block says what it is, so this module knows how to check it."""
    assert block.lang in LANGUAGES, (
        f"{block.where}: fence the block as one of {sorted(LANGUAGES)}"
        f" (```text for diagrams and output), not {block.lang or 'nothing'!r}"
    )


# -- python and jinja: each page in order, one namespace ---------------------------------


def _where_it_failed(block: Block, error: BaseException) -> str:
    """The page line a traceback points at, else the block's opening fence."""
    filename = name_of(block.page)
    frames = [
        frame for frame in traceback.extract_tb(error.__traceback__) if frame.filename == filename
    ]
    line = frames[-1].lineno if frames else block.line
    formatted = "".join(traceback.format_exception(error))
    return f"{filename}:{line}: {type(error).__name__}: {error}\n\n{formatted}"


def run_python(block: Block, namespace: dict[str, Any]) -> None:
    """Execute a python block, with line numbers that point into the page."""
    filename = name_of(block.page)
    code = compile("\n" * block.line + block.text, filename, "exec")
    exec(code, namespace)


TEMPLATE_NAME = re.compile(r"\A\{#\s*(templates/[\w./-]+)\s*#\}\n")


def render_jinja(block: Block, namespace: dict[str, Any]) -> str:
    """Render a jinja block in the page's Flask ``app`` with the names the page defined.

    A block that starts with ``{# templates/NAME #}`` is a template file: it is saved
    there (the working directory is the app's root) for the page's own code to render,
    and here only compiled.
    """
    import flask
    import jinja2

    named = TEMPLATE_NAME.match(block.text)
    if named is not None:
        jinja2.Environment(autoescape=True).parse(block.text)
        target = Path(named[1])
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(block.text, encoding="utf-8")
        return block.text
    app = namespace.get("app")
    assert isinstance(app, flask.Flask), (
        f"{block.where}: a jinja block renders in the page's Flask app; build `app` in an"
        " earlier python block on the page"
    )
    context = {name: value for name, value in namespace.items() if not name.startswith("_")}
    context.pop("app")
    with app.test_request_context("/posts/hello"):
        return flask.render_template_string(block.text, **context)


def _close_stores(namespace: dict[str, Any]) -> None:
    """Release database pools a page opened (the page itself may not bother)."""
    for value in namespace.values():
        if type(value).__name__ == "SqlCommentStore":  # type() leaves Flask's proxies alone
            value.close()


@contextlib.contextmanager
def _akismet_fake() -> Iterator[dict[str, str]]:
    """Akismet's key and endpoint, pointing at the local fake its adapter's tests use."""
    sys.path.insert(0, str(ROOT / "adapters/threadkit-akismet/tests"))
    try:
        from fake_akismet import FakeAkismet
    finally:
        sys.path.remove(str(ROOT / "adapters/threadkit-akismet/tests"))
    with FakeAkismet() as fake:
        yield {"AKISMET_KEY": "test-key", "AKISMET_ENDPOINT": fake.endpoint}


@contextlib.contextmanager
def _nothing() -> Iterator[dict[str, str]]:
    yield {}


WORDPRESS_EXPORT = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/"><channel><title>My site</title>
<item><title>Hello</title><link>https://mysite.example/2013/03/hello/</link>
<wp:post_id>5</wp:post_id><wp:post_name>hello</wp:post_name>
<wp:post_date_gmt>2013-03-01 10:00:00</wp:post_date_gmt>
<wp:comment_status>open</wp:comment_status><wp:status>publish</wp:status>
<wp:comment><wp:comment_id>1</wp:comment_id><wp:comment_author>Ada</wp:comment_author>
<wp:comment_author_email>ada@example.org</wp:comment_author_email>
<wp:comment_date_gmt>2013-03-02 03:04:05</wp:comment_date_gmt>
<wp:comment_content>First!</wp:comment_content><wp:comment_approved>1</wp:comment_approved>
<wp:comment_type></wp:comment_type><wp:comment_parent>0</wp:comment_parent></wp:comment>
<wp:comment><wp:comment_id>2</wp:comment_id><wp:comment_author>Grace</wp:comment_author>
<wp:comment_date_gmt>2013-03-02 04:00:00</wp:comment_date_gmt>
<wp:comment_content>Welcome, Ada.</wp:comment_content><wp:comment_approved>1</wp:comment_approved>
<wp:comment_type></wp:comment_type><wp:comment_parent>1</wp:comment_parent></wp:comment>
</item></channel></rss>
"""

DISQUS_EXPORT = """<?xml version="1.0" encoding="utf-8"?>
<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">
<thread dsq:id="1"><id>hello</id><link>https://mysite.example/hello/</link><title>Hello</title>
<createdAt>2013-03-01T10:00:00Z</createdAt></thread>
<post dsq:id="10"><message><![CDATA[<p>First!</p>]]></message>
<createdAt>2013-03-02T03:04:05Z</createdAt><isDeleted>false</isDeleted><isSpam>false</isSpam>
<author><name>Ada</name><isAnonymous>true</isAnonymous></author><thread dsq:id="1"/></post>
</disqus>
"""

# Input files a page's snippets name (an export to import), written into the working
# directory before its blocks run.
PAGE_FILES = {
    "README.md": {"export.xml": WORDPRESS_EXPORT},
    "docs/importing.md": {
        "mysite.WordPress.2026-01-01.xml": WORDPRESS_EXPORT,
        "mysite.xml": WORDPRESS_EXPORT,
        "disqus-export.xml": DISQUS_EXPORT,
    },
}


def _write_page_files(page: Path, directory: Path) -> None:
    for name, text in PAGE_FILES.get(name_of(page), {}).items():
        (directory / name).write_text(text, encoding="utf-8")


# The environment a page's snippets read, as a deployment would set it (secrets,
# service URLs); network services are local fakes. Nothing else is provided.
PAGE_ENVIRONMENT: dict[str, Callable[[], contextlib.AbstractContextManager[dict[str, str]]]] = {
    "docs/akismet.md": _akismet_fake,
    "docs/notifications.md": lambda: contextlib.nullcontext(
        {"SMTP_PASSWORD": "smtp-secret", "WEBHOOK_SECRET": "webhook-secret"}
    ),
}

PYTHON_PAGES = [page for page in PAGES if any(b.lang in RUN for b in blocks_of(page))]


@pytest.mark.parametrize("page", PYTHON_PAGES, ids=[str(p.relative_to(ROOT)) for p in PYTHON_PAGES])
def test_python_and_jinja_blocks_run(
    page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every python block of the page runs in order, and every jinja block renders."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)  # pages fall back to a SQLite file here
    _write_page_files(page, tmp_path)
    # A real (file-less) module, as a pasted script would be: dataclasses look their
    # module up, and Flask(__name__) then takes the working directory as its root.
    module = types.ModuleType("docs_snippet")
    monkeypatch.setitem(sys.modules, module.__name__, module)
    namespace: dict[str, Any] = module.__dict__
    rendered: list[str] = []
    environment = PAGE_ENVIRONMENT.get(name_of(page), _nothing)
    with environment() as variables:
        for name, value in variables.items():
            monkeypatch.setenv(name, value)
        try:
            _run_page(page, namespace, rendered)
        finally:
            _close_stores(namespace)
    assert all(html.strip() for html in rendered)


def _run_page(page: Path, namespace: dict[str, Any], rendered: list[str]) -> None:
    """Run the page's python blocks and render its jinja blocks, in order."""
    for block in blocks_of(page):
        try:
            if block.lang == "python":
                run_python(block, namespace)
            elif block.lang == "jinja":
                rendered.append(render_jinja(block, namespace))
        except Exception as error:
            pytest.fail(_where_it_failed(block, error), pytrace=False)


SUITE_PAGES = [
    page
    for page in PYTHON_PAGES
    if any(
        b.lang == "python" and re.search(r"^class Test\w*\(", b.text, re.M) for b in blocks_of(page)
    )
]


@pytest.mark.parametrize("page", SUITE_PAGES, ids=[name_of(p) for p in SUITE_PAGES])
def test_conformance_examples_pass_their_suite(page: Path, tmp_path: Path) -> None:
    """A page's pytest classes (conformance suite examples) pass when pytest runs the page."""
    lines: list[str] = []
    for block in blocks_of(page):
        if block.lang == "python":  # each block at its own line, so failures name page lines
            lines += [""] * (block.line - len(lines)) + block.text.splitlines()
    (tmp_path / "test_page.py").write_text("\n".join(lines) + "\n", encoding="utf-8")
    _write_page_files(page, tmp_path)
    result = _run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_page.py"], tmp_path
    )
    assert 0 == result.returncode, (
        f"{name_of(page)}: its test classes fail under pytest:\n{result.stdout}"
    )
    assert re.search(r"\b[1-9]\d* passed", result.stdout), result.stdout


# -- shell blocks ---------------------------------------------------------------------------

PROJECTS = [
    tomllib.loads(p.read_text(encoding="utf-8"))["project"]
    for p in [ROOT / "pyproject.toml", *sorted(ROOT.glob("adapters/*/pyproject.toml"))]
]
DISTRIBUTIONS = {project["name"] for project in PROJECTS}
THREADKIT_TOOLS = {script for project in PROJECTS for script in project.get("scripts", {})}
# Tools that do one job and exit may run for real; servers and workers never do.
FINITE_TOOLS = {"threadkit-db", "threadkit-import", "threadkit.importers"}


def commands_of(block: Block) -> Iterator[tuple[int, list[str]]]:
    """Each command of a shell block with its page line: continuations joined, comments cut."""
    pending: list[str] = []
    start = 0
    for offset, raw in enumerate(block.text.splitlines(), start=block.line + 1):
        line = raw[2:] if block.lang == "console" and raw.startswith("$ ") else raw
        if not pending:
            start = offset
        if line.rstrip().endswith("\\"):
            pending.append(line.rstrip()[:-1])
            continue
        pending.append(line)
        words = shlex.split(" ".join(pending), comments=True)
        pending = []
        if words:
            yield start, words


def _without_environment(words: list[str]) -> list[str]:
    """Drop leading ``NAME=value`` assignments and a crontab schedule."""
    while words and re.fullmatch(r"[A-Z_][A-Z0-9_]*=.*", words[0]):
        words = words[1:]
    if len(words) > 5 and all(re.fullmatch(r"[\d*/,-]+", word) for word in words[:5]):
        words = words[5:]
    return words


def _run(argv: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    return subprocess.run(
        argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=120, check=False
    )


def _tool_argv(words: list[str]) -> list[str] | None:
    """The argv of a threadkit tool, run from .venv; None for any other program."""
    program = Path(words[0]).name
    if program in THREADKIT_TOOLS:
        return [str(BIN / program), *words[1:]]
    if program in {"python", "python3"} and words[1:3] == ["-m", "threadkit.importers"]:
        return [sys.executable, *words[1:]]
    return None


def _local_only(argv: list[str], cwd: Path) -> bool:
    """Whether the command can run for real here.

    It can when every argument is a flag, a word, a SQLite URL, a file in ``cwd`` or an
    importable ``module:callable``.
    """

    def local(word: str) -> bool:
        if word.startswith("-") or re.fullmatch(r"[a-z]+", word) or word.startswith("sqlite:///"):
            return True
        if re.fullmatch(r"[\w.]+:\w+", word):
            try:
                return importlib.util.find_spec(word.partition(":")[0]) is not None
            except ModuleNotFoundError:  # its package is not installed either
                return False
        return (cwd / word).is_file()

    start = 3 if argv[0] == sys.executable else 1
    tool = argv[2] if argv[0] == sys.executable else Path(argv[0]).name
    return tool in FINITE_TOOLS and all(local(word) for word in argv[start:])


def check_tool(where: str, argv: list[str], cwd: Path) -> None:
    """Run a threadkit tool: for real when it is local, else its ``--help`` must list every flag."""
    if _local_only(argv, cwd):
        result = _run(argv, cwd)
        assert 0 == result.returncode, f"{where}: {shlex.join(argv)} failed:\n{result.stderr}"
        return
    subcommand = [word for word in argv[1:2] if re.fullmatch(r"[a-z]+", word)]
    if argv[0] == sys.executable:
        subcommand = argv[3:4]
    head = argv[: (3 if argv[0] == sys.executable else 1)] + subcommand
    result = _run([*head, "--help"], cwd)
    assert 0 == result.returncode, (
        f"{where}: {shlex.join([*head, '--help'])} failed:\n{result.stderr}"
    )
    for flag in (word.split("=")[0] for word in argv if word.startswith("--")):
        assert re.search(rf"{flag}(?![\w-])", result.stdout), (
            f"{where}: {shlex.join(head)} has no option {flag}"
        )


MARKERS = {
    line.split(":")[0].strip(' "')
    for line in tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"][
        "pytest"
    ]["ini_options"]["markers"]
}


def check_pytest(where: str, arguments: list[str]) -> None:
    """The paths a pytest command names exist, and its -m expression uses declared markers."""
    for option, value in zip(["", *arguments], arguments, strict=False):
        if option == "-m":
            unknown = set(re.findall(r"\w+", value)) - {"and", "or", "not"} - MARKERS
            assert not unknown, f"{where}: no marker {sorted(unknown)} in pyproject.toml"
        elif "/" in value or value.endswith(".py"):
            path = value.split("::")[0]
            assert (ROOT / path).exists(), f"{where}: {path} does not exist"


def check_command(where: str, words: list[str], cwd: Path) -> None:
    """Check one shell command the docs show."""
    words = _without_environment(words)
    argv = _tool_argv(words)
    if argv is not None:
        check_tool(where, argv, cwd)
        return
    program = words[0]
    if program == "./dev":
        usage = _run([str(ROOT / "dev")], ROOT).stdout
        assert f"./dev {words[1]}" in usage, f"{where}: ./dev has no command {words[1]!r}"
    elif program == "pip" and words[1] == "install":
        for requirement in words[2:]:
            name = re.split(r"[\[<>=]", requirement, maxsplit=1)[0]
            assert name in DISTRIBUTIONS, f"{where}: {name!r} is not one of {sorted(DISTRIBUTIONS)}"
    elif program == "alembic":
        ini = _run([str(BIN / "threadkit-db"), "ini"], cwd)
        assert 0 == ini.returncode, f"{where}: threadkit-db ini failed:\n{ini.stderr}"
        assert Path(ini.stdout.strip()).is_file(), f"{where}: threadkit-db ini names no file"
    elif Path(program).name == "pytest":
        check_pytest(where, words[1:])
    elif program == "git" and words[1:2] == ["add"]:
        for path in words[2:]:
            assert (ROOT / path).exists(), f"{where}: {path} does not exist"
    elif program.startswith("examples/") and program.endswith(".sh"):
        # An example's runner starts servers: check it exists and answers --help.
        script = ROOT / program
        assert os.access(script, os.X_OK), f"{where}: {program} is not an executable file"
        usage = _run([str(script), "--help"], ROOT)
        assert 0 == usage.returncode, f"{where}: {program} --help failed:\n{usage.stderr}"
    else:
        raise AssertionError(
            f"{where}: no check for {program!r}; fence it as ```text if it is not a command"
        )


SHELL_BLOCKS = [block for block in ALL_BLOCKS if block.lang in SHELL]


@pytest.mark.parametrize("block", SHELL_BLOCKS, ids=_ids(SHELL_BLOCKS))
def test_shell_blocks_run(block: Block, tmp_path: Path) -> None:
    """Threadkit's own commands run (or their --help lists every flag shown); others exist."""
    commands = list(commands_of(block))
    assert commands, f"{block.where}: an empty shell block"
    _write_page_files(block.page, tmp_path)
    for line, words in commands:
        check_command(f"{name_of(block.page)}:{line}", words, tmp_path)


# -- data and other languages -----------------------------------------------------------------

VOID_TAGS = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}


def unclosed_tags(text: str) -> list[str]:
    """The tags an HTML fragment opens and never closes (or closes out of order)."""
    from html.parser import HTMLParser

    class Balance(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.open: list[str] = []

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            if tag not in VOID_TAGS:
                self.open.append(tag)

        def handle_endtag(self, tag: str) -> None:
            if self.open and self.open[-1] == tag:
                self.open.pop()
            else:
                self.open.append(f"/{tag}")

    parser = Balance()
    parser.feed(text)
    parser.close()
    return parser.open


CHECKED_BLOCKS = [block for block in ALL_BLOCKS if block.lang in CHECKED]


@pytest.mark.parametrize("block", CHECKED_BLOCKS, ids=_ids(CHECKED_BLOCKS))
def test_json_toml_and_js_blocks_parse(block: Block, tmp_path: Path) -> None:
    """JSON and TOML blocks parse; JavaScript passes ``node --check``; HTML tags are balanced."""
    if block.lang == "html":
        assert [] == unclosed_tags(block.text), f"{block.where}: tags left open"
    elif block.lang == "json":
        try:
            json.loads(block.text)
        except json.JSONDecodeError as error:
            pytest.fail(f"{name_of(block.page)}:{block.line + error.lineno}: {error.msg}")
    elif block.lang == "toml":
        tomllib.loads(block.text)
    else:
        node = shutil.which("node")
        if node is None:
            if os.environ.get("CI") == "true":
                pytest.fail("node is needed to check JavaScript blocks (CI=true)")
            pytest.skip("node is not installed")
        script = tmp_path / "block.js"
        script.write_text(block.text, encoding="utf-8")
        result = subprocess.run(
            [node, "--check", str(script)], capture_output=True, text=True, check=False
        )
        assert 0 == result.returncode, f"{block.where}: {result.stderr}"


# -- docstring examples -------------------------------------------------------------------------

SOURCE_ROOTS = [ROOT / "src", *sorted(ROOT.glob("adapters/*/src"))]


def _module_names() -> list[str]:
    """Every module of the core and the adapters, found on disk (nothing imported yet)."""
    names: list[str] = []
    for source in SOURCE_ROOTS:
        for path in sorted(source.rglob("*.py")):
            parts = path.relative_to(source).with_suffix("").parts
            if "migrations" in parts:  # Alembic scripts run only inside Alembic
                continue
            if parts[0] == "threadkit_django" and parts[-1] in ("models", "admin"):
                continue  # Django models import only inside a configured project
            names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


MODULES = _module_names()


def _doctests_of(name: str) -> list[doctest.DocTest]:
    module = importlib.import_module(name)
    finder = doctest.DocTestFinder(exclude_empty=True)
    return [
        test for test in finder.find(module) if test.examples and test.filename == module.__file__
    ]


def test_docstring_examples_are_collected() -> None:
    """The core's and every adapter's docstring examples are all found."""
    tests = [test for name in MODULES for test in _doctests_of(name)]
    assert 70 <= sum(len(test.examples) for test in tests)
    assert {"threadkit", "threadkit_flask", "threadkit_notify"} <= {
        t.name.split(".")[0] for t in tests
    }


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name: str) -> None:
    """Each docstring example of the module prints what its docstring says it prints."""
    failures: list[str] = []
    for test in _doctests_of(name):
        runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
        runner.run(test, out=failures.append)
    assert [] == failures, "".join(failures)


# -- the public surface, listed once per package ----------------------------------------------

PUBLIC_API = {
    "threadkit": "docs/index.md",
    "threadkit_flask": "docs/flask.md",
    "threadkit_sqlalchemy": "docs/sqlalchemy.md",
    "threadkit_social": "docs/identity.md",
    "threadkit_akismet": "docs/akismet.md",
    "threadkit_notify": "docs/notifications.md",
    "threadkit_server": "docs/server.md",
    "threadkit_web": "docs/web.md",
    "threadkit_django": "docs/django.md",
}


def documented_names(page: Path, package: str) -> list[str]:
    """The names a page lists under its "## Public API of `package`" heading."""
    text = page.read_text(encoding="utf-8")
    section = re.search(rf"^## Public API of `{package}`\n(.*?)(?=^#|\Z)", text, re.M | re.S)
    assert section is not None, (
        f"{page.relative_to(ROOT)}: no '## Public API of `{package}`' section"
    )
    return re.findall(r"^[-*] `([A-Za-z_][A-Za-z0-9_]*)`", section[1], re.M)


def test_every_package_has_a_documented_public_api() -> None:
    """The core and each adapter have their page with a "Public API of" section."""
    packages = {
        path.parent.name for source in SOURCE_ROOTS for path in source.glob("*/__init__.py")
    }
    assert sorted(packages) == sorted(PUBLIC_API)


@pytest.mark.parametrize("package", sorted(PUBLIC_API))
def test_public_api_is_documented_once(package: str) -> None:
    """The docs list exactly the package's ``__all__``, each name once."""
    module: types.ModuleType = importlib.import_module(package)
    names = documented_names(ROOT / PUBLIC_API[package], package)
    assert sorted(set(names)) == sorted(names), (
        f"listed twice: {sorted(n for n in names if names.count(n) > 1)}"
    )
    assert sorted(module.__all__) == sorted(names)
    for name in module.__all__:
        assert hasattr(module, name), f"{package}.__all__ names {name}, which it does not have"


# -- examples that must match what the code answers -------------------------------------------


def test_flask_problem_example_is_what_the_api_answers() -> None:
    """docs/flask.md's problem+json example is, byte for byte, the API's answer (any Python)."""
    from flask import Flask
    from threadkit_flask import ThreadKit

    from threadkit.memory import MemoryStore

    [example] = [b for b in blocks_of(ROOT / "docs/flask.md") if b.lang == "json"]
    app = Flask(__name__)
    app.secret_key = "docs"
    ThreadKit(app, store=MemoryStore())
    ThreadKit.engine(app).thread("post-1")
    client = app.test_client()
    token = client.get("/comments/api/me").json["csrf_token"]  # type: ignore[index]
    answer = client.post(
        "/comments/api/threads/post-1/comments",
        json={"body": "Hi"},
        headers={"X-Threadkit-CSRF": token},
    )
    assert "application/problem+json" == answer.mimetype
    assert json.loads(example.text) == answer.json


def test_architecture_names_the_empty_body_code_every_layer_uses() -> None:
    """An empty body is `empty_body` from the engine and from the JSON parser, as documented."""
    from threadkit import Identity, Submission, ValidationError
    from threadkit.engine import CommentEngine
    from threadkit.memory import MemoryStore
    from threadkit.serialization import parse_submission

    row = next(
        line
        for line in (ROOT / "docs/architecture.md").read_text(encoding="utf-8").splitlines()
        if line.startswith("| bodies are non-empty text")
    )
    codes: list[str] = []
    for attempt in (
        lambda: parse_submission({"body": "  "}),
        lambda: CommentEngine(MemoryStore()).post(
            "t", Submission("  "), Identity("anonymous", "b", "Ada")
        ),
    ):
        with pytest.raises(ValidationError) as caught:
            attempt()
        codes.append(caught.value.code)
    assert ["empty_body", "empty_body"] == codes
    assert "`empty_body`" in row


# -- the checks themselves can fail, and say where ---------------------------------------------


def test_a_failing_python_block_is_reported_by_file_and_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A python block that raises fails the page with the page's file and the failing line."""
    page = tmp_path / "page.md"
    page.write_text(
        "# A page\n\n```python\ngreeting = 'hello'\n```\n\nThen:\n\n```python\n"
        "print(greeting)\nprint(farewell)\n```\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    with pytest.raises(pytest.fail.Exception) as failed:
        _run_page(page, {"__name__": "docs_snippet"}, [])
    assert f"{page}:11: NameError: name 'farewell' is not defined" in str(failed.value)


def test_an_unknown_language_and_a_bad_json_block_are_refused(tmp_path: Path) -> None:
    """A block in no known language fails, and so does JSON that does not parse, with its line."""
    page = tmp_path / "page.md"
    page.write_text('```\nsomething\n```\n\n```json\n{"a": 1,\n ...}\n```\n', encoding="utf-8")
    unfenced, data = blocks_of(page)
    with pytest.raises(AssertionError, match="fence the block as one of"):
        test_every_block_names_a_known_language(unfenced)
    with pytest.raises(pytest.fail.Exception, match=f"{page}:7: Expecting property name"):
        test_json_toml_and_js_blocks_parse(data, tmp_path)


@pytest.mark.parametrize(
    ("command", "complaint"),
    [
        ("threadkit-db upgrade --url postgresql://db/site --bogus", "has no option --bogus"),
        ("threadkit-import wordpress export.xml --dry", "has no option --dry"),
        ("pip install flask-threadkit", "'flask-threadkit' is not one of"),
        ("./dev deploy", "./dev has no command 'deploy'"),
        ("make docs", "no check for 'make'"),
        ("examples/nowhere/run.sh", "examples/nowhere/run.sh is not an executable file"),
        ('.venv/bin/pytest -m "not quick" tests/test_tree.py', "no marker ['quick']"),
        (
            ".venv/bin/pytest tests/test_nothing_here.py::test_x",
            "tests/test_nothing_here.py does not exist",
        ),
    ],
)
def test_a_wrong_shell_command_is_refused(command: str, complaint: str, tmp_path: Path) -> None:
    """A flag a CLI does not have, an unknown package or command, or an unchecked program fails."""
    with pytest.raises(AssertionError, match=re.escape(complaint)):
        check_command("page.md:3", shlex.split(command), tmp_path)


def _shape(value: object) -> object:
    """The keys of a JSON document, recursively (values left out)."""
    if isinstance(value, dict):
        return {key: _shape(item) for key, item in value.items()}
    return type(value).__name__ if value is not None else None


def test_webhook_example_has_the_shape_the_notifier_sends() -> None:
    """docs/notifications.md's webhook body has exactly the keys and value types sent."""
    from datetime import UTC, datetime

    from threadkit_notify import WebhookNotifier

    from threadkit import EventKind, Identity, OutboxMessage, Submission
    from threadkit.engine import CommentEngine
    from threadkit.memory import MemoryStore

    [example] = [b for b in blocks_of(ROOT / "docs/notifications.md") if b.lang == "json"]
    store = MemoryStore()
    engine = CommentEngine(store)
    engine.thread("post-1", title="Hello, world", url="https://blog.example/hello")
    comment = engine.post("post-1", Submission("Hello"), Identity("anonymous", "b1", "Zoë"))
    at = datetime(2026, 5, 4, 12, tzinfo=UTC)
    message = OutboxMessage(12, "webhook", EventKind.POSTED, comment.id, "post-1", at)
    sent = json.loads(
        WebhookNotifier("https://hooks.example/x", "s", store).payload(message, comment)
    )
    assert _shape(json.loads(example.text)) == _shape(sent)


# -- names the prose mentions ----------------------------------------------------------------

DOTTED_NAME = re.compile(r"`(threadkit(?:_[a-z]+)?(?:\.[A-Za-z_]\w*)+)(?![\w*])")


def _resolves(dotted: str) -> bool:
    """Whether ``a.b.c`` is a module, or an attribute reached from the longest module prefix."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            target: object = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for attribute in parts[cut:]:
            if not hasattr(target, attribute):
                return False
            target = getattr(target, attribute)
        return True
    return False


@pytest.mark.parametrize("page", PAGES, ids=[name_of(p) for p in PAGES])
def test_dotted_names_in_the_prose_exist(page: Path) -> None:
    """Every `threadkit...` name a page mentions is a real module or attribute.

    In templates, `threadkit.thread(...)` and friends are the Flask adapter's template helper.
    """
    from threadkit_flask.rendering import TemplateHelper

    text = page.read_text(encoding="utf-8")
    missing = [
        f"{name_of(page)}:{text.count(chr(10), 0, match.start()) + 1}: {match[1]}"
        for match in DOTTED_NAME.finditer(text)
        if not _resolves(match[1])
        and not (match[1].count(".") == 1 and hasattr(TemplateHelper, match[1].split(".")[1]))
    ]
    assert [] == missing


def test_a_name_that_does_not_exist_is_caught() -> None:
    """The old `threadkit_sqlalchemy.SqlStore` would fail the prose check; the real name passes."""
    assert (False, True) == (
        _resolves("threadkit_sqlalchemy.SqlStore"),
        _resolves("threadkit_sqlalchemy.SqlCommentStore"),
    )


def test_an_unbalanced_html_block_is_caught() -> None:
    """A fragment that leaves a tag open fails; a script tag with its end tag passes."""
    assert (["p", "b", "/p"], []) == (
        unclosed_tags("<p><b>bold</p>"),
        unclosed_tags('<script src="/embed.js" async></script><br>'),
    )
