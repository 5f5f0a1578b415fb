//! The backup journal of fix runs: before a run writes anything, the original
//! bytes of every file it will change are stored under
//! `.git/redis-unify/runs/<run-id>/` (outside git: `.redis-unify/runs/`), with a
//! manifest. `rollback` restores them byte for byte.
//!
//! Crash safety: the originals and the manifest are on disk (flushed) before the
//! first file is replaced, and each file is replaced atomically, so at any
//! moment every file is either its original or its fixed version, and the
//! journal knows both hashes.
//!
//! A journal belongs to the work tree it lives in: file paths are stored
//! relative to it, and the root is taken from where the journal is found when
//! rolling back (so a copied or moved repository restores its own files; the
//! `root` a manifest records is only where the run was made). In a linked
//! worktree (`git worktree add`) the journal is in that worktree's own git
//! folder (`.git/worktrees/NAME/`): its runs changed that worktree's files, so
//! `rollback` and `history` in one worktree never see another's runs.
//!
//! The lock is an advisory `flock(2)` on `runs/lock`: the kernel releases it
//! when its process ends, however it ends, so a killed run never leaves a lock
//! behind and two processes can never both take it.

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
    /// Written; `--verify-imports` / `--verify` running (a run that stops here
    /// was interrupted with unverified fixes).
    Verifying,
    /// Written (and verified, when the run had a verify command that passed).
    Complete,
    /// `--verify` failed and every file was restored.
    VerifyFailed,
    /// `--verify` failed and some files could not be restored: those files
    /// (`restored: false` in `files`) still hold the unverified fixes.
    VerifyFailedNotRolledBack,
    /// `--verify` was interrupted (SIGINT/SIGTERM/SIGHUP) and every file was restored.
    VerifyInterruptedRolledBack,
    /// `--verify` was interrupted and some files could not be restored (see `files`).
    VerifyInterrupted,
    RolledBack,
}

impl RunStatus {
    /// Every file of the run holds its original again: nothing left to undo.
    pub fn is_rolled_back(&self) -> bool {
        matches!(
            self,
            RunStatus::RolledBack
                | RunStatus::VerifyFailed
                | RunStatus::VerifyInterruptedRolledBack
        )
    }
}

/// How a run's `--verify` command ended.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum VerifyOutcome {
    Passed,
    /// Exited non-zero, or was killed by a signal redis-unify did not forward.
    Failed,
    /// redis-unify was sent SIGINT/SIGTERM/SIGHUP while it ran (or before it started).
    Interrupted,
    /// The command could not be started.
    NotRun,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct VerifyResult {
    pub outcome: VerifyOutcome,
    /// The command's exit code, when it exited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exit_code: Option<i32>,
    /// The signal that ended the command, when one did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signal: Option<i32>,
    /// The signal redis-unify received (and forwarded), for `interrupted`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interrupted_by: Option<String>,
    pub duration_ms: u64,
}

/// How `fix --verify-imports` ended: each changed module imported in a fresh interpreter.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ImportCheck {
    pub passed: bool,
    /// The interpreter.
    pub python: String,
    /// How many modules were imported.
    pub modules: usize,
    /// The modules that did not import, as `module (file)`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub failed: Vec<String>,
    /// Written Python files not imported: no module name (`my-tool.py`), or a
    /// program (`setup.py`, `__main__.py`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skipped: Vec<String>,
    /// A signal stopped the check (the rest of the modules were not imported).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub interrupted: bool,
    /// Why nothing could be imported (the interpreter did not start).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub duration_ms: u64,
}

