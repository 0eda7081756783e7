"""Importing a Disqus XML export: Isso's real fixture file and small inline cases."""

from __future__ import annotations

import doctest
from datetime import UTC, datetime
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from import_support import CLOCK, imported, shared_file

import threadkit.importers.disqus
from threadkit.errors import ValidationError
from threadkit.importers import ImportFormatError, import_into
from threadkit.importers.disqus import DisqusThread, identifier_key, link_path_key, read_disqus
from threadkit.memory import MemoryStore
from threadkit.models import Status
from threadkit.text import clean_name


@pytest.fixture(scope="module")
def disqus_xml() -> Path:
    return shared_file("disqus/disqus.xml")


def doc(body: str) -> bytes:
    """Wrap ``body`` in a Disqus export's root element."""
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">'
        f"{body}</disqus>"
    ).encode()


def thread(dsq_id: str, *, ident: str = "", link: str = "", extra: str = "") -> str:
    """Build one ``<thread>`` record."""
    return (
        f'<thread dsq:id="{dsq_id}"><id>{ident}</id><link>{link}</link>'
        f"<title>Thread {dsq_id}</title>{extra}</thread>"
    )


def post(
    dsq_id: str,
    thread_id: str,
    *,
    parent: str = "",
    message: str = "<p>Hi</p>",
    at: str = "2013-10-10T19:20:29Z",
    deleted: bool = False,
    spam: bool = False,
    name: str = "Ada",
    author: str = "",
    extra: str = "",
) -> str:
    """Build one ``<post>`` record."""
    parent_ref = f'<parent dsq:id="{parent}"/>' if parent else ""
    return (
        f'<post dsq:id="{dsq_id}"><message>{escape(message)}</message>'
        f"<createdAt>{at}</createdAt><isDeleted>{str(deleted).lower()}</isDeleted>"
        f"<isSpam>{str(spam).lower()}</isSpam>"
        + (
            author
            or f"<author><name>{escape(name)}</name><email>ada@example.org</email>"
            "<isAnonymous>true</isAnonymous></author>"
        )
        + "<ipAddress>192.0.2.1</ipAddress>"
        f'<thread dsq:id="{thread_id}"/>{parent_ref}{extra}</post>'
    )


# --------------------------------------------------------------- the real export


def test_module_doctest_passes() -> None:
    """The example in threadkit.importers.disqus's docstring runs as written."""
    result = doctest.testmod(threadkit.importers.disqus)
    assert (0, True) == (result.failed, result.attempted > 0)


def test_real_export_imports_the_thread_and_its_reply(disqus_xml: Path) -> None:
    """Thread 2 (identifier some-id) gets post 4 and its reply 5, with link and title."""
    store = MemoryStore()
    report = import_into(store, read_disqus(disqus_xml), clock=CLOCK)
    first, reply = imported(store, report, "4"), imported(store, report, "5")
    assert (("some-id",), 2) == (report.threads, report.imported)
    assert (None, first.id, 1) == (first.parent_id, reply.parent_id, reply.depth)
    saved = store.get_thread("some-id")
    assert saved is not None
    assert ("Hello, World!", "http://example.org/", 2) == (
        saved.title,
        saved.url,
        saved.comment_count,
    )


def test_real_export_orphan_is_skipped_with_a_reason(disqus_xml: Path) -> None:
    """Post 6, whose thread 1337 is not in the export, is skipped as thread_missing."""
    report = import_into(MemoryStore(), read_disqus(disqus_xml), clock=CLOCK)
    assert [("6", "thread_missing", "1337")] == [
        (s.source_id, s.code, s.thread_id) for s in report.skipped
    ]


def test_real_export_thread_with_empty_id_is_read(disqus_xml: Path) -> None:
    """Thread 3 has an empty <id/>: its key falls back to disqus-3; no posts, so no thread."""
    export = read_disqus(disqus_xml)
    assert [("2", "some-id"), ("3", "disqus-3")] == [(t.source_id, t.key) for t in export.threads]
    store = MemoryStore()
    import_into(store, export, clock=CLOCK)
    assert None is store.get_thread("disqus-3")


