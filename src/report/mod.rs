//! Printing the findings, one module per output format.

mod concise;
mod fingerprint;
mod full;
pub mod github;
mod gitlab;
mod json;
mod junit;
mod sarif;
mod statistics;

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use clap::ValueEnum;
use ruff_source_file::{LineColumn, LineIndex};

use crate::diagnostic::Applicability;
use crate::diagnostic::Diagnostic;
use crate::fix::FixMode;
use crate::rules::Rule;
use crate::settings::Phase;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Annotated source snippets, as rustc and ruff print them.
    #[default]
    Full,
    /// One line per finding: `path:row:col: CODE message`.
    Concise,
    /// A JSON array with ruff's fields, for tools that read ruff's JSON.
    Json,
    /// GitHub Actions workflow commands (`::error file=…::…`): annotations on the pull request.
    Github,
    /// SARIF 2.1.0, for GitHub code scanning (`github/codeql-action/upload-sarif`) and other SARIF viewers.
    Sarif,
    /// GitLab Code Quality JSON (`artifacts: reports: codequality`).
    Gitlab,
    /// JUnit XML, for CI systems that show test reports.
    Junit,
}

impl OutputFormat {
    /// Formats meant for people get a footer (`Found N errors.`).
    fn is_human(self) -> bool {
        matches!(self, OutputFormat::Full | OutputFormat::Concise)
    }
}

/// The findings of one file, with the text they point into.
#[derive(Debug)]
pub struct FileReport {
    pub display: String,
    pub abs_path: PathBuf,
    /// Relative to the repository root, `/`-separated (see [`root_relative`]):
    /// what the CI formats (github, sarif, gitlab, junit) print.
    pub relative: String,
    pub text: String,
    /// Lines of `text`, indexed where the file was checked (on a worker
    /// thread) rather than while the report is written.
    pub line_index: LineIndex,
    pub diagnostics: Vec<Diagnostic>,
    /// The file's migration phase, when phases are configured.
    pub phase: Option<Phase>,
}

/// One finding with its position resolved to rows and columns (1-based).
pub struct Located<'a> {
    pub file: &'a FileReport,
    pub diagnostic: &'a Diagnostic,
    pub start: LineColumn,
    pub end: LineColumn,
    pub line_index: &'a LineIndex,
}

pub struct ReportOptions {
    pub format: OutputFormat,
    pub color: bool,
    pub statistics: bool,
    /// The github format's closing line says whether the findings are also
    /// listed in the job summary (`$GITHUB_STEP_SUMMARY`).
    pub step_summary_written: bool,
    /// Which fixes count as applicable (`[*]`): safe, or also unsafe.
    pub fix_mode: FixMode,
    /// In a fix run: how many findings were fixed.
    pub fixed: Option<usize>,
    /// `--show-fixes`: what was fixed, per file and rule.
    pub show_fixes: Option<Vec<(String, BTreeMap<Rule, usize>)>>,
    /// Set when no file was read at all: what the footer says instead of
    /// `All checks passed!` (which would claim a check that did not happen).
    pub nothing_checked: Option<String>,
    /// In a fix run: the files whose fixes were not written, with why.
    pub not_fixed: Vec<(String, String)>,
    /// The command that ran: `check` (its footer offers `--fix`) or a fix run.
    pub command: FooterCommand,
}

/// Which command's footer is written: the hints differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FooterCommand {
    /// `redis-unify check` (without --fix): `--fix` and `--unsafe-fixes` are options of it.
    #[default]
    Check,
    /// `redis-unify fix` or `check --fix`.
    Fix,
}

impl Located<'_> {
    /// Whether this finding's fix would be applied under the options.
    pub fn fixable(&self, mode: FixMode) -> bool {
        self.diagnostic
            .fix
            .as_ref()
            .is_some_and(|fix| mode.allows(fix.applicability) && !fix.edits.is_empty())
    }
}