impl ImportCheck {
    /// One line: `the import of 5 changed modules passed (python3, 1.2 s)`.
    pub fn summary(&self) -> String {
        let modules = if self.modules == 1 {
            "1 changed module".to_string()
        } else {
            format!("{} changed modules", self.modules)
        };
        let seconds = self.duration_ms as f64 / 1000.0;
        if let Some(error) = &self.error {
            return format!("no module could be imported: {error}");
        }
        if self.modules == 0 {
            return "no changed Python module to import".to_string();
        }
        if self.interrupted {
            return format!("the import check of {modules} was interrupted ({seconds:.1} s)");
        }
        if self.passed {
            format!(
                "the import of {modules} passed ({}, {seconds:.1} s)",
                self.python
            )
        } else {
            format!(
                "{} of {modules} did not import: {} ({}, {seconds:.1} s)",
                self.failed.len(),
                self.failed.join(", "),
                self.python
            )
        }
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
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
    /// After a rollback was tried (automatically after a failed or interrupted
    /// verify, or by `rollback`): whether the file holds its original again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restored: Option<bool>,
    /// Why it was not restored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_restored: Option<String>,
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
    /// Where the run was made, for information only: files are restored in
    /// the work tree the journal belongs to (see the module's documentation).
    /// Manifests written before that used it as the root.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub root: Option<PathBuf>,
    pub phase: Option<String>,
    pub unsafe_fixes: bool,
    pub verify: Option<String>,
    pub status: RunStatus,
    /// How the verify command ended (runs with `--verify`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verify_result: Option<VerifyResult>,
    /// `history --prune` removed the originals of this (rolled back) run.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub backups_pruned: bool,
    pub files: Vec<JournalFile>,
    /// How `--verify-imports` ended, when it ran.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub import_check: Option<ImportCheck>,
    /// The commit `fix --commit` made of the run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    /// Why `fix --commit` made no commit of the run (git's or a hook's output).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit_refused: Option<String>,
}

impl Manifest {
    /// The files a rollback left with their fixed (unverified) content.
    pub fn files_left(&self) -> Vec<&JournalFile> {
        self.files
            .iter()
            .filter(|file| file.restored == Some(false))
            .collect()
    }
}

/// The journal folder of a project, and the work tree its runs changed.
pub struct Journal {
    runs: PathBuf,
    root: PathBuf,
}

/// Held while a fix run (or a rollback, or a prune) works on the journal: an
/// advisory lock on the open lock file, released by the kernel when the
/// process ends in any way. The file itself stays (removing it would let two
/// processes lock two different files).
pub struct RunLock {
    _file: fs::File,
}

/// One folder of `runs/`: a readable run, a damaged manifest, or a folder whose
/// manifest was never written (a run killed before it wrote any file).
pub enum RunEntry {
    Run(Box<Manifest>),
    Damaged {
        id: String,
        manifest: PathBuf,
        error: String,
    },
    NoManifest {
        id: String,
    },
}

impl RunEntry {
    pub fn id(&self) -> &str {
        match self {
            RunEntry::Run(manifest) => &manifest.id,
            RunEntry::Damaged { id, .. } | RunEntry::NoManifest { id } => id,
        }
    }
}

pub fn content_hash(bytes: &[u8]) -> String {
    git2::Oid::hash_object(git2::ObjectType::Blob, bytes)
        .map(|oid| oid.to_string())
        .unwrap_or_default()
}

impl Journal {
    /// `.git/redis-unify/runs` inside a git repository (the git folder of the
    /// work tree: a linked worktree has its own), else `.redis-unify/runs` in
    /// `root`. `root` is the work tree the runs' paths are relative to.
    pub fn for_project(git_dir: Option<&Path>, root: &Path) -> Journal {
        let runs = match git_dir {
            Some(git_dir) => git_dir.join("redis-unify").join("runs"),
            None => root.join(".redis-unify").join("runs"),
        };
        Journal {
            runs,
            root: root.to_path_buf(),
        }
    }

    pub fn folder(&self) -> &Path {
        &self.runs
    }

