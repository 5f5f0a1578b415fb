#!/usr/bin/env bash
# fetch-precision-corpus.sh TARGET_DIR [CACHE_DIR]
#
# Downloads published Python code that uses current redis-py (redis, redis.asyncio)
# and never aioredis: the precision corpus of issue 14. RU100-RU102 (and RU101's
# "looks like an aioredis 1.x call") must stay silent on it (tests/precision_corpus.rs).
# Three packages on redis.asyncio (arq, aiocache, fastapi-cache2) and three on the
# sync client (rq, django-redis, dramatiq). Pinned versions, sha256-checked sdists;
# only .py files and dependency manifests are kept, one folder per package, plus
# CORPUS_MANIFEST.tsv. Re-running with the same CACHE_DIR works offline. Nothing
# downloaded here is committed. (Same layout as ../shared/corpus/fetch-dev-corpus.sh.)
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
arq               0.26.1   sdist   arq-0.26.1.tar.gz                a4db5395c3aaefe0610074b0aa125ff3392aa90a2214973be566796a5819d9cf
aiocache          0.12.3   sdist   aiocache-0.12.3.tar.gz           f528b27bf4d436b497a1d0d1a8f59a542c153ab1e37c3621713cb376d44c4713
fastapi-cache2    0.2.2    sdist   fastapi_cache2-0.2.2.tar.gz      71bf4450117dc24224ec120be489dbe09e331143c9f74e75eb6f576b78926026
rq                1.16.2   sdist   rq-1.16.2.tar.gz                 5c5b9ad5fbaf792b8fada25cc7627f4d206a9a4455aced371d4f501cc3f13b34
django-redis      5.4.0    sdist   django-redis-5.4.0.tar.gz        6a02abaa34b0fea8bf9b707d2c363ab6adc7409950b2db93602e6cb292818c42
dramatiq          1.17.0   sdist   dramatiq-1.17.0.tar.gz           7621280160b2f0dcb9cdd20eeee41e009d42bc7cc75a2c4b9b944c641dadd4df
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
