#!/usr/bin/env bash
# fetch-precision-corpus.sh TARGET_DIR [CACHE_DIR]
#
# Fetches the precision corpus: published code on current redis-py only (tests/precision_corpus.rs); the pins and why each package is there: scripts/corpora/precision.pins.
set -euo pipefail
if [[ $# -lt 1 ]]; then
  echo "usage: $0 TARGET_DIR [CACHE_DIR]" >&2
  exit 2
fi
exec "$(dirname "$0")/fetch-pypi-corpus.sh" "$(dirname "$0")/corpora/precision.pins" "$@"
