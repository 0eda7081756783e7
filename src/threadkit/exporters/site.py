"""A whole site as JSON Lines: every thread, comment (any status) and vote, losslessly.

:func:`dump_site` writes, :func:`load_site` reads back into an empty store.
One JSON object per line, keys always in the order documented in
``docs/importing.md``:

* line 1, the header: ``{"format": "threadkit-site", "version": 1}``;
* the bans in force (a store with ``add_ban`` / ``active_bans``), in a
  stable order; their ids are not kept either;
* per thread, ordered by key (code point order): a ``thread`` record, then
  its ``comment`` records depth first with siblings oldest first (a parent
  always before its replies), then its ``vote`` records ordered by comment
  then voter.

Ids are not kept: a comment's ``id`` is its position in the file (1, 2, ...)
and ``parent`` / a vote's ``comment`` refer to those numbers, so two stores
with the same content export byte-identical files whatever ids they gave.
Derived values (thread counters, ``reply_count``, ``depth``, ``root_id``)
are recomputed on import; stored vote tallies are kept as they are.
Pending notifications (the outbox) are operational state, not content, and
are not exported.

Memory stays flat in the size of the site: records are streamed, and only
one thread's id map (and its votes, to sort them) is held at a time, plus
one small record per thread to order them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any, Protocol, TextIO, runtime_checkable

import attrs

from threadkit.bans import Ban, BanKind
from threadkit.clock import SystemClock
from threadkit.errors import ConflictError, ValidationError
from threadkit.models import Comment, Identity, Reason, RequestContext, Status, Thread
from threadkit.ports import SiteStore, StoredVote

from .progress import Progress

__all__ = ["FORMAT", "VERSION", "BanList", "SiteCounts", "dump_site", "load_site"]

FORMAT = "threadkit-site"
"""The ``format`` of the header line."""

VERSION = 1
"""The format version this module writes and reads."""


@runtime_checkable
class BanList(Protocol):
    """The part of :class:`threadkit.ports.AdminStore` an export reads and an import writes."""

    def add_ban(self, ban: Ban) -> Ban:
        """Store ``ban``; return it with its new ``id``."""
        ...

    def active_bans(self, now: datetime) -> list[Ban]:
        """Every ban in force at ``now``."""
        ...


@attrs.define
class SiteCounts:
    """How many threads, comments, votes and bans an export or import handled."""

    threads: int = 0
    comments: int = 0
    votes: int = 0
    bans: int = 0

    def summary(self) -> str:
        """One line for people: ``"3 threads, 120 comments, 40 votes, 1 bans"``."""
        return (
            f"{self.threads} threads, {self.comments} comments, {self.votes} votes,"
            f" {self.bans} bans"
        )


def _time(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(UTC).isoformat(timespec="microseconds")


def _line(record: dict[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"


def _thread_record(thread: Thread) -> dict[str, Any]:
    return {
        "type": "thread",
        "key": thread.key,
        "title": thread.title,
        "url": thread.url,
        "closed": thread.closed,
        "created_at": _time(thread.created_at),
    }


def _comment_record(comment: Comment, number: int, parent: int | None) -> dict[str, Any]:
    author, context = comment.author, comment.context
    return {
        "type": "comment",
        "id": number,
        "parent": parent,
        "status": comment.status.value,
        "created_at": _time(comment.created_at),
        "edited_at": _time(comment.edited_at),
        "author": {
            "provider": author.provider,
            "subject": author.subject,
            "name": author.name,
            "email": author.email,
            "url": author.url,
            "avatar": author.avatar,
            "verified": author.verified,
        },
        "body_source": comment.body_source,
        "body_html": comment.body_html,
        "upvotes": comment.upvotes,
        "downvotes": comment.downvotes,
        "notify_replies": comment.notify_replies,
        "reasons": [
            {"step": r.step, "code": r.code, "message": r.message} for r in comment.reasons
        ],
        "context": {
            "ip": context.ip,
            "user_agent": context.user_agent,
            "referrer": context.referrer,
            "language": context.language,
        },
    }


def _vote_record(vote: StoredVote, number: int) -> dict[str, Any]:
    return {
        "type": "vote",
        "comment": number,
        "voter": vote.voter_key,
        "value": vote.value,
        "ip": vote.ip,
        "at": _time(vote.at),
    }


def _ban_record(ban: Ban) -> dict[str, Any]:
    return {
        "type": "ban",
        "kind": ban.kind.value,
        "value": ban.value,
        "created_at": _time(ban.created_at),
        "until": _time(ban.until),
        "shadow": ban.shadow,
        "reason": ban.reason,
        "created_by": ban.created_by,
    }


def dump_site(
    store: SiteStore,
    out: TextIO,
    *,
    progress: Progress | None = None,
    batch_size: int = 5000,
    now: datetime | None = None,
) -> SiteCounts:
    """Write every thread, comment and vote of ``store`` to ``out`` as JSON Lines.

    A store that keeps bans (:class:`BanList`) also gets the bans in force at
    ``now`` (default: the system clock's time) written, after the header.
    """
    counts = SiteCounts()
    out.write(_line({"format": FORMAT, "version": VERSION}))
    if isinstance(store, BanList):
        moment = SystemClock().now() if now is None else now
        records = sorted(
            (_ban_record(ban) for ban in store.active_bans(moment)),
            key=lambda r: json.dumps(r, ensure_ascii=False),
        )
        for record in records:
            out.write(_line(record))
        counts.bans = len(records)
    threads = sorted(store.iter_threads(), key=lambda t: t.key)
    if progress is not None:
        progress.total = len(threads)
    number = 0
    for thread in threads:
        out.write(_line(_thread_record(thread)))
        numbers: dict[int, int] = {}
        before = counts.comments
        for comment in store.iter_thread(thread.key, batch_size=batch_size):
            number += 1
            numbers[comment.id] = number
            parent = None if comment.parent_id is None else numbers[comment.parent_id]
            out.write(_line(_comment_record(comment, number, parent)))
            counts.comments += 1
        votes = sorted(
            (numbers[v.comment_id], v.voter_key, v)
            for v in store.iter_votes(thread.key, batch_size=batch_size)
        )
        for position, _, vote in votes:
            out.write(_line(_vote_record(vote, position)))
        counts.votes += len(votes)
        counts.threads += 1
        if progress is not None:
            progress.advance(comments=counts.comments - before)
    if progress is not None:
        progress.finish()
    return counts


# --------------------------------------------------------------------------- reading


def _bad(line: int, message: str) -> ValidationError:
    return ValidationError("invalid_backup", f"line {line}: {message}", field="file")


class _Fields:
    """Typed access to one record's fields, with errors that name the line and field."""

    def __init__(self, record: dict[str, Any], line: int) -> None:
        self.record, self.line = record, line

    def get(self, name: str, kind: type | tuple[type, ...], *, optional: bool = False) -> Any:
        if name not in self.record:
            raise _bad(self.line, f"the {self.record.get('type')} record has no {name!r}")
        value = self.record[name]
        if value is None and optional:
            return None
        if not isinstance(value, kind) or (isinstance(value, bool) and kind is int):
            raise _bad(self.line, f"{name!r} has the wrong type ({type(value).__name__})")
        return value

    def time(self, name: str) -> datetime:
        moment = self.maybe_time(name)
        if moment is None:
            raise _bad(self.line, f"{name!r} is required")
        return moment

    def maybe_time(self, name: str) -> datetime | None:
        text = self.get(name, str, optional=True)
        if text is None:
            return None
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise _bad(self.line, f"{name!r} is not an ISO 8601 time: {text!r}") from None
        if moment.tzinfo is None:
            raise _bad(self.line, f"{name!r} has no time zone: {text!r}")
        return moment.astimezone(UTC)

    def sub(self, name: str) -> _Fields:
        return _Fields(self.get(name, dict), self.line)


def _records(lines: Iterable[str]) -> Iterator[tuple[int, dict[str, Any]]]:
    for number, text in enumerate(lines, start=1):
        if not text.strip():
            continue
        try:
            record = json.loads(text)
        except json.JSONDecodeError as error:
            raise _bad(number, f"not JSON ({error.msg})") from None
        if not isinstance(record, dict):
            raise _bad(number, "a record is a JSON object")
        yield number, record


def _comment(f: _Fields, thread_key: str) -> Comment:
    a, c = f.sub("author"), f.sub("context")
    number = f.get("id", int)
    try:
        status = Status(f.get("status", str))
    except ValueError:
        raise _bad(f.line, f"unknown status {f.record['status']!r}") from None
    reasons = f.get("reasons", list)
    return Comment(
        id=number,
        thread_key=thread_key,
        parent_id=f.get("parent", int, optional=True),
        root_id=number,
        depth=0,
        author=Identity(
            provider=a.get("provider", str),
            subject=a.get("subject", str),
            name=a.get("name", str),
            email=a.get("email", str, optional=True),
            url=a.get("url", str, optional=True),
            avatar=a.get("avatar", str, optional=True),
            verified=a.get("verified", bool),
        ),
        body_source=f.get("body_source", str),
        body_html=f.get("body_html", str),
        status=status,
        created_at=f.time("created_at"),
        edited_at=f.maybe_time("edited_at"),
        upvotes=f.get("upvotes", int),
        downvotes=f.get("downvotes", int),
        notify_replies=f.get("notify_replies", bool),
        reasons=tuple(
            Reason(r.get("step", str), r.get("code", str), r.get("message", str))
            for r in (_Fields(item, f.line) for item in reasons)
        ),
        context=RequestContext(
            ip=c.get("ip", str),
            user_agent=c.get("user_agent", str),
            referrer=c.get("referrer", str),
            language=c.get("language", str),
        ),
    )


@attrs.define
class _Pending:
    """One thread read from the file and not yet written."""

    thread: Thread
    comments: list[Comment] = attrs.Factory(list)
    votes: list[tuple[int, StoredVote]] = attrs.Factory(list)


def _header(records: Iterator[tuple[int, dict[str, Any]]]) -> None:
    first = next(records, None)
    if first is None:
        raise _bad(1, "the file is empty; expected a threadkit-export header")
    _, record = first
    found, version = record.get("format"), record.get("version")
    if found != FORMAT:
        problem = (
            f"not a threadkit site export (format {found!r}, expected {FORMAT!r});"
            " for WordPress or Disqus files use that importer"
        )
    elif version != VERSION:
        problem = f"export format version {version!r}; this threadkit reads version {VERSION}"
    else:
        return
    raise ValidationError("wrong_format", f"line 1: {problem}", field="file")


def _is_empty(store: SiteStore) -> bool:
    return next(iter(store.iter_threads(batch_size=1)), None) is None


def load_site(
    store: SiteStore,
    lines: Iterable[str],
    *,
    allow_non_empty: bool = False,
    progress: Progress | None = None,
    batch_size: int = 5000,
) -> SiteCounts:
    """Read a :func:`dump_site` file into ``store``, one thread per transaction.

    Refuses (``ConflictError``, nothing written) a store that already holds
    threads unless ``allow_non_empty``; even then a thread that already
    exists is refused when it is reached. A malformed line raises
    ``ValidationError`` (code ``invalid_backup``) naming the line; threads
    before it stay written.
    """
    if not allow_non_empty and not _is_empty(store):
        raise ConflictError(
            "conflict",
            "The store already holds threads; import into an empty store"
            " (or pass --allow-non-empty to add threads that do not exist yet).",
        )
    counts = SiteCounts()
    records = _records(lines)
    _header(records)
    pending: _Pending | None = None
    for line, record in records:
        f = _Fields(record, line)
        kind = record.get("type")
        if kind == "ban":
            _load_ban(store, f)
            counts.bans += 1
        elif kind == "thread":
            if pending is not None:
                _write(store, pending, counts, progress, batch_size)
            pending = _Pending(
                Thread(
                    key=f.get("key", str),
                    created_at=f.time("created_at"),
                    title=f.get("title", str),
                    url=f.get("url", str),
                    closed=f.get("closed", bool),
                )
            )
        elif pending is None:
            raise _bad(line, f"a {kind!r} record before any thread record")
        elif kind == "comment":
            comment = _comment(f, pending.thread.key)
            if comment.parent_id is not None and comment.parent_id >= comment.id:
                raise _bad(line, f"comment {comment.id} answers a later comment")
            pending.comments.append(comment)
        elif kind == "vote":
            value = f.get("value", int)
            vote = StoredVote(0, f.get("voter", str), value, f.get("ip", str), f.maybe_time("at"))
            pending.votes.append((f.get("comment", int), vote))
        else:
            raise _bad(line, f"unknown record type {kind!r} (ban, thread, comment or vote)")
    if pending is not None:
        _write(store, pending, counts, progress, batch_size)
    if progress is not None:
        progress.finish()
    return counts


def _load_ban(store: SiteStore, f: _Fields) -> None:
    if not isinstance(store, BanList):
        raise ValidationError(
            "invalid_backup",
            f"line {f.line}: the file holds bans and this store keeps none (it has no add_ban)",
            field="file",
        )
    try:
        kind = BanKind(f.get("kind", str))
    except ValueError:
        raise _bad(f.line, f"unknown ban kind {f.record['kind']!r}") from None
    store.add_ban(
        Ban(
            kind=kind,
            value=f.get("value", str),
            created_at=f.time("created_at"),
            until=f.maybe_time("until"),
            shadow=f.get("shadow", bool),
            reason=f.get("reason", str),
            created_by=f.get("created_by", str),
        )
    )


def _write(
    store: SiteStore,
    pending: _Pending,
    counts: SiteCounts,
    progress: Progress | None,
    batch_size: int,
) -> None:
    thread = pending.thread
    if store.get_thread(thread.key) is not None:
        raise ConflictError(
            "conflict",
            f"Thread {thread.key!r} already exists in the store; nothing of it was"
            " imported (threads before it were).",
        )
    # Checked before anything of the thread is written.
    numbers = {c.id for c in pending.comments}
    for number, vote in pending.votes:
        if number not in numbers:
            raise ValidationError(
                "invalid_backup",
                f"a vote in thread {thread.key!r} is on comment {number}, which is not in it",
                field="file",
            )
        if vote.value not in (-1, 1):
            raise ValidationError(
                "invalid_backup",
                f"a vote in thread {thread.key!r} has value {vote.value}; a vote is -1 or 1",
                field="file",
            )
    store.ensure_thread(thread.key, title=thread.title, url=thread.url, now=thread.created_at)
    mapping = store.bulk_load(thread.key, pending.comments, batch_size=batch_size)
    if thread.closed:
        store.set_thread_closed(thread.key, True)
    votes = [attrs.evolve(vote, comment_id=mapping[number]) for number, vote in pending.votes]
    counts.votes += store.load_votes(votes)
    counts.threads += 1
    counts.comments += len(pending.comments)
    if progress is not None:
        progress.advance(comments=len(pending.comments))
