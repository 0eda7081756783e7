"""threadkit-server's options: flag > environment > file > default, --help, and clear errors."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from server_support import script, server_env
from threadkit_server import OPTIONS, ConfigError, Site, create_app, load_config
from threadkit_server._cli import build_parser


def write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "threadkit.toml"
    path.write_text(text, encoding="utf-8")
    return str(path)


@pytest.mark.parametrize(
    ("flag", "env", "file", "expected"),
    [
        (["--port", "9001"], {"THREADKIT_SERVER_PORT": "9002"}, "port = 9003\n", 9001),
        ([], {"THREADKIT_SERVER_PORT": "9002"}, "port = 9003\n", 9002),
        ([], {}, "port = 9003\n", 9003),
        ([], {}, "", 8080),
    ],
    ids=["flag-wins", "env-over-file", "file-over-default", "default"],
)
def test_precedence_is_flag_env_file_default(
    tmp_path: Path, flag: list[str], env: dict[str, str], file: str, expected: int
) -> None:
    """A flag beats the environment, which beats the config file, which beats the default."""
    argv = ["--config", write(tmp_path, file), *flag]
    assert expected == load_config(argv, environ=env).port


def test_the_config_file_can_come_from_the_environment(tmp_path: Path) -> None:
    """THREADKIT_SERVER_CONFIG names the file when --config is not given."""
    path = write(tmp_path, 'db = "sqlite:///from-file.db"\n')
    config = load_config([], environ={"THREADKIT_SERVER_CONFIG": path})
    assert "sqlite:///from-file.db" == config.db


def test_sites_from_the_file_have_their_own_moderators(tmp_path: Path) -> None:
    """[[sites]] tables give each site an origin, an optional id and its moderators."""
    path = write(
        tmp_path,
        '[[sites]]\norigin = "https://a.example"\nmoderators = ["github:1"]\n'
        '[[sites]]\norigin = "http://127.0.0.1:8001/"\nid = "local"\n',
    )
    config = load_config(["--config", path], environ={})
    assert (
        Site("https://a.example", "a.example", ("github:1",)),
        Site("http://127.0.0.1:8001", "local", ()),
    ) == config.sites


def test_sites_from_the_environment_are_a_list_and_a_flag_replaces_them() -> None:
    """THREADKIT_SERVER_SITES is comma separated; --site given on the command line wins whole."""
    env = {"THREADKIT_SERVER_SITES": "https://a.example, http://127.0.0.1:8001"}
    assert ["a.example", "127.0.0.1_8001"] == [s.id for s in load_config([], environ=env).sites]
    flagged = load_config(["--site", "https://c.example"], environ=env)
    assert ["https://c.example"] == [site.origin for site in flagged.sites]


def test_switches_read_from_the_environment() -> None:
    """--dev and --upgrade can be set as THREADKIT_SERVER_DEV=true and ..._UPGRADE=1."""
    env = {"THREADKIT_SERVER_DEV": "true", "THREADKIT_SERVER_UPGRADE": "1"}
    config = load_config([], environ=env)
    assert (True, True) == (config.dev, config.upgrade)


def test_login_settings_from_flags_and_environment() -> None:
    """--login KEY=VALUE and THREADKIT_SERVER_<KEY> both fill threadkit-social's settings."""
    env = {"THREADKIT_SERVER_GITHUB_CLIENT_SECRET": "s"}
    config = load_config([], environ={**env, "THREADKIT_SERVER_GITHUB_CLIENT_ID": "i"})
    assert {"GITHUB_CLIENT_ID": "i", "GITHUB_CLIENT_SECRET": "s"} == dict(config.logins)
    flagged = load_config(["--login", "github_client_id=j"], environ={})
    assert {"GITHUB_CLIENT_ID": "j"} == dict(flagged.logins)


def test_help_explains_every_option() -> None:
    """--help names every option's flag and its environment variable."""
    text = " ".join(build_parser().format_help().split())
    missing = [o.flag for o in OPTIONS if o.flag not in text or o.env not in text]
    assert [] == missing
    assert "--config" in text


def test_the_command_prints_its_help() -> None:
    """The installed threadkit-server command answers --help and exits 0."""
    done = subprocess.run(
        [script("threadkit-server"), "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        env=server_env(),
        check=False,
    )
    assert 0 == done.returncode, done.stderr
    assert "--secret-key" in done.stdout


def test_a_missing_secret_says_how_to_set_it(tmp_path: Path) -> None:
    """Outside --dev, no secret key is an error that names the flag and the variable."""
    config = load_config(
        ["--site", "https://a.example", "--db", f"sqlite:///{tmp_path / 'c.db'}"], environ={}
    )
    with pytest.raises(ConfigError, match="--secret-key or THREADKIT_SERVER_SECRET_KEY"):
        create_app(config)


def test_no_site_says_how_to_add_one() -> None:
    """A server with no site is an error that names --site."""
    with pytest.raises(ConfigError, match="--site"):
        create_app(load_config(["--dev", "--db", "sqlite://"], environ={}))


@pytest.mark.parametrize("origin", ["blog.example", "https://blog.example/path", "ftp://x.example"])
def test_a_site_must_be_an_origin(origin: str) -> None:
    """A site that is not scheme://host[:port] is refused with an example of one."""
    with pytest.raises(ConfigError, match=re.escape("https://blog.example")):
        load_config(["--site", origin], environ={})


def test_unknown_file_settings_are_refused(tmp_path: Path) -> None:
    """A misspelt key in the config file is an error, not silently ignored."""
    with pytest.raises(ConfigError, match="prot"):
        load_config(["--config", write(tmp_path, "prot = 1\n")], environ={})


def test_the_docs_list_every_option() -> None:
    """docs/server.md's options table names every option's flag and variable."""
    docs = Path(__file__).resolve().parents[3] / "docs" / "server.md"
    text = docs.read_text(encoding="utf-8")
    missing = [o.flag for o in OPTIONS if f"`{o.flag}`" not in text or f"`{o.env}`" not in text]
    assert [] == missing
