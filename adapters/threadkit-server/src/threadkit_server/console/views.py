"""The admin's pages: comment lists and search, bulk decisions, bans, threads, settings."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from flask import Flask, redirect, render_template, request, send_from_directory, session, url_for
from threadkit_flask import csrf, get_state
from werkzeug.wrappers import Response

from threadkit.bans import Ban, BanKind, CommentSearch, check_ban_value
from threadkit.engine import Decision
from threadkit.errors import NotFoundError, ThreadkitError, ValidationError
from threadkit.models import Actor, Status
from threadkit.ports import AdminStore
from threadkit_server.config import ServerConfig, Site

from .access import admin_actor
from .settings import MODES, SiteSettings

__all__ = ["install"]

LISTS = {
    "pending": ("Pending", (Status.PENDING,)),
    "spam": ("Spam", (Status.SPAM,)),
    "recent": ("Recent", ()),
}
"""The comment lists: their title and the statuses they show (``()``: all but deleted)."""

DURATIONS = {
    "1h": ("1 hour", timedelta(hours=1)),
    "1d": ("1 day", timedelta(days=1)),
    "7d": ("7 days", timedelta(days=7)),
    "30d": ("30 days", timedelta(days=30)),
    "forever": ("Permanently", None),
}
"""How long a ban can last, as the ban form offers it."""

PAGE_SIZE = 50
_NOTES = "threadkit_server.admin_notes"
_STATIC = Path(__file__).resolve().parent.parent / "static"


def _store() -> AdminStore:
    store = get_state().engine.store
    if not isinstance(store, AdminStore):  # the server always runs on SqlCommentStore
        raise TypeError("the moderation admin needs a store that implements AdminStore")
    return store


def _note(text: str) -> None:
    session[_NOTES] = [*session.get(_NOTES, []), text]


def _notes() -> list[str]:
    notes: list[str] = session.pop(_NOTES, [])
    return notes


def _chosen_site(sites: list[Site], config: ServerConfig) -> Site | None:
    """Return the site asked for (``?site=``); ``None``: all, for one who moderates all."""
    wanted = request.values.get("site", "")
    for site in sites:
        if site.id == wanted:
            return site
    if wanted:
        raise NotFoundError("not_found", f"You moderate no site {wanted!r}.")
    return None if len(sites) == len(config.sites) else sites[0]


def _page(template: str, sites: list[Site], **values: object) -> str:
    return render_template(
        f"threadkit_server/admin/{template}",
        sites=sites,
        notes=_notes(),
        token=csrf.token(),
        **values,
    )


def _back(default: str) -> str:
    """Where to go after a form: a path of the admin, never another site."""
    back = request.form.get("back", "")
    admin_root = url_for("admin_comments").rsplit("/", 1)[0] + "/"
    return back if back.startswith(admin_root) and "//" not in back else default


def _form_posted() -> bool:
    """Whether the page's form came back (a POST), its CSRF token checked first."""
    if request.method != "POST":
        return False
    csrf.check_form()
    return True


_View = Callable[..., Response | str]

_ROUTES = (
    ("/admin/", "admin_home", ("GET",)),
    ("/admin/comments", "admin_comments", ("GET",)),
    ("/admin/comments/bulk", "admin_bulk", ("POST",)),
    ("/admin/bans", "admin_bans", ("GET", "POST")),
    ("/admin/bans/<int:ban_id>/lift", "admin_lift", ("POST",)),
    ("/admin/threads", "admin_threads", ("GET", "POST")),
    ("/admin/settings", "admin_settings", ("GET", "POST")),
    ("/admin/static/admin.css", "admin_css", ("GET",)),
)
"""Every admin page: its path, endpoint and methods."""


def install(app: Flask, config: ServerConfig) -> None:
    """Add the admin's pages under ``/admin/`` (see docs/server.md)."""
    views = {**_comment_views(config), **_ban_views(config), **_site_views(config)}
    for path, endpoint, methods in _ROUTES:
        app.add_url_rule(path, endpoint, views[endpoint], methods=list(methods))


def _comment_views(config: ServerConfig) -> dict[str, _View]:
    """Make the comment lists and search, and bulk decisions on the selected comments."""

    def home() -> Response:
        admin_actor(config)
        return redirect(url_for("admin_comments"), code=303)

    def comments() -> str:
        _, sites = admin_actor(config)
        which = request.args.get("list", "pending")
        if which not in LISTS:
            raise ValidationError(
                "invalid", f"list must be one of {', '.join(LISTS)}.", field="list"
            )
        site = _chosen_site(sites, config)
        search = CommentSearch(
            name=request.args.get("name", "").strip(),
            email=request.args.get("email", "").strip(),
            ip=request.args.get("ip", "").strip(),
            statuses=LISTS[which][1],
            thread_prefix=site.prefix if site else "",
        )
        rows = _store().search_comments(
            search, limit=PAGE_SIZE, cursor=request.args.get("cursor") or None
        )
        return _page(
            "comments.html",
            sites,
            lists=LISTS,
            which=which,
            site=site,
            search=search,
            rows=rows,
            here=request.full_path.rstrip("?"),
            all_sites=len(sites) == len(config.sites),
        )

    def bulk() -> Response:
        csrf.check_form()
        actor, sites = admin_actor(config)
        action = request.form.get("action", "")
        if action not in ("approve", "spam", "delete"):
            raise ValidationError(
                "invalid_decision", "action must be approve, spam or delete.", field="action"
            )
        ids = request.form.getlist("ids")
        if not ids:
            raise ValidationError(
                "required", "Select at least one comment, then choose an action.", field="ids"
            )
        done, failed = _decide(actor, sites, Decision(action), ids)
        verb = {"approve": "Approved", "spam": "Marked as spam", "delete": "Deleted"}[action]
        _note(f"{verb}: {len(done)} comment{'s' if len(done) != 1 else ''}.")
        for text in failed:
            _note(text)
        return redirect(_back(url_for("admin_comments")), code=303)

    return {"admin_home": home, "admin_comments": comments, "admin_bulk": bulk}


