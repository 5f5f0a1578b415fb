#![doc = include_str!("../../rules/docs/RU001.md")]

use ruff_python_parser::ParseError;

use super::Rule;
use crate::diagnostic::Diagnostic;

pub const DOC: &str = include_str!("../../rules/docs/RU001.md");

pub fn diagnostic(error: &ParseError) -> Diagnostic {
    Diagnostic::new(
        Rule::SyntaxError,
        error.location,
        format!("SyntaxError: {}", error.error),
    )
}
