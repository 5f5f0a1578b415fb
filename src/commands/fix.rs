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
    pub show_fixes: bool,
}

impl Default for FixOptions {
    fn default() -> Self {
        Self {
            mode: FixMode::Safe,
            diff: false,
            phase: None,
            verify: None,
            show_fixes: false,
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
            let outcome = fix_file(
                file.path(),
                &text,
                &inputs.settings,
                &inputs.asyncio,
                options.mode,
            );
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
                        fix.file.path(),
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

        if let Some(command) = &options.verify {
            if verify(command, &inputs.tree_root)? {
                let paths: Vec<&str> = manifest.files.iter().map(|f| f.path.as_str()).collect();
                eprintln!(
                    "Verified: `{command}` passed. Review with `git diff`, then commit: git add {} && git commit",
                    paths.join(" ")
                );
            } else {
                let problems = restore_run(&journal, &manifest, false);
                manifest.status = RunStatus::VerifyFailed;
                journal.save(&manifest).map_err(io_error)?;
                for problem in &problems {
                    eprintln!("warning: {problem}");
                }
                eprintln!(
                    "Verify failed: `{command}` exited non-zero; the run was rolled back{}.",
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
    if verify_failed {
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
