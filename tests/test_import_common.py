"""What all importers share: safe XML reading, import_into's order, rollback, re-runs, the CLI."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import threadkit.importers._clean
import threadkit.importers._html
import threadkit.importers._model
import threadkit.importers._plan
import threadkit.importers._write
import threadkit.models
from threadkit.clock import ManualClock
from threadkit.errors import StorageUnavailableError, ValidationError
from threadkit.importers import (
    Export,
    ExportComment,
    ExportThread,
    ImportFormatError,
    autop,
    import_into,
    safe_html,
)
from threadkit.importers.__main__ import load_store, main
from threadkit.importers.disqus import read_disqus
from threadkit.importers.wordpress import read_wordpress
from threadkit.memory import MemoryStore
from threadkit.models import Comment, NewComment, Notice, Status

T0 = datetime(2020, 1, 1, tzinfo=UTC)
CLOCK = ManualClock(datetime(2026, 1, 1, tzinfo=UTC))

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE rss [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<rss><channel><item><title>&lol3;</title></item></channel></rss>"""

EXTERNAL = b"""<?xml version="1.0"?>
<!DOCTYPE disqus SYSTEM "http://example.org/evil.dtd">
<disqus xmlns="http://disqus.com"/>"""

SMALL_WXR = b"""<rss xmlns:wp="https://wordpress.org/export/1.2/"><channel>
<item><title>Hello</title><link>https://example.org/hello/</link>
<wp:post_id>7</wp:post_id><wp:post_name>hello</wp:post_name>
<wp:comment><wp:comment_id>1</wp:comment_id><wp:comment_author>Ada</wp:comment_author>
<wp:comment_date_gmt>2020-01-02 03:04:05</wp:comment_date_gmt>
<wp:comment_content>First!</wp:comment_content>
<wp:comment_approved>1</wp:comment_approved><wp:comment_parent>0</wp:comment_parent>
</wp:comment></item></channel></rss>"""


def comment(
    sid: str,
    parent: str | None = None,
    *,
    thread: str = "t",
    minutes: int = 0,
    status: Status = Status.APPROVED,
    skip: str = "",
    name: str = "Ada",
    email: str = "ada@example.org",
    body: str = "",
) -> ExportComment:
    """Build an exported comment written ``minutes`` after T0."""
    return ExportComment(
        source_id=sid,
        thread_id=thread,
        parent_id=parent,
        body=body or f"comment {sid}",
        status=status,
        created_at=T0 + timedelta(minutes=minutes),
        author_name=name,
        author_email=email,
        skip=skip,
        skip_message=skip and f"skipped: {skip}",
    )


def export_of(*comments: ExportComment, threads: Sequence[ExportThread] = ()) -> Export:
    """Build an export with the given comments (one thread ``t``, key ``page``, by default)."""
    return Export("test", tuple(threads) or (ExportThread("t", "page", "Page"),), comments)


def stored(store: MemoryStore, new_id: int) -> Comment:
    """Return the stored comment ``new_id``."""
    found = store.get_comment(new_id)
    assert found is not None
    return found


# --------------------------------------------------------------- safe XML


@pytest.mark.parametrize("reader", [read_wordpress, read_disqus])
@pytest.mark.parametrize("document", [BILLION_LAUGHS, EXTERNAL], ids=["entities", "external"])
def test_doctype_and_entities_are_refused(reader: object, document: bytes) -> None:
    """A DOCTYPE (entity bomb or external DTD) is refused with code doctype_refused."""
    assert callable(reader)
    with pytest.raises(ImportFormatError) as caught:
        reader(document)
    assert ("doctype_refused", 422) == (caught.value.code, caught.value.http_status)
    assert "DOCTYPE" in caught.value.message


def test_a_refused_file_writes_nothing() -> None:
    """The file is read completely before any write, so a refused file leaves the store empty."""
    store = MemoryStore()
    with pytest.raises(ImportFormatError):
        import_into(store, read_wordpress(BILLION_LAUGHS))
    assert [] == store.recent(10)


def test_malformed_xml_is_reported_with_its_place() -> None:
    """Broken XML raises ImportFormatError malformed_xml naming line and column."""
    with pytest.raises(ImportFormatError) as caught:
        read_wordpress(b"<rss><channel>\n<item></channel></rss>")
    assert "malformed_xml" == caught.value.code
    assert "line 2" in caught.value.message


def test_undefined_entity_is_malformed() -> None:
    """An HTML entity that XML does not define is a well-formedness error, not expanded."""
    with pytest.raises(ImportFormatError) as caught:
        read_wordpress(b"<rss><channel><item><title>&nbsp;</title></item></channel></rss>")
    assert "malformed_xml" == caught.value.code


