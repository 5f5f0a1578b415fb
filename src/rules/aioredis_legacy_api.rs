#![doc = include_str!("../../rules/docs/RU101.md")]

use ruff_python_ast::Expr;

use super::Rule;
use crate::api::is_aioredis;
use crate::checker::{Checker, chain_ranges};
use crate::diagnostic::Diagnostic;
use crate::python::semantic::attribute_chain;

pub const DOC: &str = include_str!("../../rules/docs/RU101.md");

/// `expr` is a `Name` or the outermost node of an attribute chain `a.b.c`.
pub fn check_reference(checker: &mut Checker, expr: &Expr) {
    if !checker.enabled(Rule::AioredisLegacyApi) {
        return;
    }
    let Some((root, attrs)) = attribute_chain(expr) else {
        return;
    };
    let roots = checker
        .model()
        .resolve_name(root.id.as_str(), checker.scope());
    let ranges = chain_ranges(expr);
    for base in roots.iter().filter(|q| is_aioredis(q)) {
        // Qualified names of `a`, `a.b`, `a.b.c`: report the longest one that is 1.x API,
        // so `aioredis.errors.ReplyError` is one finding, not two.
        let mut qualified = vec![base.clone()];
        for attr in attrs.iter().rev() {
            let longer = format!("{}.{}", qualified.last().unwrap(), attr.attr.as_str());
            qualified.push(longer);
        }
        let api = checker.api();
        let hit = (0..qualified.len()).rev().find_map(|index| {
            api.legacy(&qualified[index])
                .filter(|(key, _)| index == 0 || key.len() == qualified[index].len())
                .map(|(_, entry)| (index, entry))
        });
        if let Some((index, entry)) = hit {
            let range = ranges[index];
            let written = checker.text(range);
            let name = &qualified[index];
            let subject = if written == name {
                format!("`{name}`")
            } else {
                format!("`{written}` (`{name}`)")
            };
            checker.report(Diagnostic::new(
                Rule::AioredisLegacyApi,
                range,
                format!("{subject} exists only in aioredis 1.x; {}", entry.instead),
            ));
            return;
        }
    }
}
