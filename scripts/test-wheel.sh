#!/usr/bin/env bash
# Builds the Python wheel (maturin, `bindings = "bin"`), installs it into a
# fresh virtual environment and runs the installed redis-unify once.
#
#   scripts/test-wheel.sh
#
# Uses `maturin build` when maturin is installed (PyPI `maturin`), otherwise
# `pip wheel .`, which fetches maturin into an isolated build environment.
# Honours CARGO_TARGET_DIR. Skips with a message when neither maturin nor pip
# is there, or fails when CI=true.
set -euo pipefail
cd "$(dirname "$0")/.."

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if command -v maturin >/dev/null 2>&1; then
  maturin build --release --locked --out "$work/dist"
elif python3 -m pip --version >/dev/null 2>&1; then
  python3 -m pip wheel --no-deps . -w "$work/dist"
else
  if [ "${CI:-}" = true ] || [ "${CI:-}" = 1 ]; then
    echo "test-wheel: neither maturin nor pip is installed (pip install maturin)" >&2
    exit 1
  fi
  echo "test-wheel: SKIPPED: neither maturin nor pip is installed (pip install maturin)" >&2
  exit 0
fi

wheel=$(ls "$work"/dist/redis_unify-*.whl)
echo "test-wheel: built $(basename "$wheel")"
python3 -m venv "$work/venv"
"$work/venv/bin/python" -m pip install --quiet --no-index "$wheel"

installed="$work/venv/bin/redis-unify"
test -x "$installed"
"$installed" --version
expected="redis-unify $(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)"
if [ "$("$installed" --version)" != "$expected" ]; then
  echo "test-wheel: the installed binary says $("$installed" --version), expected $expected" >&2
  exit 1
fi

# One real run: the example service has findings (exit 1); 0 or 2 is a failure.
status=0
"$installed" check examples/service --output-format concise --statistics || status=$?
if [ "$status" != 1 ]; then
  echo "test-wheel: expected exit 1 (findings) on examples/service, got $status" >&2
  exit 1
fi
echo "test-wheel: the wheel installs a working redis-unify"
