//! `fix --commit`: a verified step becomes one commit holding exactly the
//! run's files, with a message that says what the step did.
//!
//! Through the git command line, as the user would commit: their identity,
//! signing, and commit hooks apply. The index must hold nothing staged before
//! the run (checked before anything is written), so the commit cannot take
//! along changes that are not the run's.

use std::collections::HashSet;
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
                 ({}{more}); commit them or unstage them (`git restore --staged :/`) first, \
                 or run without --commit",
                shown.join(", ")
            ))
        }
    }
}

/// Of `files` (relative to the work tree), those committing whole would take
/// changes along that are not the run's: files with changes git does not have
/// (work tree against the index), and files git does not track (untracked,
/// ignored, inside a submodule).
pub fn not_committable(work_tree: &Path, files: &[PathBuf]) -> Result<Vec<String>, String> {
    let mut found = Vec::new();
    for chunk in files.chunks(PATHS_PER_CALL) {
        let output = git(work_tree)
            .args(["status", "--porcelain", "-z", "--untracked-files=all", "--"])
            .args(chunk)
            .output()
            .map_err(|e| format!("cannot run git: {e}"))?;
        if !output.status.success() {
            return Err(format!(
                "git could not tell whether the files have other changes: {}",
                String::from_utf8_lossy(&output.stderr).trim()
            ));
        }
        // Entries are `XY PATH`, NUL-terminated (no renames: nothing is staged).
        found.extend(
            output
                .stdout
                .split(|b| *b == 0)
                .filter(|entry| entry.len() > 3)
                .map(|entry| String::from_utf8_lossy(&entry[3..]).into_owned()),
        );
        let tracked = git(work_tree)
            .args(["ls-files", "-z", "--"])
            .args(chunk)
            .output()
            .map_err(|e| format!("cannot run git: {e}"))?;
        let tracked: HashSet<&[u8]> = tracked
            .stdout
            .split(|b| *b == 0)
            .filter(|p| !p.is_empty())
            .collect();
        for file in chunk {
            let bytes = file.as_os_str().as_encoded_bytes();
            if !tracked.contains(bytes) {
                let shown = String::from_utf8_lossy(bytes).into_owned();
                if !found.contains(&shown) {
                    found.push(shown);
                }
            }
        }
    }
    Ok(found)
}

/// Why a commit cannot be made in this repository's state at all (a merge,
/// rebase, cherry-pick or revert in progress), checked before the run writes.
pub fn operation_in_progress(work_tree: &Path) -> Option<String> {
    for (head, what) in [
        ("MERGE_HEAD", "a merge"),
        ("CHERRY_PICK_HEAD", "a cherry-pick"),
        ("REVERT_HEAD", "a revert"),
        ("REBASE_HEAD", "a rebase"),
    ] {
        let found = git(work_tree)
            .args(["rev-parse", "-q", "--verify", head])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if found {
            return Some(format!(
                "--commit cannot commit the run during {what} (git makes no partial commit then); \
                 finish or abort it first, or run without --commit"
            ));
        }
    }
    None
}

/// Set (to the run id) for the git commit `--commit` makes: redis-unify's own
/// hooks (`hook install`, pre-commit) do not check that commit again.
pub const STEP_COMMIT_VARIABLE: &str = "REDIS_UNIFY_STEP_COMMIT";

/// A file of the run, for the commit: its path relative to the work tree and
/// the blob id (`git hash-object`) the run wrote.
pub struct RunFile {
    pub path: PathBuf,
    pub after: String,
}

/// The commit made, or why none was.
pub enum CommitOutcome {
    /// The commit id, and whether a hook changed what was committed.
    Committed { id: String, changed_by_hook: bool },
    /// Not committed: why (git's or a hook's output, or the check that failed).
    Refused(String),
}

