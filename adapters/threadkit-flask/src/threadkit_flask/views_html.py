"""Server-rendered routes: form posts that work without JavaScript, pages and fragments.

Form posts (post, edit, delete, vote, moderate) check the CSRF token and
answer with a redirect back to the page they came from (``next``, checked
with :func:`threadkit.redirects.safe_next`) at ``#comment-<id>``. A failed
post shows the form again with the error and what was typed. The
``/fragments/...`` routes return bits of HTML, rendered by the same templates,
that the bundled JavaScript inserts into the page.
"""

from __future__ import annotations

import math
from typing import Any

from flask import Blueprint, Response, redirect, render_template, request, url_for
from threadkit_web import form_page, pages
from threadkit_web import page_cache as web_cache
from threadkit_web import posting as web_posting
from threadkit_web.context import require_moderator
from threadkit_web.inputs import form_submission
from threadkit_web.unsubscribe import confirm_context
from werkzeug.wrappers import Response as BaseResponse

from threadkit.errors import (
    RateLimitedError,
    ThreadkitError,
)
from threadkit.models import Actor, Comment
from threadkit.redirects import safe_next
from threadkit.serialization import parse_form_submission, parse_vote
from threadkit.tree import TreeNode

from . import csrf, i18n, inputs, page_cache, posting, rendering, visitors
from .state import get_state

__all__ = ["register"]

_NO_STORE = {"Cache-Control": "no-store"}


def _html(body: str, status: int = 200) -> Response:
    response = Response(body, status=status, mimetype="text/html")
    response.headers.update(_NO_STORE)
    return response


def _back(fallback: str = "/") -> str:
    """Where to send the browser after a form post: the form's ``next``, if same-origin."""
    target = safe_next(request.form.get("next", "") or request.args.get("next", ""), fallback)
    return target.split("#", 1)[0]


def _to_comment(comment_id: int, fallback: str = "/") -> BaseResponse:
    return redirect(f"{_back(fallback)}#comment-{comment_id}", code=303)


def _page(template: str, status: int = 200, **context: Any) -> Response:
    state = get_state()
    context.setdefault("tk", rendering.TemplateHelper(state))
    context.setdefault("viewer", rendering.current_viewer(state))
    context.setdefault("reply_to", None)
    context.setdefault("closed", False)
    return _html(render_template(template, **context), status)


# ---------------------------------------------------------------- posting


def post(key: str) -> BaseResponse:
    """Post a comment (or reply) from the HTML form; redirect to it (or show its preview)."""
    csrf.check_form()
    state = get_state()
    form = {name: str(value) for name, value in request.form.items()}
    try:
        if form_page.wants_preview(form):
            visit = rendering.FlaskVisit(state)
            context = form_page.form_page_context(state, visit, key, form, _back, preview=True)
            return _html(render_template("threadkit/preview.html", **context))
        fields = {name: inputs.form_text(name) for name in ("name", "email", "url")}
        submission = parse_form_submission(form_submission(form))
        comment = web_posting.post_comment(
            state,
            rendering.FlaskVisit(state),
            key,
            submission,
            fields,
            request.form.get("thread_meta") or None,
            request.form.get(posting.IDEMPOTENCY_FIELD) or None,
        )
    except ThreadkitError as error:
        context = form_page.form_page_context(
            state, rendering.FlaskVisit(state), key, form, _back, error=error
        )
        response = _html(render_template("threadkit/post_error.html", **context), error.http_status)
        if isinstance(error, RateLimitedError):
            response.headers["Retry-After"] = str(max(1, math.ceil(error.retry_after)))
        return response
    return _to_comment(comment.id)


def comment_page(comment_id: str) -> Response:
    """Return a comment and its replies on a page of their own (permalink, "N more replies")."""
    state = get_state()
    context = pages.comment_page_context(state, rendering.FlaskVisit(state), comment_id, _back())
    return _page("threadkit/comment_page.html", **context)


# ---------------------------------------------------------------- edit / delete / vote


def _changeable(comment_id: str) -> Comment:
    state = get_state()
    return pages.changeable(state, rendering.FlaskVisit(state), comment_id)


