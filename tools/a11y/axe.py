"""axe-core in a Playwright page: run it at WCAG 2.2 AA and describe what it finds.

axe-core comes from npm, pinned in ``tools/a11y/package-lock.json``; ``./dev test``
runs ``npm ci`` here when ``node_modules`` is missing. Use it from a browser test::

    from tools.a11y.axe import add_axe, describe, run_axe

    add_axe(context)                  # before the page loads: every frame gets axe
    page = context.new_page()
    page.goto(url)
    violations = run_axe(page)
    assert [] == violations, describe(violations)
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

__all__ = [
    "AXE_SCRIPT",
    "WCAG_TAGS",
    "add_axe",
    "axe_script",
    "describe",
    "open_page",
    "refused_post",
    "run_axe",
]

HERE = Path(__file__).resolve().parent
AXE_SCRIPT = HERE / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa")
"""The rule sets of WCAG 2.2 level AA, as axe-core tags them."""

_RUN = """([tags, disabled]) => axe.run(document, {
  runOnly: {type: 'tag', values: tags},
  rules: Object.fromEntries(disabled.map(rule => [rule, {enabled: false}])),
  resultTypes: ['violations'],
}).then(result => result.violations.map(v => ({
  id: v.id, impact: v.impact, help: v.help,
  nodes: v.nodes.map(n => ({target: n.target.join(' '), summary: n.failureSummary})),
})))"""


def axe_script() -> Path:
    """Return axe.min.js; skip the test when it is not installed, or fail under ``CI=true``.

    Not installed from here: pytest-xdist workers would run ``npm ci`` in one
    folder at once. ``./dev test`` installs it before the tests start.
    """
    import pytest

    if AXE_SCRIPT.exists():
        return AXE_SCRIPT
    reason = f"axe-core is not installed: run `npm ci` in {HERE} (./dev test does)"
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)


def add_axe(context: Any) -> None:
    """Make axe-core available in every page and frame of a Playwright ``BrowserContext``.

    An init script, not a <script> tag: the pages' Content-Security-Policy
    allows no inline script, and an init script is outside its reach.
    """
    context.add_init_script(path=str(axe_script()))


def run_axe(page: Any, *, disable: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """Run axe-core over ``page`` at WCAG 2.2 AA; return its violations (empty when clean).

    ``disable`` turns rules off by id; every use must say why beside it.
    Waits for the page's load event first: a test's "ready" element can be in
    the DOM of a page reached by a click before its stylesheets apply, and axe
    would then measure the unstyled page (CI once failed target-size that way).
    """
    page.wait_for_load_state("load")
    found: list[dict[str, Any]] = page.evaluate(_RUN, [list(WCAG_TAGS), list(disable)])
    return found


def describe(violations: list[dict[str, Any]]) -> str:
    """Say what is wrong and where, one rule a paragraph, for an assertion message."""
    lines: list[str] = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"][:5]:
            summary = " ".join((node["summary"] or "").split())
            lines.append(f"  {node['target']}: {summary[:300]}")
    return "\n".join(lines)


def open_page(browser: Any, url: str, *, scheme: str, js: bool, **options: Any) -> Any:
    """Open ``url`` in a fresh context of ``browser`` in ``scheme``, with axe loaded.

    With ``js`` off the browser refuses threadkit.js (axe itself still runs), so the
    page is the server-rendered one; with it on, this waits for the enhancement.
    ``options`` go to ``new_context`` (a viewport, say). Close ``page.context`` after.
    """
    context = browser.new_context(color_scheme=scheme, **options)
    add_axe(context)
    if not js:
        context.route("**/threadkit.js", lambda route: route.abort())
    page = context.new_page()
    page.goto(url)
    if js:
        page.wait_for_function("document.documentElement.classList.contains('tk-js')")
    return page


def refused_post(page: Any, body: str) -> str:
    """Post ``body`` as "Ada" from the thread's form; return the error it shows.

    The site's moderation must refuse ``body``: with JS the error shows in place,
    without it on the failed-post page. Either way the form is in its error state.
    """
    page.get_by_label("Name").fill("Ada")
    page.locator("textarea[name=body]").first.fill(body)
    page.get_by_role("button", name="Post Comment").click()
    error = page.locator(".tk-error:not([hidden])").first
    error.wait_for()
    text: str = error.inner_text()
    return text
