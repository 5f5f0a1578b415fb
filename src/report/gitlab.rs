//! GitLab Code Quality JSON (`artifacts: reports: codequality:`): an array of
//! issues with a description, the rule as `check_name`, a fingerprint that is
//! unique in the report and stable across runs, a severity and the
//! repository-relative path with the first line.

use std::io::{self, Write};

use serde::Serialize;

use super::Located;
use super::fingerprint::fingerprints;

#[derive(Serialize)]
struct Issue<'a> {
    description: String,
    check_name: &'static str,
    fingerprint: String,
    severity: &'static str,
    location: Location<'a>,
}

#[derive(Serialize)]
struct Location<'a> {
    path: &'a str,
    lines: Lines,
}

#[derive(Serialize)]
struct Lines {
    begin: usize,
    end: usize,
}

pub fn write(out: &mut dyn Write, located: &[Located]) -> io::Result<()> {
    let issues: Vec<Issue> = located
        .iter()
        .zip(fingerprints(located))
        .map(|(item, fingerprint)| Issue {
            description: format!(
                "{}: {}",
                item.diagnostic.rule.code(),
                item.diagnostic.message
            ),
            check_name: item.diagnostic.rule.code(),
            fingerprint,
            // Every finding stops the code from running on Python 3.11+ or marks
            // an API that no longer exists: GitLab's "major".
            severity: "major",
            location: Location {
                path: &item.file.relative,
                lines: Lines {
                    begin: item.start.line.get(),
                    end: item.end.line.get(),
                },
            },
        })
        .collect();
    serde_json::to_writer_pretty(&mut *out, &issues)?;
    writeln!(out)
}