/// Commits exactly the run's files as the run wrote them: refused when one of
/// them changed since (a verify command or an editor wrote it) or when
/// something else got staged meanwhile; the index is left as it was on refusal.
pub fn commit(
    work_tree: &Path,
    files: &[RunFile],
    message: &str,
    run_id: &str,
) -> Result<CommitOutcome, String> {
    let paths: Vec<PathBuf> = files.iter().map(|f| f.path.clone()).collect();
    let mut changed = Vec::new();
    for file in files {
        let now = std::fs::read(work_tree.join(&file.path))
            .map(|bytes| super::journal::content_hash(&bytes))
            .unwrap_or_default();
        if now != file.after {
            changed.push(crate::source::slash_path(&file.path));
        }
    }
    if !changed.is_empty() {
        return Ok(CommitOutcome::Refused(format!(
            "{} changed after the run wrote {} (the verify command or an editor wrote {}), so the \
             commit would not be the verified step",
            changed.join(", "),
            if changed.len() == 1 { "it" } else { "them" },
            if changed.len() == 1 { "it" } else { "them" },
        )));
    }
    // The run's own files staged by the verify command are no other change:
    // they are staged below as the run wrote them.
    let run_paths: HashSet<String> = files
        .iter()
        .map(|f| crate::source::slash_path(&f.path))
        .collect();
    let staged: Vec<String> = staged_paths(work_tree)?
        .into_iter()
        .filter(|path| !run_paths.contains(path))
        .collect();
    if !staged.is_empty() {
        return Ok(CommitOutcome::Refused(format!(
            "the index holds staged changes made while the run was verified ({}); \
             they are not the run's",
            staged.join(", ")
        )));
    }
    for chunk in paths.chunks(PATHS_PER_CALL) {
        let output = git(work_tree)
            .args(["add", "--"])
            .args(chunk)
            .output()
            .map_err(|e| format!("cannot run git: {e}"))?;
        if !output.status.success() {
            unstage(work_tree, &paths);
            return Ok(CommitOutcome::Refused(
                String::from_utf8_lossy(&output.stderr).trim().to_string(),
            ));
        }
    }
    let mut message_file =
        tempfile::NamedTempFile::new().map_err(|e| format!("cannot write the message: {e}"))?;
    std::io::Write::write_all(&mut message_file, message.as_bytes())
        .map_err(|e| format!("cannot write the message: {e}"))?;
    // A plain commit of the index (which holds the run's files alone): a hook
    // that stages a change of its own (a formatter) has it committed, as in
    // any `git commit`.
    let output = git(work_tree)
        .args(["commit", "--quiet", "--cleanup=verbatim", "-F"])
        .arg(message_file.path())
        .env(STEP_COMMIT_VARIABLE, run_id)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if !output.status.success() {
        let mut text = String::from_utf8_lossy(&output.stdout).into_owned();
        text.push_str(&String::from_utf8_lossy(&output.stderr));
        // The index held nothing staged before: put it back so.
        unstage(work_tree, &paths);
        let text = text.trim();
        return Ok(CommitOutcome::Refused(if text.is_empty() {
            format!("`git commit` ended without a word ({})", output.status)
        } else {
            text.to_string()
        }));
    }
    let head = git(work_tree)
        .args(["rev-parse", "HEAD"])
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    Ok(CommitOutcome::Committed {
        id: String::from_utf8_lossy(&head.stdout).trim().to_string(),
        changed_by_hook: held_by_head(work_tree, files).len() != files.len(),
    })
}

/// The files `HEAD` holds as the run wrote them: the work-tree file is still
/// what the run wrote, tracked in `HEAD`, and equal to it as git compares
/// (through `core.autocrlf`, `eol`, `ident` and other filters). Such a fix is
/// committed: by `--commit`, by hand, amended or rebased alike.
pub fn held_by_head(work_tree: &Path, files: &[RunFile]) -> Vec<PathBuf> {
    let as_written: Vec<&RunFile> = files
        .iter()
        .filter(|file| {
            std::fs::read(work_tree.join(&file.path))
                .is_ok_and(|bytes| super::journal::content_hash(&bytes) == file.after)
        })
        .collect();
    let mut held = Vec::new();
    for chunk in as_written.chunks(PATHS_PER_CALL) {
        let list = |args: &[&str]| -> Option<HashSet<Vec<u8>>> {
            let output = git(work_tree)
                .args(args)
                .arg("--")
                .args(chunk.iter().map(|f| &f.path))
                .stderr(Stdio::null())
                .output()
                .ok()
                .filter(|o| o.status.success())?;
            Some(
                output
                    .stdout
                    .split(|b| *b == 0)
                    .filter(|p| !p.is_empty())
                    .map(<[u8]>::to_vec)
                    .collect(),
            )
        };
        let (Some(tracked), Some(differing)) = (
            list(&["ls-tree", "-z", "--name-only", "--full-tree", "HEAD"]),
            list(&["diff", "--name-only", "-z", "--no-renames", "HEAD"]),
        ) else {
            continue;
        };
        for file in chunk {
            let path = file.path.as_os_str().as_encoded_bytes();
            if tracked.contains(path) && !differing.contains(path) {
                held.push(file.path.clone());
            }
        }
    }
    held
}

/// Takes `files` out of the index again: back to `HEAD`, or out of a
/// repository without commits.
fn unstage(work_tree: &Path, files: &[PathBuf]) {
    for chunk in files.chunks(PATHS_PER_CALL) {
        let mut command = git(work_tree);
        if has_head(work_tree) {
            command.args(["reset", "--quiet", "--"]);
        } else {
            command.args(["rm", "--cached", "--quiet", "--ignore-unmatch", "--"]);
        }
        let _ = command.args(chunk).stdout(Stdio::null()).status();
    }
}

fn has_head(work_tree: &Path) -> bool {
    git(work_tree)
        .args(["rev-parse", "--verify", "--quiet", "HEAD"])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Paths per git call: far below any argument-list limit.
const PATHS_PER_CALL: usize = 500;

/// git in the work tree, paths taken literally (a file named `*.py` is that file).
fn git(work_tree: &Path) -> Command {
    let mut command = Command::new("git");
    command
        .current_dir(work_tree)
        .env("GIT_OPTIONAL_LOCKS", "0")
        .env("GIT_LITERAL_PATHSPECS", "1")
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
