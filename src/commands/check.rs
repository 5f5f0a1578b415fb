//! `redis-unify check`: choose the files, lint them in parallel, report.

use std::cell::RefCell;
use std::io::{IsTerminal, Write};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use git2::Repository;
use rayon::prelude::*;
use ruff_source_file::LineIndex;

use super::ExitStatus;
use super::fix::{FixOptions, run_fix};
use super::inputs::{Inputs, gather};
use crate::cli::{CheckArgs, ColorChoice, CommonArgs};
use crate::error::Error;
use crate::fix::FixMode;
use crate::project::lint_file_in;
use crate::report::{
    FileReport, FooterCommand, OutputFormat, ReportOptions, root_relative, write_report,
};
use crate::rules::RuleSet;
use crate::source::encoding::{Decoded, SourceEncoding, decode_as, decode_python};
use crate::source::{Origin, SourceFile};

/// What happened to one file.
pub enum Outcome<T> {
    Done(T),
    /// The file could not be read or decoded: told on stderr, not a finding.
    Skipped(String, String),
    /// A panic while checking it: a bug, reported as an internal error.
    Crashed(String, String),
}

pub fn run(args: &CheckArgs, cwd: &Path) -> Result<ExitStatus, Error> {
    if let Some(filename) = &args.common.stdin_filename {
        if args.fix {
            let mode = if args.unsafe_fixes {
                FixMode::SafeAndUnsafe
            } else {
                FixMode::Safe
            };
            return super::stdin::fix(
                &args.common,
                filename,
                mode,
                super::stdin::FixOutput::Source,
                cwd,
            );
        }
        return super::stdin::check(&args.common, filename, cwd);
    }
    if let Some(run) = std::env::var_os(crate::fix::commit::STEP_COMMIT_VARIABLE)
        .filter(|_| args.common.stdin_filename.is_none())
    {
        // A git hook running inside `fix --commit`'s own commit: that run just
        // reported what remains (its hand changes); blocking its commit for
        // them would make the plan's step-by-step commands fail as printed.
        crate::errln!(
            "redis-unify: not checked again: this is the commit of fix run {} (`redis-unify history`)",
            run.to_string_lossy()
        );
        return Ok(ExitStatus::Success);
    }
    if args.add_noqa {
        let options = FixOptions {
            add_noqa: true,
            ..FixOptions::default()
        };
        return run_fix(&args.common, &options, cwd);
    }
    if args.fix {
        let options = FixOptions {
            mode: if args.unsafe_fixes {
                FixMode::SafeAndUnsafe
            } else {
                FixMode::Safe
            },
            show_fixes: args.show_fixes,
            exit_non_zero_on_fix: args.exit_non_zero_on_fix,
            ..FixOptions::default()
        };
        return run_fix(&args.common, &options, cwd);
    }
    // The rule tables are parsed from their TOML when first used: parse them
    // while the files are listed (in staged mode, git's work), not after it.
    std::thread::spawn(|| {
        crate::api::api_map();
        crate::constructors::constructor_table();
    });
    let inputs = gather(&args.common, cwd)?;
    let repo_path = inputs.git_dir.as_deref().filter(|_| inputs.staged);
    let (reports, crash) = check_files(&args.common, &inputs, repo_path);
    // As ruff: `--unsafe-fixes` without `--fix` shows the unsafe fixes as available.
    let mode = if args.unsafe_fixes {
        FixMode::SafeAndUnsafe
    } else {
        FixMode::Safe
    };
    let mut options = report_options(&args.common, mode, None);
    if inputs.files.is_empty() {
        options.nothing_checked = Some(nothing_to_check(&args.common, &inputs, "check"));
    }
    options.step_summary_written = args.common.output_format == OutputFormat::Github
        && !args.common.statistics
        && write_step_summary(&reports, options.nothing_checked.as_deref());
    write_output(args.common.output_file.as_deref(), cwd, &reports, &options)?;
    if let Some(crash) = crash {
        return Err(crash);
    }
    let found = reports.iter().any(|r| !r.diagnostics.is_empty());
    Ok(exit_status(found, args.common.exit_zero))
}

/// One file's result in `check`'s pass: its report, or its text handed to the
/// project index (linted once the index is built).
enum Checked {
    Report(Option<FileReport>),
    /// Summarized for the index; with the report linted without it, when the
    /// same parse made both (kept unless the index changes the file's findings).
    Deferred(Box<(super::index::Candidate, Option<Option<FileReport>>)>),
}