def test_real_export_fields(disqus_xml: Path) -> None:
    """Dates, body, author, account and IP come through as exported."""
    store = MemoryStore()
    report = import_into(store, read_disqus(disqus_xml), clock=CLOCK)
    reply = imported(store, report, "5")
    expected = (
        datetime(2013, 10, 11, 6, 51, 33, tzinfo=UTC),
        "<p>Hello, World.</p>",
        "<p>Hello, World.</p>",
        "user",
        "import-disqus",
        "127.0.0.1",
    )
    assert expected == (
        reply.created_at,
        reply.body_source,
        reply.body_html,
        reply.author.name,
        reply.author.provider,
        reply.context.ip,
    )


def test_real_export_second_import_adds_nothing(disqus_xml: Path) -> None:
    """A second import of the same file adds no comment and maps to the same ids."""
    store = MemoryStore()
    first = import_into(store, read_disqus(disqus_xml), clock=CLOCK)
    second = import_into(store, read_disqus(disqus_xml), clock=CLOCK)
    assert (0, 2, first.ids) == (second.imported, second.already_present, second.ids)
    assert {"some-id": 2} == store.counts(["some-id"])


# --------------------------------------------------------------- inline fixtures


def test_deleted_parent_with_reply_is_a_placeholder() -> None:
    """A deleted post with a live reply becomes a placeholder holding the reply."""
    store = MemoryStore()
    export = read_disqus(
        doc(
            thread("1", ident="a")
            + post("10", "1", deleted=True, message="<p>gone</p>")
            + post("11", "1", parent="10", at="2013-10-11T00:00:00Z")
        )
    )
    report = import_into(store, export, clock=CLOCK)
    placeholder, reply = imported(store, report, "10"), imported(store, report, "11")
    expected = (Status.DELETED, "", "", "deleted", placeholder.id, 1)
    assert expected == (
        placeholder.status,
        placeholder.body_source,
        placeholder.author.name,
        placeholder.author.provider,
        reply.parent_id,
        reply.depth,
    )
    assert {"a": 1} == store.counts(["a"])


def test_deleted_post_without_replies_is_skipped() -> None:
    """A deleted post with nothing below it is skipped with code deleted."""
    report = import_into(
        MemoryStore(), read_disqus(doc(thread("1", ident="a") + post("10", "1", deleted=True)))
    )
    assert (0, {"deleted": 1}) == (report.imported, report.skipped_by_code())


def test_chain_of_deleted_posts_keeps_every_level() -> None:
    """Two deleted posts above a live reply both become placeholders, so depth is kept."""
    store = MemoryStore()
    export = read_disqus(
        doc(
            thread("1", ident="a")
            + post("10", "1", deleted=True)
            + post("11", "1", parent="10", deleted=True, at="2013-10-11T00:00:00Z")
            + post("12", "1", parent="11", at="2013-10-12T00:00:00Z")
        )
    )
    report = import_into(store, export, clock=CLOCK)
    assert (2, 2) == (report.placeholders, imported(store, report, "12").depth)


def test_reply_to_a_missing_parent_goes_to_the_top_level() -> None:
    """A reply whose parent is not in the export is imported at the top level, with a warning."""
    store = MemoryStore()
    export = read_disqus(doc(thread("1", ident="a") + post("11", "1", parent="99")))
    report = import_into(store, export, clock=CLOCK)
    assert (None, 0) == (
        imported(store, report, "11").parent_id,
        imported(store, report, "11").depth,
    )
    assert [
        "comment 11: its parent 99 is not in this thread of the export; imported at the top level"
    ] == list(report.warnings)


def test_parent_in_another_thread_is_treated_as_missing() -> None:
    """A parent that lives in another thread is not followed: the reply goes to the top level."""
    store = MemoryStore()
    export = read_disqus(
        doc(
            thread("1", ident="a")
            + thread("2", ident="b")
            + post("10", "1")
            + post("11", "2", parent="10")
        )
    )
    report = import_into(store, export, clock=CLOCK)
    assert (None, "b") == (
        imported(store, report, "11").parent_id,
        imported(store, report, "11").thread_key,
    )


def test_spam_and_unapproved_posts() -> None:
    """Disqus isSpam gives spam, isApproved false gives pending; spam can be skipped."""
    body = doc(
        thread("1", ident="a")
        + post("10", "1", spam=True)
        + post("11", "1", extra="<isApproved>false</isApproved>")
    )
    store = MemoryStore()
    report = import_into(store, read_disqus(body), clock=CLOCK)
    assert (Status.SPAM, Status.PENDING) == (
        imported(store, report, "10").status,
        imported(store, report, "11").status,
    )
    without = import_into(MemoryStore(), read_disqus(body, include_spam=False), clock=CLOCK)
    assert {"spam": 1} == without.skipped_by_code()


