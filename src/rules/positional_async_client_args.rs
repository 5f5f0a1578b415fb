#![doc = include_str!("../../rules/docs/RU205.md")]

use ruff_python_ast::Expr;
use ruff_text_size::{Ranged, TextRange};

use super::Rule;
use crate::checker::Checker;
use crate::diagnostic::Diagnostic;
use crate::python::clients::Construction;

pub const DOC: &str = include_str!("../../rules/docs/RU205.md");

pub fn check(checker: &mut Checker, construction: &Construction) {
    if !checker.enabled(Rule::PositionalAsyncClientArgs) || !construction.constructor.keyword_only {
        return;
    }
    // `*args` may be empty; only arguments written out are sure to fail.
    let positional: Vec<&Expr> = construction
        .positional_arguments()
        .iter()
        .filter(|arg| !arg.is_starred_expr())
        .collect();
    let (Some(first), Some(last)) = (positional.first(), positional.last()) else {
        return;
    };
    let written = checker.text(construction.callee_range());
    let count = positional.len();
    let arguments = if count == 1 {
        "this positional argument raises".to_string()
    } else {
        format!("these {count} positional arguments raise")
    };
    checker.report(Diagnostic::new(
        Rule::PositionalAsyncClientArgs,
        TextRange::new(first.start(), last.end()),
        format!(
            "`{written}` takes keyword arguments only, so {arguments} `TypeError`; pass each \
             by name (`host=`, `port=`, `db=`, `connection_pool=`, ...)"
        ),
    ));
}
