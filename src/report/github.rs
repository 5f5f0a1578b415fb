//! GitHub Actions workflow commands: one `::error` line per finding, which the
//! runner turns into an annotation on the file and line of the pull request.
//!
//! What GitHub requires, and what goes wrong silently otherwise:
//! - the message escapes `%`, CR and LF; property values (`file=`, `title=`)
//!   also escape `:` and `,` (as `@actions/core`'s `escapeData`/`escapeProperty`);
//! - `col`/`endColumn` only when the finding starts and ends on the same line:
//!   GitHub drops the whole annotation otherwise (ruff#22074, actions/runner#4167);
//! - `file=` relative to the repository root;
//! - only 10 error annotations per step are shown, so a summary line closes the
//!   output, and the job summary (`$GITHUB_STEP_SUMMARY`) lists every finding.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, Write};

use super::Located;
use crate::rules::Rule;

/// GitHub shows this many error annotations of one step; the rest are dropped.
pub const ANNOTATIONS_SHOWN_PER_STEP: usize = 10;

/// At most this many findings are listed in the job summary (GitHub caps a
/// step's summary at 1 MiB).
const SUMMARY_ROWS: usize = 1000;

pub fn write(
    out: &mut dyn Write,
    located: &[Located],
    step_summary_written: bool,
) -> io::Result<()> {
    for item in located {
        let code = item.diagnostic.rule.code();
        let (line, end_line) = (item.start.line.get(), item.end.line.get());
        write!(
            out,
            "::error file={},line={line},endLine={end_line}",
            escape_property(&item.file.relative)
        )?;
        if line == end_line {
            let column = item.start.column.get();
            let end_column = item.end.column.get().max(column);
            write!(out, ",col={column},endColumn={end_column}")?;
        }
        let mut message = format!(
            "{}:{line}:{}: {code} {}",
            item.file.relative,
            item.start.column.get(),
            item.diagnostic.message
        );
        if let Some(help) = &item.diagnostic.help {
            message.push_str("\n  help: ");
            message.push_str(help);
        }
        writeln!(
            out,
            ",title={}::{}",
            escape_property(&format!("redis-unify ({code})")),
            escape_data(&message)
        )?;
    }
    write_closing_line(out, located, step_summary_written)
}

fn write_closing_line(
    out: &mut dyn Write,
    located: &[Located],
    step_summary_written: bool,
) -> io::Result<()> {
    if located.is_empty() {
        return writeln!(out, "redis-unify: all checks passed.");
    }
    let files: BTreeSet<&str> = located.iter().map(|i| i.file.relative.as_str()).collect();
    write!(
        out,
        "redis-unify: {} in {}.",
        plural(located.len(), "finding"),
        plural(files.len(), "file")
    )?;
    if located.len() > ANNOTATIONS_SHOWN_PER_STEP {
        write!(
            out,
            " GitHub shows the first {ANNOTATIONS_SHOWN_PER_STEP} as annotations;"
        )?;
        if step_summary_written {
            write!(out, " the job summary lists them all.")?;
        } else {
            write!(out, " the lines above list them all.")?;
        }
    }
    writeln!(out)
}

/// Where the job summary links each finding: `{server}/{repository}/blob/{sha}/`.
#[derive(Debug, Clone)]
pub struct BlobLinks {
    pub base: String,
}

impl BlobLinks {
    /// From `GITHUB_SERVER_URL`, `GITHUB_REPOSITORY` and `GITHUB_SHA`, when all are set.
    pub fn from_env() -> Option<Self> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        let server = var("GITHUB_SERVER_URL")?;
        let repository = var("GITHUB_REPOSITORY")?;
        let sha = var("GITHUB_SHA")?;
        Some(BlobLinks {
            base: format!("{}/{repository}/blob/{sha}/", server.trim_end_matches('/')),
        })
    }

    fn link(&self, relative: &str, line: usize) -> String {
        format!(
            "{}{}#L{line}",
            self.base,
            super::percent_encode_path(relative)
        )
    }
}

/// The Markdown that goes to `$GITHUB_STEP_SUMMARY`: counts per rule, then
/// every finding (up to [`SUMMARY_ROWS`]).
pub fn write_step_summary(
    out: &mut dyn Write,
    located: &[Located],
    links: Option<&BlobLinks>,
    nothing_checked: Option<&str>,
) -> io::Result<()> {
    // A blank line first: earlier steps may have left a paragraph open.
    writeln!(out, "\n### redis-unify\n")?;
    if let (true, Some(message)) = (located.is_empty(), nothing_checked) {
        return writeln!(out, "{message}\n");
    }
    if located.is_empty() {
        return writeln!(out, "All checks passed: no aioredis use found.\n");
    }
    let files: BTreeSet<&str> = located.iter().map(|i| i.file.relative.as_str()).collect();
    writeln!(
        out,
        "**{}** in {}.\n",
        plural(located.len(), "finding"),
        plural(files.len(), "file")
    )?;
    let mut counts: BTreeMap<Rule, usize> = BTreeMap::new();
    for item in located {
        *counts.entry(item.diagnostic.rule).or_default() += 1;
    }
    writeln!(out, "| Rule | Findings |\n| --- | ---: |")?;
    for (rule, count) in &counts {
        writeln!(
            out,
            "| [{}]({}) {} | {count} |",
            rule.code(),
            rule.url(),
            rule.info().name
        )?;
    }
    writeln!(out, "\n| Location | Rule | Message |\n| --- | --- | --- |")?;
    for item in located.iter().take(SUMMARY_ROWS) {
        let line = item.start.line.get();
        let place = format!("{}:{line}:{}", item.file.relative, item.start.column.get());
        let place = match links {
            Some(links) => format!(
                "[{}]({})",
                escape_cell(&place),
                links.link(&item.file.relative, line)
            ),
            None => escape_cell(&place),
        };
        writeln!(
            out,
            "| {place} | {} | {} |",
            item.diagnostic.rule.code(),
            escape_cell(&item.diagnostic.message)
        )?;
    }
    if located.len() > SUMMARY_ROWS {
        writeln!(
            out,
            "\n…and {} more: run `redis-unify check` locally for the full list.",
            located.len() - SUMMARY_ROWS
        )?;
    }
    writeln!(out)
}

fn plural(count: usize, noun: &str) -> String {
    if count == 1 {
        format!("1 {noun}")
    } else {
        format!("{count} {noun}s")
    }
}

/// A workflow command's message: `%`, CR and LF are escaped (`%` first).
pub fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A workflow command's property value: the message escapes, plus `:` and `,`.
pub fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// A Markdown table cell: `|` would end the cell and a line break the row.
fn escape_cell(text: &str) -> String {
    text.replace('|', "\\|")
        .replace("\r\n", "<br>")
        .replace(['\n', '\r'], "<br>")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_percent_first() {
        assert_eq!(escape_data("100%\r\nnext"), "100%25%0D%0Anext");
        assert_eq!(escape_data("%0A"), "%250A");
        assert_eq!(
            escape_property("redis-unify (RU100): a,b%"),
            "redis-unify (RU100)%3A a%2Cb%25"
        );
        assert_eq!(escape_property("dir/a:b,c.py"), "dir/a%3Ab%2Cc.py");
    }

    #[test]
    fn table_cells_and_urls() {
        assert_eq!(escape_cell("a|b\nc"), "a\\|b<br>c");
    }
}
