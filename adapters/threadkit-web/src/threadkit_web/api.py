"""The JSON API's handlers without a framework: parsed input in, status, headers and bytes out.

Each function here is the whole of one route of ``<prefix>/api`` once the
adapter has routed the request, checked CSRF and read the JSON body
(:func:`threadkit_web.inputs.json_object`): it asks the engine and answers an
:class:`Answer`, which the adapter wraps in its own response with
``Content-Type: application/json; charset=utf-8`` and ``Cache-Control:
no-store``. Errors are raised as :class:`~threadkit.errors.ThreadkitError`
(the adapter turns them into problems with :mod:`threadkit_web.problems`).
Shapes are :mod:`threadkit.serialization`'s public ones. A ``comment_id`` is
the raw URL segment: one that is no id is a 404, checked in the same order as
the other inputs in every adapter, so the same bad request gets the same error.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import attrs

from threadkit.engine import Decision
from threadkit.errors import ValidationError
from threadkit.models import Actor, Identity, SortOrder
from threadkit.serialization import encode_public, parse_submission, parse_vote, shape_of, shapes

from . import inputs, posting
from .request import Visit, WebRequest, request_context
from .state import WebState

__all__ = [
    "JSON_TYPE",
    "Answer",
    "ThreadQuery",
    "comment",
    "counts",
    "delete",
    "edit",
    "me",
    "me_shape",
    "moderate",
    "post",
    "preview",
    "queue",
    "replies_page",
    "reply",
    "thread_page",
    "vote",
]

JSON_TYPE = "application/json; charset=utf-8"
"""Content-Type of every JSON API answer that is not a problem."""


@attrs.frozen
class Answer:
    """One JSON answer: status, extra headers (``Location``) and the encoded body."""

    body: bytes
    status: int = 200
    headers: Mapping[str, str] = attrs.field(factory=dict)


@attrs.frozen
class ThreadQuery:
    """The query of a thread page (``sort``, ``cursor``, ``limit``, ``total_limit``), checked."""

    sort: SortOrder | None
    cursor: str | None
    limit: int | None
    total_limit: int | None

    @classmethod
    def read(cls, request: WebRequest) -> ThreadQuery:
        """Read and check the query of ``request`` (422 for a bad value)."""
        limit = inputs.query_limit(request, "limit")
        total_limit = inputs.query_limit(request, "total_limit")
        sort = inputs.query_sort(request)
        return cls(sort, inputs.query_cursor(request), limit, total_limit)

    def params(self) -> dict[str, Any]:
        """Return the values as plain JSON values (a page cache key's parameters)."""
        return {
            "sort": None if self.sort is None else self.sort.value,
            "cursor": self.cursor,
            "limit": self.limit,
            "total_limit": self.total_limit,
        }


def thread_page(
    state: WebState, actor: Actor, key: str, query: ThreadQuery, *, source: bool = True
) -> bytes:
    """Return one page of a thread as a tree (``source``: with each comment's Markdown)."""
    page = state.engine.page(
        key,
        actor,
        sort=query.sort,
        cursor=query.cursor,
        top_limit=query.limit,
        total_limit=query.total_limit,
    )
    return encode_public(page, moderator=actor.moderator, source=source)


def replies_page(
    state: WebState,
    actor: Actor,
    comment_id: int,
    cursor: str | None,
    total_limit: int | None,
    *,
    source: bool = True,
) -> bytes:
    """Return the replies under one comment ("N more replies"), as a tree."""
    page = state.engine.subtree(comment_id, actor, cursor=cursor, total_limit=total_limit)
    return encode_public(page, moderator=actor.moderator, source=source)


def post(
    state: WebState, visit: Visit, key: str, data: dict[str, object], idempotency_key: str | None
) -> Answer:
    """Post the comment in ``data`` to thread ``key``: 201 with it and its ``Location``."""
    submission = parse_submission(data)
    meta = inputs.text_field(data, "thread_meta") or None
    made = posting.post_comment(
        state, visit, key, submission, inputs.author_fields(data), meta, idempotency_key
    )
    location = visit.urls.url("api_comment", comment_id=str(made.id))
    return Answer(encode_public(made), 201, {"Location": location})


def preview(state: WebState, data: Mapping[str, object]) -> Answer:
    """Render ``data``'s ``body`` as posting it would show it (same checks), storing nothing."""
    submission = parse_submission(data)
    shown = state.engine.preview(submission.body)
    return Answer(json.dumps({"body_html": shown}).encode("utf-8"))


def reply(
    state: WebState,
    visit: Visit,
    comment_id: str,
    data: dict[str, object],
    idempotency_key: str | None,
) -> Answer:
    """Reply to one comment: the thread is the parent's."""
    parent = state.engine.get_comment(inputs.comment_id(comment_id), visit.actor())
    data["parent_id"] = parent.id
    return post(state, visit, parent.thread_key, data, idempotency_key)


def comment(state: WebState, visit: Visit, comment_id: str) -> Answer:
    """Return one comment the reader may see."""
    cid = inputs.comment_id(comment_id)
    actor = visit.actor()
    found = state.engine.get_comment(cid, actor)
    return Answer(encode_public(found, moderator=actor.moderator))


def edit(state: WebState, visit: Visit, comment_id: str, data: Mapping[str, object]) -> Answer:
    """Change a comment's text (its author within the edit window, or a moderator)."""
    body = inputs.text_field(data, "body", required=True)
    actor = visit.actor()
    edited = state.engine.edit(inputs.comment_id(comment_id), body, actor)
    return Answer(encode_public(edited, moderator=actor.moderator))


def delete(state: WebState, visit: Visit, comment_id: str) -> Answer:
    """Delete a comment; the answer holds the placeholder left for its replies, or null."""
    actor = visit.actor()
    left = state.engine.delete(inputs.comment_id(comment_id), actor)
    answer = shapes.ModeratorDeleted if actor.moderator else shapes.Deleted
    shown = None if left is None else shape_of(left, moderator=actor.moderator)
    return Answer(encode_public(answer(shown)))


def vote(state: WebState, visit: Visit, comment_id: str, data: Mapping[str, object]) -> Answer:
    """Vote a comment up (1), down (-1) or withdraw the vote (0)."""
    if "value" not in data:
        raise ValidationError("required", '"value" is required.', field="value")
    value = parse_vote(data["value"])
    cid = inputs.comment_id(comment_id)
    voted = state.engine.vote(cid, visit.actor(create=True), value, request_context(visit.request))
    return Answer(encode_public(voted))


def moderate(
    state: WebState, visit: Visit, comment_id: str, data: Mapping[str, object]
) -> Answer:
    """Apply a moderator's decision: approve, spam, ham (not spam) or delete."""
    raw = inputs.text_field(data, "decision", required=True)
    try:
        decision = Decision(raw)
    except ValueError:
        choices = ", ".join(d.value for d in Decision)
        raise ValidationError(
            "invalid_decision", f"decision must be one of {choices}.", field="decision"
        ) from None
    result = state.engine.moderate(inputs.comment_id(comment_id), decision, visit.actor())
    shown = None if result is None else shape_of(result, moderator=True)
    return Answer(encode_public(shapes.ModeratorDeleted(shown)))


def queue(state: WebState, visit: Visit) -> Answer:
    """Return the moderation queue (pending and spam by default), newest first."""
    rows = state.engine.queue(
        visit.actor(),
        inputs.query_statuses(visit.request),
        limit=state.settings.queue_page_size,
        cursor=inputs.query_cursor(visit.request),
    )
    return Answer(encode_public(rows, moderator=True))


def counts(state: WebState, request: WebRequest) -> Answer:
    """Return published-comment counts for many threads at once: ``?thread=a&thread=b``."""
    keys = request.arg_list("thread")
    if not keys:
        raise ValidationError("required", "Name at least one thread.", field="thread")
    return Answer(encode_public(shapes.Counts(state.engine.counts(keys))))


def me_shape(
    state: WebState,
    visit: Visit,
    logged_in: Identity | None,
    identity: Identity | None,
    csrf_token: str,
) -> shapes.Me:
    """Return who ``identity`` is, whether they moderate, the CSRF token and the login choices."""
    shown = None
    if identity is not None and (logged_in is not None or identity.name):
        shown = shape_of(identity)
    providers = []
    for provider in state.providers.values():
        if provider.kind == "redirect":
            login = visit.urls.url("auth_login", name=provider.name)
            label = getattr(provider, "label", provider.name)
            providers.append(shapes.Provider(provider.name, provider.kind, label, login))
        else:
            providers.append(shapes.Provider(provider.name, provider.kind))
    moderator = bool(state.is_moderator(logged_in))
    return shapes.Me(
        shown, logged_in is not None, moderator, csrf_token, state.settings.csrf_header, providers
    )


def me(state: WebState, visit: Visit, csrf_token: str) -> Answer:
    """Return the reader: logged in, else anonymous by browser id (``csrf_token``: to send)."""
    logged_in = visit.logged_in()
    identity = logged_in or posting.anonymous_identity(state, visit)
    return Answer(encode_public(me_shape(state, visit, logged_in, identity, csrf_token)))
