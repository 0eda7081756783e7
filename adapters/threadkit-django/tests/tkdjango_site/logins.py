"""A login a settings module names by import path: ``"tkdjango_site.logins:github"``."""

from __future__ import annotations

from threadkit_social import GitHubProvider

github = GitHubProvider(client_id="tk-test-client", client_secret="tk-test-secret")
"""GitHub with made-up credentials: starting a login needs no network, finishing one would."""
