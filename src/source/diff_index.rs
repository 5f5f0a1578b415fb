//! Which index entries differ from HEAD, as `git diff-index --cached` lists
//! them. Git skips every folder whose tree the index's cache-tree extension
//! still records as unchanged; libgit2's tree-to-index diff reads every tree of
//! HEAD and every index entry instead (21 ms against git's 7 ms for a
//! 13,000-file repository, docs/benchmarks.md). Git also reads every index
//! format it writes (split and sparse indexes included) and honours
//! `GIT_INDEX_FILE` and `GIT_DIR` as a hook expects.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use git2::Oid;

/// One path whose staged entry differs from HEAD.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StagedEntry {
    /// Relative to the top of the work tree.
    pub path: PathBuf,
    pub change: StagedChange,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StagedChange {
    /// Added, modified or type-changed: this blob will be committed.
    Blob(Oid),
    /// Added, modified or type-changed to something that is not a regular
    /// file (a symlink or a submodule): nothing to read.
    NotAFile,
    /// Removed from the index.
    Deleted,
    /// Unmerged: the index holds conflicting versions (a merge in progress).
    Conflicted,
}

/// The staged changes against `base` (HEAD's tree, or the empty tree in a
/// repository without commits), from `git diff-index` run in `cwd` with this
/// process's environment. `None` when git cannot be run or fails, so that the
/// caller can fall back to libgit2.
pub fn staged_changes(cwd: &Path, base: Oid) -> Option<Vec<StagedEntry>> {
    let output = Command::new("git")
        .current_dir(cwd)
        // Only the index is compared: no file-system monitor is asked or started.
        .args(["-c", "core.fsmonitor=false"])
        // Plumbing: no user configuration changes its output (no renames, no
        // colour, no `diff.relative`), and it never refreshes the index.
        .args(["diff-index", "--cached", "--raw", "-z", "--no-renames"])
        .args(["--ignore-submodules", "--no-abbrev"])
        .arg(base.to_string())
        .arg("--")
        // Never take the index lock, even opportunistically: a hook runs while
        // `git commit` holds it.
        .env("GIT_OPTIONAL_LOCKS", "0")
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    if !output.status.success() {
        return None;
    }
    parse_raw(&output.stdout)
}

/// Parses `--raw -z` records: `:MODE MODE OID OID STATUS\0PATH\0`. `None` on
/// anything unexpected (the caller then asks libgit2 instead).
fn parse_raw(mut bytes: &[u8]) -> Option<Vec<StagedEntry>> {
    let mut entries = Vec::new();
    while !bytes.is_empty() {
        let header_end = memchr::memchr(0, bytes)?;
        let header = std::str::from_utf8(&bytes[..header_end]).ok()?;
        bytes = &bytes[header_end + 1..];
        let path_end = memchr::memchr(0, bytes)?;
        let path = PathBuf::from(OsStr::from_bytes(&bytes[..path_end]));
        bytes = &bytes[path_end + 1..];

        let mut fields = header.strip_prefix(':')?.split(' ');
        let (_old_mode, new_mode, _old_oid, new_oid, status) = (
            fields.next()?,
            fields.next()?,
            fields.next()?,
            fields.next()?,
            fields.next()?,
        );
        let change = match status.as_bytes().first()? {
            b'U' => StagedChange::Conflicted,
            b'D' => StagedChange::Deleted,
            b'A' | b'M' | b'T' => match new_mode {
                "100644" | "100755" => StagedChange::Blob(Oid::from_str(new_oid).ok()?),
                _ => StagedChange::NotAFile,
            },
            _ => return None,
        };
        entries.push(StagedEntry { path, change });
    }
    Some(entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    const OLD: &str = "543877d59f4154dab70748bce0836367ce6e4325";
    const NEW: &str = "eaea079e7d9364dc12b20a9df702d67e30b46b03";
    const ZERO: &str = "0000000000000000000000000000000000000000";

    fn record(modes: &str, old: &str, new: &str, status: &str, path: &[u8]) -> Vec<u8> {
        let mut bytes = format!(":{modes} {old} {new} {status}\0").into_bytes();
        bytes.extend_from_slice(path);
        bytes.push(0);
        bytes
    }

    #[test]
    fn reads_every_kind_of_change() {
        let mut raw = record("100644 100644", OLD, NEW, "M", b"pkg/a.py");
        raw.extend(record("000000 100755", ZERO, NEW, "A", b"bin/tool"));
        raw.extend(record("100644 000000", OLD, ZERO, "D", b"gone.py"));
        raw.extend(record("100644 120000", OLD, NEW, "T", b"link.py"));
        raw.extend(record("000000 160000", ZERO, NEW, "A", b"vendored"));
        raw.extend(record("000000 000000", ZERO, ZERO, "U", b"both.py"));
        let blob = StagedChange::Blob(Oid::from_str(NEW).unwrap());
        let changes: Vec<_> = parse_raw(&raw)
            .unwrap()
            .into_iter()
            .map(|e| (e.path.to_string_lossy().into_owned(), e.change))
            .collect();
        assert_eq!(
            changes,
            [
                ("pkg/a.py".to_string(), blob),
                ("bin/tool".to_string(), blob),
                ("gone.py".to_string(), StagedChange::Deleted),
                ("link.py".to_string(), StagedChange::NotAFile),
                ("vendored".to_string(), StagedChange::NotAFile),
                ("both.py".to_string(), StagedChange::Conflicted),
            ]
        );
    }

    #[test]
    fn keeps_paths_byte_for_byte() {
        // Spaces, tabs, quotes, newlines and non-UTF-8 bytes: -z never quotes.
        let path: &[u8] = b"dir with space/\tq\"uote\n\xff.py";
        let raw = record("100644 100644", OLD, NEW, "M", path);
        let entries = parse_raw(&raw).unwrap();
        assert_eq!(entries[0].path.as_os_str().as_bytes(), path);
    }

    #[test]
    fn refuses_what_it_does_not_understand() {
        assert_eq!(parse_raw(b""), Some(Vec::new()));
        assert_eq!(parse_raw(b":100644 100644"), None);
        assert_eq!(
            parse_raw(&record("100644 100644", OLD, NEW, "R100", b"a.py")),
            None
        );
        assert_eq!(
            parse_raw(&record("100644 100644", OLD, "not-hex", "M", b"a.py")),
            None
        );
    }
}