    /// The work tree the runs' files are restored in.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Takes the journal's lock; fails with a message when another process holds it.
    pub fn lock(&self) -> io::Result<RunLock> {
        fs::create_dir_all(&self.runs)?;
        let path = self.runs.join("lock");
        let mut file = fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)?;
        match file.try_lock() {
            Ok(()) => {
                // For the message of a run that finds it held (and for an
                // older redis-unify, which checks that this pid is alive).
                use std::io::Write;
                file.set_len(0)?;
                writeln!(file, "{}", std::process::id())?;
                Ok(RunLock { _file: file })
            }
            Err(fs::TryLockError::WouldBlock) => {
                let holder = fs::read_to_string(&path)
                    .ok()
                    .and_then(|text| text.trim().parse::<u32>().ok())
                    .map(|pid| format!(" (process {pid})"))
                    .unwrap_or_default();
                Err(io::Error::new(
                    io::ErrorKind::AlreadyExists,
                    format!(
                        "another fix run{holder} holds {}; wait for it to finish \
                         (the lock is released as soon as that process ends)",
                        path.display()
                    ),
                ))
            }
            Err(fs::TryLockError::Error(e))
                if matches!(
                    e.raw_os_error(),
                    Some(libc::ENOLCK | libc::EOPNOTSUPP | libc::ENOSYS)
                ) =>
            {
                // A file system without flock (some network mounts): a run
                // must still be possible.
                crate::errln!(
                    "warning: {}: this file system cannot lock files ({e}); make sure no other fix run \
                     works on this project at the same time",
                    path.display()
                );
                Ok(RunLock { _file: file })
            }
            Err(fs::TryLockError::Error(e)) => Err(io::Error::new(
                e.kind(),
                format!("cannot lock {}: {e}", path.display()),
            )),
        }
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

    /// Every folder of the journal, oldest first (run ids sort by time).
    pub fn entries(&self) -> io::Result<Vec<RunEntry>> {
        let mut entries = Vec::new();
        let Ok(folders) = fs::read_dir(&self.runs) else {
            return Ok(entries);
        };
        for folder in folders {
            let folder = folder?;
            if !folder.file_type()?.is_dir() {
                continue;
            }
            let id = folder.file_name().to_string_lossy().into_owned();
            let path = folder.path().join("manifest.json");
            let entry = match fs::read(&path) {
                Ok(text) => match serde_json::from_slice::<Manifest>(&text) {
                    Ok(manifest) => RunEntry::Run(Box::new(manifest)),
                    Err(e) => RunEntry::Damaged {
                        id,
                        manifest: path,
                        error: e.to_string(),
                    },
                },
                Err(e) if e.kind() == io::ErrorKind::NotFound => RunEntry::NoManifest { id },
                Err(e) => RunEntry::Damaged {
                    id,
                    manifest: path,
                    error: e.to_string(),
                },
            };
            entries.push(entry);
        }
        entries.sort_by(|a, b| a.id().cmp(b.id()));
        Ok(entries)
    }

    /// All readable runs, oldest first; a damaged manifest is named on stderr.
    pub fn runs(&self) -> io::Result<Vec<Manifest>> {
        let mut manifests = Vec::new();
        for entry in self.entries()? {
            match entry {
                RunEntry::Run(manifest) => manifests.push(*manifest),
                RunEntry::Damaged {
                    manifest, error, ..
                } => crate::errln!(
                    "warning: {}: unreadable journal entry: {error}",
                    manifest.display()
                ),
                RunEntry::NoManifest { .. } => {}
            }
        }
        Ok(manifests)
    }

    /// The folder of a run.
    pub fn run_folder(&self, id: &str) -> PathBuf {
        self.runs.join(id)
    }

    /// Removes the folders of runs killed before their manifest was written
    /// (such a run wrote no file). Call with the lock held (then no live run
    /// is creating one). Returns how many were removed.
    ///
    /// Also removes, in the other run folders, the temporary files of a
    /// manifest update that was killed (older than `started`).
    pub fn remove_runs_without_manifest(&self, started: SystemTime) -> io::Result<usize> {
        let mut removed = 0;
        for (folder, has_manifest) in self.run_folders()? {
            if has_manifest {
                remove_stale_temporaries(&folder, started);
            } else {
                fs::remove_dir_all(&folder)?;
                removed += 1;
            }
        }
        Ok(removed)
    }

