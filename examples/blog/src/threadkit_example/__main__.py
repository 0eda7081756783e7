"""``python -m threadkit_example``: run the example blog (what ``./dev serve`` does)."""

from __future__ import annotations

import sys

from .app import create_app


def main(argv: list[str] | None = None) -> int:
    """Create the app (migrating and seeding SQLite on first run) and serve it."""
    app = create_app()
    settings = app.extensions["threadkit_example"]["settings"]
    print(f"threadkit example blog: http://{settings.host}:{settings.port}/  (Ctrl+C stops it)")
    print(f"database: {settings.database_url}")
    app.run(host=settings.host, port=settings.port, debug=False, use_reloader=False)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
