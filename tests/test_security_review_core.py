"""Security review of the core: properties that hold for any input an attacker can choose."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from urllib.parse import unquote, urljoin, urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from threadkit.clock import ManualClock
from threadkit.engine import CommentEngine, Decision
from threadkit.errors import ThreadkitError
from threadkit.memory import MemoryStore
from threadkit.models import Actor, Candidate, Identity, Status, Submission, Verdict
from threadkit.moderation import Pipeline
from threadkit.redirects import safe_next
from threadkit.render import MarkdownRenderer, PlainTextRenderer, url_scheme
from threadkit.signing import TokenSigner

MARKDOWN_PIECES = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "[a](javascript:alert(1))",
    "[a](jav&#x09;ascript:alert(1))",
    "[a](&#106;avascript:alert(1))",
    "[a](java%73cript:alert(1))",
    "[a](\x01javascript:alert(1))",
    "[a](<javascript:alert(1)>)",
    "[a](data:text/html,<script>alert(1)</script>)",
    "[a](vbscript:msgbox(1))",
    '[a](https://x.example "onmouseover=alert(1)")',
    '[a](https://x.example "javascript:alert(1)")',
    "![a](javascript:alert(1))",
    "![javascript:alert(1)](https://x.example/p.png)",
    '![a"onerror="alert(1)](https://x.example/p.png)',
    "<javascript:alert(1)>",
    "<https://x.example/?q=\"'><script>>",
    "[ref]\n\n[ref]: javascript:alert(1)\n",
    "[ref]\n\n[ref]: <javascript:alert(1)>\n",
    "    <script>alert(1)</script>",
    "```\n<script>alert(1)</script>\n```",
    "`<img src=x onerror=alert(1)>`",
    "<!-- x --><script>",
    "<style>@import 'x'</style>",
    "# <script>",
    "> <a href=javascript:alert(1)>",
    "1. <b onclick=alert(1)>x</b>",
    "~~<i>x</i>~~",
    "&#60;script&#62;alert(1)&#60;/script&#62;",
    "\\<script>",
    "*",
    "_",
    "[",
    "](",
    ")",
    "\n",
    " ",
]

_markdown = st.lists(
    st.one_of(st.sampled_from(MARKDOWN_PIECES), st.text(max_size=10)), max_size=8
).map("".join)

_ACTIVE_TAGS = frozenset({"script", "iframe", "object", "embed", "frame", "base", "svg", "math"})
_URL_ATTRIBUTES = frozenset({"href", "src", "action", "formaction", "xlink:href", "srcset"})
_SCRIPT_SCHEMES = frozenset({"javascript", "data", "vbscript"})


class _ActiveContent(HTMLParser):
    """Collect tags, attributes and URLs of an HTML fragment that could run script."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _ACTIVE_TAGS or tag in ("style", "form", "input", "meta", "link"):
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on") or name in ("style", "srcdoc"):
                self.found.append(f"{tag} {name}")
            if name in _URL_ATTRIBUTES and url_scheme(value or "") in _SCRIPT_SCHEMES:
                self.found.append(f"{tag} {name}={value!r}")


def active_content(html: str) -> list[str]:
    """What in ``html`` could run script or restyle the page."""
    parser = _ActiveContent()
    parser.feed(html)
    parser.close()
    return parser.found


@settings(max_examples=400, deadline=None)
@given(source=_markdown, images=st.booleans())
def test_rendered_markdown_never_holds_active_content(source: str, images: bool) -> None:
    """Whatever Markdown is typed, the stored HTML has no script, handler or script URL."""
    html = MarkdownRenderer(allow_images=images).render(source)
    assert [] == active_content(html)


@settings(max_examples=200, deadline=None)
@given(source=_markdown)
def test_plain_text_rendering_never_holds_a_tag(source: str) -> None:
    """The plain-text renderer only ever emits its own paragraphs and line breaks."""
    html = PlainTextRenderer().render(source)
    assert set() == set(re.findall(r"<(/?[a-z]+)", html)) - {"p", "/p", "br"}


