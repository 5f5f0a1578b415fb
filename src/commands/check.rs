//! `redis-unify check`: choose the files, lint them in parallel, report.

use std::io::{IsTerminal, Write};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use git2::Repository;
use rayon::prelude::*;
use ruff_source_file::LineIndex;

use super::ExitStatus;
use crate::cli::{CheckArgs, ColorChoice};
use crate::diagnostic::Diagnostic;
use crate::error::Error;
use crate::lint::{lint_source, source_type_of};
use crate::report::{FileReport, OutputFormat, ReportOptions, root_relative, write_report};
use crate::settings::{self, SelectionArgs, Settings};
use crate::source::changed::{self, AddedLines, Against, Changes};
use crate::source::paths::Walk;
use crate::source::staged::{open_repository, staged_files};
use crate::source::{Origin, SourceFile};

/// What happened to one file.
enum Outcome {
    Checked(Option<FileReport>),
    /// The file could not be read or decoded: told on stderr, not a finding.
    Skipped(String, String),
    /// A panic while checking it: a bug, reported as an internal error.
    Crashed(String, String),
}

pub fn run(args: &CheckArgs, cwd: &Path) -> Result<ExitStatus, Error> {
    let config = match &args.config {
        Some(path) => {
            let path = crate::source::absolute(cwd, path);
            let options = settings::load(&path)?.ok_or_else(|| Error::Config {
                path: path.clone(),
                message: "has no [tool.redis-unify] section".to_string(),
            })?;
            Some(settings::ConfigFile { path, options })
        }
        None => settings::discover(cwd)?,
    };
    let staged_mode = args.paths.is_empty() && args.changed_since.is_none();
    let under_pre_commit = std::env::var_os("PRE_COMMIT").is_some_and(|v| v == "1");
    let repository = if staged_mode || args.changed_since.is_some() || args.new_only {
        Some(open_repository(cwd).map_err(|e| match e {
            Error::NotARepository if !staged_mode => Error::Usage(
                "--changed-since and --new-only compare with git history: run them inside a git repository"
                    .to_string(),
            ),
            other => other,
        })?)
    } else {
        None
    };
    let fallback_root = match &repository {
        Some((_, workdir)) if staged_mode || args.changed_since.is_some() => workdir.clone(),
        _ => cwd.to_path_buf(),
    };
    let selection = SelectionArgs {
        select: args.select.clone(),
        extend_select: args.extend_select.clone(),
        ignore: args.ignore.clone(),
        exclude: args.exclude.clone(),
        extend_exclude: args.extend_exclude.clone(),
    };
    let settings = Settings::resolve(config, &selection, &fallback_root)?;

    let mut new_lines = None;
    let (mut files, repo_path) = match (&repository, &args.changed_since) {
        (Some((repo, workdir)), Some(reference)) => {
            let base = changed::merge_base_tree(repo, reference)?;
            let changes = changed::changes(repo, Some(&base), Against::WorkTree, args.new_only)?;
            let mut files = changed::changed_files(&changes, workdir, cwd, &settings.project_root);
            files.retain(|file| !settings.is_excluded(&file.relative));
            if !args.paths.is_empty() {
                let prefixes = existing_paths(cwd, &args.paths)?;
                files.retain(|file| prefixes.iter().any(|p| file.abs_path.starts_with(p)));
            }
            if args.new_only {
                new_lines = Some(NewLines::new(workdir, changes));
            }
            (files, None)
        }
        (Some((repo, workdir)), None) if staged_mode => {
            let files = staged_files(
                repo,
                workdir,
                cwd,
                &settings.project_root,
                !under_pre_commit,
            )?;
            let files: Vec<SourceFile> = files
                .into_iter()
                .filter(|file| !settings.is_excluded(&file.relative))
                .collect();
            if args.new_only {
                let head = changed::head_tree(repo)?;
                let changes = changed::changes(repo, head.as_ref(), Against::Index { cwd }, true)?;
                new_lines = Some(NewLines::new(workdir, changes));
            }
            (files, Some(repo.path().to_path_buf()))
        }
        _ => {
            let walk = Walk {
                cwd,
                settings: &settings,
                force_exclude: args.force_exclude,
            };
            let found = walk.collect(&args.paths)?;
            for (path, reason) in &found.skipped {
                eprintln!("warning: {path}: {reason}");
            }
            if let Some((repo, workdir)) = &repository {
                // --new-only on named paths: new since HEAD, in the work tree.
                let head = changed::head_tree(repo)?;
                let changes = changed::changes(repo, head.as_ref(), Against::WorkTree, true)?;
                new_lines = Some(NewLines::new(workdir, changes));
            }
            (found.files, None)
        }
    };
    if let Some(new_lines) = &new_lines {
        // A file without a new line cannot have a new finding: not even read.
        files.retain(|file| new_lines.has_new_lines(&file.abs_path));
    }

    let roots = report_roots(
        cwd,
        repository.as_ref().map(|(_, workdir)| workdir.as_path()),
    );
    let context = Context {
        settings: &settings,
        roots: &roots,
        new_lines: new_lines.as_ref(),
    };
    let outcomes = lint_files(&files, repo_path.as_deref(), &context);
    let mut reports = Vec::new();
    let mut crashes = Vec::new();
    for outcome in outcomes {
        match outcome {
            Outcome::Checked(Some(report)) => reports.push(report),
            Outcome::Checked(None) => {}
            Outcome::Skipped(path, reason) => eprintln!("warning: {path}: {reason}"),
            Outcome::Crashed(path, message) => crashes.push(Error::Internal { path, message }),
        }
    }
    reports.sort_by(|a, b| a.display.cmp(&b.display));

    let color = match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            args.output_file.is_none()
                && std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    };
    let step_summary_written = args.output_format == OutputFormat::Github
        && !args.statistics
        && write_step_summary(&reports);
    let options = ReportOptions {
        format: args.output_format,
        color,
        statistics: args.statistics,
        step_summary_written,
    };
    write_output(args.output_file.as_deref(), cwd, &reports, &options)?;

    if let Some(crash) = crashes.into_iter().next() {
        return Err(crash);
    }
    let found = reports.iter().any(|r| !r.diagnostics.is_empty());
    Ok(if found && !args.exit_zero {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    })
}

