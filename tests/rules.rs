//! Snapshot tests: each rule over its fixture, and every rule over the example service.
//!
//! A fixture `tests/fixtures/rules/<CODE>.py` holds positive and negative cases,
//! each under a comment saying whether it is an error; the snapshot records the
//! concise output (`path:row:col: CODE message`) of that rule alone.

use std::path::{Path, PathBuf};

use redis_unify::lint::{LintOptions, lint_source_with};
use redis_unify::rules::{Rule, RuleSet};
use redis_unify::version::RedisVersion;
use ruff_python_ast::PySourceType;
use ruff_source_file::LineIndex;

fn repository() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The concise report of one file, with `path` as written (relative to the repository).
fn concise(path: &str, rules: RuleSet, options: &LintOptions) -> String {
    let text = std::fs::read_to_string(repository().join(path))
        .unwrap_or_else(|e| panic!("cannot read {path}: {e}"));
    let line_index = LineIndex::from_source_text(&text);
    lint_source_with(&text, PySourceType::Python, rules, options)
        .iter()
        .map(|diagnostic| {
            let start = line_index.line_column(diagnostic.range.start(), &text);
            format!(
                "{path}:{}:{}: {} {}\n",
                start.line,
                start.column,
                diagnostic.rule.code(),
                diagnostic.message
            )
        })
        .collect()
}

fn rule_fixture(rule: Rule, options: &LintOptions) -> String {
    concise(
        &format!("tests/fixtures/rules/{}.py", rule.code()),
        [rule].into_iter().collect(),
        options,
    )
}

macro_rules! rule_snapshot {
    ($test:ident, $rule:expr) => {
        #[test]
        fn $test() {
            let rule: Rule = $rule;
            insta::assert_snapshot!(rule.code(), rule_fixture(rule, &LintOptions::default()));
        }
    };
}

rule_snapshot!(deprecated_close, Rule::DeprecatedClose);
rule_snapshot!(legacy_script_call, Rule::LegacyScriptCall);
rule_snapshot!(sync_client_in_async, Rule::SyncClientInAsync);
rule_snapshot!(missing_socket_timeout, Rule::MissingSocketTimeout);
rule_snapshot!(hardcoded_redis_password, Rule::HardcodedRedisPassword);
rule_snapshot!(tls_verification_disabled, Rule::TlsVerificationDisabled);
rule_snapshot!(client_per_call, Rule::ClientPerCall);
rule_snapshot!(
    positional_async_client_args,
    Rule::PositionalAsyncClientArgs
);
rule_snapshot!(strict_redis_alias, Rule::StrictRedisAlias);

#[test]
fn missing_socket_timeout_with_redis_8() {
    // From redis-py 8.0 on the timeout has a default: only an explicit `None` is left.
    let options = LintOptions {
        target_redis_version: Some(RedisVersion::new(8, 0, 0)),
        ..LintOptions::default()
    };
    insta::assert_snapshot!(
        "RU201_target_redis_8",
        rule_fixture(Rule::MissingSocketTimeout, &options)
    );
}

#[test]
fn missing_socket_timeout_with_redis_7() {
    let options = LintOptions {
        target_redis_version: Some(RedisVersion::new(7, 4, 0)),
        ..LintOptions::default()
    };
    assert_eq!(
        rule_fixture(Rule::MissingSocketTimeout, &options),
        rule_fixture(Rule::MissingSocketTimeout, &LintOptions::default())
    );
}

#[test]
fn hardcoded_passwords_are_never_printed() {
    let report = rule_fixture(Rule::HardcodedRedisPassword, &LintOptions::default());
    assert!(!report.is_empty());
    for secret in [
        "hunter2",
        "s3cret",
        "url-secret",
        "constant-secret",
        "/run/redis.sock",
    ] {
        // The socket path stays; only passwords are masked.
        if secret.starts_with('/') {
            assert!(report.contains(secret), "{secret}");
        } else {
            assert!(!report.contains(secret), "{secret} leaked:\n{report}");
        }
    }
}

/// Every Python file below `dir`, sorted, relative to the repository.
fn python_files(dir: &Path) -> Vec<String> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(folder) = pending.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path: PathBuf = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "py") {
                let relative = path.strip_prefix(repository()).unwrap();
                files.push(relative.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    files.sort();
    files
}

/// The example service's README lists what each file should report; this
/// snapshot pins it, with every rule selected (RU207 included).
#[test]
fn example_service() {
    let report: String = python_files(&repository().join("examples/service"))
        .iter()
        .map(|path| concise(path, RuleSet::all(), &LintOptions::default()))
        .collect();
    insta::assert_snapshot!("example_service", report);
}
