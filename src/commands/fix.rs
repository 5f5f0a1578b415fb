//! `redis-unify fix` (and `check --fix`): compute the fixes, show them as a diff
//! or write them through the journal, verify, and roll back on failure.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use super::ExitStatus;
use super::check::{collect, exit_status, file_report, map_files, report_options, write_output};
use super::inputs::gather;
use super::rollback::restore_run;
use crate::cli::{CommonArgs, FixArgs};
use crate::error::Error;
use crate::fix::FixMode;
use crate::fix::apply::FixOutcome;
use crate::fix::diff::unified_diff;
use crate::fix::journal::{self, Journal, JournalFile, Manifest, RunStatus, content_hash};
use crate::fix::write::{write_atomically, write_target};
use crate::fix::{commit, import_check};
use crate::project::{fix_file, lint_file};
use crate::report::FileReport;
use crate::rules::Rule;
use crate::source::encoding::SourceEncoding;
use crate::source::{SourceFile, relative_to};

/// Lines of a failed verify command's output shown to the user.
const VERIFY_TAIL_LINES: usize = 20;

pub struct FixOptions {
    pub mode: FixMode,
    pub diff: bool,
    pub phase: Option<String>,
    pub verify: Option<String>,
    /// Import each changed module after writing (`--verify-imports`), with this interpreter.
    pub verify_imports: bool,
    pub python: Option<std::path::PathBuf>,
    /// Commit the run's files once verified (`--commit`).
    pub commit: bool,
    pub show_fixes: bool,
}

impl Default for FixOptions {
    fn default() -> Self {
        Self {
            mode: FixMode::Safe,
            diff: false,
            phase: None,
            verify: None,
            verify_imports: false,
            python: None,
            commit: false,
            show_fixes: false,
        }
    }
}

pub fn run(args: &FixArgs, cwd: &Path) -> Result<ExitStatus, Error> {
    let options = FixOptions {
        mode: if args.unsafe_fixes {
            FixMode::SafeAndUnsafe
        } else {
            FixMode::Safe
        },
        diff: args.diff,
        phase: args.phase.clone(),
        verify: args.verify.clone(),
        verify_imports: args.verify_imports,
        python: args.python.clone(),
        commit: args.commit,
        show_fixes: args.show_fixes,
    };
    run_fix(&args.common, &options, cwd)
}

/// One file's fix, before anything is written.
struct FileFix {
    file: SourceFile,
    original: String,
    /// How the file's bytes were decoded (PEP 263); fixes are written back in it.
    encoding: SourceEncoding,
    round_trips: bool,
    outcome: FixOutcome,
}

impl FileFix {
    fn changed(&self) -> bool {
        self.outcome.text != self.original
    }
}

