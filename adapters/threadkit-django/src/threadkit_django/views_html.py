"""Server-rendered routes: the no-JS form posts, the moderation queue and HTML fragments.

Form posts check Django's CSRF token and answer with a redirect back to the
page they came from (``next``, checked by :func:`threadkit.redirects.safe_next`)
at ``#comment-<id>``; a failed post shows the form again with the error and
what was typed. Pages are the shared Jinja templates of ``threadkit_web``.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from threadkit_web import form_page, inputs, pages, posting
from threadkit_web.context import (
    TemplateHelper,
    viewer_of,
)
from threadkit_web.request import request_context
from threadkit_web.unsubscribe import confirm_context

from threadkit.errors import (
    ThreadkitError,
)
from threadkit.redirects import safe_next
from threadkit.serialization import parse_form_submission, parse_vote
from threadkit.tree import TreeNode

from . import page_cache
from .responses import html, threadkit_view
from .state import get_state
from .web import visit_of

__all__ = [
    "comment_page",
    "delete",
    "edit",
    "fragment_comment",
    "fragment_thread",
    "fragment_replies",
    "moderate",
    "moderate_link",
    "post",
    "queue",
    "subscribe",
    "unsubscribe",
    "vote",
]


def _back(request: HttpRequest, fallback: str = "/") -> str:
    """Where to go after a form post: the form's ``next``, if it is on this site."""
    target = safe_next(request.POST.get("next", "") or request.GET.get("next", ""), fallback)
    return target.split("#", 1)[0]


def _to_comment(request: HttpRequest, comment_id: int) -> HttpResponse:
    return HttpResponseRedirect(f"{_back(request)}#comment-{comment_id}", status=303)


def _page(request: HttpRequest, template: str, status: int = 200, **context: Any) -> HttpResponse:
    visit = visit_of(request)
    state = get_state()
    context.setdefault("tk", TemplateHelper(state.web, visit))
    context.setdefault("viewer", viewer_of(state.web, visit))
    context.setdefault("reply_to", None)
    context.setdefault("closed", False)
    return html(visit.render(template, **context), status)


@threadkit_view(api=False, check="form")
def post(request: HttpRequest, key: str) -> HttpResponse:
    """Post a comment (or reply) from the HTML form; redirect to it, or show an error or preview."""
    form: dict[str, str] = {k: str(v) for k, v in request.POST.items()}
    state = get_state().web
    visit = visit_of(request)

    def back(fallback: str) -> str:
        return _back(request, fallback)

    try:
        if form_page.wants_preview(form):
            context = form_page.form_page_context(state, visit, key, form, back, preview=True)
            return html(visit.render("threadkit/preview.html", **context))
        fields = {name: inputs.form_text(form, name) for name in ("name", "email", "url")}
        submission = parse_form_submission(inputs.form_submission(form))
        comment = posting.post_comment(
            state,
            visit,
            key,
            submission,
            fields,
            form.get("thread_meta") or None,
            form.get(inputs.IDEMPOTENCY_FIELD) or None,
        )
    except ThreadkitError as error:
        context = form_page.form_page_context(state, visit, key, form, back, error=error)
        return html(visit.render("threadkit/post_error.html", **context), error.http_status)
    return _to_comment(request, comment.id)


@threadkit_view(api=False, check="form")
def vote(request: HttpRequest, comment_id: str) -> HttpResponse:
    """Vote from the HTML buttons and go back to the comment."""
    value = parse_vote(request.POST.get("value", ""))
    cid = inputs.comment_id(comment_id)
    visit = visit_of(request)
    get_state().engine.vote(cid, visit.actor(create=True), value, request_context(visit.request))
    return _to_comment(request, cid)


@threadkit_view(api=False, check="form")
def edit(request: HttpRequest, comment_id: str) -> HttpResponse:
    """Show the edit form (GET) or save the new text (POST) and go back to the comment."""
    comment = pages.changeable(get_state().web, visit_of(request), comment_id)
    error: ThreadkitError | None = None
    body = comment.body_source
    if request.method == "POST":
        body = request.POST.get("body", "")
        try:
            get_state().engine.edit(comment.id, body, visit_of(request).actor())
        except ThreadkitError as failure:
            error = failure
        else:
            return _to_comment(request, comment.id)
    template = "threadkit/_edit_form.html" if request.GET.get("fragment") else "threadkit/edit.html"
    status = error.http_status if error else 200
    return _page(
        request, template, status, comment=comment, body=body, error=error, next_url=_back(request)
    )


@threadkit_view(api=False, check="form")
def delete(request: HttpRequest, comment_id: str) -> HttpResponse:
    """Ask to confirm (GET) or delete (POST) and go back to the thread."""
    comment = pages.changeable(get_state().web, visit_of(request), comment_id)
    if request.method != "POST":
        return _page(request, "threadkit/delete.html", comment=comment, next_url=_back(request))
    left = get_state().engine.delete(comment.id, visit_of(request).actor())
    target = comment.id if left is not None else comment.parent_id
    if target is None:
        return HttpResponseRedirect(f"{_back(request)}#comments", status=303)
    return _to_comment(request, target)


