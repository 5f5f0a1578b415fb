//! ruff's JSON output shape, so that tools reading `ruff check --output-format json`
//! read ours: `filename` is absolute, rows and columns are 1-based.

use std::io::{self, Write};

use serde::Serialize;

use super::Located;

#[derive(Serialize)]
struct Location {
    column: usize,
    row: usize,
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    cell: Option<usize>,
    code: &'static str,
    end_location: Location,
    filename: String,
    fix: Option<()>,
    location: Location,
    message: &'a str,
    noqa_row: usize,
    url: String,
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
            fix: None,
            location: Location {
                column: item.start.column.get(),
                row: item.start.line.get(),
            },
            message: &item.diagnostic.message,
            noqa_row: item.start.line.get(),
            url: item.diagnostic.rule.url(),
        })
        .collect();
    serde_json::to_writer_pretty(&mut *out, &items)?;
    writeln!(out)
}
