//! redis-unify's findings as LSP diagnostics: code, a link to the rule's
//! documentation, severity, and ranges in the negotiated position encoding.

use lsp_types::{CodeDescription, DiagnosticSeverity, NumberOrString, Url};

use super::encoding::{PositionEncoding, TextLines};
use crate::diagnostic::Diagnostic;
use crate::rules::Rule;

/// Where a rule's documentation is read: `rules/docs/CODE.md` in the
/// repository, at the tag of the release that reported it (the same text
/// `redis-unify rule CODE` prints).
pub fn rule_url(rule: Rule) -> Option<Url> {
    Url::parse(&format!(
        "{}/blob/v{}/rules/docs/{}.md",
        env!("CARGO_PKG_REPOSITORY"),
        env!("CARGO_PKG_VERSION"),
        rule.code()
    ))
    .ok()
}

pub const SOURCE: &str = "redis-unify";

pub fn to_lsp(
    diagnostic: &Diagnostic,
    lines: &TextLines,
    encoding: PositionEncoding,
) -> lsp_types::Diagnostic {
    let mut message = diagnostic.message.clone();
    if let Some(help) = &diagnostic.help {
        message.push('\n');
        message.push_str(help);
    }
    lsp_types::Diagnostic {
        range: lines.range(diagnostic.range, encoding),
        // A file that does not parse is an error; every other finding is a
        // warning, as in ruff's server.
        severity: Some(if diagnostic.rule == Rule::SyntaxError {
            DiagnosticSeverity::ERROR
        } else {
            DiagnosticSeverity::WARNING
        }),
        code: Some(NumberOrString::String(diagnostic.rule.code().to_string())),
        code_description: rule_url(diagnostic.rule).map(|href| CodeDescription { href }),
        source: Some(SOURCE.to_string()),
        message,
        related_information: None,
        tags: None,
        data: None,
    }
}
