"""The notifiers threadkit-server builds from its settings: SMTP adds reply and thread emails."""

from __future__ import annotations

from pathlib import Path

from threadkit_server import load_config
from threadkit_server._app import build_notifiers
from threadkit_sqlalchemy import SqlCommentStore


def test_smtp_settings_build_reply_thread_and_moderator_notifiers(tmp_path: Path) -> None:
    """With --smtp-url, --mail-from and --notify: moderators, replies and thread subscribers."""
    argv = ["--site", "https://blog.example", "--db", f"sqlite:///{tmp_path / 'c.db'}"]
    argv += ["--smtp-url", "smtp+plain://127.0.0.1:2525", "--mail-from", "blog@example.org"]
    argv += ["--notify", "me@example.org", "--upgrade"]
    config = load_config(argv, environ={})
    store = SqlCommentStore(config.db, upgrade=True)
    try:
        found = build_notifiers(config, store, "a secret")
    finally:
        store.close()
    assert ["email-moderators", "email-replies", "email-thread"] == [n.channel for n in found]
    assert found[1] is getattr(found[2], "replies", None)