def test_sources_path_bytes_and_file_object(tmp_path: Path) -> None:
    """A path (str or Path), the bytes, or a binary file give the same export."""
    path = tmp_path / "export.xml"
    path.write_bytes(SMALL_WXR)
    exports = [
        read_wordpress(SMALL_WXR),
        read_wordpress(path),
        read_wordpress(str(path)),
        read_wordpress(io.BytesIO(SMALL_WXR)),
    ]
    assert [exports[0]] * 4 == exports


def test_large_export_streams_in_chunks() -> None:
    """A file larger than one read chunk yields every record."""
    items = "".join(
        f"<item><wp:post_id>{n}</wp:post_id><wp:post_name>p{n}</wp:post_name>"
        f"<wp:comment><wp:comment_id>{n}</wp:comment_id>"
        f"<wp:comment_date_gmt>2020-01-02 03:04:05</wp:comment_date_gmt>"
        f"<wp:comment_content>{'x' * 200}</wp:comment_content></wp:comment></item>"
        for n in range(1000)
    )
    document = f'<rss xmlns:wp="http://wordpress.org/export/1.1/"><channel>{items}</channel></rss>'
    export = read_wordpress(document.encode())
    assert (1000, 1000) == (len(export.threads), len(export.comments))


# --------------------------------------------------------------- HTML


def test_autop_keeps_pre_blocks() -> None:
    """Line breaks inside <pre> stay line breaks; text around it gets paragraphs."""
    assert "<p>a</p>\n<pre>x\n\ny</pre>\n<p>b</p>" == autop("a\n<pre>x\n\ny</pre>\nb")


def test_autop_does_not_nest_paragraphs() -> None:
    """Text inside an author's own <p> is not wrapped again."""
    assert "<p>one</p>\n<p>two</p>" == autop("<p>one</p>\n\n<p>two</p>")


def test_safe_html_drops_dangerous_markup() -> None:
    """Scripts, styles, handlers and javascript: URLs never survive."""
    html = safe_html(
        '<style>p{}</style><p onmouseover="x()">a <a href=" javascript:alert(1)">b</a>'
        '<iframe src="https://e.org"></iframe></p>'
    )
    assert '<p>a <a rel="nofollow ugc noopener">b</a></p>' == html


# --------------------------------------------------------------- order and shape


def test_parent_is_written_before_an_older_reply() -> None:
    """A reply dated before its parent (a skewed clock) still waits for the parent."""
    store = MemoryStore()
    report = import_into(store, export_of(comment("p", minutes=10), comment("r", "p", minutes=1)))
    reply = stored(store, report.ids["r"])
    assert (report.ids["p"], True) == (reply.parent_id, report.ids["p"] < report.ids["r"])


def test_top_level_comments_are_written_oldest_first() -> None:
    """Top-level comments get ids in date order, whatever their order in the export."""
    report = import_into(MemoryStore(), export_of(comment("b", minutes=5), comment("a", minutes=1)))
    assert report.ids["a"] < report.ids["b"]


def test_a_loop_of_replies_is_broken_at_its_oldest_member() -> None:
    """Two comments naming each other as parent: the older goes to the top level, with a warning."""
    store = MemoryStore()
    report = import_into(
        store, export_of(comment("a", "b", minutes=1), comment("b", "a", minutes=2))
    )
    a, b = stored(store, report.ids["a"]), stored(store, report.ids["b"])
    assert (None, a.id) == (a.parent_id, b.parent_id)
    assert ["comment a: its ancestors form a loop; imported at the top level"] == list(
        report.warnings
    )


def test_a_self_reply_goes_to_the_top_level() -> None:
    """A comment that is its own parent is imported at the top level."""
    store = MemoryStore()
    report = import_into(store, export_of(comment("a", "a")))
    assert None is stored(store, report.ids["a"]).parent_id


def test_duplicate_ids_keep_the_first() -> None:
    """Two comments with one id: the first is imported, the second skipped as duplicate_id."""
    report = import_into(MemoryStore(), export_of(comment("a"), comment("a", minutes=1)))
    assert (1, {"duplicate_id": 1}) == (report.imported, report.skipped_by_code())


def test_duplicate_ids_across_threads_keep_the_first() -> None:
    """Comment ids are unique in the whole export: a repeat in another thread is skipped."""
    threads = [ExportThread("t1", "one"), ExportThread("t2", "two")]
    report = import_into(
        MemoryStore(),
        export_of(comment("a", thread="t1"), comment("a", thread="t2"), threads=threads),
    )
    assert (("one",), {"duplicate_id": 1}) == (report.threads, report.skipped_by_code())


