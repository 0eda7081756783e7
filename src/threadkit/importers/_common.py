"""What every importer shares: the neutral export model, the report, ``import_into``.

A source parser (:mod:`threadkit.importers.wordpress`,
:mod:`threadkit.importers.disqus`) reads a file into an :class:`Export`
without touching any store; :func:`import_into` then writes an export into
any :class:`~threadkit.ports.CommentStore`. See ``docs/importing.md``.
"""

from __future__ import annotations

import hashlib
import ipaddress
import os
import re
import unicodedata
from collections import Counter, deque
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import BinaryIO, Literal, TypeAlias

import attrs

from threadkit.clock import SystemClock
from threadkit.errors import StorageUnavailableError, ThreadkitError, ValidationError
from threadkit.models import DELETED_AUTHOR, Identity, NewComment, RequestContext, Status, utc
from threadkit.ports import Clock, CommentStore
from threadkit.render import DEFAULT_TAGS, MarkdownRenderer
from threadkit.text import clean_email, clean_name, clean_url, is_refused_character

__all__ = [
    "IMPORT_TAGS",
    "Export",
    "ExportComment",
    "ExportThread",
    "ImportFormatError",
    "ImportReport",
    "Skipped",
    "Source",
    "autop",
    "import_into",
    "safe_html",
]

Source: TypeAlias = "str | os.PathLike[str] | bytes | BinaryIO"
"""Where an export comes from: a file path, the file's bytes, or a binary file object."""


class ImportFormatError(ValidationError):
    """The file is not a readable export of the expected kind; nothing was written.

    Codes: ``malformed_xml``, ``wrong_format`` (another kind of file),
    ``doctype_refused`` (a DTD or entity declaration, refused for safety).
    """

    default_code = "invalid_export"


# --- the neutral export model -------------------------------------------------


@attrs.frozen
class ExportThread:
    """One commented page of the old site.

    ``source_id`` is the old system's id; ``key`` the threadkit thread key the
    parser chose (with its configurable key function).
    """

    source_id: str
    key: str
    title: str = ""
    url: str = ""
    closed: bool = False
    created_at: datetime | None = None


@attrs.frozen
class ExportComment:
    """One comment as the old system exported it, before any cleaning.

    ``body`` is the exported HTML, unchanged. ``status`` is where it stood in
    moderation there; ``Status.DELETED`` means deleted (or trashed) there.
    ``skip`` is a reason code when the parser already decided not to import
    it (a pingback, say) and ``skip_message`` says why; it is still listed so
    its replies can move up to its nearest imported ancestor.
    ``account`` is a stable account id from the old system (a WordPress user
    id, a Disqus username), used before the email to tell authors apart.
    """

    source_id: str
    thread_id: str
    parent_id: str | None
    body: str
    status: Status
    created_at: datetime
    author_name: str = ""
    author_email: str = ""
    author_url: str = ""
    account: str = ""
    ip: str = ""
    user_agent: str = ""
    skip: str = ""
    skip_message: str = ""


@attrs.frozen
class Skipped:
    """A comment (or record) not imported, with a machine code and a message."""

    source_id: str
    code: str
    message: str
    thread_id: str = ""


@attrs.frozen
class Export:
    """Everything a parser read from one export file.

    ``source`` names the old system (``"wordpress"``, ``"disqus"``); imported
    authors get the identity provider ``"import-<source>"``. ``skipped`` and
    ``warnings`` hold what the parser could not read at all.
    """

    source: str
    threads: tuple[ExportThread, ...]
    comments: tuple[ExportComment, ...]
    skipped: tuple[Skipped, ...] = ()
    warnings: tuple[str, ...] = ()

    @property
    def provider(self) -> str:
        """The identity provider name imported authors get."""
        return f"import-{self.source}"


# --- the report -----------------------------------------------------------------


