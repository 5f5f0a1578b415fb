#!/usr/bin/env bash
# Benchmarks redis-unify against ripgrep and ruff (TID251 banning aioredis) on the
# shared benchmark corpus (13,132 real Python files, 157 MB; 131 injected
# `import aioredis`), interleaved with hyperfine (bench/interleave.py: each round runs
# every command once), and prints the ratios.
#
#   bench/run.sh [CORPUS_DIR]        (default: target/bench-corpus)
#
# Needs: hyperfine and ripgrep (Debian: apt-get install hyperfine ripgrep), ruff
# (pip install ruff==0.17.6), GNU time (/usr/bin/time). The corpus is built once
# by ../shared/corpus/make-bench-corpus.sh and reused; it is never committed.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
SHARED=${REDIS_UNIFY_SHARED:-$ROOT/../shared}
CORPUS=$(mkdir -p "${1:-target/bench-corpus}" && cd "${1:-target/bench-corpus}" && pwd)
OUT=$ROOT/target/bench-results
mkdir -p "$OUT"
RUNS=${RUNS:-15}

for tool in hyperfine rg ruff /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "bench/run.sh: $tool is missing (see the header of this script)" >&2; exit 2; }
done
[[ -d "$CORPUS/aioredis" ]] || bash "$SHARED/corpus/make-bench-corpus.sh" "$CORPUS"
cargo build --release --quiet
BIN=$ROOT/target/release/redis-unify
RUFF_CONFIG=$SHARED/corpus/ruff-tid251.toml
# The corpus has folders named `venv`, `build`, …: scan every file, as ruff does with `exclude = []`.
RU="$BIN check --exclude .git --exit-zero --output-format concise"
# Every round runs each command once (see bench/interleave.py).
INTERLEAVE="python3 $ROOT/bench/interleave.py"

echo "== machine"
echo "$(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; $(uname -sr); $("$BIN" --version); $(rg --version | head -1); ruff $(ruff --version | cut -d' ' -f2); hyperfine $(hyperfine --version | cut -d' ' -f2)"

echo "== correctness: the 131 injected imports, and nothing else"
cd "$CORPUS/aioredis"
$RU --select RU100 . | grep ': RU100' | cut -d: -f1,2 | sort > "$OUT/found.txt"
sort "$CORPUS/aioredis.expected.txt" > "$OUT/expected.txt"
if diff -q "$OUT/expected.txt" "$OUT/found.txt" >/dev/null; then
  echo "ok: $(wc -l < "$OUT/found.txt") findings, exactly the expected ones"
else
  echo "MISMATCH between expected and found (see $OUT)"; diff "$OUT/expected.txt" "$OUT/found.txt" | head; exit 1
fi
ruff_count=$(ruff check --no-cache --config "$RUFF_CONFIG" --exit-zero --output-format concise . | grep -c TID251 || true)
echo "ruff TID251: $ruff_count findings"

echo "== wall time, whole tree (page cache warm; $RUNS rounds, interleaved)"
$INTERLEAVE "$OUT/tree.json" "$RUNS" \
  rg "rg -n aioredis ." \
  "redis-unify RU100" "$RU --select RU100 ." \
  "redis-unify ALL" "$RU --select ALL ." \
  "ruff TID251" "ruff check --no-cache --config $RUFF_CONFIG --exit-zero ." >/dev/null

echo "== one thread vs two (redis-unify RU100 / ALL)"
$INTERLEAVE "$OUT/threads.json" "$RUNS" \
  "RU100, 1 thread" "env RAYON_NUM_THREADS=1 $RU --select RU100 ." \
  "RU100, 2 threads" "env RAYON_NUM_THREADS=2 $RU --select RU100 ." \
  "ALL, 1 thread" "env RAYON_NUM_THREADS=1 $RU --select ALL ." \
  "ALL, 2 threads" "env RAYON_NUM_THREADS=2 $RU --select ALL ." >/dev/null

# Staged `check` builds the project index from the staged content (as the
# pre-commit hook runs it), so these rounds time it with the index.
echo "== staged mode: 131 files staged (git reset --soft HEAD~1 in a copy)"
STAGED=$ROOT/target/bench-staged
rm -rf "$STAGED" && git clone --quiet --local "$CORPUS/aioredis" "$STAGED"
git -C "$STAGED" reset --quiet --soft HEAD~1
cd "$STAGED"
staged_count=$("$BIN" check --select RU100 --exit-zero --output-format concise | grep -c ': RU100' || true)
echo "staged findings (RU100): $staged_count"
$INTERLEAVE "$OUT/staged.json" "$RUNS" \
  "git diff --cached -p" "git diff --cached -p" \
  "redis-unify (staged)" "$BIN check --exit-zero --output-format concise" \
  "redis-unify RU100 (staged)" "$BIN check --select RU100 --exit-zero --output-format concise" >/dev/null

