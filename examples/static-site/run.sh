#!/usr/bin/env bash
# Run the static-site example: the plain HTML pages in site/ on http://127.0.0.1:4000
# and threadkit-server on http://localhost:8080 (two host names, so the browser treats
# them as two sites, as it would a blog and its comment server in production).
#
# Usage: examples/static-site/run.sh [--help]
# Env:   THREADKIT_EXAMPLE_ADMIN_PASSWORD  admin login at http://localhost:8080/admin/login
#                                          (default: "admin", for this local demo only)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
if [[ "${1:-}" == "-h" || "${1:-}" == "--help" ]]; then
    sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'
    exit 0
fi
bin="$root/.venv/bin"
if [[ ! -x "$bin/threadkit-server" ]]; then
    echo "threadkit-server is not installed: run ./dev setup first" >&2
    exit 1
fi

mkdir -p "$here/data"
"$bin/threadkit-server" --site http://127.0.0.1:4000 --host 127.0.0.1 --port 8080 \
    --public-url http://localhost:8080 --db "sqlite:///$here/data/comments.db" \
    --upgrade --dev --admin-password "${THREADKIT_EXAMPLE_ADMIN_PASSWORD:-admin}" &
comments=$!
"$bin/python" -m http.server 4000 --bind 127.0.0.1 --directory "$here/site" &
pages=$!
trap 'kill "$comments" "$pages" 2>/dev/null || true' EXIT INT TERM

echo "Blog:     http://127.0.0.1:4000/"
echo "Comments: http://localhost:8080/ (moderation: http://localhost:8080/admin/login)"
wait -n "$comments" "$pages"