@attrs.frozen
class ImportReport:
    """What :func:`import_into` did.

    * ``threads``: keys of the threads that hold imported comments (new or not);
      ``created_threads`` those this run created.
    * ``imported``: comments added by this run, placeholders included;
      ``placeholders`` how many of them are deleted-comment placeholders;
      ``statuses`` the added comments per status.
    * ``already_present``: comments found already imported (a re-run).
    * ``skipped``: comments not imported, each with a reason.
    * ``failed_threads``: threads whose import was rolled back (code
      ``thread_failed``); their comments are not in any other count.
    * ``warnings``: things fixed on the way (a bad email dropped, a reply
      whose parent is missing moved to the top level, ...).
    * ``ids``: old comment id to threadkit comment id, for every comment that
      is in the store after the run (added now or before).
    """

    source: str
    threads: tuple[str, ...] = ()
    created_threads: tuple[str, ...] = ()
    imported: int = 0
    placeholders: int = 0
    already_present: int = 0
    statuses: Mapping[Status, int] = attrs.field(factory=dict)
    skipped: tuple[Skipped, ...] = ()
    failed_threads: tuple[Skipped, ...] = ()
    warnings: tuple[str, ...] = ()
    ids: Mapping[str, int] = attrs.field(factory=dict)

    def skipped_by_code(self) -> dict[str, int]:
        """How many comments were skipped for each reason code."""
        return dict(Counter(item.code for item in self.skipped))

    def summary(self) -> str:
        """Return a few human-readable lines (what the command line prints)."""
        statuses = ", ".join(
            f"{count} {status.value}" for status, count in self.statuses.items() if count
        )
        lines = [
            f"source: {self.source}",
            f"threads: {len(self.threads)} ({len(self.created_threads)} created)",
            f"comments imported: {self.imported}" + (f" ({statuses})" if statuses else ""),
            f"placeholders for deleted comments: {self.placeholders}",
            f"already present (earlier run): {self.already_present}",
        ]
        codes = self.skipped_by_code()
        by_code = ", ".join(f"{n} {c}" for c, n in sorted(codes.items()))
        lines.append(f"skipped: {len(self.skipped)}" + (f" ({by_code})" if codes else ""))
        lines += [f"  skipped {s.source_id}: {s.code}: {s.message}" for s in self.skipped]
        lines += [f"FAILED thread {f.thread_id}: {f.message}" for f in self.failed_threads]
        lines += [f"warning: {w}" for w in self.warnings]
        return "\n".join(lines)


# --- HTML -----------------------------------------------------------------------

IMPORT_TAGS = DEFAULT_TAGS | {"b", "i", "cite", "q", "abbr", "strike"}
"""Tags an imported body keeps: threadkit's defaults plus WordPress's comment tags."""

_SANITIZER = MarkdownRenderer(tags=IMPORT_TAGS)
_BLOCKS = (
    "table|thead|tfoot|caption|colgroup|col|tbody|tr|td|th|div|dl|dd|dt|ul|ol|li|pre|form"
    "|blockquote|address|p|h[1-6]|hr|fieldset|legend|section|article|aside|header|footer"
    "|nav|figure|figcaption|details|summary|menu"
)
_BLOCK_TAG = re.compile(rf"(</?(?:{_BLOCKS})\b[^>]*>)", re.IGNORECASE)
_PRE = re.compile(r"(<pre\b.*?</pre\s*>)", re.IGNORECASE | re.DOTALL)
_OPEN_P = re.compile(r"<p\b", re.IGNORECASE)
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
_HEADING_OPEN = re.compile(r"<h[1-6]\b[^>]*>", re.IGNORECASE)
_HEADING_CLOSE = re.compile(r"</h[1-6]\s*>", re.IGNORECASE)
_P_OPEN_GAP = re.compile(r"(<p\b[^>]*>)\n", re.IGNORECASE)
_P_CLOSE_GAP = re.compile(r"\n</p>", re.IGNORECASE)
_EMPTY_P = re.compile(r"<p>\s*</p>")
_BLANK_LINES = re.compile(r"\n(?:[ \t]*\n)+")