    /// The run folders, each with whether it has a manifest (not read).
    fn run_folders(&self) -> io::Result<Vec<(PathBuf, bool)>> {
        let mut folders = Vec::new();
        let Ok(entries) = fs::read_dir(&self.runs) else {
            return Ok(folders);
        };
        for entry in entries {
            let entry = entry?;
            if entry.file_type()?.is_dir() {
                let has_manifest = entry.path().join("manifest.json").exists();
                folders.push((entry.path(), has_manifest));
            }
        }
        Ok(folders)
    }

    /// `history --prune`, with the lock held: keeps the last `keep` runs whole
    /// (their originals are what `rollback` needs), removes older runs, the
    /// originals of rolled-back runs among the kept ones (nothing left to
    /// restore), folders without a manifest, and stale temporary files next to
    /// the files of every run. Damaged manifests are left alone and reported.
    pub fn prune(&self, keep: usize) -> io::Result<PruneReport> {
        let mut report = PruneReport::default();
        let started = SystemTime::now();
        let entries = self.entries()?;
        let runs: Vec<&Manifest> = entries
            .iter()
            .filter_map(|entry| match entry {
                RunEntry::Run(run) => Some(run.as_ref()),
                _ => None,
            })
            .collect();
        let mut folders = std::collections::BTreeSet::new();
        for run in &runs {
            for file in &run.files {
                if let Some(path) = path_in_root(&self.root, &file.relative_path())
                    && let Some(parent) = path.parent()
                {
                    folders.insert(parent.to_path_buf());
                }
            }
        }
        for run in &runs {
            folders.insert(self.run_folder(&run.id));
        }
        for folder in &folders {
            report.temporaries += remove_stale_temporaries(folder, started).len();
        }
        let old = runs.len().saturating_sub(keep);
        for (index, run) in runs.iter().enumerate() {
            let folder = self.run_folder(&run.id);
            if index < old {
                report.bytes += size_of(&folder);
                fs::remove_dir_all(&folder)?;
                report.old_runs += 1;
            } else if run.status.is_rolled_back() && !run.backups_pruned {
                let originals = folder.join("originals");
                report.bytes += size_of(&originals);
                if originals.exists() {
                    fs::remove_dir_all(&originals)?;
                }
                let mut run = (*run).clone();
                run.backups_pruned = true;
                self.save(&run)?;
                report.rolled_back += 1;
            }
        }
        for entry in &entries {
            match entry {
                RunEntry::NoManifest { id } => {
                    let folder = self.run_folder(id);
                    report.bytes += size_of(&folder);
                    fs::remove_dir_all(&folder)?;
                    report.without_manifest += 1;
                }
                RunEntry::Damaged {
                    manifest, error, ..
                } => report.damaged.push((manifest.clone(), error.clone())),
                RunEntry::Run(_) => {}
            }
        }
        Ok(report)
    }

    /// The number of runs (folders with a manifest).
    pub fn run_count(&self) -> usize {
        self.run_folders()
            .map(|folders| folders.iter().filter(|(_, manifest)| *manifest).count())
            .unwrap_or(0)
    }

    /// The bytes the journal takes.
    pub fn size(&self) -> u64 {
        size_of(&self.runs)
    }