def _ban_views(config: ServerConfig) -> dict[str, _View]:
    """Make the bans page: list, add and lift bans."""

    def bans() -> Response | str:
        actor, sites = admin_actor(config)
        if _form_posted():
            ban, duration = _ban_from_form(actor)
            ban = _store().add_ban(ban)
            _note(f"Banned {ban.kind.value} {ban.value} ({DURATIONS[duration][0].lower()}).")
            return redirect(url_for("admin_bans"), code=303)
        now = get_state().engine.clock.now()
        return _page(
            "bans.html",
            sites,
            bans=_store().active_bans(now),
            kinds=[kind.value for kind in BanKind],
            durations=DURATIONS,
            kind=request.args.get("kind", "identity"),
            value=request.args.get("value", ""),
        )

    def lift(ban_id: int) -> Response:
        csrf.check_form()
        admin_actor(config)
        _store().lift_ban(ban_id)
        _note(f"Lifted ban {ban_id}.")
        return redirect(url_for("admin_bans"), code=303)

    return {"admin_bans": bans, "admin_lift": lift}


def _site_views(config: ServerConfig) -> dict[str, _View]:
    """Make the per-site pages (close or reopen threads, settings) and the stylesheet."""

    def threads() -> Response | str:
        actor, sites = admin_actor(config)
        if _form_posted():
            site = _chosen_site(sites, config) or sites[0]
            key = request.form.get("thread", "").strip()
            if not key:
                raise ValidationError("required", "Name the thread (its key).", field="thread")
            closed = request.form.get("action") == "close"
            get_state().engine.close_thread(site.prefix + key, actor, closed=closed)
            _note(f"{'Closed' if closed else 'Reopened'} {key} on {site.id}.")
            return redirect(url_for("admin_threads", site=site.id), code=303)
        return _page("threads.html", sites, site=_chosen_site(sites, config) or sites[0])

    def settings() -> Response | str:
        _, sites = admin_actor(config)
        site = _chosen_site(sites, config) or sites[0]
        if _form_posted():
            chosen = SiteSettings.from_form(request.form)
            _store().save_site_settings(site.id, chosen.to_stored())
            _note(f"Saved the settings of {site.id}.")
            return redirect(url_for("admin_settings", site=site.id), code=303)
        current = SiteSettings.from_stored(_store().site_settings(site.id))
        return _page("settings.html", sites, site=site, current=current, modes=MODES)

    def stylesheet() -> Response:
        return send_from_directory(_STATIC, "admin.css", max_age=3600)

    return {"admin_threads": threads, "admin_settings": settings, "admin_css": stylesheet}


def _ban_from_form(actor: Actor) -> tuple[Ban, str]:
    """Read the ban form: the ban to add and the chosen duration's key."""
    try:
        kind = BanKind(request.form.get("kind", ""))
    except ValueError:
        raise ValidationError("invalid", "Ban by identity, email or ip.", field="kind") from None
    duration = request.form.get("duration", "")
    if duration not in DURATIONS:
        raise ValidationError(
            "invalid", f"duration must be one of {', '.join(DURATIONS)}.", field="duration"
        )
    now = get_state().engine.clock.now()
    length = DURATIONS[duration][1]
    ban = Ban(
        kind,
        check_ban_value(kind, request.form.get("value", "")),
        now,
        until=None if length is None else now + length,
        shadow=request.form.get("shadow") == "on",
        reason=request.form.get("reason", "").strip()[:500],
        created_by=actor.key or "",
    )
    return ban, duration


def _decide(
    actor: Actor, sites: list[Site], decision: Decision, ids: list[str]
) -> tuple[list[int], list[str]]:
    """Apply ``decision`` to each comment; return the ids done and a line per failure."""
    engine = get_state().engine
    prefixes = tuple(site.prefix for site in sites)
    done: list[int] = []
    failed: list[str] = []
    for raw in dict.fromkeys(ids):
        if not raw.isdigit():
            failed.append(f"{raw!r} is not a comment id.")
            continue
        comment_id = int(raw)
        comment = engine.store.get_comment(comment_id)
        if comment is None or not comment.thread_key.startswith(prefixes):
            failed.append(f"Comment {comment_id}: there is no such comment on your sites.")
            continue
        try:
            engine.moderate(comment_id, decision, actor)
        except ThreadkitError as error:
            failed.append(f"Comment {comment_id}: {error.message}")
            continue
        done.append(comment_id)
    return done, failed
