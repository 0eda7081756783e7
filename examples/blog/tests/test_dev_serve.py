"""``./dev serve``: set-up only when stale, ``--help`` starts nothing, a busy port says why."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def _serve(args: list[str], data: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """Run ``python -m threadkit_example`` (what ``./dev serve`` runs) with a fresh data folder."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("THREADKIT_EXAMPLE_")}
    environ |= {"THREADKIT_EXAMPLE_DATA": str(data), **env}
    command = [sys.executable, "-m", "threadkit_example", *args]
    return subprocess.run(command, env=environ, capture_output=True, text=True, timeout=120)


def test_help_prints_usage_and_starts_nothing(tmp_path: Path) -> None:
    """--help lists --port and exits 0 before any database is made or server started."""
    done = _serve(["--help"], tmp_path / "data")
    assert (0, True, True, False) == (
        done.returncode,
        done.stdout.startswith("usage: ./dev serve"),
        "--port PORT" in done.stdout,
        (tmp_path / "data" / "blog.db").exists(),
    )


def test_busy_port_says_which_setting_to_change_and_prints_no_url(tmp_path: Path) -> None:
    """A taken port fails at once, naming THREADKIT_EXAMPLE_PORT and --port, with no URL."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = _serve(["--port", str(port)], tmp_path / "data")
    assert (1, "", True, True, True) == (
        done.returncode,
        done.stdout,
        f"port {port} is busy" in done.stderr,
        "set THREADKIT_EXAMPLE_PORT=" in done.stderr,
        "./dev serve --port " in done.stderr,
    )


def _fake_checkout(tmp_path: Path) -> tuple[Path, Path]:
    """A copy of ./dev over stand-ins: a venv whose uv only logs that it ran (no network)."""
    tree = tmp_path / "tree"
    tree.mkdir()
    shutil.copy(ROOT / "dev", tree / "dev")
    for name in ("requirements.lock", "requirements-dev.txt", "pyproject.toml"):
        (tree / name).write_text(f"# {name}\n", encoding="utf-8")
    bin_dir = tree / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    log = tmp_path / "uv.log"
    (bin_dir / "uv").write_text(f'#!/bin/sh\necho installed >>"{log}"\n', encoding="utf-8")
    # The stand-in app: prints its arguments, as the example would get them.
    (bin_dir / "python").write_text('#!/bin/sh\necho "serving $*"\n', encoding="utf-8")
    for program in bin_dir.iterdir():
        program.chmod(0o755)
    return tree, log


def _installs(tree: Path, log: Path) -> tuple[int, str]:
    """Run ``./dev serve --port 8123``; return how many installs the log shows and the output."""
    environ = {k: v for k, v in os.environ.items() if k not in ("THREADKIT_VENV", "PYTHON")}
    done = subprocess.run(
        [str(tree / "dev"), "serve", "--port", "8123"],
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    count = len(log.read_text(encoding="utf-8").splitlines()) if log.exists() else 0
    return count, done.stdout.strip()


def test_serve_sets_up_only_when_a_pin_or_package_changed(tmp_path: Path) -> None:
    """First start installs; a second start does not; a changed requirements.lock does again."""
    tree, log = _fake_checkout(tmp_path)
    first = _installs(tree, log)
    second = _installs(tree, log)
    (tree / "requirements.lock").write_text("# a new pin\n", encoding="utf-8")
    third = _installs(tree, log)
    expected_output = "serving -m threadkit_example --port 8123"
    assert [(1, expected_output), (1, expected_output), (2, expected_output)] == [
        first,
        second,
        third,
    ]
