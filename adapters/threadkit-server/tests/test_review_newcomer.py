"""Review of issue #13 as a newcomer tries it: what a first run trips on."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from threadkit_server import ConfigError, create_app, load_config

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize(
    ("where", "env", "argv", "named"),
    [
        ("variable", {"THREADKIT_SERVER_DEV": "maybe"}, [], "THREADKIT_SERVER_DEV"),
        ("variable", {"THREADKIT_SERVER_PORT": "x"}, ["--dev"], "THREADKIT_SERVER_PORT"),
        ("flag", {}, ["--dev", "--port", "70000"], "--port"),
        ("variable", {"THREADKIT_SERVER_PUBLIC_URL": "comments"}, ["--dev"],
         "THREADKIT_SERVER_PUBLIC_URL"),
    ],
)
def test_a_bad_value_names_the_setting_it_came_from(
    where: str, env: dict[str, str], argv: list[str], named: str
) -> None:
    """A wrong value's error names the flag or variable that gave it, not just the value."""
    environ = {"THREADKIT_SERVER_SITES": "https://blog.example", **env}
    with pytest.raises(ConfigError, match=re.escape(named)):
        load_config(argv, environ=environ)


def test_a_bad_value_in_the_file_names_the_file_and_key(tmp_path: Path) -> None:
    """A wrong value in the config file names the file and its key."""
    config = tmp_path / "threadkit.toml"
    config.write_text('port = "eighty"\n[[sites]]\norigin = "https://blog.example"\n')
    with pytest.raises(ConfigError, match=re.escape(f"{config}: port")):
        load_config(["--config", str(config), "--dev"], environ={})


def test_the_readme_static_site_path_says_how_to_set_up_first() -> None:
    """The README's static-site quick start says to run ./dev setup before .venv/bin/..."""
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Comments on a static site", 1)[1].split("\n## ", 1)[0]
    before_command = section.split(".venv/bin/threadkit-server", 1)[0]
    assert "./dev setup" in before_command


def _front_page_tag(argv: list[str]) -> str:
    base = ["--dev", "--upgrade", "--db", "sqlite://", "--site", "https://blog.example"]
    config = load_config([*base, *argv], environ={})
    page = create_app(config).test_client().get("/").text
    found = re.search(r"&lt;script (.*?)&gt;", page)
    assert found is not None
    return html.unescape(found.group(1))


def test_the_front_page_tag_works_when_pasted_on_another_site() -> None:
    """The tag the front page shows to copy names the server by its public URL, not '/embed.js'."""
    tag = _front_page_tag(["--public-url", "https://comments.example"])
    assert 'src="https://comments.example/embed.js" data-thread="post-42" async' == tag


def test_the_front_page_tag_carries_the_url_prefix() -> None:
    """With --url-prefix the tag to copy says data-prefix, which embed.js needs to find the API."""
    tag = _front_page_tag(["--public-url", "https://comments.example", "--url-prefix", "/comments"])
    assert 'data-prefix="/comments"' in tag
