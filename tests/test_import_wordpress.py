"""Importing a WordPress WXR export: the real Theme Unit Test file and small inline cases."""

from __future__ import annotations

import doctest
import re
from collections import Counter
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import import_support
import pytest
from import_support import CLOCK, imported, shared_file

import threadkit.importers.wordpress
from threadkit.importers import ImportFormatError, import_into
from threadkit.importers.wordpress import WordPressPost, path_key, read_wordpress, slug_key
from threadkit.memory import MemoryStore
from threadkit.models import Status


@pytest.fixture(scope="module")
def wxr() -> Path:
    return shared_file("wordpress/themeunittestdata.wordpress.xml")


def wxr_doc(
    comments: str, *, ns: str = "http://wordpress.org/export/1.2/", item: str = ""
) -> bytes:
    """Build a one-post WXR document around ``comments``."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:wp="{ns}">
<channel><title>Site</title>
<item><title>Post &amp; more</title><link>https://example.org/2020/01/post/</link>
<wp:post_id>5</wp:post_id><wp:post_name>post</wp:post_name>
<wp:post_date_gmt>2020-01-01 10:00:00</wp:post_date_gmt>
<wp:comment_status>open</wp:comment_status><wp:status>publish</wp:status>{item}
{comments}
</item></channel></rss>""".encode()


def wp_comment(
    cid: int,
    *,
    parent: int = 0,
    approved: str = "1",
    kind: str = "",
    body: str = "Hello",
    gmt: str = "2020-01-02 03:04:05",
    local: str = "2020-01-02 05:04:05",
    author: str = "Ada",
    email: str = "ada@example.org",
) -> str:
    """Build one ``wp:comment`` element."""
    return f"""<wp:comment><wp:comment_id>{cid}</wp:comment_id>
<wp:comment_author><![CDATA[{author}]]></wp:comment_author>
<wp:comment_author_email>{email}</wp:comment_author_email>
<wp:comment_author_url>https://ada.example.org/</wp:comment_author_url>
<wp:comment_author_IP>192.0.2.7</wp:comment_author_IP>
<wp:comment_date>{local}</wp:comment_date><wp:comment_date_gmt>{gmt}</wp:comment_date_gmt>
<wp:comment_content><![CDATA[{body}]]></wp:comment_content>
<wp:comment_approved>{approved}</wp:comment_approved><wp:comment_type>{kind}</wp:comment_type>
<wp:comment_parent>{parent}</wp:comment_parent><wp:comment_user_id>0</wp:comment_user_id>
</wp:comment>"""