def test_an_export_without_comments_says_so() -> None:
    """An export with no comment at all (a wrong file?) imports nothing, with a warning."""
    report = import_into(MemoryStore(), export_of())
    assert (0, ("the test export holds no comments",)) == (report.imported, report.warnings)


def test_threads_sharing_a_key_are_merged_with_a_warning() -> None:
    """Two source threads mapped to one key become one thread."""
    threads = [ExportThread("t1", "same", "One"), ExportThread("t2", "same", "Two")]
    report = import_into(
        MemoryStore(),
        export_of(comment("a", thread="t1"), comment("b", thread="t2"), threads=threads),
    )
    assert (("same",), 2) == (report.threads, report.imported)
    assert ["threads t1, t2 share the key 'same'; their comments are merged into one thread"] == [
        w for w in report.warnings
    ]


def test_thread_date_falls_back_to_the_oldest_comment() -> None:
    """A thread without its own date is created at its oldest comment's date."""
    store = MemoryStore()
    import_into(store, export_of(comment("a", minutes=3), comment("b", minutes=2)), clock=CLOCK)
    thread = store.get_thread("page")
    assert thread is not None
    assert T0 + timedelta(minutes=2) == thread.created_at


def test_existing_thread_keeps_its_comments_and_title() -> None:
    """Importing into a thread that already has native comments adds beside them."""
    store = MemoryStore()
    store.ensure_thread("page", title="Mine", now=T0)
    native = store.add_comment(
        NewComment("page", None, stored_identity(), "native", "<p>native</p>", Status.APPROVED, T0)
    )
    report = import_into(store, export_of(comment("a")))
    thread = store.get_thread("page")
    assert thread is not None
    assert ("Mine", 2, (), ("page",)) == (
        thread.title,
        thread.comment_count,
        report.created_threads,
        report.threads,
    )
    assert "native" == stored(store, native.id).body_source


def stored_identity() -> threadkit.models.Identity:
    """Return a native (non-imported) identity."""
    return threadkit.models.Identity("anonymous", "browser-1", "Native")


# --------------------------------------------------------------- authors


def test_bad_email_url_and_ip_are_dropped_with_warnings() -> None:
    """Invalid email, website and IP are left out, each with a warning; the comment stays."""
    bad = attrs.evolve(
        comment("a"), author_email="not an email", author_url="javascript:alert(1)", ip="999.1.1.1"
    )
    store = MemoryStore()
    report = import_into(store, export_of(bad))
    saved = stored(store, report.ids["a"])
    assert (None, None, "") == (saved.author.email, saved.author.url, saved.context.ip)
    assert [
        "comment a: email 'not an email' dropped (invalid_email)",
        "comment a: website 'javascript:alert(1)' dropped (unsupported_scheme)",
        "comment a: IP '999.1.1.1' dropped",
    ] == list(report.warnings)


def test_empty_name_becomes_anonymous_and_controls_are_removed() -> None:
    """An empty name reads "Anonymous"; control and bidi characters are stripped from names."""
    store = MemoryStore()
    report = import_into(
        store, export_of(comment("a", name=" "), comment("b", name="Ev\u202eil\x07 Bob"))
    )
    names = [stored(store, report.ids[old]).author.name for old in ("a", "b")]
    assert ["Anonymous", "Evil Bob"] == names


def test_subject_is_stable_and_case_blind_to_the_email() -> None:
    """The same email in another case gives the same account; it never shows the address."""
    store = MemoryStore()
    report = import_into(
        store,
        export_of(comment("a", email="Ada@Example.org"), comment("b", email="ada@example.org")),
    )
    a, b = (stored(store, report.ids[old]).author for old in ("a", "b"))
    assert (a.key, False) == (b.key, "example" in a.subject)


def test_name_is_the_account_without_an_email() -> None:
    """Without an email, two comments under one name share an account; other names do not."""
    store = MemoryStore()
    report = import_into(
        store,
        export_of(
            comment("a", email=""), comment("b", email=""), comment("c", email="", name="Bob")
        ),
    )
    keys = [stored(store, report.ids[old]).author.key for old in ("a", "b", "c")]
    assert (True, False) == (keys[0] == keys[1], keys[0] == keys[2])


# --------------------------------------------------------------- failures and re-runs


