//! `redis-unify fix` (and `check --fix`): compute the fixes, show them as a diff
//! or write them through the journal, verify, and roll back on failure.

use std::collections::BTreeMap;
use std::path::Path;

use super::ExitStatus;
use super::check::{
    collect, exit_status, file_report, map_files_if, nothing_to_check, report_options, write_output,
};
use super::inputs::{Inputs, Scope, gather_in};
use super::rollback::{record_restore, restore_files};
use crate::cli::{CommonArgs, FixArgs};
use crate::error::Error;
use crate::fix::FixMode;
use crate::fix::apply::FixOutcome;
use crate::fix::diff::unified_diff;
use crate::fix::journal::{
    self, FileWrite, ImportCheck, Journal, JournalFile, Manifest, RunStatus, VerifyOutcome,
    VerifyResult, content_hash,
};
use crate::fix::verify::{Interrupts, run_verify};
use crate::fix::worktree::{IndexFlags, staged_blob_id};
use crate::fix::write::{Checked, check_replaceable, replace_checked, write_target};
use crate::fix::{commit, import_check};
use crate::project::{add_noqa_file, fix_file_in, lint_file};
use crate::report::FileReport;
use crate::rules::Rule;
use crate::shell::shell_word;
use crate::source::encoding::{SourceEncoding, decode_as, decode_python};
use crate::source::staged::staged_index;
use crate::source::{Origin, SourceFile, relative_to};

/// Lines of a failed verify command's output shown to the user.
const VERIFY_TAIL_LINES: usize = 20;

/// From this many runs in the journal on, a fix run suggests `history --prune`.
const JOURNAL_RUNS_NOTE: usize = 20;

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
    /// Exit with 1 when a file was written (git hooks: stop the commit).
    pub exit_non_zero_on_fix: bool,
    /// `check --add-noqa`: add `# noqa` comments instead of fixing.
    pub add_noqa: bool,
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
            exit_non_zero_on_fix: false,
            add_noqa: false,
        }
    }
}

