//! What git says about a work-tree file a fix run is about to write: whether
//! git was told to look away from it (`--assume-unchanged`,
//! `--skip-worktree`), and what its bytes are once through git's own filters
//! (line endings, `ident`, clean filters, `working-tree-encoding`).

use std::io::Write;
use std::path::{Component, Path, PathBuf};
use std::process::{Command, Stdio};

use git2::{Index, IndexEntryExtendedFlag, IndexEntryFlag};

use crate::source::{relative_to, slash_path};

/// The index of the repository and its work tree's real path.
pub struct IndexFlags {
    index: Index,
    workdir: PathBuf,
}

impl IndexFlags {
    pub fn new(index: Index, workdir: &Path) -> IndexFlags {
        IndexFlags {
            index,
            workdir: workdir
                .canonicalize()
                .unwrap_or_else(|_| workdir.to_path_buf()),
        }
    }

    /// Why a file must not be written behind git's back: its index entry (at
    /// any of `paths`, real or as named) is marked assume-unchanged or
    /// skip-worktree, so git would not see the change in `status`, `diff` or a
    /// commit. `None` when git watches it (or does not track it).
    pub fn refusal(&self, paths: &[&Path], tree_root: &Path) -> Option<String> {
        for path in paths {
            let root = if path.starts_with(&self.workdir) {
                &self.workdir
            } else {
                tree_root
            };
            let relative = relative_to(path, root);
            // (`get_path` panics on an empty path or one starting with `.`/`..`.)
            if !matches!(relative.components().next(), Some(Component::Normal(_)))
                || relative.as_os_str().as_encoded_bytes().contains(&0)
            {
                continue;
            }
            let Some(entry) = self.index.get_path(&relative, 0) else {
                continue;
            };
            // As typed where the command runs (git update-index takes paths
            // relative to the current folder).
            let shown = std::env::current_dir()
                .map(|cwd| slash_path(&relative_to(path, &cwd)))
                .unwrap_or_else(|_| slash_path(&relative));
            let flags = IndexEntryFlag::from_bits_truncate(entry.flags);
            let extended = IndexEntryExtendedFlag::from_bits_truncate(entry.flags_extended);
            if extended.is_skip_worktree() {
                return Some(format!(
                    "git is told to skip it in the work tree (`git update-index --skip-worktree`, \
                     or a sparse checkout): a fix written there would not show in `git status` \
                     or `git diff` and would not be committed. Run `git update-index \
                     --no-skip-worktree {shown}` first, then fix it"
                ));
            }
            if flags.is_valid() {
                return Some(format!(
                    "git is told to assume it unchanged (`git update-index --assume-unchanged`): \
                     a fix written there would not show in `git status` or `git diff` and would \
                     not be committed. Run `git update-index --no-assume-unchanged {shown}` \
                     first, then fix it"
                ));
            }
        }
        None
    }
}

/// The blob id git would stage for `bytes` as the work-tree content of
/// `relative` (through its clean filters, as `git add` does), from `git
/// hash-object --stdin --path` run in `workdir`; nothing is written to the
/// repository. `None` when git cannot be run or fails.
pub fn staged_blob_id(workdir: &Path, relative: &Path, bytes: &[u8]) -> Option<String> {
    let mut child = Command::new("git")
        .current_dir(workdir)
        .args(["hash-object", "--stdin", "--path"])
        .arg(relative)
        .env("GIT_OPTIONAL_LOCKS", "0")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    // git reads all of its input before it writes its one line.
    let written = child.stdin.take()?.write_all(bytes);
    let output = child.wait_with_output().ok()?;
    if written.is_err() || !output.status.success() {
        return None;
    }
    let id = String::from_utf8(output.stdout).ok()?;
    let id = id.trim();
    (id.len() >= 40 && id.bytes().all(|b| b.is_ascii_hexdigit())).then(|| id.to_string())
}
