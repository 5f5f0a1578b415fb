//! For input that parses (seed the corpus with tests/fixtures and the dev
//! corpus): the fixed text still parses, and a second fix pass changes nothing.
#![no_main]

use libfuzzer_sys::fuzz_target;
use redis_unify::fix::FixMode;
use redis_unify::fix::apply::fix_source;
use redis_unify::lint::{LintOptions, lint};
use redis_unify::rules::RuleSet;
use ruff_python_ast::PySourceType;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let options = LintOptions::default();
    let rules = RuleSet::all();
    if !lint(text, PySourceType::Python, rules, &options).syntax_ok {
        return;
    }
    let first = fix_source(text, PySourceType::Python, rules, &options, FixMode::SafeAndUnsafe);
    assert!(first.failure.is_none(), "{:?}", first.failure);
    assert!(lint(&first.text, PySourceType::Python, rules, &options).syntax_ok);
    let second = fix_source(&first.text, PySourceType::Python, rules, &options, FixMode::SafeAndUnsafe);
    assert_eq!(second.text, first.text);
});
