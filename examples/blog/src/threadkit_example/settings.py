"""The example blog's settings, read from environment variables (with sane defaults)."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path

import attrs

__all__ = ["Settings", "load_settings"]

_PACKAGE_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_HOLD_WORDS = ("casino", "crypto giveaway")
DEFAULT_SPAM_WORDS = ("viagra",)


@attrs.frozen
class Settings:
    """Everything the example reads from its environment (see the example's README)."""

    data_dir: Path
    database_url: str
    secret_key: str
    database_timeout: float = 10.0
    host: str = "127.0.0.1"
    port: int = 8000
    hold_words: tuple[str, ...] = DEFAULT_HOLD_WORDS
    spam_words: tuple[str, ...] = DEFAULT_SPAM_WORDS
    max_links: int = 2
    flood_seconds: float = 10.0
    seed_long_thread: int = 1200
    site_url: str = "http://127.0.0.1:8000"
    akismet_key: str = ""
    akismet_endpoint: str = ""
    social_config: Mapping[str, str] = attrs.field(factory=dict)
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_security: str = "none"
    mail_sender: str = "Crumb & Spoke <blog@localhost>"
    moderator_email: str = ""


def _words(value: str | None, default: tuple[str, ...]) -> tuple[str, ...]:
    if value is None:
        return default
    return tuple(word.strip() for word in value.split(",") if word.strip())


def _secret(data_dir: Path, env: Mapping[str, str]) -> str:
    if env.get("THREADKIT_EXAMPLE_SECRET_KEY"):
        return env["THREADKIT_EXAMPLE_SECRET_KEY"]
    # Made once and kept beside the database, so logins survive a restart.
    path = data_dir / "secret-key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Read the settings from ``env`` (default: the process environment)."""
    env = os.environ if env is None else env
    data_dir = Path(env.get("THREADKIT_EXAMPLE_DATA", _PACKAGE_ROOT / "data")).resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    # threadkit_social reads THREADKIT_<PROVIDER>_CLIENT_ID / _CLIENT_SECRET itself.
    social_config = {
        key: value
        for key, value in env.items()
        if key.startswith("THREADKIT_") and ("_CLIENT_" in key or key.startswith("THREADKIT_OIDC_"))
    }
    host = env.get("THREADKIT_EXAMPLE_HOST", "127.0.0.1")
    port = int(env.get("THREADKIT_EXAMPLE_PORT", "8000"))
    return Settings(
        data_dir=data_dir,
        database_url=env.get("THREADKIT_EXAMPLE_DATABASE_URL", f"sqlite:///{data_dir / 'blog.db'}"),
        secret_key=_secret(data_dir, env),
        database_timeout=float(env.get("THREADKIT_EXAMPLE_DATABASE_TIMEOUT", "10")),
        host=host,
        port=port,
        hold_words=_words(env.get("THREADKIT_EXAMPLE_HOLD_WORDS"), DEFAULT_HOLD_WORDS),
        spam_words=_words(env.get("THREADKIT_EXAMPLE_SPAM_WORDS"), DEFAULT_SPAM_WORDS),
        max_links=int(env.get("THREADKIT_EXAMPLE_MAX_LINKS", "2")),
        flood_seconds=float(env.get("THREADKIT_EXAMPLE_FLOOD_SECONDS", "10")),
        seed_long_thread=int(env.get("THREADKIT_EXAMPLE_LONG_THREAD", "1200")),
        site_url=env.get("THREADKIT_EXAMPLE_SITE_URL", f"http://{host}:{port}"),
        akismet_key=env.get("THREADKIT_AKISMET_KEY", ""),
        akismet_endpoint=env.get("THREADKIT_AKISMET_ENDPOINT", ""),
        social_config=social_config,
        smtp_host=env.get("THREADKIT_SMTP_HOST", ""),
        smtp_port=int(env.get("THREADKIT_SMTP_PORT", "25")),
        smtp_security=env.get("THREADKIT_SMTP_SECURITY", "none"),
        mail_sender=env.get("THREADKIT_MAIL_SENDER", "Crumb & Spoke <blog@localhost>"),
        moderator_email=env.get("THREADKIT_MODERATOR_EMAIL", ""),
    )
