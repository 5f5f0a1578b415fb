//! `check --stdin-filename PATH` and `fix --stdin-filename PATH`: the source
//! comes from standard input and is linted as PATH, with PATH's settings
//! (what editor plugins and formatting pipelines call).

use std::io::{IsTerminal, Read, Write};
use std::path::Path;

use ruff_source_file::LineIndex;

use super::ExitStatus;
use super::check::{exit_status, report_options, write_output};
use super::inputs::report_roots;
use crate::cli::CommonArgs;
use crate::document::{DocumentPath, ProjectSettings, Skipped, fix_document, lint_document};
use crate::error::Error;
use crate::fix::FixMode;
use crate::fix::diff::unified_diff;
use crate::report::{FileReport, root_relative, write_report};
use crate::settings::SelectionArgs;
use crate::source::encoding::{Decoded, SourceEncoding, decode_as, decode_python};
use crate::source::{absolute, relative_to, slash_path};

/// What `fix --stdin-filename` does with the fixed source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FixOutput {
    /// Print it (the fixed file, or the input unchanged).
    Source,
    /// Print a unified diff against the input.
    Diff,
}

/// The document read from standard input, with its settings.
struct StdinDocument {
    display: String,
    path: DocumentPath,
    project: ProjectSettings,
    bytes: Vec<u8>,
    report_roots: Vec<std::path::PathBuf>,
}

fn read_document(common: &CommonArgs, filename: &Path, cwd: &Path) -> Result<StdinDocument, Error> {
    let abs_path = absolute(cwd, filename);
    let folder = abs_path.parent().unwrap_or(cwd);
    // The project root when no configuration is found: the repository around
    // PATH (or around the current folder when PATH's folder does not exist).
    let around = if folder.is_dir() { folder } else { cwd };
    let workdir = git2::Repository::discover(around)
        .ok()
        .and_then(|repo| repo.workdir().map(Path::to_path_buf));
    let fallback_root = workdir.clone().unwrap_or_else(|| cwd.to_path_buf());
    let selection = SelectionArgs {
        select: common.select.clone(),
        extend_select: common.extend_select.clone(),
        ignore: common.ignore.clone(),
        exclude: common.exclude.clone(),
        extend_exclude: common.extend_exclude.clone(),
    };
    let project = ProjectSettings::for_path(
        &abs_path,
        common.config.as_deref(),
        &selection,
        &fallback_root,
    )?;
    let mut bytes = Vec::new();
    std::io::stdin()
        .lock()
        .read_to_end(&mut bytes)
        .map_err(|source| Error::Io {
            path: "<stdin>".into(),
            source,
        })?;
    Ok(StdinDocument {
        display: slash_path(&relative_to(&abs_path, cwd)),
        path: DocumentPath::new(&abs_path, &project.settings),
        project,
        bytes,
        report_roots: report_roots(cwd, workdir.as_deref()),
    })
}

impl StdinDocument {
    /// The text, decoded as a file at PATH would be; `Err` says why it cannot be.
    fn decode(&self) -> Result<Decoded, String> {
        let bytes = self.bytes.clone();
        if self.path.manifest.is_none() || crate::lint::is_python_file(&self.path.abs_path) {
            decode_python(bytes)
        } else {
            decode_as(bytes, SourceEncoding::Utf8)
        }
    }

    fn report(&self, text: String, diagnostics: Vec<crate::diagnostic::Diagnostic>) -> FileReport {
        let settings = &self.project.settings;
        FileReport {
            display: self.display.clone(),
            abs_path: self.path.abs_path.clone(),
            relative: root_relative(&self.path.abs_path, &self.report_roots),
            line_index: LineIndex::from_source_text(&text),
            text,
            diagnostics,
            phase: settings
                .has_phases()
                .then(|| settings.phase_of(&self.path.relative)),
        }
    }
}

/// `check --stdin-filename PATH`: the findings, reported as for a file.
pub fn check(common: &CommonArgs, filename: &Path, cwd: &Path) -> Result<ExitStatus, Error> {
    let document = read_document(common, filename, cwd)?;
    let mut reports = Vec::new();
    let mut nothing_checked = None;
    match document.decode() {
        Ok(decoded) => match lint_document(&document.path, &decoded.text, &document.project) {
            Ok(diagnostics) if !diagnostics.is_empty() => {
                reports.push(document.report(decoded.text, diagnostics));
            }
            Ok(_) => {}
            Err(skipped) => {
                nothing_checked = Some(format!(
                    "No files to check: {} {}.",
                    document.display,
                    match skipped {
                        crate::document::Skipped::NotAnInput => {
                            "is neither a Python file (*.py, *.pyi) nor a dependency manifest"
                        }
                        crate::document::Skipped::Excluded => {
                            "is excluded by the configuration (exclude / extend-exclude)"
                        }
                    }
                ));
            }
        },
        Err(reason) => crate::errln!("warning: {}: {reason}", document.display),
    }
    let mut options = report_options(common, FixMode::Safe, None);
    options.nothing_checked = nothing_checked;
    write_output(common.output_file.as_deref(), cwd, &reports, &options)?;
    let found = reports.iter().any(|r| !r.diagnostics.is_empty());
    Ok(exit_status(found, common.exit_zero))
}

