//! `redis-unify history`: the fix runs in the journal, and `--prune` to trim it.

use std::path::Path;

use serde::Serialize;

use super::ExitStatus;
use super::rollback::journal_for;
use crate::cli::HistoryArgs;
use crate::error::Error;
use crate::fix::journal::{
    FileWrite, ImportCheck, Manifest, RunStatus, VerifyOutcome, VerifyResult,
};

#[derive(Serialize)]
struct Row<'a> {
    id: &'a str,
    created: &'a str,
    files: usize,
    /// Files the run left as they were (changed meanwhile, or not writable).
    not_written: usize,
    phase: Option<&'a str>,
    unsafe_fixes: bool,
    verify: Option<&'a str>,
    status: &'a RunStatus,
    /// How the verify command ended: `{outcome, exit_code, signal, interrupted_by, duration_ms}`.
    verify_result: Option<&'a VerifyResult>,
    /// How `--verify-imports` ended: `{passed, python, modules, failed, error, duration_ms}`.
    #[serde(skip_serializing_if = "Option::is_none")]
    import_check: Option<&'a ImportCheck>,
    /// The files a rollback could not restore (they keep the run's fixes).
    not_restored: Vec<&'a str>,
    backups_pruned: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    commit: Option<&'a str>,
    /// Why `--commit` made no commit (git's or a hook's output).
    #[serde(skip_serializing_if = "Option::is_none")]
    commit_refused: Option<&'a str>,
}

pub fn run(args: &HistoryArgs, cwd: &Path) -> Result<ExitStatus, Error> {
    let journal = journal_for(cwd)?;
    if args.prune {
        return prune(&journal, args.keep);
    }
    let runs = journal.runs().map_err(|source| Error::Io {
        path: journal.folder().to_path_buf(),
        source,
    })?;
    let rows: Vec<Row> = runs
        .iter()
        .map(|run| Row {
            id: &run.id,
            created: &run.created,
            files: run
                .files
                .iter()
                .filter(|f| f.write != FileWrite::NotWritten)
                .count(),
            not_written: run
                .files
                .iter()
                .filter(|f| f.write == FileWrite::NotWritten)
                .count(),
            phase: run.phase.as_deref(),
            unsafe_fixes: run.unsafe_fixes,
            verify: run.verify.as_deref(),
            status: &run.status,
            verify_result: run.verify_result.as_ref(),
            import_check: run.import_check.as_ref(),
            not_restored: run
                .files_left()
                .into_iter()
                .map(|f| f.path.as_str())
                .collect(),
            backups_pruned: run.backups_pruned,
            commit: run.commit.as_deref(),
            commit_refused: run.commit_refused.as_deref(),
        })
        .collect();
    if args.json {
        crate::outln!(
            "{}",
            serde_json::to_string_pretty(&rows).unwrap_or_default()
        )?;
        return Ok(ExitStatus::Success);
    }
    if rows.is_empty() {
        crate::outln!("No fix runs in {}.", journal.folder().display())?;
        return Ok(ExitStatus::Success);
    }
    for (run, row) in runs.iter().zip(&rows) {
        let status = status_text(run);
        let verify = row
            .verify
            .map(|c| format!("  verify: `{c}`"))
            .unwrap_or_default();
        let phase = row
            .phase
            .map(|p| format!("  phase {p}"))
            .unwrap_or_default();
        let fixes = if row.unsafe_fixes {
            "safe+unsafe"
        } else {
            "safe"
        };
        let not_written = if row.not_written > 0 {
            format!(" ({} not written)", row.not_written)
        } else {
            String::new()
        };
        let commit = row
            .commit
            .map(|c| format!("  commit {}", &c[..c.len().min(12)]))
            .unwrap_or_default();
        crate::outln!(
            "{}  {}  {} {}{not_written}  {fixes}{phase}  {status}{verify}{commit}",
            row.id,
            row.created,
            row.files,
            if row.files == 1 { "file" } else { "files" }
        )?;
    }
    Ok(ExitStatus::Success)
}

