//! Code actions on a document's findings: each finding's fix (safe and unsafe
//! ones labelled), "fix all safe findings in this file"
//! (`source.fixAll.redis-unify`, what editors run on save), and "suppress
//! with `# noqa: RUxxx`".

use std::cell::OnceCell;
use std::collections::HashMap;

use lsp_types::{CodeAction, CodeActionKind, CodeActionOrCommand, TextEdit, Url, WorkspaceEdit};
use ruff_text_size::{TextRange, TextSize};

use super::diagnostics::to_lsp;
use super::encoding::{PositionEncoding, TextLines};
use crate::diagnostic::Applicability;
use crate::diagnostic::Diagnostic;
use crate::document::{DocumentPath, ProjectSettings, fix_document_in, lint_document_in};
use crate::fix::FixMode;

/// The kind of the fix-all action (editors ask for `source.fixAll` on save).
pub fn fix_all_kind() -> CodeActionKind {
    CodeActionKind::new("source.fixAll.redis-unify")
}

/// What the actions are computed from.
pub struct Target<'a> {
    pub uri: &'a Url,
    pub text: &'a str,
    pub path: &'a DocumentPath,
    pub project: &'a ProjectSettings,
    pub findings: &'a [Diagnostic],
    /// The project index as this module sees it (the findings were made with it).
    pub context: Option<crate::python::index::ModuleContext<'a>>,
    pub encoding: PositionEncoding,
    /// The fix-all result for this text (byte range and replacement), once
    /// computed: editors ask for code actions at every cursor move.
    pub fix_all: OnceCell<Option<(TextRange, String)>>,
}

/// The actions for the findings that touch `range`, of the kinds in `only`
/// (all kinds when `None`).
pub fn code_actions(
    target: &Target,
    range: TextRange,
    only: Option<&[CodeActionKind]>,
) -> Vec<CodeActionOrCommand> {
    let wanted = |kind: &CodeActionKind| {
        only.is_none_or(|only| {
            only.iter().any(|asked| {
                kind.as_str() == asked.as_str()
                    || kind.as_str().starts_with(&format!("{}.", asked.as_str()))
            })
        })
    };
    let lines = TextLines::new(target.text);
    let mut actions = Vec::new();
    if wanted(&CodeActionKind::QUICKFIX) {
        for finding in target.findings.iter().filter(|f| touches(f.range, range)) {
            let diagnostic = to_lsp(finding, &lines, target.encoding);
            let code = finding.rule.code();
            if let Some(fix) = &finding.fix
                && fix.applicability != Applicability::DisplayOnly
                && !fix.edits.is_empty()
            {
                let safe = fix.applicability == Applicability::Safe;
                let edits = fix
                    .edits
                    .iter()
                    .map(|edit| TextEdit {
                        range: lines.range(edit.range, target.encoding),
                        new_text: edit.content.clone(),
                    })
                    .collect();
                actions.push(action(
                    format!(
                        "redis-unify ({code}): {}{}",
                        fix.title,
                        if safe { "" } else { " (unsafe fix)" }
                    ),
                    CodeActionKind::QUICKFIX,
                    diagnostic.clone(),
                    target.uri,
                    edits,
                    safe,
                ));
            }
            if let Some((at, insert)) = noqa_edit(target, finding) {
                actions.push(action(
                    format!("redis-unify ({code}): Suppress with `# noqa: {code}`"),
                    CodeActionKind::QUICKFIX,
                    diagnostic,
                    target.uri,
                    vec![TextEdit {
                        range: lines.range(TextRange::empty(at), target.encoding),
                        new_text: insert,
                    }],
                    false,
                ));
            }
        }
    }
    let fix_all = fix_all_kind();
    if (wanted(&fix_all) || wanted(&CodeActionKind::SOURCE_FIX_ALL))
        && let Some(edit) = fix_all_edit(target, &lines)
    {
        actions.push(CodeActionOrCommand::CodeAction(CodeAction {
            title: "redis-unify: Fix all safe findings in this file".to_string(),
            kind: Some(fix_all),
            edit: Some(workspace_edit(target.uri, vec![edit])),
            ..CodeAction::default()
        }));
    }
    actions
}

/// A finding touches the asked range when they overlap or meet (a cursor
/// at either end of a finding is on it).
fn touches(finding: TextRange, asked: TextRange) -> bool {
    finding.start() <= asked.end() && asked.start() <= finding.end()
}

