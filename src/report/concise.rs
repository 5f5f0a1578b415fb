use std::io::{self, Write};

use super::Located;

const BOLD: &str = "\x1b[1m";
const RED: &str = "\x1b[31;1m";
const RESET: &str = "\x1b[0m";

pub fn write(out: &mut dyn Write, located: &[Located], color: bool) -> io::Result<()> {
    for item in located {
        let location = format!(
            "{}:{}:{}:",
            item.file.display, item.start.line, item.start.column
        );
        let code = item.diagnostic.rule.code();
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