def test_every_link_in_a_comment_is_marked_user_content() -> None:
    """Links in comments carry rel="nofollow ugc noopener", whatever rel was typed."""
    html = MarkdownRenderer().render("[a](https://x.example) <https://y.example>")
    assert 2 == html.count('rel="nofollow ugc noopener"')


_next_piece = st.sampled_from(
    [
        "/",
        "//",
        "\\",
        "/\\",
        "%2f",
        "%2F",
        "%5c",
        "%252f",
        "%09",
        "\t",
        "\n",
        "\r",
        " ",
        "\u3000",
        "\u2028",
        "\u200b",
        "\u202e",
        "..",
        ".",
        "%2e%2e",
        "%2e",
        "evil.example",
        "@evil.example",
        ":",
        "http:",
        "https:",
        "javascript:",
        "?",
        "#",
        "a",
        "%",
        "%00",
        "\x00",
        "\x7f",
    ]
)
_next = st.lists(_next_piece, min_size=1, max_size=8).map("".join)


@pytest.mark.slow
@settings(max_examples=1500, deadline=None)
@given(target=_next)
def test_safe_next_always_stays_on_this_origin(target: str) -> None:
    """Whatever ``next`` says, the result resolves to this origin, decoded or not."""
    result = safe_next(target, "/fallback")
    base = "https://site.example/blog/post"
    origins = set()
    for form in (result, unquote(result), unquote(unquote(result))):
        cleaned = re.sub(r"[\t\n\r]", "", form).replace("\\", "/")
        parts = urlsplit(urljoin(base, cleaned))
        origins.add((parts.scheme, parts.netloc))
    assert {("https", "site.example")} == origins
    assert [] == [c for c in result if c.isspace() or ord(c) < 0x20 or c == "\x7f"]


def test_safe_next_keeps_an_honest_path() -> None:
    """A plain same-site path with query and fragment comes back unchanged."""
    assert "/blog/a?b=1#comment-3" == safe_next("/blog/a?b=1#comment-3", "/")


_NOW = datetime(2026, 1, 1, tzinfo=UTC)


@given(
    comment_id=st.integers(min_value=1, max_value=2**53),
    action=st.sampled_from([d.value for d in Decision]),
    purpose=st.sampled_from(["unsubscribe", "thread", "demo-begin", "demo-code", "moderatE"]),
)
def test_signed_tokens_only_open_for_their_own_purpose(
    comment_id: int, action: str, purpose: str
) -> None:
    """A moderation token is refused for every other purpose, and vice versa."""
    signer = TokenSigner("secret")
    data = {"comment_id": comment_id, "action": action}
    token = signer.dumps("moderate", data, now=_NOW, ttl=timedelta(days=1))
    other = signer.dumps(purpose, data, now=_NOW, ttl=timedelta(days=1))
    assert data == signer.loads("moderate", token, now=_NOW)
    for wrong_purpose, wrong_token in (("moderate", other), (purpose, token)):
        with pytest.raises(ThreadkitError) as refused:
            signer.loads(wrong_purpose, wrong_token, now=_NOW)
        assert "invalid_token" == refused.value.code


@given(flip=st.integers(min_value=0, max_value=10_000))
def test_a_signed_token_with_any_payload_byte_changed_is_refused(flip: int) -> None:
    """Changing any character of a token's payload makes it invalid."""
    signer = TokenSigner("secret")
    token = signer.dumps(
        "moderate", {"comment_id": 7, "action": "approve"}, now=_NOW, ttl=timedelta(days=1)
    )
    payload, signature = token.split(".")
    index = flip % len(payload)
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    replacement = alphabet[(alphabet.index(payload[index]) + 1 + flip % 63) % 64]
    forged = payload[:index] + replacement + payload[index + 1 :] + "." + signature
    with pytest.raises(ThreadkitError):
        signer.loads("moderate", forged, now=_NOW)


# ---------------------------------------------------------------- who sees and changes what


