"""Progress reports for long exports and imports, on standard error.

On a terminal a one-line bar redraws in place; otherwise (a log, a pipe) a
plain line is written every ``every`` steps, so logs stay readable; quiet
prints nothing. The counts are the caller's, so the same object serves any
loop.
"""

from __future__ import annotations

import sys
from typing import TextIO

__all__ = ["Progress"]


class Progress:
    """Report ``done`` out of ``total`` (``None``: unknown) things under a label.

    >>> import io
    >>> out = io.StringIO()
    >>> bar = Progress("threads", total=2, stream=out, every=1)
    >>> bar.advance(comments=3); bar.advance(comments=4); bar.finish()
    >>> out.getvalue().splitlines()[-1]
    'threads: 2/2 (7 comments) done'
    """

    def __init__(
        self,
        label: str,
        *,
        total: int | None = None,
        stream: TextIO | None = None,
        quiet: bool = False,
        every: int = 100,
    ) -> None:
        self.label = label
        self.total = total
        self.stream = sys.stderr if stream is None else stream
        self.quiet = quiet
        self.every = max(1, every)
        self.done = 0
        self.comments = 0
        isatty = getattr(self.stream, "isatty", None)
        self.tty = bool(isatty()) if callable(isatty) else False

    def advance(self, *, comments: int = 0) -> None:
        """Count one more unit done (and ``comments`` more comments) and maybe report."""
        self.done += 1
        self.comments += comments
        if self.quiet:
            return
        if self.tty:
            self.stream.write("\r" + self._line(bar=True))
            self.stream.flush()
        elif self.done % self.every == 0:
            self.stream.write(self._line(bar=False) + "\n")

    def finish(self) -> None:
        """Write the final line."""
        if self.quiet:
            return
        prefix = "\r" if self.tty else ""
        self.stream.write(prefix + self._line(bar=False) + " done\n")
        self.stream.flush()

    def _line(self, *, bar: bool) -> str:
        of = "" if self.total is None else f"/{self.total}"
        text = f"{self.label}: {self.done}{of} ({self.comments} comments)"
        if bar and self.total:
            filled = min(30, 30 * self.done // self.total)
            text = f"[{'#' * filled}{'.' * (30 - filled)}] {text}"
        return text
