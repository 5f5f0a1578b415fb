//! Each fixture under tests/fixtures/fix is fixed with safe fixes, then with
//! unsafe ones too. The diffs are snapshotted; every result must parse (with our
//! parser and with CPython's `ast`), and fixing again must change nothing.

use std::path::Path;
use std::process::Command;

use redis_unify::fix::FixMode;
use redis_unify::fix::apply::fix_source;
use redis_unify::fix::diff::unified_diff;
use redis_unify::lint::{LintOptions, source_type_of};
use redis_unify::rules::RuleSet;

fn python_parses(text: &str) -> bool {
    let mut child = Command::new("python3")
        .args(["-c", "import ast, sys; ast.parse(sys.stdin.read())"])
        .stdin(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    child.wait().unwrap().success()
}

fn fixed(name: &str, mode: FixMode) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/fix")
        .join(name);
    let original = std::fs::read_to_string(&path).unwrap();
    let outcome = fix_source(
        &original,
        source_type_of(name),
        RuleSet::all(),
        &LintOptions::default(),
        mode,
    );
    assert!(outcome.failure.is_none(), "{name}: {:?}", outcome.failure);

    if outcome.text != original {
        let parsed = ruff_python_parser::parse_module(&outcome.text);
        assert!(parsed.is_ok(), "{name}: our parser rejects the fixed text");
        assert!(
            python_parses(&outcome.text),
            "{name}: python3 rejects the fixed text"
        );
    }
    let again = fix_source(
        &outcome.text,
        source_type_of(name),
        RuleSet::all(),
        &LintOptions::default(),
        mode,
    );
    assert_eq!(
        again.text, outcome.text,
        "{name}: a second fix changed the file"
    );
    assert!(again.fixed.is_empty());

    let remaining: Vec<String> = outcome
        .diagnostics
        .iter()
        .map(|d| format!("{} {}", d.rule.code(), d.message))
        .collect();
    let fixed: Vec<String> = outcome
        .fixed
        .iter()
        .map(|(rule, count)| format!("{count} × {}", rule.code()))
        .collect();
    format!(
        "{}\n--- fixed: {}\n--- remaining:\n{}",
        unified_diff(name, &original, &outcome.text),
        fixed.join(", "),
        remaining.join("\n")
    )
}

fn snapshot(name: &str) {
    insta::assert_snapshot!(format!("{name}.safe"), fixed(name, FixMode::Safe));
    insta::assert_snapshot!(
        format!("{name}.unsafe"),
        fixed(name, FixMode::SafeAndUnsafe)
    );
}

#[test]
fn alias_swap() {
    snapshot("alias_swap.py");
}

#[test]
fn from_imports() {
    snapshot("from_imports.py");
}

#[test]
fn submodules() {
    snapshot("submodules.py");
}

#[test]
fn unsafe_cases() {
    snapshot("unsafe.py");
}

#[test]
fn script_calls() {
    snapshot("script_calls.py");
}

#[test]
fn unused_noqa() {
    snapshot("unused_noqa.py");
}

#[test]
fn no_fix() {
    snapshot("no_fix.py");
}

#[test]
fn files_with_syntax_errors_get_no_fixes() {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fix/syntax_error.py"),
    )
    .unwrap();
    let outcome = fix_source(
        &text,
        source_type_of("x.py"),
        RuleSet::all(),
        &LintOptions::default(),
        FixMode::SafeAndUnsafe,
    );
    assert_eq!(outcome.text, text);
    assert!(outcome.fixed.is_empty());
}

#[test]
fn legacy_rewrites() {
    snapshot("legacy_rewrites.py");
}

#[test]
fn legacy_rewrites_untouched() {
    snapshot("legacy_rewrites_untouched.py");
}

#[test]
fn legacy_rewrites_flush() {
    snapshot("legacy_rewrites_flush.py");
}

#[test]
fn legacy_rewrites_flush_untouched() {
    snapshot("legacy_rewrites_flush_untouched.py");
}

#[test]
fn legacy_rewrites_pipeline() {
    snapshot("legacy_rewrites_pipeline.py");
}

#[test]
fn legacy_rewrites_pipeline_untouched() {
    snapshot("legacy_rewrites_pipeline_untouched.py");
}

#[test]
fn legacy_rewrites_manual() {
    snapshot("legacy_rewrites_manual.py");
}

#[test]
fn string_sinks() {
    snapshot("string_sinks.py");
}

#[test]
fn legacy_pipeline_futures() {
    snapshot("legacy_pipeline_futures.py");
}

#[test]
fn legacy_rewrites_encoding() {
    snapshot("legacy_rewrites_encoding.py");
}

#[test]
fn legacy_rewrites_encoding_manual() {
    snapshot("legacy_rewrites_encoding_manual.py");
}

#[test]
fn legacy_rewrites_sentinel() {
    snapshot("legacy_rewrites_sentinel.py");
}

#[test]
fn legacy_rewrites_sentinel_untouched() {
    snapshot("legacy_rewrites_sentinel_untouched.py");
}

#[test]
fn legacy_rewrites_unawaited() {
    snapshot("legacy_rewrites_unawaited.py");
}

#[test]
fn legacy_rewrites_unawaited_untouched() {
    snapshot("legacy_rewrites_unawaited_untouched.py");
}

#[test]
fn legacy_rewrites_connection() {
    snapshot("legacy_rewrites_connection.py");
}

#[test]
fn legacy_rewrites_connection_untouched() {
    snapshot("legacy_rewrites_connection_untouched.py");
}