pub fn run_fix(common: &CommonArgs, options: &FixOptions, cwd: &Path) -> Result<ExitStatus, Error> {
    let inputs = gather(common, cwd)?;
    if options.commit {
        // Before anything is written: a commit of the run must hold only the run.
        if inputs.git_dir.is_none() {
            return Err(Error::Usage(
                "--commit needs a git repository; run without it, or `git init` first".to_string(),
            ));
        }
        if let Some(why) = commit::refusal(&inputs.tree_root) {
            return Err(Error::Usage(why));
        }
    }
    let phase = options
        .phase
        .as_deref()
        .map(|wanted| inputs.settings.find_phase(wanted))
        .transpose()?;
    let files: Vec<SourceFile> = inputs
        .files
        .iter()
        .filter(|file| {
            phase
                .as_ref()
                .is_none_or(|phase| inputs.settings.phase_of(&file.relative) == *phase)
        })
        .cloned()
        .collect();
    let repo_path = inputs.git_dir.as_deref().filter(|_| inputs.staged);
    let outcomes = map_files(
        &files,
        repo_path,
        inputs.settings.any_file_rules(),
        |file, decoded| {
            let text = decoded.text;
            let outcome = fix_file(file, &text, &inputs.settings, &inputs.asyncio, options.mode);
            Some(FileFix {
                file: file.clone(),
                original: text,
                encoding: decoded.encoding,
                round_trips: decoded.round_trips,
                outcome,
            })
        },
    );
    let (results, crash) = collect(outcomes);
    if let Some(crash) = crash {
        return Err(crash);
    }
    let mut fixes: Vec<FileFix> = results.into_iter().flatten().collect();
    for fix in &fixes {
        if let Some(failure) = &fix.outcome.failure {
            eprintln!("error: {}: {failure}", fix.file.display);
        }
    }

    if options.diff {
        let mut changed = false;
        for fix in fixes.iter().filter(|f| f.changed()) {
            changed = true;
            print!(
                "{}",
                unified_diff(&fix.file.display, &fix.original, &fix.outcome.text)
            );
        }
        let count: usize = fixes
            .iter()
            .map(|f| f.outcome.fixed.values().sum::<usize>())
            .sum();
        if changed {
            eprintln!(
                "Would fix {count} {}.",
                if count == 1 { "error" } else { "errors" }
            );
            return Ok(ExitStatus::Failure);
        }
        eprintln!("No fixes to apply.");
        return Ok(ExitStatus::Success);
    }

    // Decide what can be written; whatever cannot keeps its original text.
    // (index in `fixes`, target path, path relative to the root, original bytes, fixed bytes)
    let mut writes: Vec<Write> = Vec::new();
    for (index, fix) in fixes.iter_mut().enumerate() {
        if !fix.changed() {
            continue;
        }
        match writable(fix, &inputs.tree_root, inputs.staged) {
            Ok(write) => writes.push(Write { index, ..write }),
            Err(reason) => {
                eprintln!("warning: {}: not fixed: {reason}", fix.file.display);
                fix.outcome = FixOutcome {
                    text: fix.original.clone(),
                    fixed: BTreeMap::new(),
                    diagnostics: lint_file(
                        &fix.file,
                        &fix.original,
                        &inputs.settings,
                        &inputs.asyncio,
                    ),
                    failure: None,
                };
            }
        }
    }

    let mut verify_failed = false;
    let mut commit_refused = false;
    if !writes.is_empty() {
        let journal = Journal::for_project(inputs.git_dir.as_deref(), &inputs.tree_root);
        let io_error = |e: std::io::Error| Error::Io {
            path: journal.folder().to_path_buf(),
            source: e,
        };
        let _lock = journal.lock().map_err(io_error)?;
        if inputs.git_dir.is_none() {
            eprintln!(
                "note: the fix journal is in {}; add `.redis-unify/` to your .gitignore",
                journal.folder().display()
            );
        }
        let manifest = Manifest {
            id: journal::new_run_id(),
            created: journal::utc_now(),
            root: inputs.tree_root.clone(),
            phase: phase.as_ref().map(|p| format!("{} ({})", p.number, p.name)),
            unsafe_fixes: options.mode == FixMode::SafeAndUnsafe,
            verify: options.verify.clone(),
            status: RunStatus::Writing,
            commit: None,
            files: writes
                .iter()
                .map(|write| {
                    let fix = &fixes[write.index];
                    let (path, path_bytes) = JournalFile::paths_of(&write.relative_path);
                    JournalFile {
                        path,
                        path_bytes,
                        before: content_hash(&write.original),
                        after: content_hash(&write.fixed),
                        rules: fix
                            .outcome
                            .fixed
                            .keys()
                            .map(|r| r.code().to_string())
                            .collect(),
                        backup: String::new(),
                    }
                })
                .collect(),
        };
        let originals: Vec<Vec<u8>> = writes.iter().map(|w| w.original.clone()).collect();
        let mut manifest = journal.begin(manifest, &originals).map_err(io_error)?;
        for write in &writes {
            write_atomically(&write.target, &write.fixed).map_err(|source| Error::Io {
                path: write.target.clone(),
                source,
            })?;
        }
        manifest.status = RunStatus::Complete;
        journal.save(&manifest).map_err(io_error)?;
        eprintln!(
            "Fixed {} {} (run {}; `redis-unify rollback` restores them).",
            writes.len(),
            if writes.len() == 1 { "file" } else { "files" },
            manifest.id
        );

        let mut verification: Vec<String> = Vec::new();
        let mut failure: Option<String> = None;
        if options.verify_imports {
            match verify_imports(&manifest, &inputs.tree_root, options.python.as_deref()) {
                Ok(passed) => verification.push(passed),
                Err(why) => failure = Some(why),
            }
        }
        if failure.is_none()
            && let Some(command) = &options.verify
        {
            if verify(command, &inputs.tree_root)? {
                verification.push(format!("`{command}` passed"));
            } else {
                failure = Some(format!("`{command}` exited non-zero"));
            }
        }
        if failure.is_none() && !verification.is_empty() && !options.commit {
            let paths: Vec<&str> = manifest.files.iter().map(|f| f.path.as_str()).collect();
            eprintln!(
                "Verified: {}. Review with `git diff`, then commit: git add {} && git commit \
                 (or rerun with --commit)",
                verification.join("; "),
                paths.join(" ")
            );
        }
        if failure.is_none() && options.commit {
            let summary_rules = fixed_rules(&fixes);
            let summary = commit::StepSummary {
                phase: manifest.phase.as_deref(),
                run_id: &manifest.id,
                files: &manifest
                    .files
                    .iter()
                    .map(|f| f.path.clone())
                    .collect::<Vec<_>>(),
                rules: &summary_rules,
                verification: &verification,
            };
            let message = commit::message(&summary);
            let paths: Vec<std::path::PathBuf> =
                manifest.files.iter().map(|f| f.relative_path()).collect();
            match commit::commit(&inputs.tree_root, &paths, &message) {
                Ok(commit::CommitOutcome::Committed(id)) => {
                    eprintln!(
                        "Committed {} as {} ({}).",
                        plural(manifest.files.len(), "file"),
                        &id[..id.len().min(12)],
                        message.lines().next().unwrap_or_default()
                    );
                    manifest.commit = Some(id);
                    journal.save(&manifest).map_err(io_error)?;
                }
                Ok(commit::CommitOutcome::Refused(output)) => {
                    eprintln!("{output}");
                    eprintln!(
                        "warning: git did not commit the run (see above); its files stay fixed, not staged. \
                         Commit them yourself, or `redis-unify rollback` to undo the run"
                    );
                    commit_refused = true;
                }
                Err(why) => {
                    eprintln!("warning: the run was not committed: {why}");
                    commit_refused = true;
                }
            }
        }
        if let Some(why) = failure {
            let command = why;
            {
                let problems = restore_run(&journal, &manifest, false);
                manifest.status = RunStatus::VerifyFailed;
                journal.save(&manifest).map_err(io_error)?;
                for problem in &problems {
                    eprintln!("warning: {problem}");
                }
                eprintln!(
                    "Verify failed: {command}; the run was rolled back{}.",
                    if problems.is_empty() {
                        " (every file restored)"
                    } else {
                        ""
                    }
                );
                verify_failed = true;
                for fix in &mut fixes {
                    fix.outcome.fixed.clear();
                }
            }
        }
    }

    let fixed_count: usize = fixes
        .iter()
        .map(|f| f.outcome.fixed.values().sum::<usize>())
        .sum();
    let show: Vec<(String, BTreeMap<Rule, usize>)> = fixes
        .iter()
        .filter(|f| !f.outcome.fixed.is_empty())
        .map(|f| (f.file.display.clone(), f.outcome.fixed.clone()))
        .collect();
    let reports: Vec<FileReport> = fixes
        .into_iter()
        .filter(|f| !f.outcome.diagnostics.is_empty())
        .map(|f| {
            let text = if verify_failed {
                f.original
            } else {
                f.outcome.text
            };
            file_report(&f.file, text, f.outcome.diagnostics, &inputs)
        })
        .collect();
    let mut report = report_options(common, options.mode, Some(fixed_count));
    if options.show_fixes {
        report.show_fixes = Some(show);
    }
    write_output(common.output_file.as_deref(), cwd, &reports, &report)?;
    if verify_failed || commit_refused {
        return Ok(ExitStatus::Failure);
    }
    let remaining = reports.iter().any(|r| !r.diagnostics.is_empty());
    Ok(exit_status(remaining, common.exit_zero))
}

