#!/usr/bin/env bash
# How far `redis-unify fix --unsafe-fixes` gets the aioredis 1.x packages of
# the dev corpus (aiotasks 1.0.0, python-socketio 4.6.1, aiohttp-cache 2.2.0):
# each is copied, migrated, and its scenario (tests/live/legacy_1x) run with
# redis-py alone against a throwaway redis-server. Prints, per package, the
# fixes applied and the scenario's last line. A report, not a test: none of
# them runs yet. Needs scripts/live-redis-setup.sh first (redis-server) and a
# built binary (REDIS_UNIFY, default target/debug/redis-unify).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BIN=${REDIS_UNIFY:-${CARGO_TARGET_DIR:-$ROOT/target}/debug/redis-unify}
CORPUS=$ROOT/target/dev-corpus
[[ -f $CORPUS/CORPUS_MANIFEST.tsv ]] ||
  bash ../shared/corpus/fetch-dev-corpus.sh "$CORPUS" "$ROOT/target/dev-corpus-cache" >/dev/null

# The packages' runtime dependencies (never aioredis). booby-ng (aiotasks)
# is an old sdist that builds only with setuptools < 58 and no isolation.
VENV=$ROOT/target/live-1x-venv
if [[ ! -x $VENV/bin/python ]]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check redis==8.1.0 aiohttp \
    "python-engineio>=3.13.0,<4" "six>=1.9.0" click colorlog msgpack "setuptools<58" wheel
  "$VENV/bin/pip" install -q --disable-pip-version-check --no-build-isolation booby-ng==0.8.4
fi

WORK=$(mktemp -d)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
redis-server --port "$PORT" --bind 127.0.0.1 --save "" --appendonly no --dir "$WORK" \
  --daemonize no --logfile "$WORK/redis.log" &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null; wait "$SERVER" 2>/dev/null; rm -rf "$WORK"' EXIT
for _ in $(seq 100); do
  redis-cli -p "$PORT" ping >/dev/null 2>&1 && break
  sleep 0.05
done

for case in aiotasks-1.0.0:aiotasks python-socketio-4.6.1:socketio aiohttp-cache-2.2.0:aiohttp_cache; do
  package=${case%%:*} script=tests/live/legacy_1x/${case##*:}_scenario.py
  cp -r "$CORPUS/$package" "$WORK/$package"
  echo "== $package"
  (cd "$WORK" && "$BIN" fix --unsafe-fixes --diff "$package" 2>/dev/null | grep '^[-+][^-+]' || true)
  (cd "$WORK" && "$BIN" fix --unsafe-fixes "$package" >/dev/null 2>&1 || true)
  (cd "$WORK" && REDIS_URL="redis://127.0.0.1:$PORT/0" PYTHONPATH="$WORK/$package" \
    timeout 60 "$VENV/bin/python" "$ROOT/$script" 2>&1 | tail -1) || true
done