def test_posts_of_a_deleted_thread_are_skipped() -> None:
    """A thread marked isDeleted brings no comments (code thread_deleted)."""
    body = doc(thread("1", ident="a", extra="<isDeleted>true</isDeleted>") + post("10", "1"))
    report = import_into(MemoryStore(), read_disqus(body), clock=CLOCK)
    assert ((), {"thread_deleted": 1}) == (report.threads, report.skipped_by_code())


def test_closed_thread_is_closed() -> None:
    """A Disqus thread with isClosed true is imported closed."""
    store = MemoryStore()
    body = doc(thread("1", ident="a", extra="<isClosed>true</isClosed>") + post("10", "1"))
    import_into(store, read_disqus(body), clock=CLOCK)
    saved = store.get_thread("a")
    assert saved is not None
    assert saved.closed


def test_empty_identifier_falls_back_to_the_link_path() -> None:
    """A thread with an empty <id/> but a link is keyed by the link's path."""
    export = read_disqus(doc(thread("7", link="https://example.org/2013/hello/?x=1")))
    assert "/2013/hello/" == export.threads[0].key


def test_key_functions() -> None:
    """identifier_key prefers the identifier; link_path_key uses the path, else disqus-<id>."""
    info = DisqusThread(dsq_id="7", identifier="post-7", link="https://e.org/p/", title="")
    bare = DisqusThread(dsq_id="7", identifier="", link="", title="")
    assert ("post-7", "/p/", "disqus-7") == (
        identifier_key(info),
        link_path_key(info),
        link_path_key(bare),
    )


def test_registered_author_is_keyed_by_username() -> None:
    """A non-anonymous author's account is the Disqus username: same key under two emails."""
    author = (
        "<author><name>Ada</name><email>{}</email><isAnonymous>false</isAnonymous>"
        "<username>ada</username></author>"
    )
    body = doc(
        thread("1", ident="a")
        + post("10", "1", author=author.format("a@example.org"))
        + post("11", "1", author=author.format("b@example.org"))
    )
    store = MemoryStore()
    report = import_into(store, read_disqus(body), clock=CLOCK)
    keys = {imported(store, report, old).author.key for old in ("10", "11")}
    assert 1 == len(keys)


def test_unreadable_date_is_skipped() -> None:
    """A post without a readable createdAt is skipped with code invalid_date."""
    report = import_into(
        MemoryStore(), read_disqus(doc(thread("1", ident="a") + post("10", "1", at="soon")))
    )
    assert {"invalid_date": 1} == report.skipped_by_code()


def test_wordpress_file_is_not_disqus() -> None:
    """A file whose root is not Disqus's <disqus> is refused with code wrong_format."""
    with pytest.raises(ImportFormatError) as caught:
        read_disqus(b"<rss><channel/></rss>")
    assert "wrong_format" == caught.value.code


def test_script_in_a_message_does_not_survive() -> None:
    """A script in a Disqus message is dropped from the HTML and kept in the source."""
    message = '<p>Hi<script>alert(1)</script><img src=x onerror="alert(2)"></p>'
    store = MemoryStore()
    report = import_into(
        store, read_disqus(doc(thread("1", ident="a") + post("10", "1", message=message)))
    )
    comment = imported(store, report, "10")
    assert (message, "<p>Hi</p>") == (comment.body_source, comment.body_html)


XML_TEXT = st.text(
    alphabet=st.characters(
        exclude_categories=["Cs"],
        exclude_characters="\r\x00",
        min_codepoint=0x9,
    ).filter(lambda c: (c in "\t\n" or c >= " ") and c not in "\ufffe\uffff"),
    max_size=40,
)


@settings(max_examples=60, deadline=None)
@given(message=XML_TEXT, name=XML_TEXT)
def test_unicode_survives_unchanged(message: str, name: str) -> None:
    """Any text XML can carry comes back as the body source unchanged, the name as cleaned."""
    store = MemoryStore()
    body = doc(thread("1", ident="a") + post("10", "1", message=message, name=name))
    report = import_into(store, read_disqus(body), clock=CLOCK)
    comment = imported(store, report, "10")
    try:
        expected_name = clean_name(name.strip())
    except ValidationError:
        expected_name = comment.author.name  # fixed up: checked in test_import_common
    assert (message, expected_name) == (comment.body_source, comment.author.name)
