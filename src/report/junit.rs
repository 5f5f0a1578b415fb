//! JUnit XML, for CI systems that show test reports: one test suite per file
//! with findings, one failed test case per finding. Without findings there is
//! one passing test case, so the report is never empty.

use std::collections::BTreeMap;
use std::io::{self, Write};

use super::Located;

pub fn write(out: &mut dyn Write, located: &[Located]) -> io::Result<()> {
    let mut by_file: BTreeMap<&str, Vec<&Located>> = BTreeMap::new();
    for item in located {
        by_file.entry(&item.file.relative).or_default().push(item);
    }
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    let count = located.len();
    writeln!(
        out,
        r#"<testsuites name="redis-unify" tests="{}" failures="{count}" errors="0">"#,
        count.max(1)
    )?;
    if located.is_empty() {
        writeln!(
            out,
            r#"  <testsuite name="redis-unify" tests="1" failures="0" errors="0">"#
        )?;
        writeln!(
            out,
            r#"    <testcase name="no findings" classname="redis-unify"/>"#
        )?;
        writeln!(out, "  </testsuite>")?;
    }
    for (path, items) in &by_file {
        let path = escape(path);
        writeln!(
            out,
            r#"  <testsuite name="{path}" tests="{0}" failures="{0}" errors="0">"#,
            items.len()
        )?;
        for item in items {
            let code = item.diagnostic.rule.code();
            let (line, column) = (item.start.line.get(), item.start.column.get());
            writeln!(
                out,
                r#"    <testcase name="redis-unify.{code}" classname="{path}" file="{path}" line="{line}">"#
            )?;
            let mut text = format!("{path}:{line}:{column}: {code} {}", item.diagnostic.message);
            if let Some(help) = &item.diagnostic.help {
                text.push_str("\nhelp: ");
                text.push_str(help);
            }
            writeln!(
                out,
                r#"      <failure message="{}">{}</failure>"#,
                escape(&item.diagnostic.message),
                escape(&text)
            )?;
            writeln!(out, "    </testcase>")?;
        }
        writeln!(out, "  </testsuite>")?;
    }
    writeln!(out, "</testsuites>")
}

/// XML text and attribute escaping; characters XML 1.0 cannot hold at all
/// (control characters other than tab and line breaks) become U+FFFD.
fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&apos;"),
            '\t' | '\n' | '\r' => escaped.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {
                escaped.push('\u{FFFD}')
            }
            c => escaped.push(c),
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn escapes_markup_and_control_characters() {
        assert_eq!(escape(r#"<a & "b">"#), "&lt;a &amp; &quot;b&quot;&gt;");
        assert_eq!(escape("x\u{1}y"), "x\u{FFFD}y");
    }
}
