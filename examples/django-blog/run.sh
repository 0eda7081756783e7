#!/usr/bin/env bash
# Run the Django example blog on SQLite at http://127.0.0.1:8001 (one command).
# First start creates data/blog.sqlite3 (Django's tables and threadkit's, one file),
# a post, and two demo users: ada / ada (a reader) and grace / grace (staff: moderates).
#
# Usage: examples/django-blog/run.sh [--help]
# Env:   DJANGO_BLOG_PORT  port (default 8001)   DJANGO_BLOG_DATA  data folder (default ./data)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
if [[ "${1:-}" == "-h" || "${1:-}" == "--help" ]]; then
    sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'
    exit 0
fi
python="$root/.venv/bin/python"
if ! "$python" -c "import threadkit_django, threadkit_sqlalchemy" 2>/dev/null; then
    echo "threadkit-django is not installed: run ./dev setup first" >&2
    exit 1
fi
export DJANGO_BLOG_DATA="${DJANGO_BLOG_DATA:-$here/data}"
mkdir -p "$DJANGO_BLOG_DATA"
cd "$here"
"$python" manage.py migrate --noinput --verbosity 0   # Django's own tables
"$python" manage.py threadkit migrate                 # threadkit's tables (the SQL store)
"$python" manage.py blog_seed                         # a post and the demo users, once
echo "Blog: http://127.0.0.1:${DJANGO_BLOG_PORT:-8001}/  (log in: ada / ada, or grace / grace to moderate)"
exec "$python" manage.py runserver --noreload "127.0.0.1:${DJANGO_BLOG_PORT:-8001}"
