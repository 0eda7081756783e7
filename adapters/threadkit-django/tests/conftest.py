"""pytest-django set-up: the test project in ``django_settings`` (this folder on sys.path).

Django is configured here with ``settings.configure`` (no ``DJANGO_SETTINGS_MODULE``:
xdist workers would inherit it and import it before this folder is on their path),
so the rest of the suite runs without Django; pytest-django's ``client``, ``db``,
``live_server`` and ``django_user_model`` fixtures then work as usual.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))


def pytest_configure(config: pytest.Config) -> None:
    """Configure Django from the test project's settings and set it up."""
    import django
    from django.conf import settings

    if not settings.configured:
        import django_settings

        settings.configure(
            **{name: value for name, value in vars(django_settings).items() if name.isupper()}
        )
    django.setup()


@pytest.fixture
def fresh_state() -> Iterator[None]:
    """Build threadkit's state from this test's settings, and close it after."""
    from threadkit_django import reset_state

    reset_state()
    yield
    reset_state()
