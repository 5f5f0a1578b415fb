//! `redis-unify rollback [RUN-ID]`: restore what a fix run changed, byte for byte.
//!
//! Without RUN-ID only the latest run is a candidate: when it is already rolled
//! back (by hand, or automatically after a failed or interrupted verify), or its
//! manifest is damaged, rollback refuses rather than undo an older run that may
//! already be committed; an older run is rolled back only when named.

use std::path::Path;

use super::ExitStatus;
use crate::cli::RollbackArgs;
use crate::error::Error;
use crate::fix::journal::{
    FileWrite, Journal, JournalFile, Manifest, RunEntry, RunStatus, content_hash, path_in_root,
    remove_stale_temporaries,
};
use crate::fix::write::{check_replaceable, replace_checked, write_target};
use crate::source::staged::optional_repository;

pub fn run(args: &RollbackArgs, cwd: &Path) -> Result<ExitStatus, Error> {
    let journal = journal_for(cwd)?;
    let io_error = |source| Error::Io {
        path: journal.folder().to_path_buf(),
        source,
    };
    if !journal.folder().is_dir() {
        return Err(Error::Usage(format!(
            "no fix run to roll back in {}; `redis-unify history` lists the runs",
            journal.folder().display()
        )));
    }
    // Locked before reading: a run being written is never half-read.
    let _lock = journal.lock().map_err(io_error)?;
    let entries = journal.entries().map_err(io_error)?;
    let mut run = select_run(&journal, entries, args.run_id.as_deref())?;
    if run.backups_pruned {
        return Err(Error::Usage(format!(
            "the originals of run {} were removed by `redis-unify history --prune`; it cannot be rolled back",
            run.id
        )));
    }
    let held = held_by_head(&journal, &run);
    if !args.force && !held.is_empty() {
        // HEAD holds these fixes: committed by `--commit`, by hand, amended or
        // rebased alike. Restoring them would undo a commit behind git's back.
        let revert = match &run.commit {
            Some(commit) => format!("`git revert {}`", &commit[..commit.len().min(12)]),
            None => "`git revert` of the commit that holds them".to_string(),
        };
        let shown: Vec<String> = held.iter().map(|p| crate::source::slash_path(p)).collect();
        return Err(Error::Usage(format!(
            "run {} is committed: HEAD holds its fixes of {}; rolling it back would leave the \
             work tree different from that commit. Undo it with {revert} (a new commit that \
             restores the files), or roll back anyway with `redis-unify rollback --force {}`",
            run.id,
            shown.join(", "),
            run.id
        )));
    }
    note_moved_root(&journal, &run);
    remove_temporaries_of(&journal, &run);
    let outcomes = restore_files(&journal, &run, args.force);
    let problems = record_restore(&mut run, &outcomes);
    // Files the run did not write are not its to restore.
    let written = run
        .files
        .iter()
        .filter(|f| f.write != FileWrite::NotWritten)
        .count();
    for problem in &problems {
        crate::errln!("error: {problem}");
    }
    if problems.is_empty() {
        run.status = RunStatus::RolledBack;
    }
    journal.save(&run).map_err(io_error)?;
    if !problems.is_empty() {
        crate::errln!(
            "Run {} was not fully rolled back: {} of {} files left as they are.",
            run.id,
            problems.len(),
            written
        );
        return Ok(ExitStatus::Failure);
    }
    crate::outln!(
        "Restored {} {} from run {}.",
        written,
        if written == 1 { "file" } else { "files" },
        run.id
    )?;
    Ok(ExitStatus::Success)
}