/// A fixed file about to be written.
struct Write {
    index: usize,
    target: std::path::PathBuf,
    /// Relative to the tree root.
    relative_path: std::path::PathBuf,
    /// The file's bytes as read, and the fixed text in the file's encoding.
    original: Vec<u8>,
    fixed: Vec<u8>,
}

/// Where a fixed file may be written, its path relative to the tree root, and
/// its bytes before and after, in the file's own encoding.
fn writable(fix: &FileFix, tree_root: &Path, staged: bool) -> Result<Write, String> {
    let path = &fix.file.abs_path;
    let encoding = fix.encoding;
    if !fix.round_trips {
        return Err(format!(
            "its bytes do not come back unchanged when decoded and encoded again as {} \
             (declared on its first lines), so it is not rewritten; apply the fixes by hand",
            encoding.name()
        ));
    }
    let original = encoding
        .encode(&fix.original)
        .map_err(|e| format!("cannot encode it back as {}: {e}", encoding.name()))?
        .into_owned();
    let fixed = encoding
        .encode(&fix.outcome.text)
        .map_err(|e| {
            format!(
                "{e} (the file declares `{}`); it was not re-encoded: apply the fixes by hand \
                 or save the file as UTF-8",
                encoding.name()
            )
        })?
        .into_owned();
    if !path.starts_with(tree_root) {
        return Err(format!(
            "it is outside the project ({})",
            tree_root.display()
        ));
    }
    let target = write_target(path, tree_root)?;
    if staged {
        // The fix was computed on the staged content: write it only over the same bytes.
        let work_tree =
            std::fs::read(&target).map_err(|e| format!("cannot read the work tree file: {e}"))?;
        if work_tree != original {
            return Err(
                "its work-tree content differs from what is staged (partially staged); \
                        stage or stash the rest, or run `redis-unify fix PATH` on the work tree"
                    .to_string(),
            );
        }
    }
    Ok(Write {
        index: 0,
        target,
        relative_path: relative_to(path, tree_root),
        original,
        fixed,
    })
}

