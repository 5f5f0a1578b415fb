#!/usr/bin/env bash
# Installs what the live-Redis tests (tests/live_redis.rs) need, then they run
# with plain `cargo test`:
#  - Debian's redis-server (apt-get, as root; the tests start and stop their own
#    throwaway servers on 127.0.0.1, so the service is not needed);
#  - target/live-venv: tests/live/requirements.txt (redis-py, the packages'
#    runtime dependencies, pytest for the example service walk-through in
#    tests/walkthrough.rs; never aioredis);
#  - target/aioredis-2.0.1-venv: aioredis 2.0.1 alone, to show the unmigrated
#    code failing on this Python (`TypeError: duplicate base class TimeoutError`).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v redis-server >/dev/null; then
  if [[ $(id -u) -ne 0 ]]; then
    echo "error: redis-server is not installed; as root: apt-get install redis-server" >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends redis-server >/dev/null
fi
redis-server --version

make_venv() {  # DIR REQUIREMENT...
  local dir=$1; shift
  [[ -x "$dir/bin/python" ]] || python3 -m venv "$dir"
  "$dir/bin/python" -m pip install --quiet --disable-pip-version-check "$@"
}
make_venv target/live-venv -r tests/live/requirements.txt
make_venv target/aioredis-2.0.1-venv "aioredis==2.0.1"
