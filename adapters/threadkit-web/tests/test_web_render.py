"""The shared templates render from threadkit_web alone: no web framework involved."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from threadkit_web import context
from threadkit_web.request import WebRequest
from threadkit_web.state import WebState
from web_support import ALICE, PlainRequest, PlainVisit

from threadkit.models import Identity, RequestContext, Submission


def _post(state: WebState, body: str, author: Identity = ALICE) -> int:
    comment = state.engine.post(
        "post-1", Submission(body), author, RequestContext(), title="Hello"
    )
    return comment.id


def test_a_thread_renders_with_its_comments_form_and_csrf_token(state: WebState) -> None:
    """thread.html shows the comment, a reply link built by the Urls, and the visit's token."""
    cid = _post(state, "First!")
    html = context.TemplateHelper(state, PlainVisit(state)).thread("post-1", title="Hello")
    assert ("First!" in html, f'id="comment-{cid}"' in html) == (True, True)
    assert 'value="csrf-123"' in html
    assert "/comments/api/threads/post-1/comments" not in html  # the form posts to the HTML route
    assert 'action="/comments/threads/post-1/comments"' in html


def test_the_reader_language_comes_from_the_visit(state: WebState) -> None:
    """A visit in German gets German text and lang="de"; no framework picks the language."""
    _post(state, "Hallo")
    html = context.TemplateHelper(state, PlainVisit(state, lang="de")).thread("post-1")
    assert ('lang="de"' in html, "Antworten" in html) == (True, True)


def test_page_context_counts_renders_in_the_request_scratch(state: WebState) -> None:
    """Each rendered thread gets its own number; the adapter reads the count for its headers."""
    visit = PlainVisit(state)
    first = context.page_context(state, visit, "post-1")
    second = context.page_context(state, visit, "post-1")
    assert (first["uid"], second["uid"], visit.request.scratch["threadkit.renders"]) == (
        "tk1",
        "tk2",
        2,
    )


def test_a_moderator_may_edit_anyones_comment_a_reader_may_not(state: WebState) -> None:
    """The viewer comes from the visit: Alice moderates and gets the edit link, nobody else."""
    cid = _post(state, "Hello", Identity("anonymous", "b1", "Bob"))
    edit = f"/comments/comments/{cid}/edit"
    as_alice = context.TemplateHelper(state, PlainVisit(state, identity=ALICE)).thread("post-1")
    as_nobody = context.TemplateHelper(state, PlainVisit(state)).thread("post-1")
    assert (True, False) == (edit in as_alice, edit in as_nobody)


def test_require_moderator_says_401_then_403(state: WebState) -> None:
    """Nobody logged in: 401 login_required; logged in but not a moderator: 403."""
    codes = []
    for who in (None, Identity("github", "2", "Carol", verified=True)):
        try:
            context.require_moderator(PlainVisit(state, identity=who))
        except Exception as error:
            codes.append((getattr(error, "http_status", None), getattr(error, "code", None)))
    assert [(401, "login_required"), (403, "not_moderator")] == codes


def test_the_plain_request_fits_the_protocol() -> None:
    """The test adapter's request is a WebRequest."""
    assert isinstance(PlainRequest(), WebRequest)


_ALONE = """
import sys
from threadkit_web import context
from threadkit_web.state import build_state
from threadkit.memory import MemoryStore
from web_support import PlainVisit
state = build_state({}, store=MemoryStore(), secret="s")
html = context.TemplateHelper(state, PlainVisit(state)).thread("post-1", title="T")
loaded = sorted({name.split(".")[0] for name in sys.modules} & {"flask", "werkzeug", "django"})
print(len(html) > 1000, loaded)
"""


def test_rendering_loads_no_web_framework() -> None:
    """A fresh interpreter renders a thread with threadkit_web and never imports a framework."""
    done = subprocess.run(
        [sys.executable, "-c", _ALONE],
        cwd=Path(__file__).parent,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert ("True []", "") == (done.stdout.strip(), done.stderr)
