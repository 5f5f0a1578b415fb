//! `--statistics`: how many findings each rule has, most first, with ruff's
//! fixability markers (`[*]` all fixable, `[-]` some, `[ ]` none), and the
//! findings per migration phase when phases are configured.

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde::Serialize;

use super::{FileReport, Located, OutputFormat, ReportOptions};
use crate::rules::Rule;

#[derive(Serialize)]
struct Row {
    code: &'static str,
    name: &'static str,
    count: usize,
    fixable: usize,
}

#[derive(Serialize)]
struct PhaseRow {
    number: usize,
    name: String,
    files: usize,
    findings: usize,
}

pub fn write(
    out: &mut dyn Write,
    files: &[FileReport],
    located: &[Located],
    options: &ReportOptions,
) -> io::Result<()> {
    let mut counts: BTreeMap<Rule, (usize, usize)> = BTreeMap::new();
    for item in located {
        let entry = counts.entry(item.diagnostic.rule).or_default();
        entry.0 += 1;
        entry.1 += usize::from(item.fixable(options.fix_mode));
    }
    let mut rows: Vec<Row> = counts
        .into_iter()
        .map(|(rule, (count, fixable))| Row {
            code: rule.code(),
            name: &rule.info().name,
            count,
            fixable,
        })
        .collect();
    rows.sort_by(|a, b| b.count.cmp(&a.count).then(a.code.cmp(b.code)));
    let phases = phase_rows(files);

    if options.format == OutputFormat::Json {
        if phases.is_empty() {
            serde_json::to_writer_pretty(&mut *out, &rows)?;
        } else {
            let value = serde_json::json!({ "rules": rows, "phases": phases });
            serde_json::to_writer_pretty(&mut *out, &value)?;
        }
        return writeln!(out);
    }
    let width = rows
        .iter()
        .map(|r| r.count.to_string().len())
        .max()
        .unwrap_or(1);
    for row in &rows {
        let marker = if row.fixable == row.count {
            "[*]"
        } else if row.fixable > 0 {
            "[-]"
        } else {
            "[ ]"
        };
        writeln!(
            out,
            "{:>width$}\t{}\t{marker} {}",
            row.count, row.code, row.name
        )?;
    }
    if !phases.is_empty() {
        writeln!(out, "\nBy migration phase:")?;
        for phase in &phases {
            writeln!(
                out,
                "  phase {} ({}): {} {}, {} {}",
                phase.number,
                phase.name,
                phase.files,
                if phase.files == 1 { "file" } else { "files" },
                phase.findings,
                if phase.findings == 1 {
                    "finding"
                } else {
                    "findings"
                },
            )?;
        }
    }
    if !rows.is_empty() {
        writeln!(out)?;
    }
    super::write_footer(out, located, options)
}

/// Files and findings per migration phase (empty when no phases are configured).
fn phase_rows(files: &[FileReport]) -> Vec<PhaseRow> {
    let mut by_phase: BTreeMap<usize, PhaseRow> = BTreeMap::new();
    for file in files.iter().filter(|f| !f.diagnostics.is_empty()) {
        let Some(phase) = &file.phase else { continue };
        let row = by_phase.entry(phase.number).or_insert_with(|| PhaseRow {
            number: phase.number,
            name: phase.name.clone(),
            files: 0,
            findings: 0,
        });
        row.files += 1;
        row.findings += file.diagnostics.len();
    }
    by_phase.into_values().collect()
}
