#!/usr/bin/env bash
# Two redis-unify binaries side by side on the benchmark corpus, interleaved
# with ripgrep (bench/interleave.py: each round runs every command once), and
# their instruction counts (valgrind's callgrind: repeatable on a busy machine,
# where wall times are not). For a change's before and after; bench/run.sh is
# the whole benchmark.
#
#   bench/compare.sh BEFORE_BINARY [AFTER_BINARY] [CORPUS_DIR]
#
# AFTER_BINARY defaults to this tree's release build (built here), CORPUS_DIR
# to target/bench-corpus (bench/run.sh builds it, and target/bench-staged: the
# 131 injected imports staged). RUNS=25 rounds by default; CALLGRIND=0 skips
# the instruction counts (valgrind needed otherwise).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BEFORE=${1:?usage: bench/compare.sh BEFORE_BINARY [AFTER_BINARY] [CORPUS_DIR]}
AFTER=${2:-}
if [[ -z "$AFTER" ]]; then
  cargo build --release --quiet
  AFTER=$ROOT/target/release/redis-unify
fi
# Absolute paths: the script runs them from the corpus' folders.
BEFORE=$(realpath "$BEFORE")
AFTER=$(realpath "$AFTER")
for binary in "$BEFORE" "$AFTER"; do
  [[ -x "$binary" ]] || { echo "bench/compare.sh: $binary is not an executable" >&2; exit 2; }
done
CORPUS=$(cd "${3:-target/bench-corpus}" && pwd)
STAGED=$ROOT/target/bench-staged
OUT=$ROOT/target/bench-results
mkdir -p "$OUT"
RUNS=${RUNS:-25}
INTERLEAVE="python3 $ROOT/bench/interleave.py"
[[ -d "$STAGED/.git" ]] || { echo "bench/compare.sh: run bench/run.sh once first (it makes $STAGED)" >&2; exit 2; }
RU="check --exclude .git --exit-zero --output-format concise"

echo "== the same findings"
cd "$CORPUS/aioredis"
for select in RU100 ALL; do
  cmp <("$BEFORE" $RU --select $select .) <("$AFTER" $RU --select $select .) && echo "tree, $select: identical"
done
cd "$STAGED"
for select in "" "--select RU100"; do
  cmp <("$BEFORE" check $select --exit-zero --output-format concise) <("$AFTER" check $select --exit-zero --output-format concise) \
    && echo "staged ${select:-default rules}: identical"
done

echo "== wall time, $RUNS interleaved rounds"
cd "$CORPUS/aioredis"
$INTERLEAVE "$OUT/compare-tree.json" "$RUNS" \
  rg "rg -n aioredis ." \
  "before RU100" "$BEFORE $RU --select RU100 ." \
  "after RU100" "$AFTER $RU --select RU100 ." \
  "before ALL" "$BEFORE $RU --select ALL ." \
  "after ALL" "$AFTER $RU --select ALL ." >/dev/null
cd "$STAGED"
$INTERLEAVE "$OUT/compare-staged.json" "$RUNS" \
  "git diff --cached -p" "git diff --cached -p" \
  "before staged" "$BEFORE check --exit-zero --output-format concise" \
  "after staged" "$AFTER check --exit-zero --output-format concise" \
  "before staged RU100" "$BEFORE check --select RU100 --exit-zero --output-format concise" \
  "after staged RU100" "$AFTER check --select RU100 --exit-zero --output-format concise" >/dev/null
python3 - "$OUT" <<'PY'
import json, sys
out = sys.argv[1]
for name, base in (("compare-tree", "rg"), ("compare-staged", "git diff --cached -p")):
    with open(f"{out}/{name}.json") as f:
        medians = {r["command"]: r["median"] for r in json.load(f)["results"]}
    for command, median in medians.items():
        print(f"{command:22} {median * 1e3:7.1f} ms   {median / medians[base]:5.2f}x {base}")
PY

echo "== peak memory (max RSS, one run each)"
cd "$CORPUS/aioredis"
for binary in "$BEFORE" "$AFTER"; do
  for select in RU100 ALL; do
    /usr/bin/time -f "$binary $select %M KB" "$binary" $RU --select $select . 2>&1 >/dev/null | tail -1
  done
done

[[ "${CALLGRIND:-1}" == 0 ]] && exit 0
echo "== instructions (callgrind, all threads; the kernel's work is not counted)"
count() { valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 >/dev/null | grep -o 'Collected : [0-9]*' | cut -d' ' -f3; }
for select in RU100 ALL; do
  cd "$CORPUS/aioredis"
  echo "tree $select: before $(count "$BEFORE" $RU --select $select .), after $(count "$AFTER" $RU --select $select .)"
done
cd "$STAGED"
echo "staged: before $(count "$BEFORE" check --exit-zero --output-format concise), after $(count "$AFTER" check --exit-zero --output-format concise)"