def edit(comment_id: str) -> BaseResponse:
    """Show the edit form (GET) or save the new text (POST) and go back to the comment."""
    comment = _changeable(comment_id)
    error: ThreadkitError | None = None
    body = comment.body_source
    if request.method == "POST":
        csrf.check_form()
        body = request.form.get("body", "")
        try:
            get_state().engine.edit(comment.id, body, visitors.actor())
        except ThreadkitError as failure:
            error = failure
        else:
            return _to_comment(comment.id)
    template = (
        "threadkit/_edit_form.html" if request.args.get("fragment") else "threadkit/edit.html"
    )
    return _page(
        template,
        error.http_status if error else 200,
        comment=comment,
        body=body,
        error=error,
        next_url=_back(),
    )


def delete(comment_id: str) -> BaseResponse:
    """Ask to confirm (GET) or delete (POST) and go back to the thread."""
    comment = _changeable(comment_id)
    if request.method == "POST":
        csrf.check_form()
        left = get_state().engine.delete(comment.id, visitors.actor())
        target = comment.id if left is not None else (comment.parent_id or None)
        if target is None:
            return redirect(f"{_back()}#comments", code=303)
        return _to_comment(target)
    return _page("threadkit/delete.html", comment=comment, next_url=_back())


def vote(comment_id: str) -> BaseResponse:
    """Vote from the HTML buttons and go back to the comment."""
    csrf.check_form()
    value = parse_vote(request.form.get("value", ""))
    cid = inputs.comment_id(comment_id)
    get_state().engine.vote(cid, visitors.actor(create=True), value, visitors.request_context())
    return _to_comment(cid)


# ---------------------------------------------------------------- moderation


def _require_moderator() -> None:
    require_moderator(rendering.FlaskVisit(get_state()))


def queue() -> Response:
    """Return the moderation queue: pending or spam comments, with why each was held."""
    state = get_state()
    return _page("threadkit/queue.html", **pages.queue_context(state, rendering.FlaskVisit(state)))


def moderate(comment_id: str) -> BaseResponse:
    """Apply a decision from the queue page and go back to the queue."""
    csrf.check_form()
    decision = pages.decision(request.form.get("decision", ""))
    get_state().engine.moderate(inputs.comment_id(comment_id), decision, visitors.actor())
    state = get_state()
    fallback = url_for(f"{state.blueprint_name}.queue")
    return redirect(safe_next(request.form.get("next", ""), fallback), code=303)


def moderate_link(token: str) -> Response:
    """One-click moderation from an email: GET confirms, a CSRF-protected POST acts.

    The signed token is the moderator's authority for this one comment and
    action; GET never changes anything.
    """
    act = request.method == "POST"
    if act:
        csrf.check_form()
    context = pages.moderate_link_context(get_state(), token, act=act)
    return _page("threadkit/moderate_link.html", **context)


def unsubscribe(token: str) -> Response:
    """Stop reply emails for one comment: GET confirms, POST (RFC 8058 one-click) acts.

    No CSRF token is possible in a mail client's one-click POST; the signed
    token is the authorization, and the action is harmless to repeat.
    """
    context = pages.unsubscribe_context(get_state(), token, act=request.method == "POST")
    return _page("threadkit/unsubscribe.html", **context)


def subscribe(token: str) -> Response:
    """Confirm a pending thread subscription from its email: GET asks, a CSRF-checked POST acts.

    The signed token is the authorization; GET never changes anything (mail
    scanners open links), and confirming twice is harmless.
    """
    act = request.method == "POST"
    if act:
        csrf.check_form()
    context = confirm_context(get_state(), token, act=act)
    return _page("threadkit/subscribe.html", **context)


# ---------------------------------------------------------------- fragments for JavaScript


def _fragment(nodes: list[TreeNode], **context: Any) -> Response:
    context.setdefault("next_url", _back())
    return _page(
        "threadkit/_fragment.html",
        nodes=nodes,
        key=context.pop("key", ""),
        uid="tkf",
        number=0,
        reply_base=context["next_url"] + ("&" if "?" in context["next_url"] else "?"),
        **context,
    )