def autop(text: str) -> str:
    r"""Add the paragraphs and line breaks WordPress adds when it shows a comment.

    Like WordPress's ``wpautop``, simplified: block-level tags stand on their
    own lines, text between them is wrapped in ``<p>`` (unless the author
    already opened one) with single line breaks kept as ``<br>``; ``<pre>``
    blocks are left alone.

    >>> autop("Hi\nthere\n\n<blockquote>Done</blockquote>")
    '<p>Hi<br>\nthere</p>\n<blockquote>\n<p>Done</p>\n</blockquote>'
    >>> autop("<p>Already\n<b>done</b></p>")
    '<p>Already<br>\n<b>done</b></p>'
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    out: list[str] = []
    inside_p = False
    for number, part in enumerate(_PRE.split(text)):
        if number % 2:  # a <pre> block
            out.append(part)
            continue
        for chunk in _PARAGRAPH_BREAK.split(_BLOCK_TAG.sub("\n\n\\1\n\n", part)):
            chunk = chunk.strip()
            if not chunk:
                continue
            if _BLOCK_TAG.fullmatch(chunk):
                if chunk[1] == "/":
                    inside_p = inside_p and chunk[2:3].lower() != "p"
                else:
                    inside_p = inside_p or bool(_OPEN_P.match(chunk))
                out.append(chunk)
            elif inside_p:
                out.append(chunk.replace("\n", "<br>\n"))
            else:
                out.append("<p>" + chunk.replace("\n", "<br>\n") + "</p>")
    return _P_CLOSE_GAP.sub("</p>", _P_OPEN_GAP.sub(r"\1", "\n".join(out)))


def safe_html(body: str) -> str:
    """Make exported HTML safe: add paragraphs, then run the allowlist sanitizer.

    Headings become bold paragraphs; otherwise only :data:`IMPORT_TAGS`
    survive (others are removed, their text kept); scripts and styles go with
    their content, event handlers and ``javascript:`` URLs are removed, links
    get ``rel="nofollow ugc noopener"``.

    >>> safe_html('Hi <b onclick="x()">you</b><script>alert(1)</script>')
    '<p>Hi <b>you</b></p>'
    """
    bolder = _HEADING_CLOSE.sub("</strong></p>", _HEADING_OPEN.sub("<p><strong>", body))
    clean = _EMPTY_P.sub("", _SANITIZER.sanitize(autop(bolder)))
    return _BLANK_LINES.sub("\n", clean).strip("\n")


# --- cleaning one comment -------------------------------------------------------


def _strip_controls(text: str) -> str:
    """Drop the characters ``clean_name`` refuses (controls, bidi and TAG characters)."""
    return "".join(
        " " if char in "\t\n\r" else char
        for char in text
        if char in "\t\n\r" or not is_refused_character(char)
    )


def _subject(comment: ExportComment, email: str | None, name: str) -> str:
    """Derive a stable, non-reversible subject: old account, else email, else name."""
    if comment.account:
        basis = "a:" + comment.account
    elif email:
        basis = "e:" + email.lower()
    else:
        basis = "n:" + name
    return hashlib.sha256(basis.encode("utf-8")).hexdigest()[:32]


@attrs.define
class _Cleaner:
    """Turns exported comments into drafts, noting every fix in ``warnings``."""

    provider: str
    html: Callable[[str], str]
    anonymous_name: str
    warnings: list[str] = attrs.field(factory=list)

    def author(self, comment: ExportComment) -> Identity:
        """Return the unverified identity of an imported comment's author."""
        where = f"comment {comment.source_id}"
        try:
            name = clean_name(comment.author_name)
        except ValidationError:
            text = unicodedata.normalize("NFC", _strip_controls(comment.author_name))
            name = " ".join(text.split())[:100].strip()
            if not name:
                name = self.anonymous_name
            elif comment.author_name.strip():
                self.warnings.append(f"{where}: author name cleaned to {name!r}")
        email: str | None = None
        if comment.author_email.strip():
            try:
                email = clean_email(comment.author_email)
            except ValidationError as error:
                self.warnings.append(
                    f"{where}: email {comment.author_email!r} dropped ({error.code})"
                )
        url: str | None = None
        if comment.author_url.strip():
            try:
                url = clean_url(comment.author_url)
            except ValidationError as error:
                self.warnings.append(
                    f"{where}: website {comment.author_url!r} dropped ({error.code})"
                )
        return Identity(self.provider, _subject(comment, email, name), name, email=email, url=url)

    def context(self, comment: ExportComment) -> RequestContext:
        """Return the private request data kept with the comment (IP, user agent)."""
        ip = comment.ip.strip()
        if ip:
            try:
                ip = ipaddress.ip_address(ip).compressed
            except ValueError:
                self.warnings.append(f"comment {comment.source_id}: IP {ip!r} dropped")
                ip = ""
        agent = _strip_controls(comment.user_agent).strip()[:500]
        return RequestContext(ip=ip, user_agent=agent)

    def draft(self, comment: ExportComment, thread_key: str, placeholder: bool) -> NewComment:
        """Return the ``NewComment`` for ``comment`` (its parent is set when written)."""
        if placeholder:
            return NewComment(
                thread_key, None, DELETED_AUTHOR, "", "", Status.DELETED, comment.created_at
            )
        return NewComment(
            thread_key,
            None,
            self.author(comment),
            comment.body,
            self.html(comment.body),
            comment.status,
            comment.created_at,
            context=self.context(comment),
        )


