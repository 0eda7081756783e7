"""The comment form shown again after a no-JavaScript post: with its error, or a preview.

A failed post and a "Preview" press (the ``tk_preview`` submit button) both
answer with a page holding the form as it was sent: the adapter reads the
posted form into a plain mapping and renders ``post_error.html`` or
``preview.html`` with :func:`form_page_context` (``preview=True`` for the
latter). A preview goes through the engine's own checks and Markdown renderer
(:meth:`CommentEngine.preview`), so it shows exactly what posting would, and it
stores nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from threadkit.errors import ThreadkitError

from .context import FormState, page_context, thread_meta
from .request import Visit
from .state import WebState

__all__ = ["PREVIEW_FIELD", "form_page_context", "wants_preview"]

PREVIEW_FIELD = "tk_preview"
"""Name of the form's "Preview" submit button: present when the reader pressed it."""

_MAX_ID_DIGITS = 18  # a parent id longer than this is no id (and no int overflow later)


def wants_preview(form: Mapping[str, str]) -> bool:
    """Whether a posted comment form asks for a preview instead of posting."""
    return PREVIEW_FIELD in form


def form_page_context(
    state: WebState,
    visit: Visit,
    key: str,
    form: Mapping[str, str],
    back: Callable[[str], str],
    *,
    error: ThreadkitError | None = None,
    preview: bool = False,
) -> dict[str, Any]:
    """Return the context of the form page: what was typed, the error or the preview HTML.

    ``form`` is the posted form; ``back(fallback)`` is the adapter's checked
    ``next`` address (``fallback`` when missing or off-site). ``preview=True``
    renders the posted body as posting would; it raises the engine's error for
    a body the engine refuses.
    """
    shown = state.engine.preview(form.get("body", "")) if preview else None
    raw_parent = form.get("parent_id", "")
    digits = raw_parent.isascii() and raw_parent.isdigit() and len(raw_parent) <= _MAX_ID_DIGITS
    parent_id = int(raw_parent) if digits else None
    title, url = thread_meta(state, key, form.get("thread_meta"))
    values = {name: form.get(name, "") for name in ("name", "email", "url", "body")}
    context = page_context(
        state,
        visit,
        key,
        title=title,
        url=url,
        next_url=back(url or "/"),
        reply_to=parent_id,
        form=FormState(values=values, parent_id=parent_id, error=error, preview=shown),
    )
    # Keep the thread's signed title and url for the real post that follows.
    context["meta_token"] = form.get("thread_meta", "") or context["meta_token"]
    return context
