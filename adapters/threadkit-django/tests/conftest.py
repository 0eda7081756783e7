"""pytest-django set-up: the test project in ``django_settings`` (this folder on sys.path).

Django is set up here rather than with ``--ds`` in the root pytest settings, so
the rest of the suite runs without it; pytest-django's ``client``, ``db`` and
``django_user_model`` fixtures then work as usual.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))


def pytest_configure(config: pytest.Config) -> None:
    """Point Django at the test project and set it up."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "django_settings")
    import django

    django.setup()
