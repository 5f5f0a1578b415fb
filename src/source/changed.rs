//! What changed since a base commit, with git2: the files of a pull request
//! (`--changed-since REF`: the merge base of REF and HEAD against the work tree,
//! untracked files included) and the lines added to them (`--new-only`).
//!
//! The diff is rename-aware (a moved file's unchanged lines are not new) and
//! has no context lines, so every line of a hunk's new side is an added line.

use std::collections::BTreeMap;
use std::path::Path;

use git2::{Delta, DiffFindOptions, DiffOptions, ErrorCode, FileMode, Repository, Tree};

use super::{Origin, SourceFile, relative_to, slash_path};
use crate::error::Error;
use crate::lint::is_input_path;

/// The lines of a file that are new since the base.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AddedLines {
    /// The file did not exist at the base (added, or untracked).
    All,
    /// 1-based, inclusive line ranges, in order.
    Ranges(Vec<(usize, usize)>),
}

impl AddedLines {
    /// Whether any of the lines `first..=last` is new.
    pub fn intersects(&self, first: usize, last: usize) -> bool {
        match self {
            AddedLines::All => true,
            AddedLines::Ranges(ranges) => ranges
                .iter()
                .any(|(start, end)| *start <= last && first <= *end),
        }
    }
}

/// Changed files by path relative to the work tree (`/`-separated).
pub type Changes = BTreeMap<String, AddedLines>;

/// What the base is compared with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Against<'a> {
    /// The staged content (the staged mode), seen from this folder (see
    /// [`super::staged::staged_index`]).
    Index { cwd: &'a Path },
    /// The work tree, staged or not, and untracked files (not ignored ones).
    WorkTree,
}

/// The tree of HEAD, or `None` in a repository without commits.
pub fn head_tree(repo: &Repository) -> Result<Option<Tree<'_>>, Error> {
    match repo.head() {
        Ok(head) => Ok(Some(head.peel_to_tree()?)),
        Err(e) if matches!(e.code(), ErrorCode::UnbornBranch | ErrorCode::NotFound) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// The tree of the merge base of `reference` and HEAD: where a pull request
/// from HEAD into `reference` starts.
pub fn merge_base_tree<'r>(repo: &'r Repository, reference: &str) -> Result<Tree<'r>, Error> {
    let target = repo
        .revparse_single(reference)
        .and_then(|object| object.peel_to_commit())
        .map_err(|e| {
            Error::Usage(format!(
                "--changed-since {reference}: not a commit here ({}); in a shallow CI \
                 checkout fetch it first (`git fetch origin {reference}`, or \
                 `fetch-depth: 0` for actions/checkout)",
                e.message()
            ))
        })?;
    let head = repo
        .head()
        .and_then(|head| head.peel_to_commit())
        .map_err(|e| {
            Error::Usage(format!(
                "--changed-since needs a HEAD commit to compare with ({})",
                e.message()
            ))
        })?;
    let base = repo.merge_base(target.id(), head.id()).map_err(|e| {
        Error::Usage(format!(
            "--changed-since {reference}: no common ancestor with HEAD ({}); a shallow \
             clone may lack it: fetch more history (`fetch-depth: 0` for actions/checkout)",
            e.message()
        ))
    })?;
    Ok(repo.find_commit(base)?.tree()?)
}

/// The files changed between `base` (nothing: an empty tree) and the index or
/// work tree, with their added lines when `with_lines`. Deleted files, symlinks
/// and submodules are left out.
pub fn changes(
    repo: &Repository,
    base: Option<&Tree<'_>>,
    against: Against<'_>,
    with_lines: bool,
) -> Result<Changes, Error> {
    let mut options = DiffOptions::new();
    options
        .context_lines(0)
        .include_typechange(true)
        .ignore_submodules(true);
    let mut diff = match against {
        Against::Index { cwd } => {
            let index = super::staged::staged_index(repo, cwd)?;
            repo.diff_tree_to_index(base, Some(&index), Some(&mut options))?
        }
        Against::WorkTree => {
            options.include_untracked(true).recurse_untracked_dirs(true);
            repo.diff_tree_to_workdir_with_index(base, Some(&mut options))?
        }
    };
    // Renames among tracked files: a moved file is not new code. Untracked
    // files stay wholly new, as the golangci-lint convention has it.
    diff.find_similar(Some(DiffFindOptions::new().renames(true)))?;

    let mut changes = Changes::new();
    let mut file_cb = |delta: git2::DiffDelta<'_>, _progress: f32| {
        if let Some((path, added)) = classify(&delta) {
            changes.insert(path, added);
        }
        true
    };
    if !with_lines {
        diff.foreach(&mut file_cb, None, None, None)?;
        return Ok(changes);
    }
    let mut hunks: Vec<(String, usize, usize)> = Vec::new();
    let mut hunk_cb = |delta: git2::DiffDelta<'_>, hunk: git2::DiffHunk<'_>| {
        if let Some(path) = delta.new_file().path()
            && hunk.new_lines() > 0
        {
            let start = hunk.new_start() as usize;
            hunks.push((
                slash_path(path),
                start,
                start + hunk.new_lines() as usize - 1,
            ));
        }
        true
    };
    diff.foreach(&mut file_cb, None, Some(&mut hunk_cb), None)?;
    for (path, start, end) in hunks {
        if let Some(AddedLines::Ranges(ranges)) = changes.get_mut(&path) {
            ranges.push((start, end));
        }
    }
    Ok(changes)
}

/// A delta's path and what is new in it, or `None` when nothing of it is left
/// to check (deleted, unreadable as source).
fn classify(delta: &git2::DiffDelta<'_>) -> Option<(String, AddedLines)> {
    let added = match delta.status() {
        Delta::Added | Delta::Untracked | Delta::Copied => AddedLines::All,
        // A file that was a symlink or submodule at the base is new as source.
        Delta::Typechange => AddedLines::All,
        Delta::Modified | Delta::Renamed => AddedLines::Ranges(Vec::new()),
        _ => return None,
    };
    let new_file = delta.new_file();
    if !matches!(
        new_file.mode(),
        FileMode::Blob | FileMode::BlobExecutable | FileMode::BlobGroupWritable
    ) {
        return None;
    }
    Some((slash_path(new_file.path()?), added))
}

/// The changed Python files, read from the work tree.
pub fn changed_files(
    changes: &Changes,
    workdir: &Path,
    cwd: &Path,
    project_root: &Path,
) -> Vec<SourceFile> {
    changes
        .keys()
        .filter(|path| is_input_path(path))
        .map(|path| workdir.join(path))
        .filter(|abs_path| abs_path.is_file())
        .map(|abs_path| SourceFile {
            manifest: crate::manifest::ManifestKind::of(&abs_path),
            display: slash_path(&relative_to(&abs_path, cwd)),
            relative: slash_path(&relative_to(&abs_path, project_root)),
            abs_path,
            origin: Origin::WorkTree,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::AddedLines;

    #[test]
    fn ranges_intersect() {
        let added = AddedLines::Ranges(vec![(3, 3), (10, 12)]);
        assert!(added.intersects(3, 3));
        assert!(added.intersects(1, 4));
        assert!(added.intersects(12, 20));
        assert!(!added.intersects(4, 9));
        assert!(!added.intersects(13, 13));
        assert!(AddedLines::All.intersects(1, 1));
        assert!(!AddedLines::Ranges(Vec::new()).intersects(1, 100));
    }
}
