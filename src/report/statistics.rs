//! `--statistics`: how many findings each rule has, most first.

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde::Serialize;

use super::{Located, OutputFormat};
use crate::rules::Rule;

#[derive(Serialize)]
struct Row {
    code: &'static str,
    name: &'static str,
    count: usize,
}

pub fn write(out: &mut dyn Write, located: &[Located], format: OutputFormat) -> io::Result<()> {
    let mut counts: BTreeMap<Rule, usize> = BTreeMap::new();
    for item in located {
        *counts.entry(item.diagnostic.rule).or_default() += 1;
    }
    let mut rows: Vec<Row> = counts
        .into_iter()
        .map(|(rule, count)| Row {
            code: rule.code(),
            name: &rule.info().name,
            count,
        })
        .collect();
    rows.sort_by(|a, b| b.count.cmp(&a.count).then(a.code.cmp(b.code)));
    if format == OutputFormat::Json {
        serde_json::to_writer_pretty(&mut *out, &rows)?;
        return writeln!(out);
    }
    let width = rows
        .iter()
        .map(|r| r.count.to_string().len())
        .max()
        .unwrap_or(1);
    for row in &rows {
        writeln!(out, "{:>width$}\t{}\t{}", row.count, row.code, row.name)?;
    }
    let total: usize = rows.iter().map(|r| r.count).sum();
    if total == 0 {
        writeln!(out, "All checks passed!")
    } else {
        writeln!(
            out,
            "Found {total} {}.",
            if total == 1 { "error" } else { "errors" }
        )
    }
}
