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

/// Brackets nested deeper than Python accepts (CPython: "too many nested parentheses").
pub fn too_deeply_nested(at: ruff_text_size::TextRange, limit: usize) -> Diagnostic {
    Diagnostic::new(
        Rule::SyntaxError,
        at,
        format!("SyntaxError: too many nested parentheses (Python allows {limit} levels)"),
    )
}