/// Reads every file once and lints it. With a project index, the files pass 1
/// summarizes are kept and linted after it, with the index; the others are
/// linted at once (they can only matter to the index by spelling a name it
/// offers, and those are read again and linted with it: `Builder::finish`).
fn check_files(
    common: &CommonArgs,
    inputs: &Inputs,
    repo_path: Option<&Path>,
) -> (Vec<FileReport>, Option<Error>) {
    let rules = inputs.settings.any_file_rules();
    // Staged mode (the pre-commit hook's hot path) builds no index: with this
    // session's index (fixtures, member flows, every import followed into the
    // work tree) it cost the hook several times its time on a large commit.
    // Each staged module is checked as it shows alone; `check PATH`, `fix`,
    // `plan` and the language server use the index.
    let builder = (super::index::wants_index(rules) && !inputs.staged).then(|| {
        super::index::Builder::new(
            &inputs.files,
            &inputs.settings.project_root,
            super::index::is_partial(common, inputs),
        )
    });
    let lint = |file: crate::source::FilePath<'_>,
                text: String,
                project: Option<crate::python::index::ModuleContext<'_>>| {
        let mut diagnostics = lint_file_in(file, &text, &inputs.settings, &inputs.asyncio, project);
        if let Some(new_lines) = &inputs.new_lines {
            new_lines.retain_new(file.abs_path, &text, &mut diagnostics);
        }
        (!diagnostics.is_empty()).then_some((text, diagnostics))
    };
    let partial = builder.as_ref().is_some_and(|b| b.is_partial());
    let wanted = |file: &SourceFile, bytes: &[u8]| match file.manifest {
        Some(_) => crate::manifest::may_contain_findings(bytes),
        // One scan for `redis` settles most files, as without an index.
        None if builder.is_some() && !partial => {
            crate::prefilter::may_contain_findings_or(bytes, rules, b"aioredis")
        }
        None => {
            crate::prefilter::may_contain_findings(bytes, rules)
                || builder.as_ref().is_some_and(|b| b.defers(file, bytes))
        }
    };
    let outcomes = map_files_if(&inputs.files, repo_path, &wanted, |file, decoded| {
        if let Some(builder) = &builder
            && builder.defers(file, decoded.text.as_bytes())
        {
            let mut candidate = super::index::Candidate::of(file, decoded.text);
            let module = builder.module_name(&file.relative);
            let (Some(module), None) = (module, file.manifest) else {
                return Some(Checked::Deferred(Box::new((candidate, None))));
            };
            // One parse for the summary and the findings without the index.
            let (mut diagnostics, summary) = crate::lint::lint_and_summarize(
                &candidate.text,
                crate::lint::source_type_of(&file.display),
                inputs.settings.rules_for(&file.relative),
                &inputs.settings.lint_options(),
                builder.context_for(&file.relative, &module),
                file.path(),
                builder.is_partial(),
            );
            candidate.summary = summary;
            if let Some(new_lines) = &inputs.new_lines {
                new_lines.retain_new(&file.abs_path, &candidate.text, &mut diagnostics);
            }
            let report = (!diagnostics.is_empty())
                .then(|| file_report(file, candidate.text.clone(), diagnostics, inputs));
            return Some(Checked::Deferred(Box::new((candidate, Some(report)))));
        }
        Some(Checked::Report(lint(file.path(), decoded.text, None).map(
            |(text, diagnostics)| file_report(file, text, diagnostics, inputs),
        )))
    });
    let (results, crash) = collect(outcomes);
    let Some(builder) = builder else {
        let reports = results
            .into_iter()
            .flatten()
            .filter_map(|checked| match checked {
                Checked::Report(report) => report,
                Checked::Deferred(..) => None,
            })
            .collect();
        return (reports, crash);
    };
    let mut reports: Vec<FileReport> = Vec::new();
    let mut deferred = Vec::new();
    let mut without_index: std::collections::HashMap<String, Option<FileReport>> =
        std::collections::HashMap::new();
    for checked in results.into_iter().flatten() {
        match checked {
            Checked::Report(report) => reports.extend(report),
            Checked::Deferred(deferred_file) => {
                let (candidate, report) = *deferred_file;
                if let Some(report) = report {
                    without_index.insert(candidate.relative.clone(), report);
                }
                deferred.push(candidate);
            }
        }
    }
    let (mut index, candidates) = builder.finish(deferred, &inputs.files, repo_path);
    super::index::hold_across_modules(&mut index, &candidates, &inputs.settings);
    let index = index;
    // A file whose findings the index cannot change keeps those of the first
    // lint: it imports nothing of aioredis from the project, and no other
    // module uses an aioredis name it binds (its import fix stands as judged).
    let mut candidates = candidates;
    candidates.retain(|candidate| {
        let unchanged = index.context(&candidate.relative).is_some_and(|context| {
            !context.relevant()
                && !context.others_use_its_aioredis_names()
                && context.held_by().is_empty()
        });
        match without_index.remove(&candidate.relative) {
            Some(report) if unchanged => {
                reports.extend(report);
                false
            }
            _ => true,
        }
    });
    // Every summarized file of the command is linted with the index (a file
    // summarized for spelling an offered name replaces its earlier report).
    let to_lint: std::collections::HashSet<&str> = candidates
        .iter()
        .filter(|candidate| !candidate.extra)
        .map(|candidate| candidate.relative.as_str())
        .collect();
    let by_relative: std::collections::HashMap<&str, &SourceFile> = if to_lint.is_empty() {
        Default::default()
    } else {
        inputs
            .files
            .iter()
            .filter(|file| to_lint.contains(file.relative.as_str()))
            .map(|file| (file.relative.as_str(), file))
            .collect()
    };
    // Every file linted again replaces its earlier report, also when it has
    // no finding now (its earlier report may hold findings only the index
    // removes, RU002's unused `noqa` among them).
    let relinted: std::collections::HashSet<String> = candidates
        .iter()
        .filter(|candidate| !candidate.extra)
        .filter_map(|candidate| by_relative.get(candidate.relative.as_str()))
        .map(|file| file.display.clone())
        .collect();
    let linted: Vec<Outcome<Option<FileReport>>> = candidates
        .into_par_iter()
        .filter(|candidate| !candidate.extra)
        .filter_map(|candidate| {
            let file = *by_relative.get(candidate.relative.as_str())?;
            let display = file.display.clone();
            Some(
                match catch_unwind(AssertUnwindSafe(|| {
                    lint(file.path(), candidate.text, index.context(&file.relative))
                        .map(|(text, diagnostics)| file_report(file, text, diagnostics, inputs))
                })) {
                    Ok(report) => Outcome::Done(report),
                    Err(payload) => Outcome::Crashed(display, crate::panic_message(&payload)),
                },
            )
        })
        .collect();
    let (more, more_crash) = collect(linted);
    reports.retain(|report| !relinted.contains(&report.display));
    reports.extend(more.into_iter().flatten());
    // In file order, as without an index.
    let shown: std::collections::HashSet<&str> = reports
        .iter()
        .map(|report| report.display.as_str())
        .collect();
    let order: std::collections::HashMap<&str, usize> = inputs
        .files
        .iter()
        .enumerate()
        .filter(|(_, file)| shown.contains(file.display.as_str()))
        .map(|(position, file)| (file.display.as_str(), position))
        .collect();
    reports.sort_by_key(|report| order.get(report.display.as_str()).copied());
    (reports, crash.or(more_crash))
}