pub fn run(args: &FixArgs, cwd: &Path) -> Result<ExitStatus, Error> {
    if let Some(filename) = &args.common.stdin_filename {
        let mode = if args.unsafe_fixes {
            FixMode::SafeAndUnsafe
        } else {
            FixMode::Safe
        };
        let output = if args.diff {
            super::stdin::FixOutput::Diff
        } else {
            super::stdin::FixOutput::Source
        };
        return super::stdin::fix(&args.common, filename, mode, output, cwd);
    }
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
        // As typed, relative to the current folder (the imports run in the project root).
        python: args.python.as_ref().map(|python| {
            if python.components().count() > 1 {
                crate::source::absolute(cwd, python)
            } else {
                python.clone()
            }
        }),
        commit: args.commit,
        show_fixes: args.show_fixes,
        exit_non_zero_on_fix: args.exit_non_zero_on_fix,
        add_noqa: false,
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
    // A phase is a set of project files: without PATHS, `--phase` reads the
    // whole project, staged or not (as `plan` does), never only what is staged.
    let scope = if options.phase.is_some() {
        Scope::Project
    } else {
        Scope::Default
    };
    let mut inputs = gather_in(common, cwd, scope)?;
    if options.verify_imports {
        // Before anything is written: an interpreter that cannot start would
        // only roll the run back.
        import_check::check_interpreter(&import_check::interpreter(options.python.as_deref()))
            .map_err(Error::Usage)?;
    }
    if options.commit {
        // Before anything is written: a commit of the run must hold only the run.
        if inputs.git_dir.is_none() {
            return Err(Error::Usage(
                "--commit needs a git repository; run without it, or `git init` first".to_string(),
            ));
        }
        if let Some(why) = commit::refusal(&inputs.tree_root)
            .or_else(|| commit::operation_in_progress(&inputs.tree_root))
        {
            return Err(Error::Usage(why));
        }
    }
    let phase = options
        .phase
        .as_deref()
        .map(|wanted| inputs.settings.find_phase(wanted))
        .transpose()?;
    if phase.as_ref().is_some_and(|phase| phase.number == 0) {
        // Phase 0 is the manifests' findings only (setup.py's Python code
        // belongs to the phase its path is in).
        inputs.settings.rules = inputs
            .settings
            .rules
            .iter()
            .filter(|rule| Rule::MANIFEST_RULES.contains(rule))
            .collect();
    }
    let files: Vec<SourceFile> = inputs
        .files
        .iter()
        .filter(|file| {
            phase.as_ref().is_none_or(|phase| {
                // Phase 0: the dependency manifests (their RU3xx findings).
                inputs
                    .settings
                    .phase_of_file(&file.relative, file.manifest.is_some())
                    == *phase
            })
        })
        .cloned()
        .collect();
    let repo_path = inputs.git_dir.as_deref().filter(|_| inputs.staged);
    // The index covers every file the command read, not only the phase's: a
    // fix is judged against the whole project. `check --add-noqa` lints with it
    // too, so its comments cover the cross-module findings `check PATH` reports.
    let index = super::index::for_inputs(common, &inputs, repo_path);
    let wanted = super::check::project_prefilter(inputs.settings.any_file_rules(), &index);
    // One file's outcome: its fixes to a fixed point, or its `# noqa` comments.
    let refix = |file: &SourceFile, text: &str| {
        let project = index.context(&file.relative);
        if options.add_noqa {
            add_noqa_file(
                file.path(),
                text,
                &inputs.settings,
                &inputs.asyncio,
                project,
            )
        } else {
            fix_file_in(
                file.path(),
                text,
                &inputs.settings,
                &inputs.asyncio,
                options.mode,
                project,
            )
        }
    };
    let outcomes = map_files_if(&files, repo_path, &wanted, |file, decoded| {
        let text = decoded.text;
        let outcome = refix(file, &text);
        Some(FileFix {
            file: file.clone(),
            original: text,
            encoding: decoded.encoding,
            round_trips: decoded.round_trips,
            outcome,
        })
    });
    let (results, crash) = collect(outcomes);
    if let Some(crash) = crash {
        return Err(crash);
    }
    let mut fixes: Vec<FileFix> = results.into_iter().flatten().collect();
    for fix in &fixes {
        if let Some(failure) = &fix.outcome.failure {
            if options.add_noqa {
                // One note a line: `ROW: CODE not suppressed: why`, or about the file.
                for note in failure.lines() {
                    let separator = if note.starts_with(|c: char| c.is_ascii_digit()) {
                        ":"
                    } else {
                        ": "
                    };
                    crate::errln!("warning: {}{separator}{note}", fix.file.display);
                }
            } else {
                crate::errln!("error: {}: {failure}", fix.file.display);
            }
        }
    }

    if options.diff {
        let mut changed = false;
        for fix in fixes.iter().filter(|f| f.changed()) {
            changed = true;
            crate::output::print(format_args!(
                "{}",
                unified_diff(&fix.file.display, &fix.original, &fix.outcome.text)
            ))?;
        }
        let count: usize = fixes
            .iter()
            .map(|f| f.outcome.fixed.values().sum::<usize>())
            .sum();
        if changed {
            crate::errln!(
                "Would fix {count} {}.",
                if count == 1 { "error" } else { "errors" }
            );
            return Ok(ExitStatus::Failure);
        }
        crate::errln!("No fixes to apply.");
        return Ok(ExitStatus::Success);
    }

    // Decide what can be written, every file before the first write; whatever
    // cannot be written keeps its original text (and its findings).
    let context = WriteContext::new(&inputs, cwd, fixes.iter().any(FileFix::changed));
    let mut writes: Vec<Write> = Vec::new();
    let mut not_fixed: Vec<(String, String)> = Vec::new();
    let not_done = if options.add_noqa {
        "no `# noqa` added"
    } else {
        "not fixed"
    };
    for (index, fix) in fixes.iter_mut().enumerate() {
        if !fix.changed() {
            continue;
        }
        match writable(fix, &context, &refix) {
            Ok(write) => writes.push(Write { index, ..write }),
            Err(reason) => {
                // The advice names the command that was run.
                let reason = if options.add_noqa {
                    reason.replace(
                        "`redis-unify fix PATH`",
                        "`redis-unify check --add-noqa PATH`",
                    )
                } else {
                    reason
                };
                crate::errln!("warning: {}: {not_done}: {reason}", fix.file.display);
                not_fixed.push((fix.file.display.clone(), reason.clone()));
                keep_original(fix, &inputs);
            }
        }
    }

    if options.commit {
        // A commit holds whole files: one with changes of its own before the
        // run would carry them into the step's commit.
        let paths: Vec<std::path::PathBuf> = writes
            .iter()
            .map(|write| commit_path(write, &inputs.tree_root))
            .collect();
        let dirty = commit::not_committable(&inputs.tree_root, &paths).map_err(Error::Usage)?;
        if !dirty.is_empty() {
            return Err(Error::Usage(format!(
                "--commit commits the files the run fixes whole, but {} already {} changes that \
                 are not committed, or {} not tracked by git ({}); commit them (or move them \
                 away) first, or run without --commit",
                if dirty.len() == 1 {
                    "this file"
                } else {
                    "these files"
                },
                if dirty.len() == 1 { "has" } else { "have" },
                if dirty.len() == 1 { "is" } else { "are" },
                dirty.join(", ")
            )));
        }
    }
    let mut verify_failed = false;
    let mut commit_refused = false;
    let mut written_files = 0;
    if !writes.is_empty() {
        let journal = Journal::for_project(inputs.git_dir.as_deref(), &inputs.tree_root);
        let io_error = |e: std::io::Error| Error::Io {
            path: journal.folder().to_path_buf(),
            source: e,
        };
        let _lock = journal.lock().map_err(io_error)?;
        let locked_at = std::time::SystemTime::now();
        tidy_journal(&journal, &writes, locked_at);
        if inputs.git_dir.is_none() {
            crate::errln!(
                "note: the fix journal is in {}; add `.redis-unify/` to your .gitignore",
                journal.folder().display()
            );
        }
        let manifest = Manifest {
            id: journal::new_run_id(),
            created: journal::utc_now(),
            root: Some(inputs.tree_root.clone()),
            phase: phase.as_ref().map(|p| format!("{} ({})", p.number, p.name)),
            unsafe_fixes: options.mode == FixMode::SafeAndUnsafe,
            verify: options.verify.clone(),
            status: RunStatus::Writing,
            verify_result: None,
            import_check: None,
            backups_pruned: false,
            commit: None,
            commit_refused: None,
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
                        ..JournalFile::default()
                    }
                })
                .collect(),
        };
        let originals: Vec<Vec<u8>> = writes.iter().map(|w| w.original.clone()).collect();
        // With a verify command, an interrupt from here on rolls the run back
        // instead of ending the process between writing and verifying.
        // Caught from before the first write: a signal during the checks or the
        // commit is handled (the run rolled back, or the commit recorded).
        let mut interrupts = if options.verify.is_some() || options.verify_imports || options.commit
        {
            Some(Interrupts::catch().map_err(io_error)?)
        } else {
            None
        };
        let mut manifest = journal.begin(manifest, &originals).map_err(io_error)?;
        run_test_hook(&inputs.tree_root);
        // Each file is replaced only if it still is what was read and checked;
        // one that cannot be is reported and the run goes on.
        let mut written = 0;
        for (write, entry) in writes.iter().zip(manifest.files.iter_mut()) {
            match replace_checked(&write.checked, &write.original, &write.fixed) {
                Ok(()) => {
                    entry.write = FileWrite::Written;
                    written += 1;
                }
                Err(reason) => {
                    let fix = &mut fixes[write.index];
                    crate::errln!("warning: {}: {not_done}: {reason}", fix.file.display);
                    not_fixed.push((fix.file.display.clone(), reason.clone()));
                    entry.write = FileWrite::NotWritten;
                    entry.not_written = Some(reason);
                    keep_original(fix, &inputs);
                }
            }
        }
        manifest.status = RunStatus::Complete;
        journal.save(&manifest).map_err(io_error)?;
        written_files = written;
        let not_written = writes.len() - written;
        let not_written_note = if not_written > 0 {
            format!(
                "; {not_written} {} not written, see the warnings above",
                if not_written == 1 { "file" } else { "files" }
            )
        } else {
            String::new()
        };
        let files = if written == 1 { "file" } else { "files" };
        if written == 0 {
            crate::errln!(
                "No file was written (run {}{not_written_note}).",
                manifest.id
            );
        } else if options.add_noqa {
            let suppressed: usize = writes
                .iter()
                .zip(&manifest.files)
                .filter(|(_, entry)| entry.write == FileWrite::Written)
                .map(|(write, _)| fixes[write.index].outcome.fixed.values().sum::<usize>())
                .sum();
            crate::errln!(
                "Added `# noqa` for {} in {written} {files} (run {}; `redis-unify rollback` removes them{not_written_note}).",
                plural(suppressed, "finding"),
                manifest.id
            );
        } else if options.verify.is_some() || options.verify_imports {
            let checks = match (&options.verify, options.verify_imports) {
                (Some(command), true) => {
                    format!("the changed modules import and `{command}` passes")
                }
                (Some(command), false) => format!("`{command}` passes"),
                _ => "the changed modules import".to_string(),
            };
            crate::errln!(
                "Wrote {written} {files} (run {}{not_written_note}); kept only if {checks}.",
                manifest.id
            );
        } else {
            crate::errln!(
                "Fixed {written} {files} (run {}; `redis-unify rollback` restores them{not_written_note}).",
                manifest.id
            );
        }

        if written > 0 && (options.verify_imports || options.verify.is_some()) {
            // Until the checks pass the fixes are unverified: a run killed
            // meanwhile must not read as applied.
            manifest.status = RunStatus::Verifying;
            journal.save(&manifest).map_err(io_error)?;
        }
        let mut verification: Vec<String> = Vec::new();
        // What failed, and whether a signal interrupted it.
        let mut failure: Option<(String, bool)> = None;
        if options.verify_imports && written > 0 {
            let checked = verify_imports(
                &manifest,
                &inputs.tree_root,
                options.python.as_deref(),
                interrupts.as_mut(),
            );
            let passed = checked.passed;
            let summary = checked.summary();
            manifest.import_check = Some(checked);
            journal.save(&manifest).map_err(io_error)?;
            let signal = interrupts.as_mut().and_then(Interrupts::pending);
            if let Some(signal) = signal {
                failure = Some((
                    format!(
                        "Import check interrupted: redis-unify received {}",
                        crate::fix::verify::signal_name(signal)
                    ),
                    true,
                ));
            } else if passed {
                verification.push(summary);
            } else {
                failure = Some((format!("Import check failed: {summary}"), false));
            }
        }
        if failure.is_none()
            && let (Some(command), Some(interrupts)) = (
                options.verify.as_ref().filter(|_| written > 0),
                interrupts.as_mut(),
            )
        {
            let verified = verify(command, &inputs.tree_root, interrupts);
            let outcome = verified.outcome;
            manifest.verify_result = Some(verified);
            journal.save(&manifest).map_err(io_error)?;
            if outcome == VerifyOutcome::Passed {
                verification.push(format!("`{command}` passed"));
            } else {
                let interrupted = outcome == VerifyOutcome::Interrupted;
                let what = match &manifest.verify_result {
                    Some(result) if interrupted => format!(
                        "Verify interrupted: redis-unify received {} while `{command}` ran",
                        result.interrupted_by.as_deref().unwrap_or("a signal")
                    ),
                    Some(VerifyResult {
                        exit_code: Some(code),
                        ..
                    }) => format!("Verify failed: `{command}` exited with {code}"),
                    Some(VerifyResult {
                        signal: Some(signal),
                        ..
                    }) => format!("Verify failed: `{command}` was killed by signal {signal}"),
                    _ => format!("Verify failed: `{command}` could not be run"),
                };
                failure = Some((what, interrupted));
            }
        }
        let written_paths: Vec<&str> = manifest
            .files
            .iter()
            .filter(|f| f.write == FileWrite::Written)
            .map(|f| f.path.as_str())
            .collect();
        if failure.is_none() && manifest.status == RunStatus::Verifying {
            manifest.status = RunStatus::Complete;
            journal.save(&manifest).map_err(io_error)?;
        }
        if failure.is_none() && !verification.is_empty() {
            if options.commit {
                crate::errln!("Verified: {}.", verification.join("; "));
            } else {
                // As the user types them: relative to the current folder, quoted for sh.
                let shown: Vec<String> = writes
                    .iter()
                    .zip(&manifest.files)
                    .filter(|(_, entry)| entry.write == FileWrite::Written)
                    .map(|(write, _)| shell_word(&fixes[write.index].file.display))
                    .collect();
                crate::errln!(
                    "Verified: {}. Review with `git diff`, then commit: git add {} && git commit",
                    verification.join("; "),
                    shown.join(" ")
                );
            }
        }
        if failure.is_none() && options.commit && written > 0 {
            let summary_rules = fixed_rules(&fixes);
            let summary = commit::StepSummary {
                phase: manifest.phase.as_deref(),
                run_id: &manifest.id,
                files: &written_paths
                    .iter()
                    .map(|p| p.to_string())
                    .collect::<Vec<_>>(),
                rules: &summary_rules,
                verification: &verification,
            };
            let message = commit::message(&summary);
            let run_files: Vec<commit::RunFile> = writes
                .iter()
                .zip(&manifest.files)
                .filter(|(_, entry)| entry.write == FileWrite::Written)
                .map(|(write, entry)| commit::RunFile {
                    path: commit_path(write, &inputs.tree_root),
                    after: entry.after.clone(),
                })
                .collect();
            let outcome = commit::commit(&inputs.tree_root, &run_files, &message, &manifest.id)
                .unwrap_or_else(commit::CommitOutcome::Refused);
            match outcome {
                commit::CommitOutcome::Committed {
                    id,
                    changed_by_hook,
                } => {
                    crate::errln!(
                        "Committed {} as {} ({}).",
                        plural(run_files.len(), "file"),
                        &id[..id.len().min(12)],
                        message.lines().next().unwrap_or_default()
                    );
                    if changed_by_hook {
                        crate::errln!(
                            "note: a commit hook changed the run's files as it committed them; \
                             the commit holds the hook's version (`git show --stat HEAD`)"
                        );
                    }
                    manifest.commit = Some(id);
                }
                commit::CommitOutcome::Refused(output) => {
                    crate::errln!("{output}");
                    crate::errln!(
                        "warning: the run was not committed (see above); its files stay fixed, \
                         not staged. Commit them yourself, or `redis-unify rollback` to undo the run"
                    );
                    manifest.commit_refused = Some(output);
                    commit_refused = true;
                }
            }
            journal.save(&manifest).map_err(io_error)?;
            if let Some(signal) = interrupts.as_mut().and_then(Interrupts::pending) {
                crate::errln!(
                    "redis-unify received {} while committing; {}",
                    crate::fix::verify::signal_name(signal),
                    if manifest.commit.is_some() {
                        "the commit was made"
                    } else {
                        "nothing was committed"
                    }
                );
                return Ok(ExitStatus::for_signal(signal));
            }
        }
        if let Some((what, interrupted)) = failure {
            {
                let outcomes = restore_files(&journal, &manifest, false);
                let problems = record_restore(&mut manifest, &outcomes);
                manifest.status = match (interrupted, problems.is_empty()) {
                    (false, true) => RunStatus::VerifyFailed,
                    (false, false) => RunStatus::VerifyFailedNotRolledBack,
                    (true, true) => RunStatus::VerifyInterruptedRolledBack,
                    (true, false) => RunStatus::VerifyInterrupted,
                };
                journal.save(&manifest).map_err(io_error)?;
                for problem in &problems {
                    crate::errln!("error: not restored: {problem}");
                }
                if problems.is_empty() {
                    crate::errln!(
                        "{what}; the run was rolled back (every file restored; run {}).",
                        manifest.id
                    );
                } else {
                    let left: Vec<&str> = manifest
                        .files_left()
                        .iter()
                        .map(|f| f.path.as_str())
                        .collect();
                    crate::errln!(
                        "{what}; the run was NOT fully rolled back: {} of {} files keep the unverified fixes ({}); \
                         run {} is recorded as `{}`. Restore them with `redis-unify rollback --force {}` \
                         once they are as you want them.",
                        left.len(),
                        manifest.files.len(),
                        left.join(", "),
                        manifest.id,
                        serde_json::to_value(&manifest.status)
                            .ok()
                            .and_then(|v| v.as_str().map(str::to_string))
                            .unwrap_or_default(),
                        manifest.id
                    );
                }
                if interrupted {
                    let signal = interrupts
                        .as_ref()
                        .map_or(libc::SIGINT, Interrupts::interrupted_by);
                    return Ok(ExitStatus::for_signal(signal));
                }
                verify_failed = true;
                // The report shows the files as they are now: a restored file
                // with the findings of its original text, re-linted.
                for (write, entry) in writes.iter().zip(&manifest.files) {
                    let restored = std::fs::read(&write.checked.target)
                        .is_ok_and(|bytes| bytes == write.original);
                    if entry.write == FileWrite::Written && restored {
                        keep_original(&mut fixes[write.index], &inputs);
                    }
                }
            }
        }
    }

    if written_files == 0
        && let Some(command) = &options.verify
    {
        crate::errln!("Nothing was fixed, so `{command}` was not run.");
    }

    if options.add_noqa {
        // As ruff's `--add-noqa`: no report of the findings, only what was
        // added (above) and what could not be suppressed (the warnings).
        let left: usize = fixes.iter().map(|f| f.outcome.diagnostics.len()).sum();
        if written_files == 0 && left == 0 {
            crate::errln!("No findings to suppress: no `# noqa` added.");
        }
        if left > 0 {
            crate::errln!(
                "{} not suppressed (see the warnings above); `redis-unify check` lists {}.",
                plural(left, "finding"),
                if left == 1 { "it" } else { "them" }
            );
        }
        return Ok(exit_status(left > 0, common.exit_zero));
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
    // Each file is shown with the text its findings were computed on: the
    // fixed text where the fix is on disk, else the original.
    let reports: Vec<FileReport> = fixes
        .into_iter()
        .filter(|f| !f.outcome.diagnostics.is_empty())
        .map(|f| file_report(&f.file, f.outcome.text, f.outcome.diagnostics, &inputs))
        .collect();
    // After a failed verify rolled every fix back, nothing was fixed: the
    // footer says "Found N errors.", not "(0 fixed, …)".
    let fixed = (!verify_failed || fixed_count > 0).then_some(fixed_count);
    let mut report = report_options(common, options.mode, fixed);
    // A fixable finding left after `fix` is not fixed by `--fix`: the footer says why.
    report.command = crate::report::FooterCommand::Fix;
    if options.show_fixes {
        report.show_fixes = Some(show);
    }
    report.not_fixed = not_fixed;
    if files.is_empty() {
        report.nothing_checked = Some(match &phase {
            Some(phase) => format!(
                "No files to fix in phase {} ({}){}.",
                phase.number,
                phase.name,
                if phase.number == 0 {
                    ": no dependency manifest found"
                } else {
                    ": no file of the project matches its paths"
                }
            ),
            None => nothing_to_check(common, &inputs, "fix"),
        });
    }
    write_output(common.output_file.as_deref(), cwd, &reports, &report)?;
    if verify_failed || commit_refused {
        return Ok(ExitStatus::Failure);
    }
    if options.exit_non_zero_on_fix && written_files > 0 {
        crate::errln!(
            "error: fixed {written_files} {}; review and `git add` {}, then commit again.",
            if written_files == 1 { "file" } else { "files" },
            if written_files == 1 { "it" } else { "them" },
        );
        return Ok(ExitStatus::Failure);
    }
    let remaining = reports.iter().any(|r| !r.diagnostics.is_empty());
    Ok(exit_status(remaining, common.exit_zero))
}

