//! `redis-unify history`: the fix runs in the journal.

use std::path::Path;

use serde::Serialize;

use super::ExitStatus;
use super::rollback::journal_for;
use crate::cli::HistoryArgs;
use crate::error::Error;
use crate::fix::journal::{FileWrite, RunStatus};

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
    #[serde(skip_serializing_if = "Option::is_none")]
    commit: Option<&'a str>,
}

pub fn run(args: &HistoryArgs, cwd: &Path) -> Result<ExitStatus, Error> {
    let journal = journal_for(cwd);
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
            commit: run.commit.as_deref(),
        })
        .collect();
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&rows).unwrap_or_default()
        );
        return Ok(ExitStatus::Success);
    }
    if rows.is_empty() {
        println!("No fix runs in {}.", journal.folder().display());
        return Ok(ExitStatus::Success);
    }
    for row in &rows {
        let status = match row.status {
            RunStatus::Writing => "interrupted",
            RunStatus::Complete => "applied",
            RunStatus::VerifyFailed => "verify failed, rolled back",
            RunStatus::RolledBack => "rolled back",
        };
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
        println!(
            "{}  {}  {} {}{not_written}  {fixes}{phase}  {status}{verify}{commit}",
            row.id,
            row.created,
            row.files,
            if row.files == 1 { "file" } else { "files" }
        );
    }
    Ok(ExitStatus::Success)
}
