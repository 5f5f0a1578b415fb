#![doc = include_str!("../../rules/docs/RU104.md")]

use ruff_python_ast::Expr;

use super::Rule;
use crate::api::is_redis_asyncio;
use crate::checker::{Checker, chain_ranges};
use crate::diagnostic::Diagnostic;
use crate::diagnostic::{Applicability, Edit, Fix};
use crate::python::semantic::{attribute_chain, qualified_chain};

pub const DOC: &str = include_str!("../../rules/docs/RU104.md");

/// `expr` is a `Name` or the outermost node of an attribute chain.
pub fn check_reference(checker: &mut Checker, expr: &Expr) {
    if !checker.enabled(Rule::MissingAfterSwap) {
        return;
    }
    let Some((root, attrs)) = attribute_chain(expr) else {
        return;
    };
    let roots = checker
        .model()
        .resolve_name(root.id.as_str(), checker.scope());
    let ranges = chain_ranges(expr);
    let api = checker.api();
    for base in roots.iter().filter(|q| is_redis_asyncio(q)) {
        let names = qualified_chain(base, &attrs);
        let Some((index, entry)) = names
            .iter()
            .enumerate()
            .find_map(|(index, name)| api.missing(name).map(|entry| (index, entry)))
        else {
            continue;
        };
        let range = ranges[index];
        let written = checker.text(range);
        let mut diagnostic = Diagnostic::new(
            Rule::MissingAfterSwap,
            range,
            format!(
                "`{written}` (`{}`) does not exist in redis-py: an AttributeError at run time; {}",
                names[index], entry.instead
            ),
        );
        // `….exceptions.X` where `redis.asyncio` re-exports `X`: drop `.exceptions`.
        if names[index] == "redis.asyncio.exceptions"
            && let Some(next) = names.get(index + 1)
            && let Some(name) = next.rsplit('.').next()
            && api.exports("redis.asyncio", name) == Some(true)
        {
            let keep = checker.text(ranges[index - 1]).to_string();
            diagnostic = diagnostic.with_fix(Fix::new(
                vec![Edit::replacement(range, keep.clone())],
                Applicability::Safe,
                format!("Use `{keep}.{name}`"),
            ));
        }
        checker.report(diagnostic);
        return;
    }
}