/// What to say instead of `All checks passed!` when no file was read: why,
/// and the command that reads the whole project.
pub fn nothing_to_check(common: &CommonArgs, inputs: &Inputs, command: &str) -> String {
    let what = "no Python file or dependency manifest";
    if let Some(reference) = &common.changed_since {
        format!("No files to {command}: {what} changed since `{reference}`.")
    } else if common.paths.is_empty() && inputs.staged {
        format!(
            "No files to {command}: {what} is staged (run `redis-unify {command} .` for the whole project)."
        )
    } else if common.paths.is_empty() {
        format!("No files to {command}: {what} found in the project.")
    } else {
        let shown: Vec<String> = common
            .paths
            .iter()
            .map(|p| crate::source::slash_path(p))
            .collect();
        format!(
            "No files to {command}: {what} found in {}.",
            shown.join(", ")
        )
    }
}

pub fn exit_status(found: bool, exit_zero: bool) -> ExitStatus {
    if found && !exit_zero {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    }
}

pub fn file_report(
    file: &SourceFile,
    text: String,
    diagnostics: Vec<crate::diagnostic::Diagnostic>,
    inputs: &Inputs,
) -> FileReport {
    FileReport {
        display: file.display.clone(),
        abs_path: file.abs_path.clone(),
        relative: root_relative(&file.abs_path, &inputs.report_roots),
        line_index: LineIndex::from_source_text(&text),
        text,
        diagnostics,
        phase: inputs.settings.has_phases().then(|| {
            inputs
                .settings
                .phase_of_file(&file.relative, file.manifest.is_some())
        }),
    }
}

