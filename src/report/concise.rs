use std::io::{self, Write};

use super::{Located, ReportOptions, fix_marker};

const BOLD: &str = "\x1b[1m";
const RED: &str = "\x1b[31;1m";
const RESET: &str = "\x1b[0m";

pub fn write(out: &mut dyn Write, located: &[Located], options: &ReportOptions) -> io::Result<()> {
    let color = options.color;
    for item in located {
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
            writeln!(
                out,
                "{BOLD}{location}{RESET} {RED}{code}{RESET} {}",
                item.diagnostic.message
            )?;
        } else {
            writeln!(out, "{location} {code} {}", item.diagnostic.message)?;
        }
    }
    Ok(())
}