@threadkit_view(api=False)
def queue(request: HttpRequest) -> HttpResponse:
    """Show the moderation queue: pending or spam comments, with why each was held."""
    context = pages.queue_context(get_state().web, visit_of(request))
    return _page(request, "threadkit/queue.html", **context)


@threadkit_view(api=False, check="form")
def moderate(request: HttpRequest, comment_id: str) -> HttpResponse:
    """Apply a moderator's decision (approve, spam, ham, delete) and go back."""
    decision = pages.decision(request.POST.get("decision", ""))
    cid = inputs.comment_id(comment_id)
    get_state().engine.moderate(cid, decision, visit_of(request).actor())
    fallback = visit_of(request).urls.url("queue")
    return HttpResponseRedirect(safe_next(request.POST.get("next", ""), fallback), status=303)


@threadkit_view(api=False, check="form")
def moderate_link(request: HttpRequest, token: str) -> HttpResponse:
    """One-click moderation from an email: GET confirms, a CSRF-checked POST acts.

    The signed token is the moderator's authority for this one comment and
    action, so the reader need not be logged in; GET never changes anything.
    """
    context = pages.moderate_link_context(
        get_state().web, token, act=request.method == "POST"
    )
    return _page(request, "threadkit/moderate_link.html", **context)


@threadkit_view(api=False)
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """Stop reply emails for one comment: GET confirms, POST (RFC 8058 one-click) acts.

    No CSRF check: a mail client's one-click POST cannot carry a token, the
    signed token is the authorization, and stopping twice is harmless.
    """
    context = pages.unsubscribe_context(get_state().web, token, act=request.method == "POST")
    return _page(request, "threadkit/unsubscribe.html", **context)


@threadkit_view(api=False, check="form")
def subscribe(request: HttpRequest, token: str) -> HttpResponse:
    """Confirm a pending thread subscription from its email: GET asks, a CSRF-checked POST acts.

    The signed token is the authorization; GET never changes anything (mail
    scanners open links), and confirming twice is harmless.
    """
    context = confirm_context(get_state().web, token, act=request.method == "POST")
    return _page(request, "threadkit/subscribe.html", **context)


def _fragment(
    request: HttpRequest, nodes: list[TreeNode], key: str, tk: TemplateHelper | None = None
) -> HttpResponse:
    back = _back(request)
    helper: dict[str, Any] = {} if tk is None else {"tk": tk}  # else _page's own
    return _page(
        request,
        "threadkit/_fragment.html",
        nodes=nodes,
        key=key,
        uid="tkf",
        number=0,
        next_url=back,
        reply_base=back + ("&" if "?" in back else "?"),
        **helper,
    )


@threadkit_view(api=False)
def fragment_thread(request: HttpRequest, key: str) -> HttpResponse:
    """Return the next page of top-level comments as ``<li>`` items (see ``X-Threadkit-Next``).

    Public readers get it from the page cache (:mod:`threadkit_django.page_cache`).
    """
    visit = visit_of(request)
    sort, cursor = inputs.query_sort(visit.request), inputs.query_cursor(visit.request)

    def build(tk: TemplateHelper | None) -> HttpResponse:
        page = get_state().engine.page(key, visit.actor(), sort=sort, cursor=cursor)
        response = _fragment(request, page.nodes, key, tk)
        if page.next_cursor:
            response["X-Threadkit-Next"] = visit.urls.url(
                "fragment_thread",
                key=key,
                cursor=page.next_cursor,
                sort=page.sort.value,
                next=_back(request),
            )
        return response

    params = {"sort": request.GET.get("sort"), "cursor": cursor, "next": _back(request)}
    return page_cache.fragment(request, key, params, build)


@threadkit_view(api=False)
def fragment_comment(request: HttpRequest, comment_id: str) -> HttpResponse:
    """One comment as an ``<li>`` item (the script inserts it after posting)."""
    state = get_state()
    comment = state.engine.get_comment(inputs.comment_id(comment_id), visit_of(request).actor())
    node = TreeNode(comment, pages.comment_depth(get_state().web, comment))
    return _fragment(request, [node], comment.thread_key)


@threadkit_view(api=False)
def fragment_replies(request: HttpRequest, comment_id: str) -> HttpResponse:
    """Every reply under one comment as ``<li>`` items ("N more replies" with JS)."""
    cid = inputs.comment_id(comment_id)
    cursor = inputs.query_cursor(visit_of(request).request)
    subtree = get_state().engine.subtree(cid, visit_of(request).actor(), cursor=cursor)
    response = _fragment(request, subtree.nodes, subtree.parent.thread_key)
    if subtree.next_cursor:
        urls = visit_of(request).urls
        response["X-Threadkit-Next"] = urls.url(
            "fragment_replies", comment_id=cid, cursor=subtree.next_cursor, next=_back(request)
        )
    return response


@threadkit_view(api=False)
def comment_page(request: HttpRequest, comment_id: str) -> HttpResponse:
    """Show a comment and its replies on a page of their own ("N more replies" without JS)."""
    context = pages.comment_page_context(
        get_state().web, visit_of(request), comment_id, _back(request)
    )
    return _page(request, "threadkit/comment_page.html", **context)
