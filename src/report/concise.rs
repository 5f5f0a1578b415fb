use std::io::{self, Write};

use super::{Located, ReportOptions, fix_marker};

const BOLD: &str = "\x1b[1m";
const RED: &str = "\x1b[31;1m";
const RESET: &str = "\x1b[0m";

pub fn write(out: &mut dyn Write, located: &[Located], options: &ReportOptions) -> io::Result<()> {
    let color = options.color;
    for item in located {
        // One finding a line: a message quoting code that spans lines gets spaces.
        let message = item
            .diagnostic
            .message
            .replace("\r\n", " ")
            .replace(['\n', '\r'], " ");
        let location = format!(
            "{}:{}:{}:",
            item.file.display, item.start.line, item.start.column
        );
        let code = format!(
            "{}{}",
            item.diagnostic.rule.code(),
            fix_marker(item, options.fix_mode)
        );
        if color {
            writeln!(out, "{BOLD}{location}{RESET} {RED}{code}{RESET} {message}")?;
        } else {
            writeln!(out, "{location} {code} {message}")?;
        }
    }
    Ok(())
}