# --- planning one thread ----------------------------------------------------------


@attrs.frozen
class _Planned:
    """A comment to write: its draft and the old id of its (new) parent."""

    source_id: str
    parent: str | None
    draft: NewComment


def _plan(
    comments: Sequence[ExportComment],
    cleaner: _Cleaner,
    thread_key: str,
    skipped: list[Skipped],
) -> list[_Planned]:
    """Decide what of one thread's comments to write, and in which order.

    Comments marked ``skip`` are not written; their replies move up to the
    nearest written ancestor. A deleted comment becomes a placeholder when
    something below it is written, and is skipped otherwise. A reply whose
    parent is not in the thread moves to the top level. The order is
    oldest first, a parent always before its replies.
    """
    nodes = {comment.source_id: comment for comment in comments}
    order = {comment.source_id: index for index, comment in enumerate(comments)}

    def kept(comment: ExportComment) -> bool:
        return not comment.skip

    # Effective parent: walk up through skipped comments to a kept one.
    parent_of: dict[str, str | None] = {}
    for sid, comment in nodes.items():
        if not kept(comment):
            continue
        parent = comment.parent_id
        seen = {sid}
        while parent is not None:
            above = nodes.get(parent)
            if above is None:
                cleaner.warnings.append(
                    f"comment {sid}: its parent {parent} is not in this thread of the export;"
                    " imported at the top level"
                )
                parent = None
            elif parent in seen:
                cleaner.warnings.append(
                    f"comment {sid}: its ancestors form a loop; imported at the top level"
                )
                parent = None
            elif kept(above):
                break
            else:
                seen.add(parent)
                parent = above.parent_id
        parent_of[sid] = parent

    # A deleted comment is written (as a placeholder) only to hold live replies.
    needed: set[str] = set()
    for sid, parent in parent_of.items():
        if nodes[sid].status is Status.DELETED:
            continue
        # Stop at a live ancestor (it walks on by itself) or a known placeholder.
        while (
            parent is not None and nodes[parent].status is Status.DELETED and parent not in needed
        ):
            needed.add(parent)
            parent = parent_of[parent]
    for sid, comment in nodes.items():
        if not kept(comment):
            skipped.append(Skipped(sid, comment.skip, comment.skip_message, comment.thread_id))
        elif comment.status is Status.DELETED and sid not in needed:
            skipped.append(
                Skipped(
                    sid,
                    "deleted",
                    "Deleted in the old system and nothing below it was imported.",
                    comment.thread_id,
                )
            )
    writable = [
        sid for sid in parent_of if nodes[sid].status is not Status.DELETED or sid in needed
    ]
    writable.sort(key=lambda sid: (utc(nodes[sid].created_at), order[sid]))

    # Oldest first, but a reply waits for its parent (clocks are not always right).
    planned: list[_Planned] = []
    written: set[str] = set()
    waiting: dict[str, list[str]] = {}

    def write(sid: str) -> None:
        pending = deque([sid])
        while pending:
            current = pending.popleft()
            planned.append(
                _Planned(
                    current,
                    parent_of[current],
                    cleaner.draft(nodes[current], thread_key, current in needed),
                )
            )
            written.add(current)
            pending.extend(waiting.pop(current, []))

    for sid in writable:
        parent = parent_of[sid]
        if parent is None or parent in written:
            write(sid)
        else:
            waiting.setdefault(parent, []).append(sid)
    while waiting:  # only a loop of replies is left: break it at its oldest member
        loose = min(
            (sid for group in waiting.values() for sid in group),
            key=lambda sid: (utc(nodes[sid].created_at), order[sid]),
        )
        holder = parent_of[loose]
        assert holder is not None  # only replies wait
        waiting[holder].remove(loose)
        waiting = {key: group for key, group in waiting.items() if group}
        cleaner.warnings.append(
            f"comment {loose}: its ancestors form a loop; imported at the top level"
        )
        parent_of[loose] = None
        write(loose)
    return planned


