#!/usr/bin/env bash
# fetch-legacy-corpus.sh TARGET_DIR [CACHE_DIR]
#
# Downloads published aioredis 1.x code that is NOT in the dev corpus: the
# held-out measurement of RU101/RU103's recall (tests/legacy_corpus.rs, rows in
# tests/data/aioredis1x-heldout-sites.tsv). Tuning set: arq, channels_redis,
# aiocache; held-out set: aiogram, aiohttp-session, aioredlock. Pinned versions,
# sha256-checked sdists (as published on PyPI); only .py
# files and dependency manifests are kept, one folder per package, plus
# CORPUS_MANIFEST.tsv. Re-running with the same CACHE_DIR works offline. Nothing
# downloaded here is committed. (Same layout as scripts/fetch-precision-corpus.sh.)
set -euo pipefail

if [[ $# -lt 1 ]]; then
  echo "usage: $0 TARGET_DIR [CACHE_DIR]" >&2
  exit 2
fi
TARGET=$1
CACHE=${2:-}
PY=${PYTHON:-python3}

if [[ -z "$CACHE" ]]; then
  CACHE=$(mktemp -d)
  trap 'rm -rf "$CACHE"' EXIT
fi
mkdir -p "$TARGET" "$CACHE"
TARGET=$(cd "$TARGET" && pwd)
CACHE=$(cd "$CACHE" && pwd)

# name            version  format  archive file name                sha256
PINS=$(cat <<'PINS_END'
arq               0.19.1   sdist   arq-0.19.1.tar.gz                8c11fc1335aabdb1d68be6e75ff384dbd3763a9d920bebff7f034bfa9d97c4f0
channels_redis    2.4.2    sdist   channels_redis-2.4.2.tar.gz      72ab784887a9c519b334487db26aa24287f3d0561901edb52cd14f32017999dd
aiocache          0.11.1   sdist   aiocache-0.11.1.tar.gz           f2ebe0b05cec45782e7b5ea0bb74640f157dd4bb1028b4565364dda9fe33be7f
aiogram           2.25.1   sdist   aiogram-2.25.1.tar.gz            59ad78fc0ebbef1fd471c15778a4594b60117e0d7373bc2ce7bcd192074d527d
aiohttp-session   2.9.0    sdist   aiohttp-session-2.9.0.tar.gz     959413468b84e30e7ca09719617cfb0000066a2e0f6c20062d043433e82aeb74
aioredlock        0.7.2    sdist   aioredlock-0.7.2.tar.gz          9826135c39a4e31a983b201f113ce2ab985829001b76282d897a3ccca701bf05
PINS_END
)

sha256_of() { "$PY" -c 'import hashlib,sys;print(hashlib.sha256(open(sys.argv[1],"rb").read()).hexdigest())' "$1"; }

fetch_one() {  # name version format file sha
  local name=$1 ver=$2 fmt=$3 file=$4 sha=$5
  local path="$CACHE/$file"
  if [[ -f "$path" && ( "$sha" == @* || "$(sha256_of "$path")" == "$sha" ) ]]; then
    return 0
  fi
  rm -f "$path"
  local fmtflag
  if [[ "$fmt" == sdist ]]; then fmtflag=(--no-binary :all:); else fmtflag=(--only-binary :all:); fi
  echo "downloading $name==$ver ($fmt)" >&2
  "$PY" -m pip download --quiet --disable-pip-version-check --no-deps --ignore-requires-python \
      "${fmtflag[@]}" -d "$CACHE" "$name==$ver" >&2
  if [[ ! -f "$path" ]]; then
    echo "error: expected $path after pip download" >&2; exit 1
  fi
  if [[ "$sha" != @* ]]; then
    local got; got=$(sha256_of "$path")
    if [[ "$got" != "$sha" ]]; then
      echo "error: sha256 mismatch for $file: got $got want $sha" >&2; rm -f "$path"; exit 1
    fi
  fi
}

unpack_one() {  # archive format destdir
  "$PY" - "$1" "$2" "$3" <<'PYEOF'
import os, re, shutil, sys, tarfile, zipfile
archive, fmt, dest = sys.argv[1:4]
KEEP_NAMES = {"pyproject.toml", "setup.py", "setup.cfg"}
def keep(rel):
    base = rel.rsplit("/", 1)[-1]
    return rel.endswith(".py") or base in KEEP_NAMES or re.fullmatch(r"requirements.*\.txt", base) is not None
def safe(rel):
    parts = rel.split("/")
    return rel and not rel.startswith("/") and ".." not in parts
tmp = dest + ".tmp"
shutil.rmtree(tmp, ignore_errors=True)
os.makedirs(tmp)
n = 0
def write(rel, data):
    global n
    out = os.path.join(tmp, *rel.split("/"))
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "wb") as f:
        f.write(data)
    n += 1
if fmt == "sdist":
    with tarfile.open(archive) as tf:
        for m in tf.getmembers():
            if not m.isfile():
                continue
            rel = m.name.split("/", 1)[1] if "/" in m.name else m.name   # strip <name>-<ver>/
            if safe(rel) and keep(rel):
                write(rel, tf.extractfile(m).read())
else:
    with zipfile.ZipFile(archive) as zf:
        for info in zf.infolist():
            rel = info.filename
            if info.is_dir() or not safe(rel) or not keep(rel):
                continue
            write(rel, zf.read(info))
shutil.rmtree(dest, ignore_errors=True)
os.rename(tmp, dest)
print(n)
PYEOF
}

manifest="$TARGET/CORPUS_MANIFEST.tsv"
: > "$manifest.tmp"
while read -r name ver fmt file sha; do
  [[ -z "$name" || "$name" == \#* ]] && continue
  fetch_one "$name" "$ver" "$fmt" "$file" "$sha"
  dest="$TARGET/$name-$ver"
  n=$(unpack_one "$CACHE/$file" "$fmt" "$dest")
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$name-$ver" "$name" "$ver" "$fmt" "$(sha256_of "$CACHE/$file")" "$n" >> "$manifest.tmp"
  printf '%-28s %-6s %5s files\n' "$name-$ver" "$fmt" "$n"
done <<< "$PINS"
mv "$manifest.tmp" "$manifest"
