"""The command lines: threadkit-export, threadkit-import threadkit, threadkit-data."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from export_support import STORES, named

from threadkit.exporters.__main__ import main as export_main
from threadkit.exporters.personal import main as data_main
from threadkit.importers.__main__ import main as import_main
from threadkit.models import Status
from threadkit.testing.site_sample import fill_sample_site


@pytest.fixture(autouse=True)
def sample() -> Iterator[None]:
    """The store ``source`` holds the sample site; every other named store starts empty."""
    STORES.clear()
    fill_sample_site(named("source"), generated=60)
    yield
    STORES.clear()


def _store(name: str) -> list[str]:
    return ["--store", "export_support:named", "--store-arg", name]


def test_export_then_import_moves_the_whole_site(tmp_path: Path) -> None:
    """threadkit-export -o FILE, then threadkit-import threadkit FILE, then export: same file."""
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    assert 0 == export_main([*_store("source"), "-o", str(first), "--quiet"])
    assert 0 == import_main(["threadkit", str(first), *_store("copy"), "--quiet"])
    assert 0 == export_main([*_store("copy"), "-o", str(second), "--quiet"])
    assert first.read_bytes() == second.read_bytes()


def test_import_refuses_a_non_empty_store(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Importing into a store with threads exits 2 and says how to proceed."""
    path = tmp_path / "a.jsonl"
    export_main([*_store("source"), "-o", str(path), "--quiet"])
    assert 2 == import_main(["threadkit", str(path), *_store("source"), "--quiet"])
    assert "import into an empty store" in capsys.readouterr().err


def test_progress_goes_to_stderr_as_plain_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Off a terminal, progress is plain text on stderr; stdout is the export only."""
    assert 0 == export_main(_store("source"))
    out, err = capsys.readouterr()
    assert {"format": "threadkit-site", "version": 1} == json.loads(out.splitlines()[0])
    assert "\r" not in err
    assert "exported 4 threads" in err


def test_wxr_format_writes_a_wordpress_file(tmp_path: Path) -> None:
    """--format wxr writes WXR 1.2."""
    path = tmp_path / "site.xml"
    assert 0 == export_main([*_store("source"), "--format", "wxr", "-o", str(path), "--quiet"])
    assert "<wp:wxr_version>1.2</wp:wxr_version>" in path.read_text(encoding="utf-8")


def test_data_export_by_email_finds_anonymous_comments(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """threadkit-data export --email lists the comments written with that email, any case."""
    assert 0 == data_main(["export", "--email", "ANNA@example.org", *_store("source")])
    data = json.loads(capsys.readouterr().out)
    assert ["First!", "Reply to gone"] == [c["body_source"] for c in data["comments"]]
    assert 2 == len(data["votes"])


def test_data_erase_needs_yes_and_keeps_threads_readable(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Erasing without --yes changes nothing; with it, a comment with replies is a placeholder."""
    store = named("source")
    assert 2 == data_main(["erase", "--email", "anna@example.org", *_store("source")])
    assert "--yes" in capsys.readouterr().err
    assert 0 == data_main(["erase", "--email", "anna@example.org", "--yes", *_store("source")])
    hello = list(store.iter_thread("posts/hello"))
    assert [] == [c for c in hello if c.author.email == "anna@example.org"]
    first = hello[0]
    assert (Status.DELETED, 1) == (first.status, first.reply_count)
    assert {} == store.votes_by("form:browser-anna")
    thread = store.get_thread("posts/hello")
    assert thread is not None
    assert sum(1 for c in hello if c.status is Status.APPROVED) == thread.comment_count