# --- writing ------------------------------------------------------------------------


@attrs.define
class _Existing:
    """What an earlier run already imported into one thread, found by author."""

    store: CommentStore
    thread_key: str
    index: dict[str, dict[tuple[datetime, str, str | None], deque[int]]] = attrs.field(factory=dict)

    def take(self, draft: NewComment, parent_id: int | None) -> int | None:
        """Return the id of an earlier copy of ``draft`` (same author, time, body, parent), once."""
        key = draft.author.key
        if key not in self.index:
            found: dict[tuple[datetime, str, str | None], deque[int]] = {}
            for comment in self.store.comments_by_author(key):
                if comment.thread_key == self.thread_key:
                    at = (utc(comment.created_at), comment.body_source, str(comment.parent_id))
                    found.setdefault(at, deque()).append(comment.id)
            self.index[key] = found
        ids = self.index[key].get((utc(draft.created_at), draft.body_source, str(parent_id)))
        return ids.popleft() if ids else None


@attrs.define
class _Run:
    """The state of one :func:`import_into` call."""

    store: CommentStore
    per_comment: bool
    report_ids: dict[str, int] = attrs.field(factory=dict)
    refused: list[Skipped] = attrs.field(factory=list)
    statuses: Counter[Status] = attrs.field(factory=Counter)
    imported: int = 0
    placeholders: int = 0
    already: int = 0

    def write_thread(self, key: str, planned: Sequence[_Planned], existed: bool) -> None:
        """Write one thread's comments; on an error remove what this call added, re-raise.

        With ``per_comment``, a comment the store refuses (a ``ThreadkitError``
        other than ``StorageUnavailableError``) is skipped instead, and its
        replies move up to its parent.
        """
        existing = _Existing(self.store, key) if existed else None
        ids: dict[str, int | None] = {}
        added: list[int] = []
        refused: list[Skipped] = []
        statuses: Counter[Status] = Counter()
        already = 0
        try:
            for item in planned:
                parent_id = None if item.parent is None else ids[item.parent]
                draft = attrs.evolve(item.draft, parent_id=parent_id)
                earlier = None if existing is None else existing.take(draft, parent_id)
                if earlier is not None:
                    ids[item.source_id] = earlier
                    already += 1
                    continue
                try:
                    comment = self.store.add_comment(draft)
                except StorageUnavailableError:
                    raise
                except ThreadkitError as error:
                    if not self.per_comment:
                        raise
                    refused.append(
                        Skipped(
                            item.source_id,
                            "refused",
                            f"The store refused it ({error.code}: {error.message});"
                            " its replies moved up one level.",
                            key,
                        )
                    )
                    ids[item.source_id] = parent_id
                    continue
                ids[item.source_id] = comment.id
                added.append(comment.id)
                statuses[draft.status] += 1
        except BaseException:
            for comment_id in reversed(added):  # replies before their parents
                try:
                    self.store.remove_comment(comment_id)
                except Exception:  # best effort: the error being raised is the one that matters
                    continue
            raise
        self.report_ids.update((sid, new) for sid, new in ids.items() if new is not None)
        self.refused += refused
        self.statuses.update(statuses)
        self.imported += len(added)
        self.placeholders += statuses[Status.DELETED]
        self.already += already


