#!/usr/bin/env bash
# fetch-pypi-corpus.sh PINS_FILE TARGET_DIR [CACHE_DIR]
#
# Downloads the pinned, sha256-checked PyPI archives PINS_FILE lists (one a line:
# name, version, format `sdist`/`wheel`, archive file name, sha256; `#` comments)
# and keeps only their .py files and dependency manifests, one folder per package,
# plus CORPUS_MANIFEST.tsv. Re-running with the same CACHE_DIR works offline.
# Nothing downloaded here is committed. (Same layout as
# ../shared/corpus/fetch-dev-corpus.sh.) The corpora: scripts/corpora/*.pins.
set -euo pipefail

if [[ $# -lt 2 ]]; then
  echo "usage: $0 PINS_FILE TARGET_DIR [CACHE_DIR]" >&2
  exit 2
fi
PINS_FILE=$1
TARGET=$2
CACHE=${3:-}
PY=${PYTHON:-python3}

if [[ -z "$CACHE" ]]; then
  CACHE=$(mktemp -d)
  trap 'rm -rf "$CACHE"' EXIT
fi
mkdir -p "$TARGET" "$CACHE"
TARGET=$(cd "$TARGET" && pwd)
CACHE=$(cd "$CACHE" && pwd)

PINS=$(cat "$PINS_FILE")

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
