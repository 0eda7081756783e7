"""The server's settings: every option once, read from flags, the environment and a TOML file.

Each :class:`Option` has a command-line flag, an environment variable
(``THREADKIT_SERVER_<NAME>``) and a key in the config file; a value given as a
flag wins over the environment, which wins over the file, which wins over the
default. :data:`OPTIONS` is the one list: ``--help``, the docs table and the
tests read it.

>>> config = load_config(["--site", "https://blog.example", "--dev"], environ={})
>>> [site.id for site in config.sites], config.db
(['blog.example'], 'sqlite:///comments.db')
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import attrs

__all__ = [
    "ENV_PREFIX",
    "LOGIN_KEYS",
    "OPTIONS",
    "ConfigError",
    "Option",
    "ServerConfig",
    "Site",
    "load_config",
    "parse_origin",
]

ENV_PREFIX = "THREADKIT_SERVER_"
"""Every environment variable of the server starts with this."""

LOGIN_KEYS = (
    *(
        f"{kind}_{part}"
        for kind in ("GOOGLE", "GITHUB", "FACEBOOK", "X", "WORDPRESS", "OIDC")
        for part in ("CLIENT_ID", "CLIENT_SECRET")
    ),
    "OIDC_DISCOVERY_URL",
    "OIDC_NAME",
    "OIDC_LABEL",
)
"""The login settings threadkit-social's ``providers_from_config`` reads (without prefix)."""


class ConfigError(ValueError):
    """A setting is missing or wrong; the message says which and how to set it."""


_SITE_ID = re.compile(r"^[a-z0-9][a-z0-9._-]{0,62}$")


def parse_origin(value: str) -> str:
    """Return ``value`` as an origin (``scheme://host[:port]``), or raise ConfigError."""
    text = value.strip().rstrip("/")
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path:
        raise ConfigError(
            f"a site is the origin of the pages that show comments, such as "
            f"'https://blog.example' (scheme and host, optional port, no path), got {value!r}"
        )
    return text.lower()


@attrs.frozen
class Site:
    """One site that may embed the comments: its origin, id and moderators.

    ``id`` namespaces its threads: thread ``post-42`` of this site is stored as
    ``<id>:post-42``, so two sites' keys never collide. It defaults to the
    origin's host (and port, as ``host_port``). ``moderators`` are identity keys
    (``github:1234``) or the emails of verified logins.
    """

    origin: str
    id: str
    moderators: tuple[str, ...] = ()

    @classmethod
    def from_origin(
        cls, origin: str, *, id: str | None = None, moderators: Sequence[str] = ()
    ) -> Site:
        """Build a site from its origin, deriving the id when none is given."""
        clean = parse_origin(origin)
        parts = urlsplit(clean)
        derived = (parts.hostname or "") + (f"_{parts.port}" if parts.port else "")
        chosen = (id or derived).lower()
        if not _SITE_ID.match(chosen):
            raise ConfigError(
                f"site id {chosen!r} must be 1-63 lowercase letters, digits, '.', '_' or '-' "
                "(no ':', which separates it from thread keys)"
            )
        return cls(clean, chosen, tuple(str(m).strip() for m in moderators if str(m).strip()))

    @property
    def prefix(self) -> str:
        """The start of every stored thread key of this site: ``"<id>:"``."""
        return f"{self.id}:"


@attrs.frozen
class Option:
    """One setting: its name (the config file key), flag, help and how to read a value."""

    name: str
    help: str
    default: Any = None
    parse: Callable[[Any], Any] = str
    multiple: bool = False  # a list: the flag repeats, the variable is comma-separated
    flag_only: bool = False  # a switch (store_true)
    metavar: str | None = None
    env_name: str | None = None  # when the variable is not the name upper-cased

    @property
    def flag(self) -> str:
        """The command-line flag, ``--<name with dashes>``."""
        return "--" + self.name.replace("_", "-")

    @property
    def env(self) -> str:
        """The environment variable, ``THREADKIT_SERVER_<NAME>``."""
        return ENV_PREFIX + (self.env_name or self.name.upper())


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off", ""):
        return False
    raise ConfigError(f"expected true or false, got {value!r}")


def _port(value: Any) -> int:
    try:
        port = int(value)
    except (TypeError, ValueError):
        raise ConfigError(f"a port is a number from 0 to 65535, got {value!r}") from None
    if not 0 <= port <= 65535:
        raise ConfigError(f"a port is a number from 0 to 65535, got {value!r}")
    return port


def _optional_origin(value: Any) -> str | None:
    return parse_origin(str(value)) if value else None


