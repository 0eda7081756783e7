"""Settings, store wiring, identity from request.user, moderators and the management command."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest
from django.contrib.auth.models import AnonymousUser, Permission
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.test import RequestFactory, override_settings
from threadkit_django import identity, state
from threadkit_django.conf import SQL_STORE, database_url, read_settings

from threadkit.clock import SystemClock
from threadkit.engine import CommentEngine
from threadkit.memory import MemoryStore
from threadkit.models import Comment, EventKind, Identity, OutboxMessage, Submission
from threadkit.outbox import OutboxWorker
from threadkit.testing.identity_suite import SessionProviderSuite

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_state() -> Iterator[None]:
    state.reset_state()
    yield
    state.reset_state()


def test_database_url_translates_each_backend() -> None:
    """Django's DATABASES entries become the SQL store's SQLAlchemy URLs."""
    pg = {"ENGINE": "django.db.backends.postgresql", "NAME": "blog", "USER": "app",
          "PASSWORD": "s3cr:t", "HOST": "db.internal", "PORT": 5433}
    assert "postgresql+psycopg://app:s3cr%3At@db.internal:5433/blog" == database_url(pg)
    maria = {"ENGINE": "django.db.backends.mysql", "NAME": "blog", "USER": "root"}
    assert "mysql+pymysql://root@127.0.0.1/blog" == database_url(maria)
    lite = {"ENGINE": "django.db.backends.sqlite3", "NAME": Path("/srv/blog.db")}
    assert "sqlite:////srv/blog.db" == database_url(lite)


def test_unknown_database_engine_says_what_to_set() -> None:
    """A backend threadkit cannot translate names the setting that fixes it."""
    with pytest.raises(ImproperlyConfigured, match="STORE_ARGS"):
        database_url({"ENGINE": "django.db.backends.oracle", "NAME": "x"})


def test_default_store_is_the_sql_store_on_the_project_database() -> None:
    """Without STORE, the SQL store is used with DATABASES['default'] translated."""
    from django.conf import settings as django_settings

    with override_settings(THREADKIT={}):
        settings = read_settings()
    assert SQL_STORE == settings.store
    assert (database_url(django_settings.DATABASES["default"]),) == settings.store_args
    assert settings.store_args[0].startswith("sqlite://")


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"STOR": "x"}, "unknown THREADKIT key"),
        ({"STAFF_MODERATE": "yes"}, "STAFF_MODERATE'] must be a bool"),
        ({"STORE": "nosuchmodule:Store"}, "cannot be imported"),
        ({"STORE": "threadkit.memory.MemoryStore"}, "must be 'module:attribute'"),
        ({"STORE": "threadkit.models:Actor"}, "not a threadkit.ports.CommentStore"),
        ({"STORE": "threadkit.memory:MemoryStore", "PROVIDERS": ["threadkit.models:Actor"]},
         "not an identity provider"),
    ],
)
def test_bad_settings_name_the_key(raw: dict[str, Any], message: str) -> None:
    """Each wrong setting raises ImproperlyConfigured that names the key to fix."""
    with override_settings(THREADKIT=raw), pytest.raises(ImproperlyConfigured, match=message):
        state.get_state()


def test_store_and_engine_come_from_import_paths() -> None:
    """STORE names a class, ENGINE a factory taking the store."""
    with override_settings(THREADKIT={"STORE": "threadkit.memory:MemoryStore",
                                      "ENGINE": "threadkit.engine:CommentEngine"}):
        built = state.get_state()
    assert isinstance(built.engine.store, MemoryStore)
    assert {"django", "anonymous"} == set(built.web.providers)


class TestDjangoUserProvider(SessionProviderSuite):
    """The shared session-provider contract, on request.user."""

    @pytest.fixture
    def provider(self) -> identity.DjangoUserProvider:
        return identity.DjangoUserProvider()

    @pytest.fixture
    def logged_in_request(self, django_user_model: Any) -> object:
        request = RequestFactory().get("/")
        request.user = django_user_model.objects.create_user(
            "ada", "ada@example.org", "pw", first_name="Ada", last_name="Lovelace"
        )
        return request

    @pytest.fixture
    def anonymous_request(self) -> object:
        request = RequestFactory().get("/")
        request.user = AnonymousUser()
        return request


def test_user_identity_is_full_name_email_and_verified(django_user_model: Any) -> None:
    """A Django user comments as django:<pk> with their full name (else username)."""
    ada = django_user_model.objects.create_user("ada", "ada@example.org", "pw",
                                                first_name="Ada", last_name="Lovelace")
    bob = django_user_model.objects.create_user("bob", "", "pw")
    assert Identity("django", str(ada.pk), "Ada Lovelace", "ada@example.org",
                    verified=True) == identity.identity_of(ada)
    assert Identity("django", str(bob.pk), "bob", None, verified=True) == identity.identity_of(bob)
    assert identity.identity_of(AnonymousUser()) is None


def test_moderators_by_permission_or_staff(django_user_model: Any) -> None:
    """threadkit.moderate or is_staff moderates; STAFF_MODERATE=False leaves only the permission."""
    plain = django_user_model.objects.create_user("plain", "", "pw")
    staff = django_user_model.objects.create_user("staff", "", "pw", is_staff=True)
    granted = django_user_model.objects.create_user("granted", "", "pw")
    granted.user_permissions.add(Permission.objects.get(codename="moderate",
                                                        content_type__app_label="threadkit"))
    granted = django_user_model.objects.get(pk=granted.pk)  # fresh permission cache
    moderates = identity.user_moderates
    assert [False, True, True] == [
        moderates(u, "threadkit.moderate", staff=True) for u in (plain, staff, granted)
    ]
    assert [False, False, True] == [
        moderates(u, "threadkit.moderate", staff=False) for u in (plain, staff, granted)
    ]
    assert not moderates(AnonymousUser(), "threadkit.moderate", staff=True)
    provider = identity.DjangoUserProvider()
    for user, expected in ((plain, False), (staff, True)):
        who = identity.identity_of(user)
        assert who is not None
        assert expected == provider.moderates(who, "threadkit.moderate", staff=True)
    assert not provider.moderates(Identity("django", "not-a-pk", "x", verified=True),
                                  "threadkit.moderate", staff=True)


def test_migrate_command_upgrades_the_sql_store(tmp_path: Path) -> None:
    """manage.py threadkit migrate runs the SQL store's upgrade on the store URL."""
    from threadkit_sqlalchemy import SqlCommentStore

    url = f"sqlite:///{tmp_path / 'comments.db'}"
    out: list[str] = []
    with override_settings(THREADKIT={"STORE": SQL_STORE, "STORE_ARGS": [url]}):
        from io import StringIO

        buffer = StringIO()
        call_command("threadkit", "migrate", stdout=buffer)
        out.append(buffer.getvalue())
    assert "threadkit schema upgraded to head" in out[0]
    store = SqlCommentStore(url)  # refuses a database that is not at head
    engine = CommentEngine(store)
    engine.post("t", Submission("hello"), Identity("django", "1", "Ada", verified=True))
    assert 1 == engine.counts(["t"])["t"]


