//! Arbitrary bytes → decode (PEP 263) → parse + lint + fix: never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use redis_unify::fix::FixMode;
use redis_unify::fix::apply::fix_source;
use redis_unify::lint::{LintOptions, lint};
use redis_unify::rules::RuleSet;
use redis_unify::source::encoding::decode_python;
use ruff_python_ast::PySourceType;

fuzz_target!(|data: &[u8]| {
    let Ok(decoded) = decode_python(data.to_vec()) else {
        return;
    };
    let options = LintOptions::default();
    let _ = lint(&decoded.text, PySourceType::Python, RuleSet::all(), &options);
    let _ = fix_source(
        &decoded.text,
        PySourceType::Python,
        RuleSet::all(),
        &options,
        FixMode::SafeAndUnsafe,
    );
});