/// Where repository-relative paths (for the CI formats) are taken from, first
/// match first: the CI checkout (`GITHUB_WORKSPACE`, `CI_PROJECT_DIR`), the git
/// work tree around `cwd`, then `cwd` itself.
fn report_roots(cwd: &Path, workdir: Option<&Path>) -> Vec<PathBuf> {
    let mut roots = Vec::new();
    for variable in ["GITHUB_WORKSPACE", "CI_PROJECT_DIR"] {
        if let Some(value) = std::env::var_os(variable).filter(|v| !v.is_empty()) {
            roots.push(crate::source::absolute(cwd, Path::new(&value)));
        }
    }
    match workdir {
        Some(workdir) => roots.push(workdir.to_path_buf()),
        None => {
            if let Some(workdir) = Repository::discover(cwd)
                .ok()
                .and_then(|repo| repo.workdir().map(Path::to_path_buf))
            {
                roots.push(workdir);
            }
        }
    }
    roots.push(cwd.to_path_buf());
    roots
}

/// Appends the findings to the job summary when GitHub Actions asks for one
/// (`$GITHUB_STEP_SUMMARY`); a failure to write it is a warning, not an error.
fn write_step_summary(reports: &[FileReport]) -> bool {
    let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|v| !v.is_empty()) else {
        return false;
    };
    let links = crate::report::github::BlobLinks::from_env();
    match crate::report::append_step_summary(Path::new(&path), reports, links.as_ref()) {
        Ok(()) => true,
        Err(error) => {
            eprintln!(
                "warning: cannot write the job summary to {}: {error}",
                Path::new(&path).display()
            );
            false
        }
    }
}

fn write_output(
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
            let stdout = std::io::stdout();
            let mut out = std::io::BufWriter::new(stdout.lock());
            let result = write_report(&mut out, reports, options).and_then(|()| out.flush());
            match result {
                // A closed pipe (`| head`) is not an error worth a message.
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
                other => other.map_err(write_error(PathBuf::from("<stdout>"))),
            }
        }
    }
}