def test_migrate_without_a_url_says_what_to_set() -> None:
    """A store with no URL argument cannot be migrated, and the error says which key."""
    with override_settings(THREADKIT={"STORE": "threadkit.memory:MemoryStore"}), pytest.raises(
        CommandError, match=r"STORE_ARGS'\]\[0\]"
    ):
        call_command("threadkit", "migrate")


class _Recorder:
    channel = "record"
    delivered: ClassVar[list[int]] = []

    def wants(self, kind: EventKind, comment: Comment) -> bool:
        return kind is EventKind.POSTED

    def deliver(self, message: OutboxMessage, comment: Comment | None) -> None:
        _Recorder.delivered.append(message.comment_id)


_OUTBOX_STORE = MemoryStore()


def make_worker() -> OutboxWorker:
    """The OUTBOX factory the command test names by path."""
    return OutboxWorker(_OUTBOX_STORE, [_Recorder()], clock=SystemClock())


def test_outbox_command_delivers_what_is_due() -> None:
    """manage.py threadkit outbox --once runs the configured worker until nothing is due."""
    from io import StringIO

    engine = CommentEngine(_OUTBOX_STORE, notifiers=[_Recorder()])
    posted = engine.post("t", Submission("hi"), Identity("django", "1", "Ada", verified=True))
    buffer = StringIO()
    with override_settings(THREADKIT={"STORE": "threadkit.memory:MemoryStore",
                                      "OUTBOX": "test_django_setup:make_worker"}):
        call_command("threadkit", "outbox", "--once", stdout=buffer)
    assert [posted.id] == _Recorder.delivered
    assert "handled 1 message(s)" in buffer.getvalue()


def test_outbox_command_without_a_worker_says_what_to_set() -> None:
    """Without OUTBOX the command names the setting and what it must return."""
    with override_settings(THREADKIT={"STORE": "threadkit.memory:MemoryStore"}), pytest.raises(
        CommandError, match=r"OUTBOX.*OutboxWorker"
    ):
        call_command("threadkit", "outbox", "--once")
