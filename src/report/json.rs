//! ruff's JSON output shape, so that tools reading `ruff check --output-format json`
//! read ours: `filename` is absolute, rows and columns are 1-based.

use std::io::{self, Write};

use serde::Serialize;

use ruff_source_file::LineIndex;

use super::{Located, applicability_name};

#[derive(Serialize)]
struct Location {
    column: usize,
    row: usize,
}

#[derive(Serialize)]
struct JsonEdit<'a> {
    content: &'a str,
    end_location: Location,
    location: Location,
}

#[derive(Serialize)]
struct JsonFix<'a> {
    applicability: &'static str,
    edits: Vec<JsonEdit<'a>>,
    message: &'a str,
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    cell: Option<usize>,
    code: &'static str,
    end_location: Location,
    filename: String,
    fix: Option<JsonFix<'a>>,
    location: Location,
    message: &'a str,
    noqa_row: usize,
    /// Other places the finding points to (ruff has no such field).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related: Vec<JsonRelated<'a>>,
    url: String,
}

#[derive(Serialize)]
struct JsonRelated<'a> {
    end_location: Location,
    filename: &'a str,
    location: Location,
    message: &'a str,
}

pub fn write(out: &mut dyn Write, located: &[Located]) -> io::Result<()> {
    let items: Vec<JsonDiagnostic> = located
        .iter()
        .map(|item| JsonDiagnostic {
            cell: None,
            code: item.diagnostic.rule.code(),
            end_location: Location {
                column: item.end.column.get(),
                row: item.end.line.get(),
            },
            filename: item.file.abs_path.display().to_string(),
            fix: item.diagnostic.fix.as_ref().map(|fix| JsonFix {
                applicability: applicability_name(fix.applicability),
                edits: fix
                    .edits
                    .iter()
                    .map(|edit| JsonEdit {
                        content: &edit.content,
                        end_location: location(item.line_index, &item.file.text, edit.range.end()),
                        location: location(item.line_index, &item.file.text, edit.range.start()),
                    })
                    .collect(),
                message: &fix.title,
            }),
            location: Location {
                column: item.start.column.get(),
                row: item.start.line.get(),
            },
            message: &item.diagnostic.message,
            noqa_row: item.start.line.get(),
            related: item
                .diagnostic
                .related
                .iter()
                .map(|r| JsonRelated {
                    end_location: Location {
                        column: r.end_column as usize,
                        row: r.end_line as usize,
                    },
                    filename: &r.abs_path,
                    location: Location {
                        column: r.column as usize,
                        row: r.line as usize,
                    },
                    message: &r.message,
                })
                .collect(),
            url: item.diagnostic.rule.url(),
        })
        .collect();
    serde_json::to_writer_pretty(&mut *out, &items)?;
    writeln!(out)
}

fn location(index: &LineIndex, text: &str, offset: ruff_text_size::TextSize) -> Location {
    let position = index.line_column(offset, text);
    Location {
        column: position.column.get(),
        row: position.line.get(),
    }
}