/// Writes the report of all files (already sorted by path) to `out`.
pub fn write_report(
    out: &mut dyn Write,
    files: &[FileReport],
    options: &ReportOptions,
) -> io::Result<()> {
    let located = locate(files);
    if options.statistics {
        return statistics::write(out, files, &located, options);
    }
    match options.format {
        OutputFormat::Full => full::write(out, &located, options)?,
        OutputFormat::Concise => concise::write(out, &located, options)?,
        OutputFormat::Json => json::write(out, &located)?,
        OutputFormat::Github => github::write(out, &located, options.step_summary_written)?,
        OutputFormat::Sarif => sarif::write(out, &located)?,
        OutputFormat::Gitlab => gitlab::write(out, &located)?,
        OutputFormat::Junit => junit::write(out, &located)?,
    }
    if options.format.is_human() {
        if let Some(fixes) = &options.show_fixes {
            write_fixes(out, fixes)?;
        }
        write_footer(out, &located, options)?;
    }
    Ok(())
}

fn locate(files: &[FileReport]) -> Vec<Located<'_>> {
    let mut located = Vec::new();
    for file in files {
        let line_index = &file.line_index;
        for diagnostic in &file.diagnostics {
            located.push(Located {
                file,
                diagnostic,
                start: line_index.line_column(diagnostic.range.start(), &file.text),
                end: line_index.line_column(diagnostic.range.end(), &file.text),
                line_index,
            });
        }
    }
    located
}

/// Appends the Markdown summary of the findings to `$GITHUB_STEP_SUMMARY`'s file.
pub fn append_step_summary(
    path: &Path,
    files: &[FileReport],
    links: Option<&github::BlobLinks>,
    nothing_checked: Option<&str>,
) -> io::Result<()> {
    let located = locate(files);
    let mut markdown = Vec::new();
    github::write_step_summary(&mut markdown, &located, links, nothing_checked)?;
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    file.write_all(&markdown)
}

/// The path of `abs_path` relative to the first of `roots` that contains it
/// (`/`-separated), or the path relative to the last root when none does.
pub fn root_relative(abs_path: &Path, roots: &[PathBuf]) -> String {
    for root in roots {
        if let Ok(relative) = abs_path.strip_prefix(root) {
            return crate::source::slash_path(relative);
        }
    }
    // A symlinked temporary folder or work tree: compare the real paths.
    if let Ok(real_path) = abs_path.canonicalize() {
        for root in roots {
            if let Ok(real_root) = root.canonicalize()
                && let Ok(relative) = real_path.strip_prefix(&real_root)
            {
                return crate::source::slash_path(relative);
            }
        }
    }
    match roots.last() {
        Some(root) => crate::source::slash_path(&crate::source::relative_to(abs_path, root)),
        None => crate::source::slash_path(abs_path),
    }
}

/// Percent-encodes a `/`-separated relative path for a URL, keeping `/`.
pub fn percent_encode_path(path: &str) -> String {
    let mut encoded = String::with_capacity(path.len());
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'/' | b'-' | b'.' | b'_' | b'~') {
            encoded.push(byte as char);
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    encoded
}

fn plural(count: usize) -> &'static str {
    if count == 1 { "error" } else { "errors" }
}