fn action(
    title: String,
    kind: CodeActionKind,
    diagnostic: lsp_types::Diagnostic,
    uri: &Url,
    edits: Vec<TextEdit>,
    preferred: bool,
) -> CodeActionOrCommand {
    CodeActionOrCommand::CodeAction(CodeAction {
        title,
        kind: Some(kind),
        diagnostics: Some(vec![diagnostic]),
        edit: Some(workspace_edit(uri, edits)),
        is_preferred: preferred.then_some(true),
        ..CodeAction::default()
    })
}

fn workspace_edit(uri: &Url, edits: Vec<TextEdit>) -> WorkspaceEdit {
    WorkspaceEdit {
        changes: Some(HashMap::from([(uri.clone(), edits)])),
        ..WorkspaceEdit::default()
    }
}

/// The safe fixes of the whole document, to a fixed point (as `redis-unify
/// fix`), as one edit over the span that changes; `None` when nothing would.
pub fn fix_all_edit(target: &Target, lines: &TextLines) -> Option<TextEdit> {
    let (range, new_text) = target
        .fix_all
        .get_or_init(|| {
            let safe = |f: &Diagnostic| {
                f.fix
                    .as_ref()
                    .is_some_and(|fix| fix.applicability == Applicability::Safe)
            };
            if !target.findings.iter().any(safe) {
                return None;
            }
            let outcome = fix_document_in(
                target.path,
                target.text,
                target.project,
                FixMode::Safe,
                target.context,
            )
            .ok()?;
            changed_span(target.text, &outcome.text).map(|(range, text)| (range, text.to_string()))
        })
        .as_ref()?;
    Some(TextEdit {
        range: lines.range(*range, target.encoding),
        new_text: new_text.clone(),
    })
}

/// The smallest range of `before` to replace, and what with, to get `after`.
fn changed_span<'a>(before: &str, after: &'a str) -> Option<(TextRange, &'a str)> {
    if before == after {
        return None;
    }
    let mut prefix = before
        .bytes()
        .zip(after.bytes())
        .take_while(|(a, b)| a == b)
        .count();
    while !before.is_char_boundary(prefix) || !after.is_char_boundary(prefix) {
        prefix -= 1;
    }
    let mut suffix = before[prefix..]
        .bytes()
        .rev()
        .zip(after[prefix..].bytes().rev())
        .take_while(|(a, b)| a == b)
        .count();
    while !before.is_char_boundary(before.len() - suffix)
        || !after.is_char_boundary(after.len() - suffix)
    {
        suffix -= 1;
    }
    let start = TextSize::try_from(prefix).ok()?;
    let end = TextSize::try_from(before.len() - suffix).ok()?;
    Some((
        TextRange::new(start, end),
        &after[prefix..after.len() - suffix],
    ))
}

/// Where to insert what so that the finding's line carries `# noqa: CODE`:
/// the same placement as `check --add-noqa` (`crate::fix::add_noqa`): the
/// code is added to a `# noqa: …` list already there, else a comment is
/// appended to the line; never inside a multi-line string, after a
/// backslash continuation or in setup.cfg. `None` when that would not
/// suppress it: checked by linting the result.
fn noqa_edit(target: &Target, finding: &Diagnostic) -> Option<(TextSize, String)> {
    use crate::fix::add_noqa::{Comments, insertion};
    let code = finding.rule.code();
    let text = target.text;
    let start = finding.range.start().to_usize().min(text.len());
    let python = crate::lint::is_python_file(&target.path.abs_path);
    let parsed;
    let comments = if python {
        parsed = ruff_python_parser::parse_unchecked_source(
            text,
            crate::lint::source_type_of(&target.path.display),
        );
        Comments::Python(parsed.tokens())
    } else {
        Comments::for_manifest(target.path.manifest?)
    };
    let (at, insert) = insertion(text, start, &[code], &comments).ok()??;
    let mut edited = String::with_capacity(text.len() + insert.len());
    edited.push_str(&text[..at]);
    edited.push_str(&insert);
    edited.push_str(&text[at..]);
    let still_reported = lint_document_in(target.path, &edited, target.project, target.context)
        .ok()?
        .iter()
        .any(|f| f.rule == finding.rule && f.range.start() == finding.range.start());
    if still_reported {
        return None;
    }
    Some((TextSize::try_from(at).ok()?, insert))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_changed_span_is_minimal() {
        let (range, text) = changed_span("a é b", "a é c").unwrap();
        assert_eq!(
            (u32::from(range.start()), u32::from(range.end()), text),
            (5, 6, "c")
        );
        assert!(changed_span("same", "same").is_none());
        let (range, text) = changed_span("aaa", "aaaa").unwrap();
        assert_eq!(
            (u32::from(range.start()), u32::from(range.end()), text),
            (3, 3, "a")
        );
    }
}