/// Imports the run's changed Python modules, each in a fresh interpreter: what
/// passed, or why the step failed (the failures are printed).
fn verify_imports(
    manifest: &Manifest,
    root: &Path,
    python: Option<&Path>,
) -> Result<String, String> {
    let targets: Vec<import_check::ImportTarget> = manifest
        .files
        .iter()
        .filter_map(|file| import_check::import_target(root, &file.relative_path()))
        .collect();
    let python = import_check::interpreter(python);
    eprintln!(
        "Verifying imports: {} with {}",
        plural(targets.len(), "module"),
        python.display()
    );
    let failures = import_check::import_all(&python, root, &targets, import_check::IMPORT_TIMEOUT)?;
    if failures.is_empty() {
        return Ok(format!(
            "the import of {} passed ({})",
            plural(targets.len(), "changed module"),
            python.display()
        ));
    }
    for failure in &failures {
        eprintln!(
            "--- `import {}` ({}) failed ---\n{}",
            failure.target.module, failure.target.file, failure.reason
        );
    }
    eprintln!("---");
    Err(format!(
        "{} of {} did not import",
        failures.len(),
        plural(targets.len(), "changed module")
    ))
}

/// The rules a run fixed, with counts, by code.
fn fixed_rules(fixes: &[FileFix]) -> Vec<(String, usize)> {
    let mut counts: BTreeMap<&'static str, usize> = BTreeMap::new();
    for fix in fixes {
        for (rule, count) in &fix.outcome.fixed {
            *counts.entry(rule.code()).or_default() += count;
        }
    }
    counts
        .into_iter()
        .map(|(code, count)| (code.to_string(), count))
        .collect()
}

fn plural(count: usize, noun: &str) -> String {
    if count == 1 {
        format!("1 {noun}")
    } else {
        format!("{count} {noun}s")
    }
}

/// Runs the verify command in the tree root; prints the tail of its output when it fails.
fn verify(command: &str, root: &Path) -> Result<bool, Error> {
    eprintln!("Verifying: {command}");
    let output = Command::new("sh")
        .arg("-c")
        .arg(command)
        .current_dir(root)
        .output()
        .map_err(|source| Error::Io {
            path: root.to_path_buf(),
            source,
        })?;
    if output.status.success() {
        return Ok(true);
    }
    let mut text = String::from_utf8_lossy(&output.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&output.stderr));
    let lines: Vec<&str> = text.lines().collect();
    let tail = &lines[lines.len().saturating_sub(VERIFY_TAIL_LINES)..];
    eprintln!("--- last {} lines of `{command}` ---", tail.len());
    for line in tail {
        eprintln!("{line}");
    }
    eprintln!("---");
    Ok(false)
}
