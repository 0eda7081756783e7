"""Writing an export into a store: ``import_into``, thread by thread, re-runnable."""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Literal

import attrs

from threadkit.clock import SystemClock
from threadkit.errors import StorageUnavailableError, ThreadkitError
from threadkit.models import NewComment, Status, utc
from threadkit.ports import Clock, CommentStore

from ._clean import _Cleaner
from ._html import safe_html
from ._model import Export, ExportComment, ExportThread, ImportReport, Skipped
from ._plan import _plan, _Planned

__all__ = ["import_into"]


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

    def report(
        self,
        source: str,
        touched: Sequence[str],
        created: Sequence[str],
        skipped: Sequence[Skipped],
        failed: Sequence[Skipped],
        warnings: Sequence[str],
    ) -> ImportReport:
        """Build the report of this run."""
        return ImportReport(
            source=source,
            threads=tuple(touched),
            created_threads=tuple(created),
            imported=self.imported,
            placeholders=self.placeholders,
            already_present=self.already,
            statuses={status: self.statuses[status] for status in Status if self.statuses[status]},
            skipped=tuple([*skipped, *self.refused]),
            failed_threads=tuple(failed),
            warnings=tuple(warnings),
            ids=dict(self.report_ids),
        )


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
    groups, comments_of = _group(export, cleaner.warnings, skipped)

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
            failed.append(_thread_failed(key, len(planned), error))
            continue
        touched.append(key)
        if not existed:
            created.append(key)

    return run.report(export.source, touched, created, skipped, failed, cleaner.warnings)


def _thread_failed(key: str, planned: int, error: ThreadkitError) -> Skipped:
    """Report a thread rolled back because the store refused one of its comments."""
    return Skipped(
        "",
        "thread_failed",
        f"{planned} comments not imported: the store refused one"
        f" ({error.code}: {error.message}); nothing of this thread was kept.",
        key,
    )


def _group(
    export: Export, warnings: list[str], skipped: list[Skipped]
) -> tuple[dict[str, list[ExportThread]], dict[str, list[ExportComment]]]:
    """Group the export's threads by key and its comments by their thread's key.

    A repeated thread id keeps the first thread (with a warning); a repeated
    comment id and a comment whose thread is missing are added to ``skipped``.
    """
    by_id: dict[str, ExportThread] = {}
    for thread in export.threads:
        if thread.source_id in by_id:
            warnings.append(
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
    return groups, comments_of
