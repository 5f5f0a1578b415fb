#!/usr/bin/env bash
# fetch-legacy-corpus.sh TARGET_DIR [CACHE_DIR]
#
# Fetches the legacy corpus: published aioredis 1.x code outside the dev corpus (tests/legacy_corpus.rs); the pins and why each package is there: scripts/corpora/legacy.pins.
set -euo pipefail
if [[ $# -lt 1 ]]; then
  echo "usage: $0 TARGET_DIR [CACHE_DIR]" >&2
  exit 2
fi
exec "$(dirname "$0")/fetch-pypi-corpus.sh" "$(dirname "$0")/corpora/legacy.pins" "$@"
