//! `redis-unify check`: choose the files, lint them in parallel, report.

use std::io::{IsTerminal, Write};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use git2::Repository;
use rayon::prelude::*;

use super::ExitStatus;
use crate::cli::{CheckArgs, ColorChoice};
use crate::error::Error;
use crate::lint::{lint_source_with, source_type_of};
use crate::report::{FileReport, ReportOptions, write_report};
use crate::settings::{self, SelectionArgs, Settings};
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
    let staged_mode = args.paths.is_empty();
    let under_pre_commit = std::env::var_os("PRE_COMMIT").is_some_and(|v| v == "1");
    let repository = if staged_mode {
        Some(open_repository(cwd)?)
    } else {
        None
    };
    let fallback_root = repository
        .as_ref()
        .map(|(_, workdir)| workdir.clone())
        .unwrap_or_else(|| cwd.to_path_buf());
    let selection = SelectionArgs {
        select: args.select.clone(),
        extend_select: args.extend_select.clone(),
        ignore: args.ignore.clone(),
        exclude: args.exclude.clone(),
        extend_exclude: args.extend_exclude.clone(),
    };
    let settings = Settings::resolve(config, &selection, &fallback_root)?;

    let (files, repo_path) = match &repository {
        Some((repo, workdir)) => {
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
            (files, Some(repo.path().to_path_buf()))
        }
        None => {
            let walk = Walk {
                cwd,
                settings: &settings,
                force_exclude: args.force_exclude,
            };
            let found = walk.collect(&args.paths)?;
            for (path, reason) in &found.skipped {
                eprintln!("warning: {path}: {reason}");
            }
            (found.files, None)
        }
    };

    let outcomes = lint_files(&files, repo_path.as_deref(), &settings);
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
    let options = ReportOptions {
        format: args.output_format,
        color,
        statistics: args.statistics,
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
fn lint_files(files: &[SourceFile], repo_path: Option<&Path>, settings: &Settings) -> Vec<Outcome> {
    files
        .par_iter()
        .map_init(
            || repo_path.and_then(|path| Repository::open(path).ok()),
            |repo, file| lint_file(file, repo.as_ref(), settings),
        )
        .collect()
}

fn lint_file(file: &SourceFile, repo: Option<&Repository>, settings: &Settings) -> Outcome {
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
    let options = settings.lint_options();
    match catch_unwind(AssertUnwindSafe(|| {
        lint_source_with(&text, source_type, rules, &options)
    })) {
        Ok(diagnostics) if diagnostics.is_empty() => Outcome::Checked(None),
        Ok(diagnostics) => Outcome::Checked(Some(FileReport {
            display: file.display.clone(),
            abs_path: file.abs_path.clone(),
            text,
            diagnostics,
        })),
        Err(payload) => Outcome::Crashed(file.display.clone(), crate::panic_message(&payload)),
    }
}
