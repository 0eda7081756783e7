"""A hatchling metadata hook: every threadkit distribution takes the core's one version.

The version is written once, as ``__version__`` in ``src/threadkit/__init__.py``.
An adapter's ``pyproject.toml`` declares ``dynamic = ["version", "dependencies"]``
and points ``[tool.hatch.metadata.hooks.custom]`` here; the hook sets its version
to the core's and turns the names in ``lockstep`` into exact pins
(``threadkit==<version>``) placed before the other ``dependencies`` of that table::

    [tool.hatch.metadata.hooks.custom]
    path = "../../tools/lockstep.py"
    lockstep = ["threadkit"]
    dependencies = ["flask>=3.1"]
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from hatchling.metadata.plugin.interface import MetadataHookInterface

#: Where the one version literal lives, relative to the repository root.
VERSION_FILE = Path("src") / "threadkit" / "__init__.py"


def core_version(repository: Path) -> str:
    """Read ``__version__ = "..."`` from the core package of ``repository``."""
    text = (repository / VERSION_FILE).read_text(encoding="utf-8")
    found = re.search(r'^__version__ = "([^"]+)"$', text, re.MULTILINE)
    if found is None:
        raise ValueError(f"no __version__ = \"...\" line in {repository / VERSION_FILE}")
    return found.group(1)


class LockstepMetadataHook(MetadataHookInterface):
    """Set ``version`` and ``dependencies`` from the core's version (see the module docs)."""

    PLUGIN_NAME = "custom"

    def update(self, metadata: dict[str, Any]) -> None:
        """Fill in the dynamic ``version`` and ``dependencies`` fields."""
        repository = Path(__file__).resolve().parents[1]
        version = core_version(repository)
        metadata["version"] = version
        pins = [f"{name}=={version}" for name in self.config.get("lockstep", [])]
        metadata["dependencies"] = pins + list(self.config.get("dependencies", []))