OPTIONS: tuple[Option, ...] = (
    Option("db", "database URL: sqlite:///comments.db (default), "
           "postgresql+psycopg://user@host/db or mysql+pymysql://...",
           default="sqlite:///comments.db", metavar="URL"),
    Option("site", "origin of a site that may embed the comments and post, such as "
           "https://blog.example (repeat for several sites; in the file: [[sites]] tables)",
           default=(), multiple=True, metavar="ORIGIN", env_name="SITES"),
    Option("moderator", "a moderator of every site: an identity key (github:1234) or the "
           "email of a verified login (repeatable)", default=(), multiple=True, metavar="WHO",
           env_name="MODERATORS"),
    Option("host", "address to listen on", default="127.0.0.1", metavar="HOST"),
    Option("port", "port to listen on (0: any free port)", default=8080, parse=_port),
    Option("public_url", "the comment server's own public origin, which login callbacks and "
           "emailed links are built on (default: http://HOST:PORT)",
           parse=_optional_origin, metavar="ORIGIN"),
    Option("secret_key", "secret that signs sessions and seals tokens; required unless --dev "
           "(generate one: python -c 'import secrets; print(secrets.token_urlsafe(32))')",
           metavar="SECRET"),
    Option("dev", "development mode: a throwaway secret key if none is set (logins and "
           "tokens do not survive a restart)", default=False, parse=_bool, flag_only=True),
    Option("upgrade", "create or upgrade the database tables on start (Alembic migrations)",
           default=False, parse=_bool, flag_only=True),
    Option("admin_password", "password of the local admin login at /admin/login, which "
           "moderates every site", metavar="PASSWORD"),
    Option("redis", "redis://host:6379/0: several workers share the cache of encoded "
           "public pages there (needs threadkit-flask[redis]); default: each worker's own",
           metavar="URL"),
    Option("url_prefix", "where the comment routes live (the JSON API is under PREFIX/api); "
           "default: the root, where embed.js looks (else give the script data-prefix)",
           default="", metavar="PREFIX"),
    Option("login", "a login setting of threadkit-social, KEY=VALUE with KEY one of "
           + ", ".join(LOGIN_KEYS) + " (repeatable; as variables: THREADKIT_SERVER_<KEY>)",
           default=(), multiple=True, metavar="KEY=VALUE"),
    Option("smtp_url", "SMTP server for email notifications: smtp://user:password@host:587 "
           "(STARTTLS), smtps://... (TLS) or smtp+plain://... (none); needs threadkit-notify",
           metavar="URL"),
    Option("mail_from", "sender of notification emails, such as 'Blog <blog@example.org>'",
           metavar="ADDRESS"),
    Option("notify", "email address told about comments held for moderation (repeatable)",
           default=(), multiple=True, metavar="EMAIL"),
    Option("webhook_url", "URL that gets a signed POST for every new, approved, spam or "
           "deleted comment; needs threadkit-notify", metavar="URL"),
    Option("webhook_secret", "secret that signs the webhook's requests", metavar="SECRET"),
    Option("akismet_key", "Akismet API key: check every comment with Akismet; needs "
           "threadkit-akismet", metavar="KEY"),
    Option("akismet_endpoint", "Akismet's API address (default: the real one, "
           "https://rest.akismet.com/1.1/; another for a local test double)", metavar="URL"),
)
"""Every option of ``threadkit-server``, in the order ``--help`` shows them."""

_BY_NAME = {option.name: option for option in OPTIONS}


@attrs.frozen
class ServerConfig:
    """Everything the server needs, resolved (flag > environment > file > default)."""

    db: str = "sqlite:///comments.db"
    sites: tuple[Site, ...] = ()
    moderators: tuple[str, ...] = ()
    host: str = "127.0.0.1"
    port: int = 8080
    public_url: str | None = None
    secret_key: str | None = None
    dev: bool = False
    upgrade: bool = False
    admin_password: str | None = None
    redis: str | None = None
    url_prefix: str = ""
    logins: Mapping[str, str] = attrs.field(factory=dict)
    smtp_url: str | None = None
    mail_from: str | None = None
    notify: tuple[str, ...] = ()
    webhook_url: str | None = None
    webhook_secret: str | None = None
    akismet_key: str | None = None
    akismet_endpoint: str | None = None
    sources: Mapping[str, str] = attrs.field(factory=dict, eq=False)

    @property
    def base_url(self) -> str:
        """The server's public origin: ``public_url``, else ``http://host:port``."""
        return self.public_url or f"http://{self.host}:{self.port}"

    def site_for(self, origin: str) -> Site | None:
        """Return the site whose origin is ``origin``, if any."""
        clean = origin.rstrip("/").lower()
        return next((site for site in self.sites if site.origin == clean), None)


def _split(value: Any) -> list[str]:
    if isinstance(value, list | tuple):
        return [str(item) for item in value]
    return [part for part in re.split(r"[,\s]+", str(value)) if part]


def _read_file(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError(f"config file {path} does not exist (--config / "
                          f"{ENV_PREFIX}CONFIG)") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"config file {path} is not valid TOML: {error}") from None


