"""The Django project the adapter's tests run: auth, sessions, admin and threadkit_django.

The store is chosen per test (``override_settings(THREADKIT=...)``); the default is
an in-memory store, so a test that forgets to pick one touches no file.
"""

from __future__ import annotations

SECRET_KEY = "threadkit-django-tests-only"
DEBUG = False
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
USE_TZ = True
STATIC_URL = "/static/"
MEDIA_URL = "/media/"
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "threadkit_django",
    "tkdjango_site",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
ROOT_URLCONF = "tkdjango_site.urls"
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast logins in tests
THREADKIT = {"STORE": "threadkit.memory:MemoryStore", "ENGINE": "tkdjango_site.engines:plain"}
# The shared web settings, as in Flask: tests post several comments within seconds.
THREADKIT_ALLOW_EMPTY_PIPELINE = True