class _HoldWord:
    """A moderation step that holds any comment saying HOLD."""

    name = "hold-word"

    def check(self, candidate: Candidate) -> Verdict:
        if "HOLD" in candidate.body:
            return Verdict.hold(self.name, "held", "Held for review.")
        return Verdict.accept()


def _engine() -> tuple[CommentEngine, ManualClock]:
    clock = ManualClock()
    return CommentEngine(MemoryStore(), clock=clock, pipeline=Pipeline([_HoldWord()])), clock


_AUTHOR = Identity("anonymous", "author-browser", "Author")
_OTHER = Identity("anonymous", "other-browser", "Other")
_MOD = Identity("site", "mod", "Mod", verified=True)


@pytest.mark.parametrize("status", [Status.PENDING, Status.SPAM])
def test_hidden_comments_are_invisible_to_others_through_every_engine_read(
    status: Status,
) -> None:
    """Pending and spam comments reach their author (and moderators, for pending) only."""
    engine, _ = _engine()
    parent = engine.post("t", Submission("open"), _AUTHOR)
    hidden = engine.post("t", Submission("HOLD hidden", parent_id=parent.id), _AUTHOR)
    moderator = Actor(_MOD, moderator=True)
    if status is Status.SPAM:
        engine.moderate(hidden.id, Decision.SPAM, moderator)
    assert status == engine.store.get_comment(hidden.id).status
    seen = {}
    for name, actor in (
        ("nobody", Actor()),
        ("other", Actor(_OTHER)),
        ("author", Actor(_AUTHOR)),
        ("moderator", moderator),
    ):
        page_ids = [n.comment.id for top in engine.page("t", actor).nodes for n in _walk(top)]
        sub_ids = [
            n.comment.id for top in engine.subtree(parent.id, actor).nodes for n in _walk(top)
        ]
        try:
            engine.get_comment(hidden.id, actor)
            single = True
        except ThreadkitError:
            single = False
        seen[name] = (hidden.id in page_ids, hidden.id in sub_ids, single)
    recent = [c.id for c in engine.recent(50)] + [c.id for c in engine.recent(50, "t")]
    moderator_sees = status is Status.PENDING
    assert {
        "nobody": (False, False, False),
        "other": (False, False, False),
        "author": (True, True, True),
        "moderator": (moderator_sees,) * 3,
    } == seen
    assert (False, {"t": 1}) == (hidden.id in recent, engine.counts(["t"]))


def _walk(node: object) -> list[object]:
    out = [node]
    for child in getattr(node, "children", []):
        out += _walk(child)
    return out


def test_only_the_author_in_the_window_or_a_moderator_changes_a_comment() -> None:
    """Edit and delete: refused to others and to the author after the window, allowed to mods."""
    engine, clock = _engine()
    comment = engine.post("t", Submission("mine"), _AUTHOR)
    outcomes = {}
    for name, actor in (("nobody", Actor()), ("other", Actor(_OTHER))):
        for verb in ("edit", "delete"):
            try:
                if verb == "edit":
                    engine.edit(comment.id, "changed", actor)
                else:
                    engine.delete(comment.id, actor)
                outcomes[f"{name} {verb}"] = "done"
            except ThreadkitError as error:
                outcomes[f"{name} {verb}"] = error.code
    clock.advance(seconds=engine.policy.edit_window.total_seconds() + 1)
    try:
        engine.edit(comment.id, "late", Actor(_AUTHOR))
        outcomes["author late edit"] = "done"
    except ThreadkitError as error:
        outcomes["author late edit"] = error.code
    engine.edit(comment.id, "moderated", Actor(_MOD, moderator=True))
    outcomes["moderator edit"] = engine.store.get_comment(comment.id).body_source
    assert {
        "nobody edit": "authentication_required",
        "nobody delete": "authentication_required",
        "other edit": "not_author",
        "other delete": "not_author",
        "author late edit": "edit_window_closed",
        "moderator edit": "moderated",
    } == outcomes
