"""Planning one thread: which comments to write, as what, and in which order."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime

import attrs

from threadkit.models import NewComment, Status, utc

from ._clean import _Cleaner
from ._model import ExportComment, Skipped


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
    parent_of = _effective_parents(nodes, cleaner.warnings)
    needed = _placeholders_needed(nodes, parent_of)
    skipped += _not_written(nodes, needed)
    writable = [
        sid for sid in parent_of if nodes[sid].status is not Status.DELETED or sid in needed
    ]
    writable.sort(key=lambda sid: (utc(nodes[sid].created_at), order[sid]))
    return _parents_first(
        writable,
        parent_of,
        lambda sid: _Planned(
            sid, parent_of[sid], cleaner.draft(nodes[sid], thread_key, sid in needed)
        ),
        lambda sid: (utc(nodes[sid].created_at), order[sid]),
        cleaner.warnings,
    )


def _effective_parents(
    nodes: Mapping[str, ExportComment], warnings: list[str]
) -> dict[str, str | None]:
    """Map each kept comment to its nearest kept ancestor (``None``: top level)."""
    parent_of: dict[str, str | None] = {}
    for sid, comment in nodes.items():
        if comment.skip:
            continue
        parent = comment.parent_id
        seen = {sid}
        while parent is not None:
            above = nodes.get(parent)
            if above is None:
                warnings.append(
                    f"comment {sid}: its parent {parent} is not in this thread of the export;"
                    " imported at the top level"
                )
                parent = None
            elif parent in seen:
                warnings.append(
                    f"comment {sid}: its ancestors form a loop; imported at the top level"
                )
                parent = None
            elif not above.skip:
                break
            else:
                seen.add(parent)
                parent = above.parent_id
        parent_of[sid] = parent
    return parent_of


def _placeholders_needed(
    nodes: Mapping[str, ExportComment], parent_of: Mapping[str, str | None]
) -> set[str]:
    """Return the deleted comments to write as placeholders: those holding live replies."""
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
    return needed


def _not_written(nodes: Mapping[str, ExportComment], needed: set[str]) -> list[Skipped]:
    """Report the comments marked ``skip`` and the deleted ones nothing below needs."""
    skipped: list[Skipped] = []
    for sid, comment in nodes.items():
        if comment.skip:
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
    return skipped


def _parents_first(
    writable: Sequence[str],
    parent_of: dict[str, str | None],
    plan: Callable[[str], _Planned],
    age: Callable[[str], tuple[datetime, int]],
    warnings: list[str],
) -> list[_Planned]:
    """Plan ``writable`` oldest first; a reply waits for its parent (clocks can be wrong)."""
    planned: list[_Planned] = []
    written: set[str] = set()
    waiting: dict[str, list[str]] = {}

    def write(sid: str) -> None:
        pending = deque([sid])
        while pending:
            current = pending.popleft()
            planned.append(plan(current))
            written.add(current)
            pending.extend(waiting.pop(current, []))

    for sid in writable:
        parent = parent_of[sid]
        if parent is None or parent in written:
            write(sid)
        else:
            waiting.setdefault(parent, []).append(sid)
    while waiting:  # only a loop of replies is left: break it at its oldest member
        loose = min((sid for group in waiting.values() for sid in group), key=age)
        holder = parent_of[loose]
        assert holder is not None  # only replies wait
        waiting[holder].remove(loose)
        waiting = {key: group for key, group in waiting.items() if group}
        warnings.append(f"comment {loose}: its ancestors form a loop; imported at the top level")
        parent_of[loose] = None
        write(loose)
    return planned
