//! `redis-unify rollback [RUN-ID]`: restore what a fix run changed, byte for byte.

use std::path::Path;

use super::ExitStatus;
use crate::cli::RollbackArgs;
use crate::error::Error;
use crate::fix::journal::{FileWrite, Journal, Manifest, RunStatus, content_hash, path_in_root};
use crate::fix::write::{check_replaceable, replace_checked, write_target};
use crate::source::staged::open_repository;

pub fn run(args: &RollbackArgs, cwd: &Path) -> Result<ExitStatus, Error> {
    let journal = journal_for(cwd);
    let runs = journal.runs().map_err(|source| Error::Io {
        path: journal.folder().to_path_buf(),
        source,
    })?;
    let run = match &args.run_id {
        Some(id) => runs.into_iter().find(|run| &run.id == id).ok_or_else(|| {
            Error::Usage(format!(
                "no fix run `{id}`; `redis-unify history` lists them"
            ))
        })?,
        None => runs
            .into_iter()
            .rev()
            .find(|run| matches!(run.status, RunStatus::Complete | RunStatus::Writing))
            .ok_or_else(|| {
                Error::Usage(format!(
                    "no fix run to roll back in {}; `redis-unify history` lists the runs",
                    journal.folder().display()
                ))
            })?,
    };
    if let Some(commit) = &run.commit
        && !args.force
        && let Ok((_, workdir)) = open_repository(cwd)
        && crate::fix::commit::is_ancestor_of_head(&workdir, commit)
    {
        return Err(Error::Usage(format!(
            "run {} is committed ({}): rolling it back would leave the work tree different from \
             that commit. Undo it with `git revert {}` (a new commit that restores the files), \
             or roll back anyway with `redis-unify rollback --force {}`",
            run.id,
            &commit[..commit.len().min(12)],
            &commit[..commit.len().min(12)],
            run.id
        )));
    }
    let _lock = journal.lock().map_err(|source| Error::Io {
        path: journal.folder().to_path_buf(),
        source,
    })?;
    let problems = restore_run(&journal, &run, args.force);
    // Files the run did not write are not its to restore.
    let written = run
        .files
        .iter()
        .filter(|f| f.write != FileWrite::NotWritten)
        .count();
    for problem in &problems {
        eprintln!("error: {problem}");
    }
    if !problems.is_empty() {
        eprintln!(
            "Run {} was not fully rolled back: {} of {} files left as they are.",
            run.id,
            problems.len(),
            written
        );
        return Ok(ExitStatus::Failure);
    }
    let mut run = run;
    run.status = RunStatus::RolledBack;
    journal.save(&run).map_err(|source| Error::Io {
        path: journal.folder().to_path_buf(),
        source,
    })?;
    println!(
        "Restored {} {} from run {}.",
        written,
        if written == 1 { "file" } else { "files" },
        run.id
    );
    Ok(ExitStatus::Success)
}

/// The journal of the project around `cwd`.
pub fn journal_for(cwd: &Path) -> Journal {
    match open_repository(cwd) {
        Ok((repo, workdir)) => Journal::for_project(Some(repo.path()), &workdir),
        Err(_) => {
            // Outside git the journal sits in the project root: the closest folder with one.
            let root = cwd
                .ancestors()
                .find(|dir| dir.join(".redis-unify").is_dir())
                .unwrap_or(cwd);
            Journal::for_project(None, root)
        }
    }
}

/// Restores every file of `run` whose content is still what the run wrote
/// (or any content, with `force`). Files the run did not write are left
/// alone. Returns what could not be restored.
pub fn restore_run(journal: &Journal, run: &Manifest, force: bool) -> Vec<String> {
    let mut problems = Vec::new();
    for file in &run.files {
        if file.write == FileWrite::NotWritten {
            continue; // the run left it as it was
        }
        let Some(path) = path_in_root(&run.root, &file.relative_path()) else {
            problems.push(format!(
                "{}: journal path points outside the project; refused",
                file.path
            ));
            continue;
        };
        let target = match write_target(&path, &run.root) {
            Ok(target) => target,
            Err(reason) => {
                problems.push(format!("{}: {reason}", file.path));
                continue;
            }
        };
        let current_bytes = match std::fs::read(&target) {
            Ok(bytes) => bytes,
            Err(e) => {
                problems.push(format!("{}: cannot read it ({e}); not restored", file.path));
                continue;
            }
        };
        let current = content_hash(&current_bytes);
        if current == file.before {
            continue; // already the original
        }
        if current != file.after && !force {
            problems.push(format!(
                "{}: changed since the fix run; not overwritten (rerun with --force to restore the original anyway)",
                file.path
            ));
            continue;
        }
        let backup = journal.backup_path(run, file);
        let original = match std::fs::read(&backup) {
            Ok(bytes) if content_hash(&bytes) == file.before => bytes,
            Ok(_) => {
                problems.push(format!(
                    "{}: its backup {} is damaged; not restored",
                    file.path,
                    backup.display()
                ));
                continue;
            }
            Err(e) => {
                problems.push(format!(
                    "{}: cannot read its backup {}: {e}",
                    file.path,
                    backup.display()
                ));
                continue;
            }
        };
        // Written only over the content just compared (an edit saved meanwhile
        // is kept), keeping owner, mode and extended attributes.
        let restored = check_replaceable(&path, &run.root, &current_bytes)
            .and_then(|checked| replace_checked(&checked, &current_bytes, &original));
        if let Err(reason) = restored {
            problems.push(format!("{}: not restored: {reason}", file.path));
        }
    }
    problems
}