/// The run to roll back: the one named, else the latest (refused when it is
/// already rolled back or its manifest cannot be read).
fn select_run(
    journal: &Journal,
    entries: Vec<RunEntry>,
    wanted: Option<&str>,
) -> Result<Manifest, Error> {
    let older_hint = |entries: &[RunEntry], latest: &str| {
        entries
            .iter()
            .rev()
            .filter_map(|entry| match entry {
                RunEntry::Run(run) if run.id != latest && !run.status.is_rolled_back() => {
                    Some(run.id.clone())
                }
                _ => None,
            })
            .next()
            .map(|id| {
                format!(" To roll back an older run, name it: `redis-unify rollback {id}` (`redis-unify history` lists them).")
            })
            .unwrap_or_default()
    };
    let entry = match wanted {
        Some(id) => entries
            .into_iter()
            .find(|entry| entry.id() == id)
            .ok_or_else(|| {
                Error::Usage(format!(
                    "no fix run `{id}`; `redis-unify history` lists them"
                ))
            })?,
        None => {
            // A folder without a manifest is a run killed before it wrote
            // anything: nothing to undo there.
            let Some(position) = entries
                .iter()
                .rposition(|entry| !matches!(entry, RunEntry::NoManifest { .. }))
            else {
                return Err(Error::Usage(format!(
                    "no fix run to roll back in {}; `redis-unify history` lists the runs",
                    journal.folder().display()
                )));
            };
            if let RunEntry::Run(run) = &entries[position]
                && run.status.is_rolled_back()
            {
                return Err(Error::Usage(format!(
                    "the latest fix run, {}, is already rolled back ({}): nothing to undo.{}",
                    run.id,
                    super::history::status_text(run),
                    older_hint(&entries, &run.id)
                )));
            }
            entries.into_iter().nth(position).expect("found above")
        }
    };
    match entry {
        RunEntry::Run(run) => {
            if wanted.is_some() && run.status.is_rolled_back() {
                return Err(Error::Usage(format!(
                    "fix run {} is already rolled back ({}); nothing to undo",
                    run.id,
                    super::history::status_text(&run)
                )));
            }
            Ok(*run)
        }
        RunEntry::Damaged {
            id,
            manifest,
            error,
        } => Err(Error::Usage(format!(
            "the manifest of fix run {id}, {}, is damaged ({error}); nothing was restored. \
             Repair that file, or roll back its files by hand from {} (its `originals/`)",
            manifest.display(),
            journal.run_folder(&id).display()
        ))),
        RunEntry::NoManifest { id } => Err(Error::Usage(format!(
            "fix run {id} has no manifest: it was stopped before writing any file, so there is nothing to undo"
        ))),
    }
}

/// Says so when the run was made in another folder than the work tree its
/// journal belongs to now (a copied or moved repository): the files are
/// restored in the journal's own work tree.
pub fn note_moved_root(journal: &Journal, run: &Manifest) {
    let Some(made_in) = &run.root else {
        return;
    };
    let same = |a: &Path, b: &Path| {
        a == b || matches!((a.canonicalize(), b.canonicalize()), (Ok(a), Ok(b)) if a == b)
    };
    if !same(made_in, journal.root()) {
        crate::errln!(
            "note: run {} was made in {}; its journal belongs to {}, so the files there are restored",
            run.id,
            made_in.display(),
            journal.root().display()
        );
    }
}

/// Removes the temporary files a killed run left next to its files (the lock
/// is held: no run of this journal is writing one now).
fn remove_temporaries_of(journal: &Journal, run: &Manifest) {
    let now = std::time::SystemTime::now();
    let folders: std::collections::BTreeSet<std::path::PathBuf> = run
        .files
        .iter()
        .filter_map(|file| path_in_root(journal.root(), &file.relative_path()))
        .filter_map(|path| path.parent().map(Path::to_path_buf))
        .collect();
    for folder in folders {
        for path in remove_stale_temporaries(&folder, now) {
            crate::errln!(
                "note: removed {}, a temporary file left by an interrupted run",
                path.display()
            );
        }
    }
}

/// Sets each file's `restored`/`not_restored` from `outcomes` (one per file,
/// as [`restore_files`] gives them); returns the problems.
pub fn record_restore(run: &mut Manifest, outcomes: &[Option<String>]) -> Vec<String> {
    let mut problems = Vec::new();
    for (file, outcome) in run.files.iter_mut().zip(outcomes) {
        file.restored = Some(outcome.is_none());
        file.not_restored = outcome.clone();
        if let Some(problem) = outcome {
            problems.push(problem.clone());
        }
    }
    problems
}