class FailingStore(MemoryStore):
    """A MemoryStore whose add_comment fails on one body."""

    def __init__(self, poison: str, error: Exception) -> None:
        super().__init__()
        self.poison = poison
        self.error = error

    def add_comment(self, draft: NewComment, notices: Sequence[Notice] = ()) -> Comment:
        """Fail on the poisoned body, else store normally."""
        if draft.body_source == self.poison:
            raise self.error
        return super().add_comment(draft, notices)


def two_threads() -> Export:
    """Build an export of two threads, the second with a reply chain."""
    return export_of(
        comment("a", thread="t1"),
        comment("b", thread="t2", minutes=1),
        comment("c", "b", thread="t2", minutes=2, body="poison"),
        comment("d", "c", thread="t2", minutes=3),
        threads=[ExportThread("t1", "one"), ExportThread("t2", "two")],
    )


def test_a_refused_comment_rolls_its_thread_back_and_the_import_goes_on() -> None:
    """The store refusing a comment removes that thread's new comments; other threads import."""
    store = FailingStore("poison", ValidationError("too_long", "Too long.", field="body"))
    report = import_into(store, two_threads())
    assert (("one",), 1) == (report.threads, report.imported)
    assert [("two", "thread_failed")] == [(f.thread_id, f.code) for f in report.failed_threads]
    assert "too_long: Too long." in report.failed_threads[0].message
    assert {"one": 1, "two": 0} == store.counts(["one", "two"])
    assert [] == store.recent(10, "two")


def test_on_refused_comment_skips_only_that_comment() -> None:
    """With on_refused="comment" the refused comment is skipped and its reply moves up."""
    store = FailingStore("poison", ValidationError("too_long", "Too long.", field="body"))
    report = import_into(store, two_threads(), on_refused="comment")
    assert (("one", "two"), 3, ()) == (report.threads, report.imported, report.failed_threads)
    assert [("c", "refused")] == [(s.source_id, s.code) for s in report.skipped]
    assert report.ids["b"] == stored(store, report.ids["d"]).parent_id


def test_an_outage_rolls_back_raises_and_a_rerun_finishes() -> None:
    """StorageUnavailableError propagates after rollback; re-running completes the import."""
    store = FailingStore("poison", StorageUnavailableError("storage_unavailable", "Down."))
    with pytest.raises(StorageUnavailableError):
        import_into(store, two_threads())
    assert ({"one": 1, "two": 0}, []) == (store.counts(["one", "two"]), store.recent(10, "two"))
    store.poison = "nothing"
    report = import_into(store, two_threads())
    assert (3, 1) == (report.imported, report.already_present)
    assert {"one": 1, "two": 3} == store.counts(["one", "two"])


# --------------------------------------------------------------- property


@st.composite
def forests(draw: st.DrawFn) -> list[ExportComment]:
    """Draw a thread's comments: parents earlier or missing, any status, some skipped."""
    size = draw(st.integers(1, 25))
    out = []
    for index in range(size):
        parent = draw(
            st.one_of(st.none(), st.just("missing"), st.integers(0, index - 1).map(str))
            if index
            else st.none()
        )
        out.append(
            comment(
                str(index),
                parent,
                minutes=draw(st.integers(0, 30)),
                status=draw(st.sampled_from(list(Status))),
                skip=draw(st.sampled_from(["", "", "", "pingback"])),
                name=draw(st.sampled_from(["Ada", "Bob", "Zoë"])),
                body=draw(st.sampled_from(["same", "other"])),
            )
        )
    return out


@pytest.mark.slow
@settings(max_examples=100, deadline=None)
@given(forests())
def test_import_keeps_the_tree_counts_and_is_idempotent(comments: list[ExportComment]) -> None:
    """Every comment lands under its nearest imported ancestor; counts match; a re-run adds none."""
    store = MemoryStore()
    export = export_of(*comments)
    report = import_into(store, export)
    by_id = {c.source_id: c for c in comments}
    assert len(comments) == report.imported + len(report.skipped)
    approved = 0
    for sid, new_id in report.ids.items():
        saved = stored(store, new_id)
        parent = by_id[sid].parent_id
        while parent in by_id and by_id[parent].skip:
            parent = by_id[parent].parent_id
        expected_parent = report.ids[parent] if parent in by_id else None
        assert (expected_parent, by_id[sid].created_at) == (saved.parent_id, saved.created_at)
        if saved.parent_id is not None:
            assert saved.parent_id < saved.id
        if saved.status is Status.DELETED:
            assert 0 < store.child_count(saved.id)
        else:
            assert by_id[sid].status == saved.status
        approved += saved.status is Status.APPROVED
    tops = sorted(
        (stored(store, i) for i in report.ids.values() if stored(store, i).parent_id is None),
        key=lambda c: c.id,
    )
    assert sorted(c.created_at for c in tops) == [c.created_at for c in tops]
    assert {"page": approved} == store.counts(["page"])
    again = import_into(store, export)
    assert (0, report.imported, report.ids) == (again.imported, again.already_present, again.ids)