/// What happened to a run, in words: its status and its verify command's result.
pub fn status_text(run: &Manifest) -> String {
    let imports = run.import_check.as_ref().map(imports_text);
    let verify = match (imports, run.verify_result.as_ref().map(verify_text)) {
        (Some(imports), Some(verify)) => Some(format!("{imports}, {verify}")),
        (imports, verify) => imports.or(verify),
    };
    let left = || {
        let left: Vec<&str> = run.files_left().iter().map(|f| f.path.as_str()).collect();
        format!(
            "NOT rolled back: {} {} left with unverified fixes ({})",
            left.len(),
            if left.len() == 1 { "file" } else { "files" },
            left.join(", ")
        )
    };
    let mut text = match run.status {
        RunStatus::Writing => format!(
            "interrupted while writing (`redis-unify rollback {}` restores it)",
            run.id
        ),
        RunStatus::Verifying => format!(
            "interrupted while verifying: the fixes are unverified (`redis-unify rollback {}` restores them)",
            run.id
        ),
        RunStatus::Complete if run.files.iter().all(|f| f.write == FileWrite::NotWritten) => {
            "nothing written (see `not_written` in `history --json`)".to_string()
        }
        RunStatus::Complete => match verify {
            Some(verify) => format!("applied, {verify}"),
            None => "applied".to_string(),
        },
        RunStatus::VerifyFailed | RunStatus::VerifyInterruptedRolledBack => format!(
            "{}, rolled back",
            verify.unwrap_or_else(|| "verify failed".to_string())
        ),
        RunStatus::VerifyFailedNotRolledBack | RunStatus::VerifyInterrupted => format!(
            "{}, {}",
            verify.unwrap_or_else(|| "verify failed".to_string()),
            left()
        ),
        RunStatus::RolledBack => match verify {
            Some(verify) => format!("{verify}, rolled back"),
            None => "rolled back".to_string(),
        },
    };
    if matches!(
        run.status,
        RunStatus::Writing | RunStatus::Verifying | RunStatus::Complete
    ) && !run.files_left().is_empty()
    {
        // `rollback` was tried and stopped at some files.
        let left: Vec<&str> = run.files_left().iter().map(|f| f.path.as_str()).collect();
        text.push_str(&format!(
            "; a rollback left {} {} ({})",
            left.len(),
            if left.len() == 1 { "file" } else { "files" },
            left.join(", ")
        ));
    }
    if let Some(why) = &run.commit_refused {
        let first = why.lines().next().unwrap_or_default();
        text.push_str(&format!("; not committed: {first}"));
    }
    if run.backups_pruned {
        text.push_str(" (originals pruned)");
    }
    text
}

fn verify_text(result: &VerifyResult) -> String {
    let seconds = format!("{:.1} s", result.duration_ms as f64 / 1000.0);
    match result.outcome {
        VerifyOutcome::Passed => format!("verify passed ({seconds})"),
        VerifyOutcome::Failed => match (result.exit_code, result.signal) {
            (Some(code), _) => format!("verify failed (exit {code}, {seconds})"),
            (None, Some(signal)) => format!("verify failed (killed by signal {signal}, {seconds})"),
            (None, None) => format!("verify failed ({seconds})"),
        },
        VerifyOutcome::Interrupted => format!(
            "verify interrupted ({} after {seconds})",
            result.interrupted_by.as_deref().unwrap_or("a signal")
        ),
        VerifyOutcome::NotRun => "verify command could not be started".to_string(),
    }
}

fn prune(journal: &crate::fix::journal::Journal, keep: usize) -> Result<ExitStatus, Error> {
    let io_error = |source| Error::Io {
        path: journal.folder().to_path_buf(),
        source,
    };
    if !journal.folder().is_dir() {
        crate::outln!("No fix runs in {}.", journal.folder().display())?;
        return Ok(ExitStatus::Success);
    }
    let _lock = journal.lock().map_err(io_error)?;
    let report = journal.prune(keep).map_err(io_error)?;
    for (manifest, error) in &report.damaged {
        crate::errln!(
            "warning: {}: unreadable manifest ({error}); that run was left as it is",
            manifest.display()
        );
    }
    crate::outln!(
        "Pruned {}: {} {} older than the last {keep} removed, {} {} without a manifest removed, \
         the originals of {} rolled-back {} removed, {} stale temporary {} removed; {} freed.",
        journal.folder().display(),
        report.old_runs,
        plural(report.old_runs, "run", "runs"),
        report.without_manifest,
        plural(report.without_manifest, "folder", "folders"),
        report.rolled_back,
        plural(report.rolled_back, "run", "runs"),
        report.temporaries,
        plural(report.temporaries, "file", "files"),
        human_size(report.bytes)
    )?;
    Ok(ExitStatus::Success)
}

fn plural<'a>(count: usize, one: &'a str, many: &'a str) -> &'a str {
    if count == 1 { one } else { many }
}

fn human_size(bytes: u64) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
    } else if bytes >= 1024 {
        format!("{:.1} KB", bytes as f64 / 1024.0)
    } else {
        format!("{bytes} bytes")
    }
}

/// How the import check ended, in words.
fn imports_text(check: &ImportCheck) -> String {
    let seconds = check.duration_ms as f64 / 1000.0;
    let modules = if check.modules == 1 {
        "module"
    } else {
        "modules"
    };
    if check.error.is_some() {
        "import check could not run".to_string()
    } else if check.interrupted {
        format!("import check interrupted ({seconds:.1} s)")
    } else if check.passed {
        format!(
            "imports passed ({} {modules}, {seconds:.1} s)",
            check.modules
        )
    } else {
        format!(
            "imports failed ({} of {} {modules}: {})",
            check.failed.len(),
            check.modules,
            check.failed.join(", ")
        )
    }
}
