#![doc = include_str!("../../rules/docs/RU207.md")]

use ruff_python_ast::Expr;

use super::Rule;
use crate::api::may_be_redis_name;
use crate::checker::{Checker, chain_ranges};
use crate::diagnostic::Diagnostic;
use crate::python::semantic::attribute_chain;

pub const DOC: &str = include_str!("../../rules/docs/RU207.md");

/// `expr` is a `Name` or the outermost node of an attribute chain `a.b.c`.
pub fn check_reference(checker: &mut Checker, expr: &Expr) {
    if !checker.enabled(Rule::StrictRedisAlias) || !checker.mentions_an_alias() {
        return;
    }
    let Some((root, attrs)) = attribute_chain(expr) else {
        return;
    };
    if !checker
        .model()
        .may_resolve_to_redis(root.id.as_str(), checker.scope())
    {
        return;
    }
    let roots = checker
        .model()
        .resolve_name(root.id.as_str(), checker.scope());
    let ranges = chain_ranges(expr);
    for base in roots.iter().filter(|q| may_be_redis_name(q)) {
        // The shortest part of `a.b.c` that names an alias: `redis.StrictRedis`
        // in `redis.StrictRedis.from_url`.
        let mut qualified = base.clone();
        for index in 0..ranges.len() {
            if index > 0 {
                qualified.push('.');
                qualified.push_str(attrs[attrs.len() - index].attr.as_str());
            }
            let Some(alias_of) = checker
                .constructors()
                .lookup(&qualified)
                .and_then(|constructor| constructor.alias_of.as_deref())
            else {
                continue;
            };
            let range = ranges[index];
            let written = checker.text(range);
            let instead = match written.rsplit_once('.') {
                Some((head, _)) => format!("{head}.{alias_of}"),
                None => alias_of.to_string(),
            };
            checker.report(Diagnostic::new(
                Rule::StrictRedisAlias,
                range,
                format!(
                    "`{written}` is a plain alias of `{alias_of}`, kept only for compatibility; \
                     write `{instead}`"
                ),
            ));
            return;
        }
    }
}
