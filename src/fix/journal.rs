//! The backup journal of fix runs: before a run writes anything, the original
//! bytes of every file it will change are stored under
//! `.git/redis-unify/runs/<run-id>/` (outside git: `.redis-unify/runs/`), with a
//! manifest. `rollback` restores them byte for byte.
//!
//! Crash safety: the originals and the manifest are on disk (flushed) before the
//! first file is replaced, and each file is replaced atomically, so at any
//! moment every file is either its original or its fixed version, and the
//! journal knows both hashes.

use std::fs;
use std::io;
use std::path::{Component, Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use super::write::write_atomically;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum RunStatus {
    /// Originals saved; files being written (a run that stops here was interrupted).
    Writing,
    Complete,
    /// `--verify` failed and the run was restored.
    VerifyFailed,
    RolledBack,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct JournalFile {
    /// Relative to the run's root, `/`-separated (lossy for display when the
    /// name is not UTF-8: then `path_bytes` holds the real name).
    pub path: String,
    /// The exact bytes of the relative path, when it is not valid UTF-8.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path_bytes: Option<Vec<u8>>,
    /// git blob hashes (as `git hash-object`) of the content before and after.
    pub before: String,
    pub after: String,
    pub rules: Vec<String>,
    /// The original bytes, relative to the run folder.
    pub backup: String,
    /// Whether the run replaced the file (absent in manifests written before
    /// this field: `pending`).
    #[serde(default)]
    pub write: FileWrite,
    /// Why it was not written (`write` is `not-written`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_written: Option<String>,
}

/// What a run did with one of its files.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum FileWrite {
    /// Not known to be written: the run was still writing (or was killed), or
    /// the manifest predates this field. `rollback` goes by the content hashes.
    #[default]
    Pending,
    /// Replaced by the run.
    Written,
    /// Left as it was (it changed while the run ran, or could not be written):
    /// `rollback` never touches it.
    NotWritten,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    pub id: String,
    /// UTC, ISO 8601.
    pub created: String,
    pub root: PathBuf,
    pub phase: Option<String>,
    pub unsafe_fixes: bool,
    pub verify: Option<String>,
    pub status: RunStatus,
    pub files: Vec<JournalFile>,
    /// The commit `fix --commit` made of the run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
}

/// The journal folder of a project.
pub struct Journal {
    runs: PathBuf,
}

/// Held while a fix run writes: a second run refuses to start.
pub struct RunLock {
    path: PathBuf,
}

impl Drop for RunLock {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.path);
    }
}

pub fn content_hash(bytes: &[u8]) -> String {
    git2::Oid::hash_object(git2::ObjectType::Blob, bytes)
        .map(|oid| oid.to_string())
        .unwrap_or_default()
}

impl Journal {
    /// `.git/redis-unify/runs` inside a git repository, else `.redis-unify/runs`
    /// in `root`.
    pub fn for_project(git_dir: Option<&Path>, root: &Path) -> Journal {
        let runs = match git_dir {
            Some(git_dir) => git_dir.join("redis-unify").join("runs"),
            None => root.join(".redis-unify").join("runs"),
        };
        Journal { runs }
    }

    pub fn folder(&self) -> &Path {
        &self.runs
    }

    /// Takes the journal's lock; fails with a message when another run holds it.
    pub fn lock(&self) -> io::Result<RunLock> {
        fs::create_dir_all(&self.runs)?;
        let path = self.runs.join("lock");
        match fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
        {
            Ok(mut file) => {
                use std::io::Write;
                writeln!(file, "{}", std::process::id())?;
                Ok(RunLock { path })
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                // A run killed with SIGKILL leaves its lock behind: take over a
                // lock whose process is gone (once; a live holder wins).
                if let Some(pid) = stale_lock_pid(&path) {
                    eprintln!(
                        "warning: {}: taking over a stale lock of fix run process {pid}, which is no longer running \
                         (an interrupted run can be undone with `redis-unify rollback`)",
                        path.display()
                    );
                    fs::remove_file(&path)?;
                    return self.lock_once(&path);
                }
                Err(io::Error::new(
                    io::ErrorKind::AlreadyExists,
                    format!(
                        "another fix run holds {}; wait for it to finish (if none is running, delete that file)",
                        path.display()
                    ),
                ))
            }
            Err(e) => Err(e),
        }
    }