def _logins(raw: Sequence[str] | Mapping[str, Any]) -> dict[str, str]:
    pairs: list[tuple[str, str]] = []
    if isinstance(raw, Mapping):
        pairs = [(str(k), str(v)) for k, v in raw.items()]
    else:
        for item in raw:
            key, equals, value = str(item).partition("=")
            if not equals:
                raise ConfigError(f"--login takes KEY=VALUE, got {item!r}")
            pairs.append((key, value))
    found: dict[str, str] = {}
    for key, value in pairs:
        upper = key.strip().upper()
        if upper not in LOGIN_KEYS:
            raise ConfigError(f"unknown login setting {key!r}; use one of {', '.join(LOGIN_KEYS)}")
        found[upper] = value
    return found


def _file_sites(tables: Any, path: Path) -> list[Site]:
    if not isinstance(tables, list):
        raise ConfigError(f"{path}: sites must be [[sites]] tables with an origin each")
    sites = []
    for table in tables:
        if not isinstance(table, Mapping) or "origin" not in table:
            raise ConfigError(f"{path}: every [[sites]] table needs origin = \"https://...\"")
        unknown = set(table) - {"origin", "id", "moderators"}
        if unknown:
            raise ConfigError(f"{path}: [[sites]] does not take {', '.join(sorted(unknown))}")
        sites.append(
            Site.from_origin(
                str(table["origin"]),
                id=table.get("id"),
                moderators=_split(table.get("moderators", [])),
            )
        )
    return sites


def _origin_of(option: Option, source: str, path: Path) -> str:
    """Name where a value came from: the flag, the variable or the file and its key."""
    if source == "flag":
        return option.flag
    if source == "env":
        return option.env
    if source == "file":
        return f"{path}: {option.name}"
    return f"the default of {option.flag}"


def load_config(
    argv: Sequence[str] | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    flags: Mapping[str, Any] | None = None,
) -> ServerConfig:
    """Resolve the configuration: ``flags`` (parsed, or parsed from ``argv``) > env > file.

    ``environ`` defaults to ``os.environ``. The file is ``--config`` or
    ``THREADKIT_SERVER_CONFIG``. Raises :class:`ConfigError` for a missing or
    wrong setting, with a message that says how to set it.
    """
    env = dict(os.environ if environ is None else environ)
    if flags is None:
        from ._cli import parse_serve_flags

        flags = parse_serve_flags(list(argv or []))
    given = {name: value for name, value in flags.items() if value is not None}
    config_path = given.pop("config", None) or env.get(ENV_PREFIX + "CONFIG")
    file: dict[str, Any] = _read_file(Path(config_path)) if config_path else {}
    path = Path(config_path or "threadkit.toml")
    known = set(_BY_NAME) | {"sites", "moderators", "logins", "config"}
    unknown = set(file) - known
    if unknown:
        raise ConfigError(f"{path}: unknown setting(s) {', '.join(sorted(unknown))}")
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for option in OPTIONS:
        if option.name in given and given[option.name] not in ((), [], False):
            raw, source = given[option.name], "flag"
        elif option.env in env:
            raw = _split(env[option.env]) if option.multiple else env[option.env]
            source = "env"
        elif option.name == "site" and "sites" in file:
            raw, source = file["sites"], "file"
        elif option.name == "moderator" and "moderators" in file:
            raw, source = _split(file["moderators"]), "file"
        elif option.name == "login" and "logins" in file:
            raw, source = file["logins"], "file"
        elif option.name in file:
            raw, source = file[option.name], "file"
        else:
            raw, source = option.default, "default"
        sources[option.name] = source
        if option.name == "site":
            if source == "file":
                values["sites"] = tuple(_file_sites(raw, path))
            else:
                values["sites"] = tuple(Site.from_origin(o) for o in _split(raw))
        elif option.name == "login":
            logins = _logins(raw)
            for key in LOGIN_KEYS:  # one variable per login setting, too
                if ENV_PREFIX + key in env and sources["login"] != "flag":
                    logins.setdefault(key, env[ENV_PREFIX + key])
            values["logins"] = logins
        elif option.name == "moderator":
            values["moderators"] = tuple(_split(raw))
        elif option.multiple:
            values[option.name] = tuple(_split(raw))
        elif raw is None:
            values[option.name] = None
        else:
            try:
                values[option.name] = option.parse(raw)
            except ConfigError as error:  # say which setting to fix, not only the value
                raise ConfigError(f"{_origin_of(option, source, path)}: {error}") from None
    ids = [site.id for site in values["sites"]]
    if len(set(ids)) != len(ids):
        raise ConfigError(f"two sites have the same id ({', '.join(ids)}); give one an id")
    return ServerConfig(**values, sources=sources)