/// A fixed file about to be written.
struct Write {
    index: usize,
    /// The checked real file, and what it was when checked.
    checked: Checked,
    /// Relative to the tree root.
    relative_path: std::path::PathBuf,
    /// The file's bytes as read (and checked), and the fixed text in the file's encoding.
    original: Vec<u8>,
    fixed: Vec<u8>,
}

/// What deciding whether a file can be written needs besides the file.
struct WriteContext<'a> {
    tree_root: &'a Path,
    staged: bool,
    /// git's flags on index entries (inside a repository).
    index_flags: Option<IndexFlags>,
}

impl<'a> WriteContext<'a> {
    fn new(inputs: &'a Inputs, cwd: &Path, needed: bool) -> WriteContext<'a> {
        let index_flags = inputs
            .git_dir
            .as_deref()
            .filter(|_| needed)
            .and_then(|git_dir| git2::Repository::open(git_dir).ok())
            .and_then(|repo| staged_index(&repo, cwd).ok())
            .map(|index| IndexFlags::new(index, &inputs.tree_root));
        WriteContext {
            tree_root: &inputs.tree_root,
            staged: inputs.staged,
            index_flags,
        }
    }
}

/// A file that is not written keeps its original text and that text's findings.
fn keep_original(fix: &mut FileFix, inputs: &Inputs) {
    fix.outcome = FixOutcome {
        text: fix.original.clone(),
        fixed: BTreeMap::new(),
        diagnostics: lint_file(
            fix.file.path(),
            &fix.original,
            &inputs.settings,
            &inputs.asyncio,
        ),
        failure: None,
    };
}

/// Test hook, not a user feature (not in `--help`): the shell command in
/// `REDIS_UNIFY_TEST_BEFORE_WRITE` runs once, in the tree root, after every
/// file was read, checked and journaled and before the first is written, so
/// that a test can change a file between the read and the write
/// deterministically (tests/trust_writes.rs). Its result is ignored.
fn run_test_hook(tree_root: &Path) {
    if let Some(command) = std::env::var_os("REDIS_UNIFY_TEST_BEFORE_WRITE") {
        let _ = std::process::Command::new("sh")
            .arg("-c")
            .arg(command)
            .current_dir(tree_root)
            .status();
    }
}

const PARTIALLY_STAGED: &str = "its work-tree content differs from what is staged (partially \
     staged); stage or stash the rest, or run `redis-unify fix PATH` on the work tree";

/// Where a fixed file may be written, its path relative to the tree root, and
/// its bytes before and after, in the file's own encoding. Every check is made
/// here, before any file of the run is written.
fn writable(
    fix: &FileFix,
    context: &WriteContext,
    refix: &dyn Fn(&SourceFile, &str) -> FixOutcome,
) -> Result<Write, String> {
    let path = &fix.file.abs_path;
    let tree_root = context.tree_root;
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
    // The real file, every symlink on the way resolved: never outside the project.
    let target = write_target(path, tree_root)?;
    if let Some(flags) = &context.index_flags
        && let Some(reason) = flags.refusal(&[&target, path], tree_root)
    {
        return Err(reason);
    }
    let (original, fixed) = if context.staged {
        staged_work_tree_bytes(fix, tree_root, &target, original, fixed, refix)?
    } else {
        (original, fixed)
    };
    let checked = check_replaceable(path, tree_root, &original)?;
    Ok(Write {
        index: 0,
        checked,
        relative_path: relative_to(path, tree_root),
        original,
        fixed,
    })
}

/// Staged mode: the fix was computed on the staged content, and is written
/// only over a work tree that holds the same content. When the bytes differ
/// only because of git's own filters (`core.autocrlf`, `eol`, `ident`, a clean
/// filter, `working-tree-encoding`), git is asked (`git hash-object --path`)
/// whether the work tree is what is staged; if so the fix is made on the
/// work-tree text, and written only if git would stage it as the fixed staged
/// content. Returns the work-tree bytes before and after.
fn staged_work_tree_bytes(
    fix: &FileFix,
    tree_root: &Path,
    target: &Path,
    original: Vec<u8>,
    fixed: Vec<u8>,
    refix: &dyn Fn(&SourceFile, &str) -> FixOutcome,
) -> Result<(Vec<u8>, Vec<u8>), String> {
    let work_tree =
        std::fs::read(target).map_err(|e| format!("cannot read the work tree file: {e}"))?;
    if work_tree == original {
        return Ok((original, fixed));
    }
    let Origin::Index(staged) = fix.file.origin else {
        return Err(PARTIALLY_STAGED.to_string());
    };
    let relative = relative_to(&fix.file.abs_path, tree_root);
    match staged_blob_id(tree_root, &relative, &work_tree) {
        Some(id) if id == staged.to_string() => {}
        Some(_) => return Err(PARTIALLY_STAGED.to_string()),
        None => {
            return Err(format!(
                "{PARTIALLY_STAGED} (git could not be run to compare them through its filters)"
            ));
        }
    }
    let filtered = "git's filters for it (line endings, `ident`, a clean filter or \
                    working-tree-encoding) make its work-tree bytes differ from the staged ones";
    let decoded = if fix.file.manifest.is_none() || crate::lint::is_python_file(target) {
        decode_python(work_tree.clone())
    } else {
        decode_as(work_tree.clone(), SourceEncoding::Utf8)
    }
    .map_err(|e| format!("{filtered}, and its work-tree text cannot be read: {e}"))?;
    if !decoded.round_trips {
        return Err(format!(
            "{filtered}, and its work-tree bytes do not round-trip through {}",
            decoded.encoding.name()
        ));
    }
    let outcome = refix(&fix.file, &decoded.text);
    let fixed_work_tree = decoded
        .encoding
        .encode(&outcome.text)
        .map_err(|e| format!("{filtered}, and the fixed work-tree text cannot be encoded: {e}"))?
        .into_owned();
    if staged_blob_id(tree_root, &relative, &fixed_work_tree) != Some(content_hash(&fixed)) {
        return Err(format!(
            "{filtered}, and the fix made on the work-tree text would not be staged as the fix \
             of the staged text; apply the fix by hand (`redis-unify fix --diff` shows it), then \
             stage the file"
        ));
    }
    Ok((work_tree, fixed_work_tree))
}

/// Imports the run's changed Python modules, each in a fresh interpreter
/// (the failures are printed).
fn verify_imports(
    manifest: &Manifest,
    root: &Path,
    python: Option<&Path>,
    interrupts: Option<&mut Interrupts>,
) -> ImportCheck {
    let written: Vec<&JournalFile> = manifest
        .files
        .iter()
        .filter(|file| file.write == FileWrite::Written)
        .collect();
    let mut targets = Vec::new();
    let mut skipped = Vec::new();
    for file in &written {
        let relative = file.relative_path();
        let python_source = relative.extension().is_some_and(|e| e == "py");
        match import_check::import_target(root, &relative) {
            Some(target) => targets.push(target),
            None if python_source => skipped.push(file.path.clone()),
            None => {} // manifests and stubs are not modules
        }
    }
    let python = import_check::interpreter(python);
    crate::errln!(
        "Verifying imports: {} with {}",
        plural(targets.len(), "module"),
        python.display()
    );
    if !skipped.is_empty() {
        crate::errln!(
            "note: not imported (not importable by a module name, or a program: setup.py, __main__.py): {}",
            skipped.join(", ")
        );
    }
    let started = std::time::Instant::now();
    let mut interrupts = interrupts;
    let mut interrupted = || {
        interrupts
            .as_deref_mut()
            .and_then(Interrupts::pending)
            .is_some()
    };
    let imported = import_check::import_all(
        &python,
        root,
        &targets,
        import_check::IMPORT_TIMEOUT,
        &mut interrupted,
    );
    let mut check = ImportCheck {
        passed: false,
        python: python.display().to_string(),
        modules: targets.len(),
        failed: Vec::new(),
        skipped,
        interrupted: false,
        error: None,
        duration_ms: 0,
    };
    match imported {
        Ok(imported) => {
            for failure in &imported.failures {
                crate::errln!(
                    "--- `import {}` ({}) failed ---\n{}",
                    failure.target.module,
                    failure.target.file,
                    failure.reason
                );
            }
            if !imported.failures.is_empty() {
                crate::errln!("---");
            }
            check.interrupted = imported.interrupted;
            check.passed = imported.failures.is_empty() && !imported.interrupted;
            check.failed = imported
                .failures
                .iter()
                .map(|f| format!("{} ({})", f.target.module, f.target.file))
                .collect();
        }
        Err(error) => {
            crate::errln!("error: {error}");
            check.error = Some(error);
        }
    }
    check.duration_ms = started.elapsed().as_millis() as u64;
    check
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

/// The path git knows a written file by: the real file behind an in-project
/// symlink, relative to the work tree.
fn commit_path(write: &Write, tree_root: &Path) -> std::path::PathBuf {
    let root = tree_root
        .canonicalize()
        .unwrap_or_else(|_| tree_root.to_path_buf());
    write
        .checked
        .target
        .strip_prefix(&root)
        .map(Path::to_path_buf)
        .unwrap_or_else(|_| write.relative_path.clone())
}

/// Runs the verify command in the tree root (see [`run_verify`]); prints the
/// tail of its output when it does not pass.
fn verify(command: &str, root: &Path, interrupts: &mut Interrupts) -> VerifyResult {
    crate::errln!("Verifying: {command}");
    let verification = run_verify(command, root, interrupts);
    if let Some(error) = &verification.error {
        crate::errln!("error: {error}");
    }
    if verification.result.outcome != VerifyOutcome::Passed && !verification.output.is_empty() {
        let lines: Vec<&str> = verification.output.lines().collect();
        let tail = &lines[lines.len().saturating_sub(VERIFY_TAIL_LINES)..];
        crate::errln!("--- last {} lines of `{command}` ---", tail.len());
        for line in tail {
            crate::errln!("{line}");
        }
        crate::errln!("---");
    }
    verification.result
}

/// Before a run writes: removes the journal's folders of runs killed before
/// their manifest was written, and the temporary files a killed run left next
/// to the files about to be written (the lock is held, so no live run of this
/// journal is writing them); says when the journal has grown.
fn tidy_journal(journal: &Journal, writes: &[Write], locked_at: std::time::SystemTime) {
    if let Err(e) = journal.remove_runs_without_manifest(locked_at) {
        crate::errln!(
            "warning: {}: cannot remove the folders of runs that never wrote a manifest: {e}",
            journal.folder().display()
        );
    }
    let folders: std::collections::BTreeSet<&Path> = writes
        .iter()
        .filter_map(|w| w.checked.target.parent())
        .collect();
    for folder in folders {
        for path in journal::remove_stale_temporaries(folder, locked_at) {
            crate::errln!(
                "note: removed {}, a temporary file left by an interrupted run",
                path.display()
            );
        }
    }
    let runs = journal.run_count();
    if runs >= JOURNAL_RUNS_NOTE {
        crate::errln!(
            "note: the fix journal holds {runs} runs ({:.1} MB); `redis-unify history --prune` keeps the last 20",
            journal.size() as f64 / (1024.0 * 1024.0)
        );
    }
}
