#![doc = include_str!("../../rules/docs/RU102.md")]

use ruff_python_ast::{Expr, ExprCall};
use ruff_text_size::Ranged;

use super::Rule;
use crate::api::is_aioredis;
use crate::checker::Checker;
use crate::diagnostic::Diagnostic;

pub const DOC: &str = include_str!("../../rules/docs/RU102.md");

const IMPORT_FUNCTIONS: &[&str] = &[
    "importlib.import_module",
    "importlib.__import__",
    "builtins.__import__",
];

pub fn check_call(checker: &mut Checker, call: &ExprCall) {
    if !checker.enabled(Rule::AioredisDynamicImport) || !is_import_function(checker, &call.func) {
        return;
    }
    let argument = call
        .arguments
        .args
        .first()
        .or_else(|| call.arguments.find_keyword("name").map(|k| &k.value));
    let Some(Expr::StringLiteral(literal)) = argument else {
        return;
    };
    let module = literal.value.to_str();
    if !is_aioredis(module) {
        return;
    }
    let instead = checker
        .api()
        .module(module)
        .and_then(|entry| entry.target.as_deref())
        .map(|target| format!("import `{target}` instead"))
        .unwrap_or_else(|| "this module has no redis.asyncio counterpart".to_string());
    checker.report(Diagnostic::new(
        Rule::AioredisDynamicImport,
        call.range(),
        format!("Dynamic import of the archived `{module}` (fails on Python 3.11+); {instead}"),
    ));
}

fn is_import_function(checker: &Checker, func: &Expr) -> bool {
    if let Expr::Name(name) = func
        && name.id.as_str() == "__import__"
        && checker.model().is_unbound("__import__", checker.scope())
    {
        return true;
    }
    checker
        .resolve(func)
        .iter()
        .any(|q| IMPORT_FUNCTIONS.contains(&q.as_str()))
}