def import_into(
    store: CommentStore,
    export: Export,
    *,
    clock: Clock | None = None,
    html: Callable[[str], str] = safe_html,
    anonymous_name: str = "Anonymous",
    close_threads: bool = True,
    on_refused: Literal["thread", "comment"] = "thread",
) -> ImportReport:
    """Write ``export`` into ``store`` and report what happened.

    * Threads are made with ``ensure_thread`` (title, url, and the post's date
      as ``now``; without one, the oldest comment's date, else ``clock``).
      ``close_threads`` closes threads the old site had closed.
    * Comments keep their original ``created_at`` and status; each is added
      after its parent, oldest first. ``body_source`` is the exported text
      unchanged, ``body_html`` is ``html(body)`` (default :func:`safe_html`).
    * Authors get an unverified :class:`~threadkit.models.Identity` with
      provider ``export.provider``; bad emails, websites and IPs are dropped
      with a warning, an empty name becomes ``anonymous_name``.
    * Re-running is safe: a comment already imported (same author, thread,
      time, body and parent) is counted in ``already_present``, not added
      again, so a second import adds nothing and an interrupted one resumes.
    * With ``on_refused="thread"`` (the default) a thread is all or nothing:
      if the store refuses a comment (a ``ThreadkitError``, e.g. a body over
      the SQL store's byte limit), the comments this run added to that
      thread are removed again and the thread is listed in
      ``failed_threads``; the import goes on with the next thread. With
      ``on_refused="comment"`` only the refused comment is skipped (code
      ``refused``) and its replies move up to its parent.
    * If the store becomes unreachable (``StorageUnavailableError``) or
      anything unexpected happens, the current thread is rolled back the
      same way and the error propagates; run the import again to finish.
    * The export is read completely before this is called, so a file that
      cannot be parsed never reaches the store.
    """
    clock = clock or SystemClock()
    cleaner = _Cleaner(export.provider, html, anonymous_name, list(export.warnings))
    if not export.comments:
        cleaner.warnings.append(f"the {export.source} export holds no comments")
    skipped: list[Skipped] = list(export.skipped)
    failed: list[Skipped] = []
    if on_refused not in ("thread", "comment"):
        raise ValueError(f"on_refused must be 'thread' or 'comment', not {on_refused!r}")
    run = _Run(store, on_refused == "comment")

    by_id: dict[str, ExportThread] = {}
    for thread in export.threads:
        if thread.source_id in by_id:
            cleaner.warnings.append(
                f"thread {thread.source_id} appears twice in the export; the first is used"
            )
            continue
        by_id[thread.source_id] = thread
    groups: dict[str, list[ExportThread]] = {}
    for thread in by_id.values():
        groups.setdefault(thread.key, []).append(thread)
    comments_of: dict[str, list[ExportComment]] = {}
    seen: set[str] = set()
    for comment in export.comments:
        if comment.source_id in seen:
            skipped.append(
                Skipped(
                    comment.source_id,
                    "duplicate_id",
                    "Another comment of the export has the same id; the first one is kept.",
                    comment.thread_id,
                )
            )
            continue
        seen.add(comment.source_id)
        home = by_id.get(comment.thread_id)
        if home is None:
            skipped.append(
                Skipped(
                    comment.source_id,
                    "thread_missing",
                    f"Its thread {comment.thread_id!r} is not in the export (an orphan).",
                    comment.thread_id,
                )
            )
            continue
        comments_of.setdefault(home.key, []).append(comment)

    touched: list[str] = []
    created: list[str] = []
    for key, threads in groups.items():
        comments = comments_of.get(key, [])
        if not comments:
            continue
        if len(threads) > 1:
            cleaner.warnings.append(
                f"threads {', '.join(t.source_id for t in threads)} share the key {key!r};"
                " their comments are merged into one thread"
            )
        first = threads[0]
        planned = _plan(comments, cleaner, key, skipped)
        if not planned:
            continue
        now = first.created_at or min((utc(c.created_at) for c in comments), default=clock.now())
        try:
            existed = store.get_thread(key) is not None
            store.ensure_thread(key, title=first.title, url=first.url, now=now)
            run.write_thread(key, planned, existed)
            if close_threads and any(t.closed for t in threads):
                store.set_thread_closed(key, True)
        except StorageUnavailableError:
            raise
        except ThreadkitError as error:
            failed.append(
                Skipped(
                    "",
                    "thread_failed",
                    f"{len(planned)} comments not imported: the store refused one"
                    f" ({error.code}: {error.message}); nothing of this thread was kept.",
                    key,
                )
            )
            continue
        touched.append(key)
        if not existed:
            created.append(key)

    return ImportReport(
        source=export.source,
        threads=tuple(touched),
        created_threads=tuple(created),
        imported=run.imported,
        placeholders=run.placeholders,
        already_present=run.already,
        statuses={status: run.statuses[status] for status in Status if run.statuses[status]},
        skipped=tuple(skipped + run.refused),
        failed_threads=tuple(failed),
        warnings=tuple(cleaner.warnings),
        ids=dict(run.report_ids),
    )
