//! `fix --commit`: a verified step becomes one commit holding exactly the
//! run's files, with a message that says what the step did.
//!
//! Through the git command line, as the user would commit: their identity,
//! signing, and commit hooks apply. The index must hold nothing staged before
//! the run (checked before anything is written), so the commit cannot take
//! along changes that are not the run's.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// What the commit message says about the step.
pub struct StepSummary<'a> {
    /// `1 (low-risk)`, when the run fixed one phase.
    pub phase: Option<&'a str>,
    pub run_id: &'a str,
    /// Relative to the work tree, `/`-separated.
    pub files: &'a [String],
    /// Rule codes fixed, with counts.
    pub rules: &'a [(String, usize)],
    /// What verified the step: `imports of 5 modules`, `` `pytest -x` passed``.
    pub verification: &'a [String],
}

/// The commit message of a step.
pub fn message(summary: &StepSummary) -> String {
    let count = summary.files.len();
    let files = if count == 1 { "file" } else { "files" };
    let mut text = match summary.phase {
        Some(phase) => {
            format!("redis-unify: phase {phase}: aioredis → redis.asyncio in {count} {files}\n")
        }
        None => format!("redis-unify: aioredis → redis.asyncio in {count} {files}\n"),
    };
    text.push_str("\nFiles:\n");
    for file in summary.files {
        text.push_str(&format!("- {file}\n"));
    }
    text.push_str("\nFixed:\n");
    for (rule, fixed) in summary.rules {
        text.push_str(&format!("- {rule}: {fixed}\n"));
    }
    text.push_str("\nVerified:\n");
    if summary.verification.is_empty() {
        text.push_str("- nothing (committed with --commit and no verification)\n");
    }
    for check in summary.verification {
        text.push_str(&format!("- {check}\n"));
    }
    text.push_str(&format!(
        "\nredis-unify fix run {} (`redis-unify history`)\n",
        summary.run_id
    ));
    text
}

/// The paths the index holds staged against `HEAD` (all entries in a
/// repository without commits), relative to the work tree.
pub fn staged_paths(work_tree: &Path) -> Result<Vec<String>, String> {
    let mut command = git(work_tree);
    if has_head(work_tree) {
        command.args(["diff", "--cached", "--name-only", "-z", "HEAD", "--"]);
    } else {
        command.args(["ls-files", "-z", "--cached", "--"]);
    }
    let output = command
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "git could not list the staged changes: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    Ok(output
        .stdout
        .split(|b| *b == 0)
        .filter(|p| !p.is_empty())
        .map(|p| String::from_utf8_lossy(p).into_owned())
        .collect())
}

/// Why `--commit` cannot be used here, if it cannot: checked before the run writes.
pub fn refusal(work_tree: &Path) -> Option<String> {
    match staged_paths(work_tree) {
        Err(e) => Some(e),
        Ok(staged) if staged.is_empty() => None,
        Ok(staged) => {
            let shown: Vec<&str> = staged.iter().take(5).map(String::as_str).collect();
            let more = if staged.len() > 5 { ", …" } else { "" };
            Some(format!(
                "--commit commits exactly the files the run fixes, but the index already holds staged changes \
                 ({}{more}); commit them or unstage them (`git restore --staged .`) first, \
                 or run without --commit",
                shown.join(", ")
            ))
        }
    }
}

/// Of `files` (relative to the work tree), those with changes git does not
/// have (work tree against the index, or untracked): committing them whole
/// would take changes that are not the run's along.
pub fn uncommitted(work_tree: &Path, files: &[PathBuf]) -> Result<Vec<String>, String> {
    if files.is_empty() {
        return Ok(Vec::new());
    }
    let output = git(work_tree)
        .args(["status", "--porcelain", "-z", "--untracked-files=all", "--"])
        .args(files)
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "git could not tell whether the files have other changes: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    // Entries are `XY PATH`, NUL-terminated (a rename adds its source: none here,
    // the index holds nothing staged).
    Ok(output
        .stdout
        .split(|b| *b == 0)
        .filter(|entry| entry.len() > 3)
        .map(|entry| String::from_utf8_lossy(&entry[3..]).into_owned())
        .collect())
}

