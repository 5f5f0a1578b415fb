//! Staged mode: the files added, copied, modified or renamed between HEAD and
//! the index, read from the index blobs, so that a partially staged file is
//! judged on what will be committed.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use git2::{
    Delta, DiffOptions, ErrorCode, FileMode, Index, ObjectType, Oid, Repository,
    RepositoryOpenFlags, Tree,
};

use super::diff_index::{self, StagedChange, StagedEntry};

use super::{Origin, SourceFile, relative_to, slash_path};
use crate::error::Error;
use crate::lint::is_input_path;

/// The repository around `cwd` for a command that cannot work without one:
/// `why` replaces the generic "not inside a git repository" message.
pub fn require_repository(cwd: &Path, why: &str) -> Result<(Repository, PathBuf), Error> {
    open_repository(cwd).map_err(|e| match e {
        Error::NotARepository => Error::Usage(why.to_string()),
        other => other,
    })
}

/// The repository around `cwd` when there is a usable one (commands given
/// paths work without): `None` outside git and in a bare repository, but an
/// error when `GIT_DIR` names something that is not a repository, as git
/// itself refuses then.
pub fn optional_repository(cwd: &Path) -> Result<Option<(Repository, PathBuf)>, Error> {
    match open_repository(cwd) {
        Ok(repository) => Ok(Some(repository)),
        Err(error) if std::env::var_os("GIT_DIR").is_some_and(|v| !v.is_empty()) => Err(error),
        Err(_) => Ok(None),
    }
}

/// What paths are relative to when no configuration file says: the work tree
/// of the repository, else `cwd`.
pub fn default_root(repository: Option<&(Repository, PathBuf)>, cwd: &Path) -> PathBuf {
    repository
        .map(|(_, workdir)| workdir.clone())
        .unwrap_or_else(|| cwd.to_path_buf())
}

/// The repository around `cwd`, with its work tree, as git itself finds them:
///
/// - `GIT_DIR` names the git folder (then the work tree is `GIT_WORK_TREE`,
///   else `core.worktree`, else `cwd`, as git has it);
/// - otherwise the folders from `cwd` up are searched (up to
///   `GIT_CEILING_DIRECTORIES`), and a `.git` *file* (`git init
///   --separate-git-dir`, submodules, `git worktree add`) leads to the git
///   folder while the work tree stays the folder holding that file;
/// - `GIT_WORK_TREE` overrides the work tree in both cases.
///
/// (`Repository::discover` is not used: it reopens the git folder it found, so
/// with a separate git folder it takes the git folder's parent for the work
/// tree, and it ignores `GIT_DIR`.)
pub fn open_repository(cwd: &Path) -> Result<(Repository, PathBuf), Error> {
    // Objects are only read here, never written: skip re-hashing every object
    // read (SHA-1 with collision detection), as the git command line does; it
    // was a fifth of a staged run's instructions.
    git2::opts::strict_hash_verification(false);
    let not_found = |e: git2::Error| match e.code() {
        ErrorCode::NotFound => Error::NotARepository,
        _ => Error::from(e),
    };
    let from_env = |name: &str| std::env::var_os(name).filter(|value| !value.is_empty());
    let repo = match from_env("GIT_DIR") {
        Some(git_dir) => {
            let git_dir = super::absolute(cwd, Path::new(&git_dir));
            let repo = Repository::open_ext(
                &git_dir,
                RepositoryOpenFlags::NO_SEARCH,
                std::iter::empty::<&OsStr>(),
            )
            .map_err(|e| match e.code() {
                ErrorCode::NotFound => Error::Usage(format!(
                    "GIT_DIR is set to {}, which is not a git repository; unset it or point it to one",
                    git_dir.display()
                )),
                _ => Error::from(e),
            })?;
            // Without GIT_WORK_TREE and core.worktree, git takes the current
            // folder for the top of the work tree (libgit2 takes GIT_DIR's parent).
            let core_worktree = repo
                .config()
                .ok()
                .and_then(|config| config.get_path("core.worktree").ok());
            if !repo.is_bare() && core_worktree.is_none() && from_env("GIT_WORK_TREE").is_none() {
                repo.set_workdir(cwd, false)?;
            }
            repo
        }
        None => {
            let ceilings: Vec<PathBuf> = from_env("GIT_CEILING_DIRECTORIES")
                .map(|value| {
                    std::env::split_paths(&value)
                        .filter(|path| path.is_absolute())
                        .collect()
                })
                .unwrap_or_default();
            Repository::open_ext(cwd, RepositoryOpenFlags::empty(), &ceilings).map_err(not_found)?
        }
    };
    if let Some(work_tree) = from_env("GIT_WORK_TREE") {
        repo.set_workdir(&super::absolute(cwd, Path::new(&work_tree)), false)?;
    }
    let workdir = repo.workdir().map(Path::to_path_buf).ok_or_else(|| {
        Error::Usage(
            "this is a bare git repository: nothing is staged there; run `redis-unify check PATH` on a checkout"
                .to_string(),
        )
    })?;
    Ok((repo, workdir))
}

