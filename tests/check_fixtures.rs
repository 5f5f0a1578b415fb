//! The fixtures under tests/fixtures/check state their expected findings in
//! comments: `# error: RU100` on the line where a finding starts (a code once per
//! finding), or `# error@+1: RU100` for the next line. Each test checks that
//! the findings are exactly those, then snapshots the messages.

use std::path::Path;

use redis_unify::lint::{lint_source, source_type_of};
use redis_unify::rules::{Rule, RuleSet};
use ruff_source_file::LineIndex;

/// (line, code) pairs the fixture's comments promise, sorted.
fn expected_findings(text: &str) -> Vec<(usize, String)> {
    let mut expected = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let Some(position) = line.find("# error") else {
            continue;
        };
        let marker = &line[position + "# error".len()..];
        let (offset, rest) = match marker.strip_prefix("@+") {
            Some(rest) => {
                let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
                (digits.parse::<usize>().unwrap(), &rest[digits.len()..])
            }
            None => (0, marker),
        };
        let rest = rest.strip_prefix(':').expect("marker is `# error: CODE…`");
        for word in rest.split_whitespace() {
            if !word.starts_with("RU") {
                break;
            }
            expected.push((index + 1 + offset, word.to_string()));
        }
    }
    expected.sort();
    expected
}

fn check_fixture(name: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/check")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap();
    // These fixtures are about aioredis (RU0xx, RU1xx); the client rules have their own.
    let rules: RuleSet = Rule::ALL
        .iter()
        .copied()
        .filter(|rule| !rule.code().starts_with("RU2") && *rule != Rule::UnusedNoqa)
        .collect();
    let diagnostics = lint_source(&text, source_type_of(name), rules);
    let index = LineIndex::from_source_text(&text);
    let mut actual: Vec<(usize, String)> = diagnostics
        .iter()
        .map(|d| {
            let start = index.line_column(d.range.start(), &text);
            (start.line.get(), d.rule.code().to_string())
        })
        .collect();
    actual.sort();
    assert_eq!(actual, expected_findings(&text), "findings of {name}");

    let rendered: Vec<String> = diagnostics
        .iter()
        .map(|d| {
            let start = index.line_column(d.range.start(), &text);
            format!(
                "{name}:{}:{}: {} {}",
                start.line,
                start.column,
                d.rule.code(),
                d.message
            )
        })
        .collect();
    insta::assert_snapshot!(name, rendered.join("\n"));
}

#[test]
fn import_forms() {
    check_fixture("import_forms.py");
}

#[test]
fn not_aioredis() {
    check_fixture("not_aioredis.py");
}

#[test]
fn legacy_api() {
    check_fixture("legacy_api.py");
}

#[test]
fn legacy_client() {
    check_fixture("legacy_client.py");
}

#[test]
fn dynamic_import() {
    check_fixture("dynamic_import.py");
}

#[test]
fn syntax_error() {
    check_fixture("syntax_error.py");
}

#[test]
fn noqa() {
    check_fixture("noqa.py");
}

#[test]
fn file_noqa() {
    check_fixture("file_noqa.py");
}

#[test]
fn legacy_flow() {
    check_fixture("legacy_flow.py");
}

#[test]
fn legacy_flow_not_1x() {
    check_fixture("legacy_flow_not_1x.py");
}

#[test]
fn legacy_flow_own_methods() {
    check_fixture("legacy_flow_own_methods.py");
}

#[test]
fn legacy_flow_order() {
    check_fixture("legacy_flow_order.py");
}

#[test]
fn legacy_cast() {
    check_fixture("legacy_cast.py");
}

#[test]
fn legacy_unawaited() {
    check_fixture("legacy_unawaited.py");
}

#[test]
fn legacy_collections() {
    check_fixture("legacy_collections.py");
}

#[test]
fn legacy_forms() {
    check_fixture("legacy_forms.py");
}

#[test]
fn legacy_names_anywhere() {
    check_fixture("legacy_names_anywhere.py");
}

#[test]
fn legacy_futures() {
    check_fixture("legacy_futures.py");
}

#[test]
fn legacy_futures_redis_py() {
    check_fixture("legacy_futures_redis_py.py");
}

#[test]
fn legacy_connection() {
    check_fixture("legacy_connection.py");
}

#[test]
fn legacy_connection_own() {
    check_fixture("legacy_connection_own.py");
}

#[test]
fn legacy_reply_shapes() {
    check_fixture("legacy_reply_shapes.py");
}

#[test]
fn legacy_sentinel() {
    check_fixture("legacy_sentinel.py");
}

#[test]
fn legacy_sentinel_redis_py() {
    check_fixture("legacy_sentinel_redis_py.py");
}

#[test]
fn legacy_factory_alias() {
    check_fixture("legacy_factory_alias.py");
}

#[test]
fn legacy_multikey() {
    check_fixture("legacy_multikey.py");
}

#[test]
fn legacy_nonlocal() {
    check_fixture("legacy_nonlocal.py");
}

#[test]
fn legacy_semantics() {
    check_fixture("legacy_semantics.py");
}

#[test]
fn legacy_semantics_2x() {
    check_fixture("legacy_semantics_2x.py");
}
