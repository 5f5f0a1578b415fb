//! Printing the findings, one module per output format.

mod concise;
mod full;
mod json;
mod statistics;

use std::io::{self, Write};
use std::path::PathBuf;

use clap::ValueEnum;
use ruff_source_file::{LineColumn, LineIndex};

use crate::diagnostic::Diagnostic;

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
        return statistics::write(out, &located, options.format);
    }
    match options.format {
        OutputFormat::Full => full::write(out, &located, options.color)?,
        OutputFormat::Concise => concise::write(out, &located, options.color)?,
        OutputFormat::Json => json::write(out, &located)?,
    }
    if options.format.is_human() {
        write_footer(out, located.len(), options.format)?;
    }
    Ok(())
}

fn write_footer(out: &mut dyn Write, count: usize, format: OutputFormat) -> io::Result<()> {
    if count == 0 {
        return writeln!(out, "All checks passed!");
    }
    if format == OutputFormat::Concise {
        // The full format ends each finding with a blank line already.
        writeln!(out)?;
    }
    let noun = if count == 1 { "error" } else { "errors" };
    writeln!(out, "Found {count} {noun}.")
}
