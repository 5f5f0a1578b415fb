//! Applying fixes to one file's text, to a fixed point, as ruff does: apply the
//! non-overlapping fixes, re-parse and re-lint, repeat; revert the whole file if
//! a fix breaks the syntax or the loop does not settle.

use std::collections::BTreeMap;

use ruff_python_ast::PySourceType;

use super::FixMode;
use crate::diagnostic::Diagnostic;
use crate::lint::{LintOptions, ManifestContext, lint, lint_manifest};
use crate::manifest::{Manifest, ManifestKind};
use crate::rules::{Rule, RuleSet};

/// Passes before giving up on reaching a fixed point.
pub const MAX_ITERATIONS: usize = 10;

/// The fixes of one pass applied to `text`; `None` when there was nothing to apply.
pub fn apply_fixes(
    text: &str,
    diagnostics: &[Diagnostic],
    mode: FixMode,
) -> Option<(String, Vec<Rule>)> {
    let mut fixes: Vec<(&Diagnostic, &crate::diagnostic::Fix)> = diagnostics
        .iter()
        .filter_map(|d| d.fix.as_ref().map(|fix| (d, fix)))
        .filter(|(_, fix)| mode.allows(fix.applicability) && !fix.edits.is_empty())
        .collect();
    fixes.sort_by_key(|(_, fix)| fix.range().map(|r| (r.start(), r.end())));
    let mut output = String::with_capacity(text.len());
    let mut last = 0usize;
    let mut applied: Vec<&crate::diagnostic::Fix> = Vec::new();
    let mut rules = Vec::new();
    for (diagnostic, fix) in fixes {
        if applied.contains(&fix) {
            rules.push(diagnostic.rule); // the same fix, reached from two findings
            continue;
        }
        let Some(first) = fix.edits.first() else {
            continue;
        };
        if first.start().to_usize() < last {
            continue; // overlaps a fix already applied: the next pass takes it
        }
        for edit in &fix.edits {
            output.push_str(&text[last..edit.range.start().to_usize()]);
            output.push_str(&edit.content);
            last = edit.range.end().to_usize();
        }
        applied.push(fix);
        rules.push(diagnostic.rule);
    }
    if applied.is_empty() {
        return None;
    }
    output.push_str(&text[last..]);
    Some((output, rules))
}

/// The result of fixing one file.
#[derive(Debug)]
pub struct FixOutcome {
    /// The fixed text (the original when nothing applied or the fix was reverted).
    pub text: String,
    pub fixed: BTreeMap<Rule, usize>,
    /// What remains, on `text`.
    pub diagnostics: Vec<Diagnostic>,
    /// Why the file was left unchanged although fixes were available.
    pub failure: Option<String>,
}

pub fn fix_source(
    original: &str,
    source_type: PySourceType,
    rules: RuleSet,
    options: &LintOptions,
    mode: FixMode,
) -> FixOutcome {
    let first = lint(original, source_type, rules, options);
    if !first.syntax_ok {
        // Files with syntax errors get no fixes.
        return FixOutcome {
            text: original.to_string(),
            fixed: BTreeMap::new(),
            diagnostics: first.diagnostics,
            failure: None,
        };
    }
    fix_to_fixed_point(original, first.diagnostics, mode, |text| {
        let linted = lint(text, source_type, rules, options);
        if linted.syntax_ok {
            Ok(linted.diagnostics)
        } else {
            Err("a fix introduced a syntax error".to_string())
        }
    })
}

/// Fixes a dependency manifest: the same text edits as for Python, to a fixed
/// point, with the result read back as the same kind of manifest after each
/// pass (a fix that breaks the file reverts the whole file).
pub fn fix_manifest(
    original: &str,
    kind: ManifestKind,
    rules: RuleSet,
    context: &ManifestContext,
    mode: FixMode,
) -> FixOutcome {
    let first = lint_manifest(original, kind, rules, context);
    fix_to_fixed_point(original, first, mode, |text| {
        match Manifest::parse(text, kind).error {
            Some(error) => Err(format!("a fix made the manifest unreadable ({error})")),
            None => Ok(lint_manifest(text, kind, rules, context)),
        }
    })
}

/// ruff's fix loop: apply the non-overlapping fixes, read the result back with
/// `relint` (an `Err` says why the result is unusable), repeat until nothing
/// applies. A broken result or a loop that does not settle leaves the whole
/// file as it was.
fn fix_to_fixed_point(
    original: &str,
    first: Vec<Diagnostic>,
    mode: FixMode,
    relint: impl Fn(&str) -> Result<Vec<Diagnostic>, String>,
) -> FixOutcome {
    let mut current = original.to_string();
    let mut diagnostics = first.clone();
    let mut fixed: BTreeMap<Rule, usize> = BTreeMap::new();
    let failure = 'passes: {
        for _ in 0..MAX_ITERATIONS {
            let Some((next, rules_fixed)) = apply_fixes(&current, &diagnostics, mode) else {
                return FixOutcome {
                    text: current,
                    fixed,
                    diagnostics,
                    failure: None,
                };
            };
            match relint(&next) {
                Ok(next_diagnostics) => diagnostics = next_diagnostics,
                Err(why) => break 'passes why,
            }
            for rule in rules_fixed {
                *fixed.entry(rule).or_default() += 1;
            }
            current = next;
        }
        format!("the fixes did not settle after {MAX_ITERATIONS} passes")
    };
    FixOutcome {
        text: original.to_string(),
        fixed: BTreeMap::new(),
        diagnostics: first,
        failure: Some(format!(
            "{failure}; the file was left unchanged. This is a bug in redis-unify: please report it"
        )),
    }
}