def _thread_fragment(key: str, actor: Actor, tk: rendering.TemplateHelper | None) -> Response:
    state = get_state()
    page = state.engine.page(key, actor, sort=inputs.query_sort(), cursor=inputs.query_cursor())
    response = _fragment(page.nodes, key=key, **({} if tk is None else {"tk": tk}))
    if page.next_cursor:
        response.headers["X-Threadkit-Next"] = url_for(
            f"{state.blueprint_name}.fragment_thread",
            key=key,
            cursor=page.next_cursor,
            sort=page.sort.value,
            next=_back(),
        )
    return response


class _SlotHelper(rendering.TemplateHelper):
    """Renders the CSRF token as a slot, filled per reader when the cached page is served."""

    def csrf_token(self) -> str:
        return page_cache.CSRF_SLOT


def fragment_thread(key: str) -> Response:
    """Return the next page of top-level comments as ``<li>`` items (see ``X-Threadkit-Next``).

    Public readers get it from the page cache: the ``X-Threadkit-Next`` link
    is kept on the first line of the cached bytes, the body after it.
    """
    actor = visitors.actor()
    if not page_cache.is_public_reader(actor):
        return _thread_fragment(key, actor, None)

    def build() -> bytes:
        built = _thread_fragment(key, actor, _SlotHelper(get_state()))
        return web_cache.pack_fragment(built.headers.get("X-Threadkit-Next"), built.get_data())

    params = {
        "sort": request.args.get("sort"),
        "cursor": request.args.get("cursor"),
        "next": _back(),
        # The language it is rendered in: the host's choice, else Accept-Language.
        "locale": i18n.current_locale(),
    }
    tag, cached = page_cache.cached_page(
        web_cache.PageRead("html-fragment", key, params, build, page_cache.csrf_tag())
    )
    if cached is None:
        return page_cache.not_modified(tag.etag + page_cache.csrf_tag(), shared=False)
    more, body = web_cache.unpack_fragment(cached)
    response = Response(page_cache.fill_csrf(body), mimetype="text/html")
    if more:
        response.headers["X-Threadkit-Next"] = more
    return page_cache.public_headers(response, tag.etag + page_cache.csrf_tag(), shared=False)


def fragment_comment(comment_id: str) -> Response:
    """One comment as an ``<li>`` item, without its replies (after posting or editing)."""
    state = get_state()
    comment = state.engine.get_comment(inputs.comment_id(comment_id), visitors.actor())
    node = TreeNode(comment, pages.comment_depth(state, comment))
    return _fragment([node], key=comment.thread_key)


def fragment_replies(comment_id: str) -> Response:
    """All replies under one comment as ``<li>`` items (``X-Threadkit-Next`` continues)."""
    state = get_state()
    cid = inputs.comment_id(comment_id)
    subtree = state.engine.subtree(cid, visitors.actor(), cursor=inputs.query_cursor())
    response = _fragment(subtree.nodes, key=subtree.parent.thread_key)
    if subtree.next_cursor:
        response.headers["X-Threadkit-Next"] = url_for(
            f"{state.blueprint_name}.fragment_replies",
            comment_id=str(cid),
            cursor=subtree.next_cursor,
            next=_back(),
        )
    return response


def register(bp: Blueprint) -> None:
    """Add the HTML routes to ``bp``."""
    add = bp.add_url_rule
    add("/threads/<key>/comments", "post", post, methods=["POST"])
    add("/comments/<comment_id>", "comment_page", comment_page, methods=["GET"])
    add("/comments/<comment_id>/edit", "edit", edit, methods=["GET", "POST"])
    add("/comments/<comment_id>/delete", "delete", delete, methods=["GET", "POST"])
    add("/comments/<comment_id>/vote", "vote", vote, methods=["POST"])
    add("/moderation", "queue", queue, methods=["GET"])
    add("/moderation/<comment_id>", "moderate", moderate, methods=["POST"])
    add("/moderate/<token>", "moderate_link", moderate_link, methods=["GET", "POST"])
    add("/unsubscribe/<token>", "unsubscribe", unsubscribe, methods=["GET", "POST"])
    add("/subscribe/<token>", "subscribe", subscribe, methods=["GET", "POST"])
    add("/fragments/threads/<key>", "fragment_thread", fragment_thread, methods=["GET"])
    add("/fragments/comments/<comment_id>", "fragment_comment", fragment_comment, methods=["GET"])
    add(
        "/fragments/comments/<comment_id>/replies",
        "fragment_replies",
        fragment_replies,
        methods=["GET"],
    )