    pub fn backup_path(&self, manifest: &Manifest, file: &JournalFile) -> PathBuf {
        self.runs.join(&manifest.id).join(&file.backup)
    }
}

/// What `history --prune` removed.
#[derive(Debug, Default)]
pub struct PruneReport {
    pub old_runs: usize,
    pub without_manifest: usize,
    pub rolled_back: usize,
    pub temporaries: usize,
    pub bytes: u64,
    pub damaged: Vec<(PathBuf, String)>,
}

/// The bytes of the files below `path` (0 when it cannot be read).
fn size_of(path: &Path) -> u64 {
    let Ok(metadata) = fs::symlink_metadata(path) else {
        return 0;
    };
    if !metadata.is_dir() {
        return metadata.len();
    }
    fs::read_dir(path)
        .map(|entries| entries.flatten().map(|entry| size_of(&entry.path())).sum())
        .unwrap_or(0)
}

/// Whether `name` is a temporary file of an atomic write
/// (`.redis-unify-` + six random alphanumerics + `.tmp`, as tempfile names them).
pub fn is_temporary_name(name: &[u8]) -> bool {
    let Some(random) = name
        .strip_prefix(b".redis-unify-")
        .and_then(|rest| rest.strip_suffix(b".tmp"))
    else {
        return false;
    };
    (1..=16).contains(&random.len()) && random.iter().all(u8::is_ascii_alphanumeric)
}

/// Removes the temporary files a killed run left in `folder`: regular files
/// named exactly like [`is_temporary_name`], last modified before `started`
/// (the time the caller took the journal's lock, so none belongs to a live
/// run of this journal). Returns the files removed.
pub fn remove_stale_temporaries(folder: &Path, started: SystemTime) -> Vec<PathBuf> {
    use std::os::unix::ffi::OsStrExt;
    let mut removed = Vec::new();
    let Ok(entries) = fs::read_dir(folder) else {
        return removed;
    };
    for entry in entries.flatten() {
        if !is_temporary_name(entry.file_name().as_bytes()) {
            continue;
        }
        let path = entry.path();
        let Ok(metadata) = fs::symlink_metadata(&path) else {
            continue;
        };
        let old = metadata.modified().is_ok_and(|modified| modified < started);
        if metadata.is_file() && old && fs::remove_file(&path).is_ok() {
            removed.push(path);
        }
    }
    removed
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
        // Left by a killed run (a pid that cannot exist), or garbage: no
        // process holds the lock, so it is free.
        for left in ["2147483646\n", "garbage\n"] {
            fs::write(&lock_path, left).unwrap();
            let lock = journal.lock().unwrap();
            assert_eq!(
                fs::read_to_string(&lock_path).unwrap().trim(),
                std::process::id().to_string()
            );
            let error = journal.lock().err().expect("a live holder keeps its lock");
            assert!(error.to_string().contains("another fix run"), "{error}");
            drop(lock);
        }
        assert!(journal.lock().is_ok(), "released when dropped");
    }

    #[test]
    fn many_threads_racing_for_a_stale_lock_exactly_one_wins() {
        let dir = tempfile::tempdir().unwrap();
        let journal = Journal::for_project(None, dir.path());
        fs::create_dir_all(journal.folder()).unwrap();
        fs::write(journal.folder().join("lock"), "2147483646\n").unwrap();
        let threads = 32;
        let start = std::sync::Barrier::new(threads);
        let held = std::sync::Barrier::new(threads);
        let winners = std::sync::atomic::AtomicUsize::new(0);
        std::thread::scope(|scope| {
            for _ in 0..threads {
                scope.spawn(|| {
                    start.wait();
                    let lock = journal.lock();
                    if lock.is_ok() {
                        winners.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    }
                    // Every thread tries while the winner still holds it.
                    held.wait();
                    drop(lock);
                });
            }
        });
        assert_eq!(winners.into_inner(), 1);
    }

    #[test]
    fn temporary_names() {
        assert!(is_temporary_name(b".redis-unify-a1B2c3.tmp"));
        assert!(!is_temporary_name(b".redis-unify-.tmp"));
        assert!(!is_temporary_name(b".redis-unify-notes.tmp.bak"));
        assert!(!is_temporary_name(b"redis-unify-a1B2c3.tmp"));
        assert!(!is_temporary_name(b".redis-unify-a/b.tmp"));
        assert!(!is_temporary_name(b".redis-unify-my notes.tmp"));
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