/// ruff's footer: the count, what was fixed, and how to fix the rest — with
/// options that work on the command that was run (`check --fix`,
/// `--unsafe-fixes`), never a command that would read other files.
pub(crate) fn write_footer(
    out: &mut dyn Write,
    located: &[Located],
    options: &ReportOptions,
) -> io::Result<()> {
    let remaining = located.len();
    let fixed = options.fixed.unwrap_or(0);
    if remaining == 0 && fixed == 0 {
        if let Some(message) = &options.nothing_checked {
            return writeln!(out, "{message}");
        }
        return writeln!(out, "All checks passed!");
    }
    if options.format == OutputFormat::Concise && remaining > 0 {
        // The full format ends each finding with a blank line already.
        writeln!(out)?;
    }
    if options.fixed.is_some() {
        let total = remaining + fixed;
        writeln!(
            out,
            "Found {total} {} ({fixed} fixed, {remaining} remaining).",
            plural(total)
        )?;
    } else {
        writeln!(out, "Found {remaining} {}.", plural(remaining))?;
    }
    let fixable = located
        .iter()
        .filter(|l| l.fixable(options.fix_mode))
        .count();
    let hidden = located
        .iter()
        .filter(|l| !l.fixable(options.fix_mode) && l.fixable(FixMode::SafeAndUnsafe))
        .count();
    let hidden_note = if hidden > 0 {
        format!(
            " ({hidden} hidden {} can be enabled with the `--unsafe-fixes` option)",
            if hidden == 1 { "fix" } else { "fixes" }
        )
    } else {
        String::new()
    };
    match options.command {
        FooterCommand::Check if fixable > 0 => writeln!(
            out,
            "[*] {fixable} fixable with the `--fix` option{hidden_note}."
        )?,
        FooterCommand::Fix if fixable > 0 => {
            // A fix run leaves a fixable finding only where it could not write:
            // rerunning the same command would not fix it; say why.
            let findings = if fixable == 1 {
                "finding was"
            } else {
                "findings were"
            };
            if options.not_fixed.is_empty() {
                writeln!(
                    out,
                    "[*] {fixable} fixable {findings} not fixed (see the messages above){hidden_note}."
                )?;
            } else {
                writeln!(
                    out,
                    "[*] {fixable} fixable {findings} not fixed, because {} {} skipped:",
                    options.not_fixed.len(),
                    if options.not_fixed.len() == 1 {
                        "file was"
                    } else {
                        "files were"
                    }
                )?;
                for (path, reason) in &options.not_fixed {
                    writeln!(out, "  {path}: {reason}")?;
                }
                if hidden > 0 {
                    writeln!(out, "{}", hidden_note.trim_start())?;
                }
            }
        }
        _ if hidden > 0 => writeln!(out, "No fixes available{hidden_note}.")?,
        _ => {}
    }
    Ok(())
}

fn write_fixes(out: &mut dyn Write, fixes: &[(String, BTreeMap<Rule, usize>)]) -> io::Result<()> {
    let total: usize = fixes.iter().flat_map(|(_, rules)| rules.values()).sum();
    if total == 0 {
        return Ok(());
    }
    writeln!(out, "Fixed {total} {}:", plural(total))?;
    for (path, rules) in fixes {
        writeln!(out, "- {path}:")?;
        for (rule, count) in rules {
            writeln!(out, "    {count} × {} ({})", rule.code(), rule.info().name)?;
        }
    }
    writeln!(out)
}

/// The marker ruff puts after the code of a finding whose fix would be applied.
pub(crate) fn fix_marker(located: &Located, mode: FixMode) -> &'static str {
    if located.fixable(mode) { " [*]" } else { "" }
}

pub(crate) fn applicability_name(applicability: Applicability) -> &'static str {
    match applicability {
        Applicability::Safe => "safe",
        Applicability::Unsafe => "unsafe",
        Applicability::DisplayOnly => "display-only",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_paths() {
        assert_eq!(
            percent_encode_path("app/my file%.py"),
            "app/my%20file%25.py"
        );
        assert_eq!(percent_encode_path("a/é.py"), "a/%C3%A9.py");
    }

    #[test]
    fn relative_to_the_first_root_that_contains_the_file() {
        let roots = [PathBuf::from("/ws"), PathBuf::from("/repo")];
        assert_eq!(
            root_relative(Path::new("/repo/app/x.py"), &roots),
            "app/x.py"
        );
        assert_eq!(root_relative(Path::new("/ws/y.py"), &roots), "y.py");
    }
}