def test_missing_shared_data_skips_outside_ci(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Without ../shared/data a test skips with the path in its reason when CI is not true."""
    monkeypatch.setattr(import_support, "DATA", tmp_path)
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="shared test data not found"):
        shared_file("wordpress/x.xml")


def test_missing_shared_data_fails_under_ci(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Under CI=true a missing ../shared/data fails the test instead of skipping it."""
    monkeypatch.setattr(import_support, "DATA", tmp_path)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI=true"):
        shared_file("wordpress/x.xml")


# --------------------------------------------------------------- the real export


def test_module_doctest_passes() -> None:
    """The example in threadkit.importers.wordpress's docstring runs as written."""
    result = doctest.testmod(threadkit.importers.wordpress)
    assert (0, True) == (result.failed, result.attempted > 0)


def test_real_export_counts(wxr: Path) -> None:
    """33 comments on 7 posts: 29 imported (25 approved, 4 pending), 4 pings skipped."""
    report = import_into(MemoryStore(), read_wordpress(wxr), clock=CLOCK)
    expected = (7, 29, {Status.APPROVED: 25, Status.PENDING: 4}, {"pingback": 2, "trackback": 2})
    assert expected == (
        len(report.threads),
        report.imported,
        dict(report.statuses),
        report.skipped_by_code(),
    )


def test_real_export_thread_keys_titles_and_links(wxr: Path) -> None:
    """Threads are keyed by slug and keep the post's title and permalink."""
    store = MemoryStore()
    import_into(store, read_wordpress(wxr), clock=CLOCK)
    thread = store.get_thread("template-comments")
    assert thread is not None
    expected = (
        "Template: Comments",
        "https://wpthemetestdata.wordpress.com/2012/01/03/template-comments/",
    )
    assert expected == (thread.title, thread.url)


def test_real_export_ten_deep_chain(wxr: Path) -> None:
    """Comments "Depth 01" to "Depth 10" land at depths 0..9, each replying to the one before."""
    store = MemoryStore()
    report = import_into(store, read_wordpress(wxr), clock=CLOCK)
    chain = {}
    for new_id in report.ids.values():
        comment = store.get_comment(new_id)
        assert comment is not None
        match = re.match(r"Comment Depth (\d\d)", comment.body_source)
        if match:
            chain[int(match.group(1))] = comment
    assert list(range(1, 11)) == sorted(chain)
    assert list(range(10)) == [chain[n].depth for n in range(1, 11)]
    assert [None] + [chain[n].id for n in range(1, 10)] == [
        chain[n].parent_id for n in range(1, 11)
    ]
    assert {chain[1].id} == {chain[n].root_id for n in range(1, 11)}


def test_real_export_thread_counts_are_approved_only(wxr: Path) -> None:
    """Thread counters count approved comments only (the pending one is left out)."""
    store = MemoryStore()
    import_into(store, read_wordpress(wxr), clock=CLOCK)
    expected = {"template-comments": 19, "page-with-comments": 3, "blog": 0}
    assert expected == store.counts(list(expected))


def test_real_export_unapproved_comments_are_pending(wxr: Path) -> None:
    """comment_approved 0 is imported as pending; its reply place is kept."""
    store = MemoryStore()
    report = import_into(store, read_wordpress(wxr), clock=CLOCK)
    pending = imported(store, report, "1017")
    expected = (Status.PENDING, report.ids["168"], 1)
    assert expected == (pending.status, pending.parent_id, pending.depth)


def test_real_export_greek_names_survive(wxr: Path) -> None:
    """Greek author names and bodies come through unchanged."""
    store = MemoryStore()
    report = import_into(store, read_wordpress(wxr), clock=CLOCK)
    greek = imported(store, report, "918")
    expected = (
        "John Μαρία Doe Ντουε",
        "We are totally going to blog about these tests Σίγουρα θα σχολιάσουμε τα τεστς!",
    )
    assert expected == (greek.author.name, greek.body_source)
    assert "John Γιάννης Doe Κάποιος" == imported(store, report, "881").author.name


def test_real_export_uses_gmt_dates(wxr: Path) -> None:
    """created_at is wp:comment_date_gmt, as UTC."""
    store = MemoryStore()
    report = import_into(store, read_wordpress(wxr), clock=CLOCK)
    assert datetime(2007, 9, 4, 0, 49, 28, tzinfo=UTC) == imported(store, report, "167").created_at


def test_real_export_html_is_sanitized_and_source_kept(wxr: Path) -> None:
    """The source keeps the exported HTML; the rendered HTML has no heading, image or script."""
    store = MemoryStore()
    report = import_into(store, read_wordpress(wxr), clock=CLOCK)
    comments = [imported(store, report, old) for old in report.ids]
    rendered = " ".join(c.body_html for c in comments).lower()
    assert [] == re.findall(r"<(?:script|h1|img|style)\b|\son\w+=|javascript:", rendered)
    headings = imported(store, report, "881")
    assert headings.body_source.startswith("<strong>Headings</strong>\n<h1>Header one</h1>")
    expected = "<p><strong>Headings</strong></p>\n<p><strong>Header one</strong></p>\n"
    assert expected == headings.body_html[: len(expected)]


def test_real_export_password_protected_post_is_held(wxr: Path) -> None:
    """By default the approved comment on the password-protected post is imported as pending."""
    store = MemoryStore()
    report = import_into(store, read_wordpress(wxr), clock=CLOCK)
    assert Status.PENDING == imported(store, report, "926").status
    assert 0 == store.counts(["template-password-protected"])["template-password-protected"]


def test_real_export_password_protected_can_be_skipped_or_imported(wxr: Path) -> None:
    """protected='skip' leaves the comment out; protected='import' keeps it approved."""
    skipped = import_into(MemoryStore(), read_wordpress(wxr, protected="skip"), clock=CLOCK)
    assert ["926"] == [s.source_id for s in skipped.skipped if s.code == "protected"]
    store = MemoryStore()
    kept = import_into(store, read_wordpress(wxr, protected="import"), clock=CLOCK)
    assert Status.APPROVED == imported(store, kept, "926").status


def test_real_export_closed_posts_give_closed_threads(wxr: Path) -> None:
    """A post with comment_status closed becomes a closed thread; open ones stay open."""
    store = MemoryStore()
    import_into(store, read_wordpress(wxr), clock=CLOCK)
    closed = store.get_thread("template-pingbacks-an-trackbacks")
    opened = store.get_thread("template-comments")
    assert closed is not None
    assert opened is not None
    assert (True, False) == (closed.closed, opened.closed)


def test_real_export_pings_on_request_with_unescaped_names(wxr: Path) -> None:
    """With pingbacks and trackbacks asked for, all 33 import and entity names read as text."""
    store = MemoryStore()
    export = read_wordpress(wxr, types=("comment", "pingback", "trackback"))
    report = import_into(store, export, clock=CLOCK)
    assert 33 == report.imported
    assert "Ping 1 \u00ab What\u2019s a tellyworth?" == imported(store, report, "921").author.name


def test_real_export_second_import_adds_nothing(wxr: Path) -> None:
    """Importing the same file twice leaves the store as the first import made it."""
    store = MemoryStore()
    first = import_into(store, read_wordpress(wxr), clock=CLOCK)
    counts = store.counts(list(first.threads))
    second = import_into(store, read_wordpress(wxr), clock=CLOCK)
    assert (0, 29, (), first.ids) == (
        second.imported,
        second.already_present,
        second.created_threads,
        second.ids,
    )
    assert counts == store.counts(list(first.threads))


def test_real_export_authors_are_unverified_import_identities(wxr: Path) -> None:
    """Authors get provider import-wordpress, unverified, a subject that hides the email."""
    store = MemoryStore()
    report = import_into(store, read_wordpress(wxr), clock=CLOCK)
    anon = imported(store, report, "167").author
    expected = ("import-wordpress", False, "Anon", "anon@example.com", None)
    assert expected == (anon.provider, anon.verified, anon.name, anon.email, anon.url)
    assert "anon" not in anon.subject
    same_email = {imported(store, report, old).author.key for old in ("905", "906", "912")}
    assert 1 == len(same_email)


def test_real_export_keeps_the_ip_privately(wxr: Path) -> None:
    """The comment IP is kept in the private request context (empty ones stay empty)."""
    store = MemoryStore()
    report = import_into(store, read_wordpress(wxr), clock=CLOCK)
    assert Counter({"": 29}) == Counter(
        imported(store, report, old).context.ip for old in report.ids
    )


# --------------------------------------------------------------- inline fixtures


@pytest.mark.parametrize(
    "ns",
    [
        "http://wordpress.org/export/1.0/",
        "http://wordpress.org/export/1.1/",
        "http://wordpress.org/export/1.2/",
        "https://wordpress.org/export/1.2/",
    ],
)
def test_every_wxr_namespace_is_read(ns: str) -> None:
    """WXR 1.0, 1.1 and 1.2, over http and https, all give the same comment."""
    export = read_wordpress(wxr_doc(wp_comment(1), ns=ns))
    assert [("1", "5", "Hello")] == [(c.source_id, c.thread_id, c.body) for c in export.comments]


def test_a_foreign_namespace_is_not_wordpress() -> None:
    """Elements in another namespace that happens to use wp: are not read as comments."""
    export = read_wordpress(wxr_doc(wp_comment(1), ns="http://example.org/export/1.2/"))
    assert () == export.comments


def test_zero_gmt_date_falls_back_to_local_date() -> None:
    """A 0000-00-00 GMT date reads wp:comment_date in local_timezone, with a warning."""
    doc = wxr_doc(wp_comment(1, gmt="0000-00-00 00:00:00", local="2020-01-02 05:04:05"))
    export = read_wordpress(doc, local_timezone=timezone(timedelta(hours=2)))
    assert datetime(2020, 1, 2, 3, 4, 5, tzinfo=UTC) == export.comments[0].created_at
    assert ["comment 1: no GMT date; read its local date in UTC+02:00"] == list(export.warnings)


def test_no_readable_date_is_skipped() -> None:
    """A comment with neither date readable is skipped with code invalid_date."""
    export = read_wordpress(wxr_doc(wp_comment(1, gmt="", local="yesterday")))
    report = import_into(MemoryStore(), export, clock=CLOCK)
    assert (0, {"invalid_date": 1}) == (report.imported, report.skipped_by_code())


def test_trashed_comment_with_a_reply_becomes_a_placeholder() -> None:
    """A trashed comment keeps its reply in place as an authorless, bodiless placeholder."""
    doc = wxr_doc(
        wp_comment(1, approved="trash", body="gone")
        + wp_comment(2, parent=1, gmt="2020-01-03 00:00:00")
    )
    store = MemoryStore()
    report = import_into(store, read_wordpress(doc), clock=CLOCK)
    placeholder = imported(store, report, "1")
    reply = imported(store, report, "2")
    assert (Status.DELETED, "", "", "") == (
        placeholder.status,
        placeholder.author.name,
        placeholder.body_source,
        placeholder.body_html,
    )
    assert (placeholder.id, 1, 1) == (reply.parent_id, reply.depth, report.placeholders)


def test_trashed_comment_without_replies_is_skipped() -> None:
    """A trashed comment with nothing below it is not imported (code deleted)."""
    report = import_into(
        MemoryStore(), read_wordpress(wxr_doc(wp_comment(1, approved="trash"))), clock=CLOCK
    )
    assert (0, {"deleted": 1}) == (report.imported, report.skipped_by_code())


def test_spam_is_kept_as_spam_or_skipped() -> None:
    """comment_approved spam imports as spam, or is skipped with include_spam=False."""
    doc = wxr_doc(wp_comment(1, approved="spam"))
    store = MemoryStore()
    report = import_into(store, read_wordpress(doc), clock=CLOCK)
    assert Status.SPAM == imported(store, report, "1").status
    skipped = import_into(MemoryStore(), read_wordpress(doc, include_spam=False), clock=CLOCK)
    assert {"spam": 1} == skipped.skipped_by_code()


def test_unknown_approval_is_pending_with_a_warning() -> None:
    """An approval value WordPress plugins invent is imported as pending, with a warning."""
    export = read_wordpress(wxr_doc(wp_comment(1, approved="maybe")))
    assert Status.PENDING == export.comments[0].status
    assert ["comment 1: unknown approval 'maybe'; imported as pending"] == list(export.warnings)


def test_other_comment_types_are_skipped() -> None:
    """Comment types other than plain comments (a shop's order notes) are not imported."""
    report = import_into(
        MemoryStore(), read_wordpress(wxr_doc(wp_comment(1, kind="order_note"))), clock=CLOCK
    )
    assert {"order_note": 1} == report.skipped_by_code()


def test_reply_to_a_skipped_pingback_moves_up() -> None:
    """A reply to a skipped pingback is attached to the pingback's own parent."""
    doc = wxr_doc(
        wp_comment(1)
        + wp_comment(2, parent=1, kind="pingback", gmt="2020-01-03 00:00:00")
        + wp_comment(3, parent=2, gmt="2020-01-04 00:00:00")
    )
    store = MemoryStore()
    report = import_into(store, read_wordpress(doc), clock=CLOCK)
    assert (report.ids["1"], 1) == (
        imported(store, report, "3").parent_id,
        imported(store, report, "3").depth,
    )


def test_script_and_javascript_links_do_not_survive() -> None:
    """Scripts, event handlers and javascript: links are removed from the rendered HTML."""
    body = '<a href="javascript:alert(1)" onclick="x()">hi</a><script>alert(2)</script><i>ok</i>'
    store = MemoryStore()
    report = import_into(store, read_wordpress(wxr_doc(wp_comment(1, body=body))), clock=CLOCK)
    comment = imported(store, report, "1")
    assert (body, '<p><a rel="nofollow ugc noopener">hi</a><i>ok</i></p>') == (
        comment.body_source,
        comment.body_html,
    )


def test_path_key_and_custom_key_function() -> None:
    """thread_key picks the key: the permalink path, or any function of the post."""
    doc = wxr_doc(wp_comment(1))
    assert "/2020/01/post/" == read_wordpress(doc, thread_key=path_key).threads[0].key
    custom = read_wordpress(doc, thread_key=lambda post: f"blog:{post.post_id}")
    assert "blog:5" == custom.threads[0].key


def test_key_functions_fall_back() -> None:
    """Without a slug the permalink path is used, without either the post id."""
    bare = WordPressPost(post_id="9", slug="", link="", title="")
    linked = WordPressPost(post_id="9", slug="", link="https://e.org/a/b/", title="")
    assert ("wp-9", "/a/b/") == (slug_key(bare), slug_key(linked))


def test_thread_title_is_unescaped_and_post_date_used() -> None:
    """The thread gets the post's title as text and the post's GMT date as creation time."""
    store = MemoryStore()
    import_into(store, read_wordpress(wxr_doc(wp_comment(1))), clock=CLOCK)
    thread = store.get_thread("post")
    assert thread is not None
    assert ("Post & more", datetime(2020, 1, 1, 10, tzinfo=UTC)) == (
        thread.title,
        thread.created_at,
    )


def test_posts_without_comments_make_no_thread() -> None:
    """An item with no comment is not a thread."""
    assert () == read_wordpress(wxr_doc("")).threads


def test_disqus_file_is_not_wordpress() -> None:
    """A file whose root is not <rss> is refused with code wrong_format."""
    with pytest.raises(ImportFormatError) as caught:
        read_wordpress(b'<disqus xmlns="http://disqus.com"/>')
    assert "wrong_format" == caught.value.code


def test_bad_protected_option_is_refused() -> None:
    """An unknown protected= value is a programming error, refused at once."""
    with pytest.raises(ValueError, match="protected"):
        read_wordpress(wxr_doc(""), protected="publish")  # type: ignore[arg-type]