/// The index that will be committed. Inside a git hook that is the one in
/// `GIT_INDEX_FILE` when git sets it: `git commit -a` stages into
/// `.git/index.lock`, and `git commit PATH…` into a temporary index, before
/// running the pre-commit hook; `.git/index` does not hold those changes yet.
pub fn staged_index(repo: &Repository, cwd: &Path) -> Result<Index, Error> {
    match std::env::var_os("GIT_INDEX_FILE").filter(|v| !v.is_empty()) {
        Some(path) => Ok(Index::open(&super::absolute(cwd, Path::new(&path)))?),
        None => Ok(repo.index()?),
    }
}

/// The staged Python files. `origin_from_index` false gives the same list read
/// from the work tree (under pre-commit, which stashed the unstaged changes).
pub fn staged_files(
    repo: &Repository,
    workdir: &Path,
    cwd: &Path,
    project_root: &Path,
    origin_from_index: bool,
) -> Result<Vec<SourceFile>, Error> {
    let mut files = Vec::new();
    for entry in staged_changes(repo, cwd)? {
        let oid = match entry.change {
            StagedChange::Blob(oid) => oid,
            // Deleted entries have nothing to commit; symlinks and submodules
            // are not Python source.
            StagedChange::Deleted | StagedChange::NotAFile => continue,
            StagedChange::Conflicted => {
                // A merge in progress: the index holds the conflicting versions, none of
                // them what will be committed. Say so rather than pick one.
                if is_input_path(&slash_path(&entry.path)) {
                    crate::errln!(
                        "warning: {}: conflicted (a merge is in progress); not checked. \
                         Resolve the conflict and `git add` the file to have it checked",
                        slash_path(&relative_to(&workdir.join(&entry.path), cwd))
                    );
                }
                continue;
            }
        };
        let repo_relative = slash_path(&entry.path);
        if !is_input_path(&repo_relative) {
            continue;
        }
        let abs_path = workdir.join(&entry.path);
        files.push(SourceFile {
            manifest: crate::manifest::ManifestKind::of(&abs_path),
            display: slash_path(&relative_to(&abs_path, cwd)),
            relative: slash_path(&relative_to(&abs_path, project_root)),
            abs_path,
            origin: if origin_from_index {
                Origin::Index(oid)
            } else {
                Origin::WorkTree
            },
        });
    }
    Ok(files)
}

/// The index entries that differ from HEAD (from every entry, in a repository
/// without commits). Git lists them when it can be run (see [`diff_index`]);
/// libgit2 otherwise, with the same result, slower.
pub fn staged_changes(repo: &Repository, cwd: &Path) -> Result<Vec<StagedEntry>, Error> {
    let head_tree = super::changed::head_tree(repo)?;
    let base = match &head_tree {
        Some(tree) => tree.id(),
        None => Oid::hash_object(ObjectType::Tree, &[])?,
    };
    if let Some(entries) = diff_index::staged_changes(cwd, base) {
        return Ok(entries);
    }
    staged_changes_with_libgit2(repo, cwd, head_tree.as_ref())
}

fn staged_changes_with_libgit2(
    repo: &Repository,
    cwd: &Path,
    head_tree: Option<&Tree<'_>>,
) -> Result<Vec<StagedEntry>, Error> {
    let index = staged_index(repo, cwd)?;
    let mut options = DiffOptions::new();
    options.include_typechange(true).ignore_submodules(true);
    let diff = repo.diff_tree_to_index(head_tree, Some(&index), Some(&mut options))?;
    let mut entries = Vec::new();
    for delta in diff.deltas() {
        let new_file = delta.new_file();
        let change = match delta.status() {
            Delta::Conflicted => StagedChange::Conflicted,
            Delta::Deleted => StagedChange::Deleted,
            Delta::Added | Delta::Modified | Delta::Renamed | Delta::Copied | Delta::Typechange => {
                match new_file.mode() {
                    FileMode::Blob | FileMode::BlobExecutable => StagedChange::Blob(new_file.id()),
                    _ => StagedChange::NotAFile,
                }
            }
            _ => continue,
        };
        let Some(path) = new_file.path().or(delta.old_file().path()) else {
            continue;
        };
        entries.push(StagedEntry {
            path: path.to_path_buf(),
            change,
        });
    }
    Ok(entries)
}
