"""Settings of the example blog: SQLite in DJANGO_BLOG_DATA, threadkit on the same file.

A local demo: the secret key is fixed and DEBUG is on unless DJANGO_BLOG_DEBUG=0.
"""

from __future__ import annotations

import os
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = Path(os.environ.get("DJANGO_BLOG_DATA", HERE.parent / "data"))

SECRET_KEY = os.environ.get("DJANGO_BLOG_SECRET_KEY", "local demo only: not a secret")
DEBUG = os.environ.get("DJANGO_BLOG_DEBUG", "1") == "1"
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
USE_TZ = True
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "threadkit_django",
    "blog",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
ROOT_URLCONF = "blog.urls"
DATABASES = {
    "default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(DATA / "blog.sqlite3")}
}
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
STATIC_URL = "/static/"
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

# threadkit: the SQL store on DATABASES["default"] (translated to a SQLAlchemy URL), the
# default moderation pipeline, Django users commenting as themselves, anonymous visitors
# through the name / email / website form, staff moderating.
THREADKIT: dict[str, object] = {}