/// The journal of the project around `cwd`, bound to its work tree (the same
/// one `fix` chose there). An error only for a `GIT_DIR` that is no repository.
pub fn journal_for(cwd: &Path) -> Result<Journal, Error> {
    Ok(match optional_repository(cwd)? {
        Some((repo, workdir)) => Journal::for_project(Some(repo.path()), &workdir),
        None => {
            // Outside git the journal sits in the project root: the closest folder with one.
            let root = cwd
                .ancestors()
                .find(|dir| dir.join(".redis-unify").is_dir())
                .unwrap_or(cwd);
            Journal::for_project(None, root)
        }
    })
}

/// Restores every file of `run` whose content is still what the run wrote
/// (or any content, with `force`). Files the run did not write are left
/// alone. Returns what could not be restored.
pub fn restore_run(journal: &Journal, run: &Manifest, force: bool) -> Vec<String> {
    restore_files(journal, run, force)
        .into_iter()
        .flatten()
        .collect()
}

/// Restores, in the journal's work tree, every file of `run` whose content is
/// still what the run wrote (or any content, with `force`). One entry per file
/// of the run: `None` when it holds its original, else why it does not.
pub fn restore_files(journal: &Journal, run: &Manifest, force: bool) -> Vec<Option<String>> {
    let root = journal.root();
    run.files
        .iter()
        .map(|file| restore_file(journal, run, file, root, force).err())
        .collect()
}

fn restore_file(
    journal: &Journal,
    run: &Manifest,
    file: &JournalFile,
    root: &Path,
    force: bool,
) -> Result<(), String> {
    if file.write == FileWrite::NotWritten {
        return Ok(()); // the run left it as it was
    }
    let Some(path) = path_in_root(root, &file.relative_path()) else {
        return Err(format!(
            "{}: journal path points outside the project; refused",
            file.path
        ));
    };
    let target = write_target(&path, root).map_err(|reason| format!("{}: {reason}", file.path))?;
    let current_bytes = std::fs::read(&target)
        .map_err(|e| format!("{}: cannot read it ({e}); not restored", file.path))?;
    let current = content_hash(&current_bytes);
    if current == file.before {
        return Ok(()); // already the original
    }
    if current != file.after && !force {
        return Err(format!(
            "{}: changed since the fix run; not overwritten (rerun with --force to restore the original anyway)",
            file.path
        ));
    }
    let backup = journal.backup_path(run, file);
    let original = match std::fs::read(&backup) {
        Ok(bytes) if content_hash(&bytes) == file.before => bytes,
        Ok(_) => {
            return Err(format!(
                "{}: its backup {} is damaged; not restored",
                file.path,
                backup.display()
            ));
        }
        Err(e) => {
            return Err(format!(
                "{}: cannot read its backup {}: {e}",
                file.path,
                backup.display()
            ));
        }
    };
    // Written only over the content just compared (an edit saved meanwhile
    // is kept), keeping owner, mode and extended attributes.
    check_replaceable(&path, root, &current_bytes)
        .and_then(|checked| replace_checked(&checked, &current_bytes, &original))
        .map_err(|reason| format!("{}: not restored: {reason}", file.path))
}

/// The files of the run whose fixes `HEAD` holds.
fn held_by_head(journal: &Journal, run: &Manifest) -> Vec<std::path::PathBuf> {
    if !matches!(optional_repository(journal.root()), Ok(Some(_))) {
        return Vec::new();
    }
    let files: Vec<crate::fix::commit::RunFile> = run
        .files
        .iter()
        .filter(|f| f.write != FileWrite::NotWritten && f.before != f.after)
        .map(|f| crate::fix::commit::RunFile {
            path: f.relative_path(),
            after: f.after.clone(),
        })
        .collect();
    crate::fix::commit::held_by_head(journal.root(), &files)
}