/// Reads and lints every file on all cores. Index blobs are read through one
/// repository handle per worker thread (libgit2 handles are not shared).
fn lint_files(files: &[SourceFile], repo_path: Option<&Path>, context: &Context) -> Vec<Outcome> {
    files
        .par_iter()
        .map_init(
            || repo_path.and_then(|path| Repository::open(path).ok()),
            |repo, file| lint_file(file, repo.as_ref(), context),
        )
        .collect()
}

/// What every file's check needs besides the file.
struct Context<'a> {
    settings: &'a Settings,
    /// Where repository-relative paths start (see [`report_roots`]).
    roots: &'a [PathBuf],
    /// With --new-only: the lines that count.
    new_lines: Option<&'a NewLines>,
}

/// The added lines of each changed file (--new-only), by work tree path.
struct NewLines {
    workdir: PathBuf,
    changes: Changes,
}

impl NewLines {
    fn new(workdir: &Path, changes: Changes) -> Self {
        NewLines {
            workdir: workdir.to_path_buf(),
            changes,
        }
    }

    fn added_lines(&self, abs_path: &Path) -> Option<&AddedLines> {
        let key = root_relative(abs_path, std::slice::from_ref(&self.workdir));
        self.changes.get(&key)
    }

    fn has_new_lines(&self, abs_path: &Path) -> bool {
        self.added_lines(abs_path)
            .is_some_and(|added| *added != AddedLines::Ranges(Vec::new()))
    }

    /// Keeps the findings that touch at least one added line.
    fn retain_new(&self, abs_path: &Path, text: &str, diagnostics: &mut Vec<Diagnostic>) {
        let Some(added) = self.added_lines(abs_path) else {
            diagnostics.clear();
            return;
        };
        if *added == AddedLines::All {
            return;
        }
        let index = LineIndex::from_source_text(text);
        diagnostics.retain(|d| {
            let first = index.line_index(d.range.start()).get();
            let last = index.line_index(d.range.end()).get();
            added.intersects(first, last)
        });
    }
}

/// The absolute form of each path named on the command line; each must exist.
fn existing_paths(cwd: &Path, paths: &[PathBuf]) -> Result<Vec<PathBuf>, Error> {
    paths
        .iter()
        .map(|path| {
            let abs = crate::source::absolute(cwd, path);
            std::fs::symlink_metadata(&abs)
                .map(|_| abs)
                .map_err(|source| Error::Io {
                    path: path.clone(),
                    source,
                })
        })
        .collect()
}

fn lint_file(file: &SourceFile, repo: Option<&Repository>, context: &Context) -> Outcome {
    let settings = context.settings;
    let bytes = match file.read(repo) {
        Ok(bytes) => bytes,
        Err(reason) => return Outcome::Skipped(file.display.clone(), reason),
    };
    if !crate::lint::may_contain_findings(&bytes) {
        return Outcome::Checked(None);
    }
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(error) => {
            let origin = match file.origin {
                Origin::Index(_) => " (staged content)",
                Origin::WorkTree => "",
            };
            return Outcome::Skipped(
                file.display.clone(),
                format!(
                    "not valid UTF-8{origin} at byte {}; skipped (save it as UTF-8 to have it checked)",
                    error.utf8_error().valid_up_to()
                ),
            );
        }
    };
    let rules = settings.rules_for(&file.relative);
    let source_type = source_type_of(&file.display);
    let lint = || {
        let mut diagnostics = lint_source(&text, source_type, rules);
        if let Some(new_lines) = context.new_lines {
            new_lines.retain_new(&file.abs_path, &text, &mut diagnostics);
        }
        diagnostics
    };
    match catch_unwind(AssertUnwindSafe(lint)) {
        Ok(diagnostics) if diagnostics.is_empty() => Outcome::Checked(None),
        Ok(diagnostics) => Outcome::Checked(Some(FileReport {
            display: file.display.clone(),
            abs_path: file.abs_path.clone(),
            relative: root_relative(&file.abs_path, context.roots),
            text,
            diagnostics,
        })),
        Err(payload) => Outcome::Crashed(file.display.clone(), crate::panic_message(&payload)),
    }
}
