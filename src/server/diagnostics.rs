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
        related_information: related(diagnostic),
        tags: None,
        data: None,
    }
}

/// Where the finding's object comes from in another module (the project
/// index's related locations). Their columns count characters (those files'
/// text is not at hand): exact for ASCII lines in any position encoding.
fn related(diagnostic: &Diagnostic) -> Option<Vec<lsp_types::DiagnosticRelatedInformation>> {
    let found: Vec<lsp_types::DiagnosticRelatedInformation> = diagnostic
        .related
        .iter()
        .filter_map(|related| {
            let uri = Url::from_file_path(&related.abs_path).ok()?;
            let position = |line: u32, column: u32| lsp_types::Position {
                line: line.saturating_sub(1),
                character: column.saturating_sub(1),
            };
            Some(lsp_types::DiagnosticRelatedInformation {
                location: lsp_types::Location {
                    uri,
                    range: lsp_types::Range {
                        start: position(related.line, related.column),
                        end: position(related.end_line, related.end_column),
                    },
                },
                message: related.message.clone(),
            })
        })
        .collect();
    (!found.is_empty()).then_some(found)
}