# --------------------------------------------------------------- report and CLI


def test_summary_lists_counts_skips_and_warnings() -> None:
    """The summary names what was imported, each skipped comment and each warning."""
    report = import_into(
        MemoryStore(), export_of(comment("a"), comment("b", "zz"), comment("c", skip="pingback"))
    )
    text = report.summary()
    for line in (
        "threads: 1 (1 created)",
        "comments imported: 2 (2 approved)",
        "skipped: 1 (1 pingback)",
        "  skipped c: pingback: skipped: pingback",
        "warning: comment b: its parent zz is not in this thread of the export;"
        " imported at the top level",
    ):
        assert line in text.splitlines()


def test_cli_dry_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--dry-run reads the file, imports into memory and prints the report."""
    path = tmp_path / "site.xml"
    path.write_bytes(SMALL_WXR)
    status = main(["wordpress", str(path), "--dry-run"])
    out = capsys.readouterr().out
    assert 0 == status
    assert ["dry run: nothing was written", "source: wordpress"] == out.splitlines()[:2]
    assert "comments imported: 1 (1 approved)" in out.splitlines()


def test_cli_with_a_store_factory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--store builds the store from package.module:callable; --key path keys by URL path."""
    path = tmp_path / "site.xml"
    path.write_bytes(SMALL_WXR)
    status = main(
        ["wordpress", str(path), "--store", "threadkit.memory:MemoryStore", "--key", "path"]
    )
    assert 0 == status
    assert "threads: 1 (1 created)" in capsys.readouterr().out.splitlines()


def test_cli_refuses_a_bad_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A refused or missing file exits with status 2 and says why on stderr."""
    path = tmp_path / "bomb.xml"
    path.write_bytes(BILLION_LAUGHS)
    assert 2 == main(["disqus", str(path), "--dry-run"])
    assert 2 == main(["disqus", str(tmp_path / "missing.xml"), "--dry-run"])
    errors = capsys.readouterr().err.splitlines()
    assert (2, True) == (len(errors), "document type" in errors[0])


def test_load_store_spec() -> None:
    """load_store calls module:attribute with the given arguments; a bad spec is refused."""
    made: object = load_store("builtins:str", ["abc"])
    assert "abc" == made
    with pytest.raises(ValueError, match=r"package\.module:factory"):
        load_store("threadkit.memory.MemoryStore")


def test_module_doctests_pass() -> None:
    """The examples in the docstrings of the importers' shared modules run as written."""
    import doctest

    modules = (
        threadkit.importers._model,
        threadkit.importers._html,
        threadkit.importers._clean,
        threadkit.importers._plan,
        threadkit.importers._write,
    )
    results = [doctest.testmod(module) for module in modules]
    failed = sum(result.failed for result in results)
    assert (0, True) == (failed, sum(result.attempted for result in results) > 0)


def test_sql_store_round_trip_and_rerun(tmp_path: Path) -> None:
    """Into the SQL store (SQLite): tree, placeholder and counts hold, and a re-run adds nothing."""
    sql = pytest.importorskip("threadkit_sqlalchemy")
    store = sql.SqlCommentStore(f"sqlite:///{tmp_path / 'comments.db'}", upgrade=True)
    try:
        export = export_of(
            comment("a", name="Ζωή 👩\u200d💻"),
            comment("gone", "a", minutes=1, status=Status.DELETED),
            comment("r", "gone", minutes=2, body="<p>reply</p>\n<script>x()</script>"),
        )
        first = import_into(store, export)
        second = import_into(store, export)
        reply = store.get_comment(first.ids["r"])
        placeholder = store.get_comment(first.ids["gone"])
        assert reply is not None
        assert placeholder is not None
        assert (2, Status.DELETED, placeholder.id, "<p>reply</p>") == (
            reply.depth,
            placeholder.status,
            reply.parent_id,
            reply.body_html,
        )
        assert (0, 3, first.ids) == (second.imported, second.already_present, second.ids)
        assert {"page": 2} == store.counts(["page"])
        author = store.get_comment(first.ids["a"])
        assert author is not None
        assert "Ζωή 👩\u200d💻" == author.author.name
    finally:
        store.close()