/// `fix --stdin-filename PATH`: the fixed source on standard output (the input
/// unchanged when there is nothing to fix, PATH is excluded, or the text cannot
/// be fixed), the remaining findings on standard error (or `-o FILE`). Exit 1
/// when findings remain, as `ruff check --fix --stdin-filename`.
pub fn fix(
    common: &CommonArgs,
    filename: &Path,
    mode: FixMode,
    output: FixOutput,
    cwd: &Path,
) -> Result<ExitStatus, Error> {
    let document = read_document(common, filename, cwd)?;
    let decoded = match document.decode() {
        Ok(decoded) => decoded,
        Err(reason) => {
            crate::errln!("warning: {}: {reason}", document.display);
            return finish_unchanged(&document, output);
        }
    };
    let outcome = match fix_document(&document.path, &decoded.text, &document.project, mode) {
        Ok(outcome) => outcome,
        Err(Skipped::Excluded | Skipped::NotAnInput) => return finish_unchanged(&document, output),
    };
    if let Some(failure) = &outcome.failure {
        crate::errln!("error: {}: {failure}", document.display);
    }
    let fixed_count: usize = outcome.fixed.values().sum();
    let changed = outcome.text != decoded.text;
    let fixed_bytes = if !changed {
        document.bytes.clone()
    } else if !decoded.round_trips {
        crate::errln!(
            "warning: {}: not fixed: its bytes do not come back unchanged when decoded and encoded \
             again as {}; apply the fixes by hand",
            document.display,
            decoded.encoding.name()
        );
        return finish_unchanged(&document, output);
    } else {
        match decoded.encoding.encode(&outcome.text) {
            Ok(bytes) => bytes.into_owned(),
            Err(error) => {
                crate::errln!(
                    "warning: {}: not fixed: {error} (it declares `{}`)",
                    document.display,
                    decoded.encoding.name()
                );
                return finish_unchanged(&document, output);
            }
        }
    };
    match output {
        FixOutput::Source => write_stdout(&fixed_bytes)?,
        FixOutput::Diff => {
            write_stdout(unified_diff(&document.display, &decoded.text, &outcome.text).as_bytes())?;
            if changed {
                crate::errln!(
                    "Would fix {fixed_count} {}.",
                    if fixed_count == 1 { "error" } else { "errors" }
                );
                return Ok(ExitStatus::Failure);
            }
            crate::errln!("No fixes to apply.");
            return Ok(ExitStatus::Success);
        }
    }
    let remaining = !outcome.diagnostics.is_empty();
    let reports = if remaining {
        vec![document.report(outcome.text, outcome.diagnostics)]
    } else {
        Vec::new()
    };
    let mut options = report_options(common, mode, Some(fixed_count));
    match &common.output_file {
        Some(path) => write_output(Some(path), cwd, &reports, &options)?,
        None => {
            // Standard output holds the source: the report goes to stderr.
            options.color = match common.color {
                crate::cli::ColorChoice::Always => true,
                crate::cli::ColorChoice::Never => false,
                crate::cli::ColorChoice::Auto => {
                    std::io::stderr().is_terminal()
                        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                }
            };
            let stderr = std::io::stderr();
            let _ = write_report(&mut stderr.lock(), &reports, &options);
        }
    }
    Ok(exit_status(remaining, common.exit_zero))
}

/// The input goes back out as it came (or, for `--diff`, no diff).
fn finish_unchanged(document: &StdinDocument, output: FixOutput) -> Result<ExitStatus, Error> {
    match output {
        FixOutput::Source => write_stdout(&document.bytes)?,
        FixOutput::Diff => crate::errln!("No fixes to apply."),
    }
    Ok(ExitStatus::Success)
}

fn write_stdout(bytes: &[u8]) -> Result<(), Error> {
    let mut out = crate::output::stdout();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other.map_err(|source| Error::Io {
            path: "<stdout>".into(),
            source,
        }),
    }
}