/// The commit made, or why none was.
pub enum CommitOutcome {
    Committed(String),
    /// git refused (a hook, no identity, …): its output.
    Refused(String),
}

/// Stages `files` (relative paths, byte-exact) and commits them with `message`.
pub fn commit(work_tree: &Path, files: &[PathBuf], message: &str) -> Result<CommitOutcome, String> {
    let mut add = git(work_tree);
    add.args(["add", "--"]).args(files);
    let output = add.output().map_err(|e| format!("cannot run git: {e}"))?;
    if !output.status.success() {
        unstage(work_tree, files);
        return Ok(CommitOutcome::Refused(
            String::from_utf8_lossy(&output.stderr).trim().to_string(),
        ));
    }
    let mut message_file =
        tempfile::NamedTempFile::new().map_err(|e| format!("cannot write the message: {e}"))?;
    std::io::Write::write_all(&mut message_file, message.as_bytes())
        .map_err(|e| format!("cannot write the message: {e}"))?;
    let output = git(work_tree)
        .args(["commit", "--quiet", "--cleanup=verbatim", "-F"])
        .arg(message_file.path())
        .arg("--")
        .args(files)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if !output.status.success() {
        let mut text = String::from_utf8_lossy(&output.stdout).into_owned();
        text.push_str(&String::from_utf8_lossy(&output.stderr));
        // The index held nothing staged before: put it back so.
        unstage(work_tree, files);
        return Ok(CommitOutcome::Refused(text.trim().to_string()));
    }
    let head = git(work_tree)
        .args(["rev-parse", "HEAD"])
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    Ok(CommitOutcome::Committed(
        String::from_utf8_lossy(&head.stdout).trim().to_string(),
    ))
}

/// Takes `files` out of the index again: back to `HEAD`, or out of a
/// repository without commits.
fn unstage(work_tree: &Path, files: &[PathBuf]) {
    let mut command = git(work_tree);
    if has_head(work_tree) {
        command.args(["reset", "--quiet", "--"]);
    } else {
        command.args(["rm", "--cached", "--quiet", "--ignore-unmatch", "--"]);
    }
    let _ = command.args(files).stdout(Stdio::null()).status();
}

fn has_head(work_tree: &Path) -> bool {
    git(work_tree)
        .args(["rev-parse", "--verify", "--quiet", "HEAD"])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Whether `commit` is still reachable from `HEAD` (a run committed and not reset away).
pub fn is_ancestor_of_head(work_tree: &Path, commit: &str) -> bool {
    git(work_tree)
        .args(["merge-base", "--is-ancestor", commit, "HEAD"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn git(work_tree: &Path) -> Command {
    let mut command = Command::new("git");
    command
        .current_dir(work_tree)
        .env("GIT_OPTIONAL_LOCKS", "0")
        .env_remove("GIT_INDEX_FILE");
    command
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_message_says_what_the_step_did() {
        let files = vec!["app/a.py".to_string(), "app/b.py".to_string()];
        let rules = vec![("RU100".to_string(), 2)];
        let verification = vec!["imports of 2 modules".to_string()];
        let text = message(&StepSummary {
            phase: Some("1 (low-risk)"),
            run_id: "20261130-1",
            files: &files,
            rules: &rules,
            verification: &verification,
        });
        assert!(text.starts_with(
            "redis-unify: phase 1 (low-risk): aioredis → redis.asyncio in 2 files\n\nFiles:\n- app/a.py\n"
        ));
        assert!(text.contains("- RU100: 2\n"));
        assert!(text.contains("- imports of 2 modules\n"));
        assert!(text.contains("run 20261130-1"));
    }
}
