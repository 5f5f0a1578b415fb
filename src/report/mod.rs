//! Printing the findings, one module per output format.

mod concise;
mod full;
mod json;
mod statistics;

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::PathBuf;

use clap::ValueEnum;
use ruff_source_file::{LineColumn, LineIndex};

use crate::diagnostic::Diagnostic;
use crate::fix::{Applicability, FixMode};
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
    pub text: String,
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
    /// Which fixes count as applicable (`[*]`): safe, or also unsafe.
    pub fix_mode: FixMode,
    /// In a fix run: how many findings were fixed.
    pub fixed: Option<usize>,
    /// `--show-fixes`: what was fixed, per file and rule.
    pub show_fixes: Option<Vec<(String, BTreeMap<Rule, usize>)>>,
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
    let indexes: Vec<LineIndex> = files
        .iter()
        .map(|file| LineIndex::from_source_text(&file.text))
        .collect();
    let mut located = Vec::new();
    for (file, line_index) in files.iter().zip(&indexes) {
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
    if options.statistics {
        return statistics::write(out, files, &located, options);
    }
    match options.format {
        OutputFormat::Full => full::write(out, &located, options)?,
        OutputFormat::Concise => concise::write(out, &located, options)?,
        OutputFormat::Json => json::write(out, &located)?,
    }
    if options.format.is_human() {
        if let Some(fixes) = &options.show_fixes {
            write_fixes(out, fixes)?;
        }
        write_footer(out, &located, options)?;
    }
    Ok(())
}

fn plural(count: usize) -> &'static str {
    if count == 1 { "error" } else { "errors" }
}

/// ruff's footer: the count, what was fixed, and what `--fix` would fix.
pub(crate) fn write_footer(
    out: &mut dyn Write,
    located: &[Located],
    options: &ReportOptions,
) -> io::Result<()> {
    let remaining = located.len();
    let fixed = options.fixed.unwrap_or(0);
    if remaining == 0 && fixed == 0 {
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
        format!(" ({hidden} hidden fixes can be enabled with the `--unsafe-fixes` option)")
    } else {
        String::new()
    };
    if fixable > 0 {
        writeln!(
            out,
            "[*] {fixable} fixable with `redis-unify fix` (or `check --fix`).{hidden_note}"
        )?;
    } else if hidden > 0 {
        writeln!(out, "No fixes available{hidden_note}.")?;
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