    fn lock_once(&self, path: &Path) -> io::Result<RunLock> {
        let mut file = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(path)?;
        use std::io::Write;
        writeln!(file, "{}", std::process::id())?;
        Ok(RunLock {
            path: path.to_path_buf(),
        })
    }

    /// Saves the originals and the manifest of a new run, before anything is written.
    pub fn begin(&self, mut manifest: Manifest, originals: &[Vec<u8>]) -> io::Result<Manifest> {
        let folder = self.runs.join(&manifest.id);
        fs::create_dir_all(folder.join("originals"))?;
        for (index, (file, bytes)) in manifest.files.iter_mut().zip(originals).enumerate() {
            file.backup = format!("originals/{index}");
            let path = folder.join(&file.backup);
            fs::write(&path, bytes)?;
            fs::File::open(&path)?.sync_all()?;
        }
        manifest.status = RunStatus::Writing;
        self.save(&manifest)?;
        Ok(manifest)
    }

    pub fn save(&self, manifest: &Manifest) -> io::Result<()> {
        let folder = self.runs.join(&manifest.id);
        let path = folder.join("manifest.json");
        let text = serde_json::to_vec_pretty(manifest).map_err(io::Error::other)?;
        if path.exists() {
            write_atomically(&path, &text)
        } else {
            // Never a half-written manifest, even when killed here.
            use std::io::Write;
            let mut temporary = tempfile::NamedTempFile::new_in(&folder)?;
            temporary.write_all(&text)?;
            temporary.as_file().sync_all()?;
            temporary.persist(&path).map_err(|e| e.error)?;
            Ok(())
        }
    }

    /// All runs, oldest first.
    pub fn runs(&self) -> io::Result<Vec<Manifest>> {
        let mut manifests = Vec::new();
        let Ok(entries) = fs::read_dir(&self.runs) else {
            return Ok(manifests);
        };
        for entry in entries {
            let path = entry?.path().join("manifest.json");
            if let Ok(text) = fs::read(&path) {
                match serde_json::from_slice::<Manifest>(&text) {
                    Ok(manifest) => manifests.push(manifest),
                    Err(e) => {
                        eprintln!("warning: {}: unreadable journal entry: {e}", path.display())
                    }
                }
            }
        }
        manifests.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(manifests)
    }

    pub fn backup_path(&self, manifest: &Manifest, file: &JournalFile) -> PathBuf {
        self.runs.join(&manifest.id).join(&file.backup)
    }
}

/// The pid in a lock file when that process no longer exists.
fn stale_lock_pid(path: &Path) -> Option<i32> {
    let text = fs::read_to_string(path).ok()?;
    let pid: i32 = text.trim().parse().ok().filter(|pid| *pid > 0)?;
    // SAFETY: kill with signal 0 only checks whether the process exists.
    let alive = unsafe { libc::kill(pid, 0) } == 0
        || io::Error::last_os_error().raw_os_error() == Some(libc::EPERM);
    (!alive).then_some(pid)
}

/// A new run id: sortable by time, unique per process.
pub fn new_run_id() -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let (date, time) = utc_parts(now.as_secs());
    format!(
        "{}{}-{:09}-{}",
        date.replace('-', ""),
        time.replace(':', ""),
        now.subsec_nanos(),
        std::process::id()
    )
}

/// Now, as `YYYY-MM-DDTHH:MM:SSZ`.
pub fn utc_now() -> String {
    let seconds = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs();
    let (date, time) = utc_parts(seconds);
    format!("{date}T{time}Z")
}