echo "== scaling: all rules on the corpus once and twice over (a hard-linked copy), and on each project alone; 1 and 2 threads"
DOUBLE=$ROOT/target/bench-double
if [[ ! -d "$DOUBLE/second" ]]; then
  rm -rf "$DOUBLE" && mkdir -p "$DOUBLE"
  cp -al "$CORPUS/aioredis" "$DOUBLE/first" && cp -al "$CORPUS/aioredis" "$DOUBLE/second"
fi
# Both runs from the same folder, so that paths are shown the same way.
cd "$DOUBLE"
scaling=(
  "corpus x1, 1 thread" "env RAYON_NUM_THREADS=1 $RU --select ALL first"
  "corpus x1, 2 threads" "env RAYON_NUM_THREADS=2 $RU --select ALL first"
  "corpus x2, 1 thread" "env RAYON_NUM_THREADS=1 $RU --select ALL first second"
  "corpus x2, 2 threads" "env RAYON_NUM_THREADS=2 $RU --select ALL first second"
)
$INTERLEAVE "$OUT/doubling.json" "$RUNS" "${scaling[@]}" >/dev/null
cd "$CORPUS/aioredis"
scaling=()
for project in */; do
  project=${project%/}
  scaling+=("$project, 1 thread" "env RAYON_NUM_THREADS=1 $RU --select ALL $project")
  scaling+=("$project, 2 threads" "env RAYON_NUM_THREADS=2 $RU --select ALL $project")
  find "$project" -name '*.py' -printf '%s\n' | awk -v p="$project" '{s+=$1; n+=1} END {print p, s, n}'
done > "$OUT/project-bytes.txt"
$INTERLEAVE "$OUT/scaling.json" "$RUNS" "${scaling[@]}" >/dev/null

echo "== peak memory (max RSS, one run each)"
cd "$CORPUS/aioredis"
for label in rg ru100 all ruff; do
  case $label in
    rg) cmd=(rg -n aioredis .) ;;
    ru100) cmd=($RU --select RU100 .) ;;
    all) cmd=($RU --select ALL .) ;;
    ruff) cmd=(ruff check --no-cache --config "$RUFF_CONFIG" --exit-zero .) ;;
  esac
  /usr/bin/time -f "$label %M KB" "${cmd[@]}" >/dev/null 2>>"$OUT/memory.txt.tmp" || true
done
grep ' KB$' "$OUT/memory.txt.tmp" > "$OUT/memory.txt"; rm -f "$OUT/memory.txt.tmp"
cat "$OUT/memory.txt"

echo "== ratios (medians)"
python3 - "$OUT" <<'PY'
import json, sys
out = sys.argv[1]
def medians(name):
    with open(f"{out}/{name}.json") as f:
        return {r["command"]: r["median"] for r in json.load(f)["results"]}
tree = medians("tree")
for name, median in tree.items():
    print(f"{name:22} {median:7.3f} s   {median / tree['rg']:5.2f}x rg   {tree['ruff TID251'] / median:5.1f}x faster than ruff")
threads = medians("threads")
for name, median in threads.items():
    print(f"{name:22} {median:7.3f} s")
staged = medians("staged")
for name, median in staged.items():
    print(f"{name:26} {median:7.3f} s   {median / staged['git diff --cached -p']:5.2f}x git diff --cached -p")
doubling = medians("doubling")
print("scaling (all rules): the corpus twice over takes (x2 / x1):")
for threads in ("1 thread", "2 threads"):
    one, two = doubling[f"corpus x1, {threads}"], doubling[f"corpus x2, {threads}"]
    print(f"  {threads:9}  x1 {one:6.3f} s   x2 {two:6.3f} s   ratio {two / one:4.2f}")
scaling = medians("scaling")
print("each project alone: MB and files of Python, then ms and ms/MB with 1 and 2 threads")
with open(f"{out}/project-bytes.txt") as f:
    sizes = {name: (int(size) / 1e6, int(files)) for name, size, files in (line.split() for line in f)}
for project, (megabytes, files) in sizes.items():
    one, two = scaling[f"{project}, 1 thread"] * 1e3, scaling[f"{project}, 2 threads"] * 1e3
    print(f"  {project:22} {megabytes:5.1f} MB {files:5} files   {one:6.1f} ms {one / megabytes:5.2f} ms/MB   {two:6.1f} ms {two / megabytes:5.2f} ms/MB")
PY