pub fn report_options(common: &CommonArgs, mode: FixMode, fixed: Option<usize>) -> ReportOptions {
    let command = if fixed.is_some() {
        FooterCommand::Fix
    } else {
        FooterCommand::Check
    };
    let color = match common.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            common.output_file.is_none()
                && std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    };
    ReportOptions {
        format: common.output_format,
        color,
        statistics: common.statistics,
        step_summary_written: false,
        fix_mode: mode,
        fixed,
        show_fixes: None,
        nothing_checked: None,
        not_fixed: Vec::new(),
        command,
    }
}

/// Splits outcomes into results (in file order) and the first crash; skipped
/// files are told on stderr.
pub fn collect<T>(outcomes: Vec<Outcome<T>>) -> (Vec<T>, Option<Error>) {
    let mut results = Vec::new();
    let mut crash = None;
    for outcome in outcomes {
        match outcome {
            Outcome::Done(result) => results.push(result),
            Outcome::Skipped(path, reason) => crate::errln!("warning: {path}: {reason}"),
            Outcome::Crashed(path, message) => {
                crash.get_or_insert(Error::Internal { path, message });
            }
        }
    }
    (results, crash)
}

/// Appends the findings to the job summary when GitHub Actions asks for one
/// (`$GITHUB_STEP_SUMMARY`); a failure to write it is a warning, not an error.
fn write_step_summary(reports: &[FileReport], nothing_checked: Option<&str>) -> bool {
    let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|v| !v.is_empty()) else {
        return false;
    };
    let links = crate::report::github::BlobLinks::from_env();
    match crate::report::append_step_summary(
        Path::new(&path),
        reports,
        links.as_ref(),
        nothing_checked,
    ) {
        Ok(()) => true,
        Err(error) => {
            crate::errln!(
                "warning: cannot write the job summary to {}: {error}",
                Path::new(&path).display()
            );
            false
        }
    }
}

pub fn write_output(
    output_file: Option<&Path>,
    cwd: &Path,
    reports: &[FileReport],
    options: &ReportOptions,
) -> Result<(), Error> {
    let write_error = |path: PathBuf| move |source| Error::Io { path, source };
    match output_file {
        Some(path) => {
            let path = crate::source::absolute(cwd, path);
            let mut buffer = Vec::new();
            write_report(&mut buffer, reports, options).map_err(write_error(path.clone()))?;
            std::fs::write(&path, buffer).map_err(write_error(path.clone()))
        }
        None => {
            let mut out = std::io::BufWriter::new(crate::output::stdout());
            let result = write_report(&mut out, reports, options).and_then(|()| out.flush());
            match result {
                // A closed pipe (`| head`) is not an error worth a message.
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
                other => other.map_err(write_error(PathBuf::from("<stdout>"))),
            }
        }
    }
}

/// Reads every file that may have findings and runs `work` on its text, on all
/// cores, in file order. Index blobs are read through one repository handle per
/// worker thread (libgit2 handles are not shared). A panic in `work` is caught.
/// Files with nothing to say (`Done(None)`) are left out of the list.
pub fn map_files<T, F>(
    files: &[SourceFile],
    repo_path: Option<&Path>,
    rules: RuleSet,
    work: F,
) -> Vec<Outcome<Option<T>>>
where
    T: Send,
    F: Fn(&SourceFile, Decoded) -> Option<T> + Sync,
{
    // Run on the pool's workers (64 MiB stacks), never on the calling thread:
    // rayon does the first piece of a parallel iterator on the thread that
    // calls it, and the main thread's stack is 8 MiB — a deeply nested file
    // alone (one staged file, one path) would overflow it.
    let wanted = |file: &SourceFile, bytes: &[u8]| match file.manifest {
        Some(_) => crate::manifest::may_contain_findings(bytes),
        None => crate::prefilter::may_contain_findings(bytes, rules),
    };
    map_files_if(files, repo_path, &wanted, work)
}

/// The prefilter of a run with a project index: the rules' needles, or a
/// module the index has work for (it imports 1.x objects or aioredis names
/// from another module, or offers them).
pub fn project_prefilter(
    rules: RuleSet,
    index: &crate::python::index::ProjectIndex,
) -> impl Fn(&SourceFile, &[u8]) -> bool + Sync + '_ {
    move |file: &SourceFile, bytes: &[u8]| match file.manifest {
        Some(_) => crate::manifest::may_contain_findings(bytes),
        None => {
            crate::prefilter::may_contain_findings(bytes, rules)
                || (!index.is_empty()
                    && index
                        .context(&file.relative)
                        .is_some_and(|context| context.relevant()))
        }
    }
}