/// (`YYYY-MM-DD`, `HH:MM:SS`) of a Unix time, by Howard Hinnant's civil-from-days.
fn utc_parts(seconds: u64) -> (String, String) {
    let days = (seconds / 86_400) as i64;
    let rest = seconds % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (
        format!("{year:04}-{month:02}-{day:02}"),
        format!(
            "{:02}:{:02}:{:02}",
            rest / 3600,
            rest % 3600 / 60,
            rest % 60
        ),
    )
}

impl JournalFile {
    /// The file's path relative to the run's root, byte-exact.
    pub fn relative_path(&self) -> PathBuf {
        use std::os::unix::ffi::OsStrExt;
        match &self.path_bytes {
            Some(bytes) => PathBuf::from(std::ffi::OsStr::from_bytes(bytes)),
            None => PathBuf::from(&self.path),
        }
    }

    /// `path` and, when it is not UTF-8, `path_bytes` for a relative path.
    pub fn paths_of(relative: &Path) -> (String, Option<Vec<u8>>) {
        use std::os::unix::ffi::OsStrExt;
        let text = crate::source::slash_path(relative);
        let bytes = relative.as_os_str().as_bytes();
        let exact = (relative.to_str().is_none()).then(|| bytes.to_vec());
        (text, exact)
    }
}

/// A journal path made absolute under `root`; `None` for anything that could
/// point elsewhere (absolute paths, `..`).
pub fn path_in_root(root: &Path, relative: &Path) -> Option<PathBuf> {
    let path = relative;
    if path.components().all(|c| matches!(c, Component::Normal(_))) {
        Some(root.join(path))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stale_locks_are_taken_over_live_ones_are_not() {
        let dir = tempfile::tempdir().unwrap();
        let journal = Journal::for_project(None, dir.path());
        let lock_path = journal.folder().join("lock");
        fs::create_dir_all(journal.folder()).unwrap();
        // A pid that cannot exist (above the kernel's pid_max).
        fs::write(&lock_path, "2147483646\n").unwrap();
        let lock = journal.lock().unwrap();
        assert_eq!(
            fs::read_to_string(&lock_path).unwrap().trim(),
            std::process::id().to_string()
        );
        assert!(journal.lock().is_err(), "a live holder keeps its lock");
        drop(lock);
        assert!(!lock_path.exists());
        fs::write(&lock_path, "garbage\n").unwrap();
        assert!(
            journal.lock().is_err(),
            "an unreadable lock is not taken over"
        );
    }

    #[test]
    fn utc_dates() {
        assert_eq!(utc_parts(0), ("1970-01-01".into(), "00:00:00".into()));
        assert_eq!(
            utc_parts(1_795_651_200),
            ("2026-11-26".into(), "00:00:00".into())
        );
        assert_eq!(
            utc_parts(951_782_400 + 3661),
            ("2000-02-29".into(), "01:01:01".into())
        );
    }

    #[test]
    fn journal_paths_stay_in_the_root() {
        let root = Path::new("/project");
        assert_eq!(
            path_in_root(root, Path::new("a/b.py")),
            Some(PathBuf::from("/project/a/b.py"))
        );
        assert_eq!(path_in_root(root, Path::new("../etc/passwd")), None);
        assert_eq!(path_in_root(root, Path::new("/etc/passwd")), None);
        assert_eq!(path_in_root(root, Path::new("a/../../x")), None);
    }

    #[test]
    fn manifests_without_per_file_write_state_still_load() {
        let old = r#"{"id":"r","created":"2026-01-01T00:00:00Z","root":"/p","phase":null,
            "unsafe_fixes":false,"verify":null,"status":"complete","files":[{"path":"a.py",
            "before":"b","after":"a","rules":["RU100"],"backup":"originals/0"}]}"#;
        let manifest: Manifest = serde_json::from_str(old).unwrap();
        assert_eq!(manifest.files[0].write, FileWrite::Pending);
        assert_eq!(manifest.files[0].not_written, None);
    }

    #[test]
    fn blob_hash_matches_git() {
        // `printf 'hello\n' | git hash-object --stdin`
        assert_eq!(
            content_hash(b"hello\n"),
            "ce013625030ba8dba906f756967f9e9ca394464a"
        );
    }
}