/// [`map_files`] with another prefilter: `wanted` sees each file's raw bytes.
pub fn map_files_if<T, F>(
    files: &[SourceFile],
    repo_path: Option<&Path>,
    wanted: &(dyn Fn(&SourceFile, &[u8]) -> bool + Sync),
    work: F,
) -> Vec<Outcome<Option<T>>>
where
    T: Send,
    F: Fn(&SourceFile, Decoded) -> Option<T> + Sync,
{
    let mut outcomes = Vec::new();
    rayon::scope(|_| outcomes = map_files_on_pool(files, repo_path, wanted, &work));
    outcomes
}

fn map_files_on_pool<T, F>(
    files: &[SourceFile],
    repo_path: Option<&Path>,
    wanted: &(dyn Fn(&SourceFile, &[u8]) -> bool + Sync),
    work: &F,
) -> Vec<Outcome<Option<T>>>
where
    T: Send,
    F: Fn(&SourceFile, Decoded) -> Option<T> + Sync,
{
    files
        .par_iter()
        .map(|file| {
            let read = with_worker_repository(repo_path, |repo| {
                WORKER_BUFFER.with(|buffer| read_text(file, repo, wanted, &mut buffer.borrow_mut()))
            });
            let text = match read {
                Ok(Some(text)) => text,
                Ok(None) => return Outcome::Done(None),
                Err(reason) => return Outcome::Skipped(file.display.clone(), reason),
            };
            match catch_unwind(AssertUnwindSafe(|| work(file, text))) {
                Ok(result) => Outcome::Done(result),
                Err(payload) => {
                    Outcome::Crashed(file.display.clone(), crate::panic_message(&payload))
                }
            }
        })
        // Most files of a large tree have nothing to say: a list of them all
        // grown on the main thread cost page faults.
        .filter(|outcome| !matches!(outcome, Outcome::Done(None)))
        .collect()
}

thread_local! {
    /// Each worker's read buffer, kept across files: `map_init` would make one
    /// per split of the work, and a fresh buffer grown to each file's size
    /// costs page faults that were a fifth of a large run's time.
    static WORKER_BUFFER: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
    /// Each worker's own handle on the repository whose blobs it reads: libgit2
    /// handles are not shared between threads, and opening one costs more than
    /// reading a blob (rayon's `map_init` would open one per split of the work).
    static WORKER_REPOSITORY: RefCell<Option<(PathBuf, Repository)>> = const { RefCell::new(None) };
}

fn with_worker_repository<R>(
    path: Option<&Path>,
    read: impl FnOnce(Option<&Repository>) -> R,
) -> R {
    let Some(path) = path else {
        return read(None);
    };
    WORKER_REPOSITORY.with(|cell| {
        let mut cell = cell.borrow_mut();
        if !matches!(&*cell, Some((open, _)) if open == path) {
            *cell = Repository::open(path)
                .ok()
                .map(|repo| (path.to_path_buf(), repo));
        }
        read(cell.as_ref().map(|(_, repo)| repo))
    })
}

/// The file's text, `None` when the prefilter shows it cannot have findings.
/// Python files are decoded by their PEP 263 declaration (UTF-8 without one).
fn read_text(
    file: &SourceFile,
    repo: Option<&Repository>,
    wanted: &(dyn Fn(&SourceFile, &[u8]) -> bool + Sync),
    buffer: &mut Vec<u8>,
) -> Result<Option<Decoded>, String> {
    let length = file.read_into(repo, buffer)?;
    let content = &buffer[..length];
    if !wanted(file, content) {
        return Ok(None); // the buffer is reused for the next file
    }
    // Copied out, not taken: the worker's buffer keeps its size.
    let bytes = content.to_vec();
    let decoded = if file.manifest.is_none() || crate::lint::is_python_file(&file.abs_path) {
        decode_python(bytes)
    } else {
        decode_as(bytes, SourceEncoding::Utf8)
    };
    decoded.map(Some).map_err(|reason| {
        let origin = match file.origin {
            Origin::Index(_) => " (staged content)",
            Origin::WorkTree => "",
        };
        if reason.contains("; skipped") {
            reason
        } else {
            format!(
                "{reason}{origin}; skipped (save it as UTF-8, or declare its encoding with \
                 `# -*- coding: NAME -*-` on its first line, to have it checked)"
            )
        }
    })
}
