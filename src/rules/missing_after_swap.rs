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
    if check_reexport(checker, root.id.as_str(), &attrs, &ranges) {
        return;
    }
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

/// `from app.db import aioredis` where `app/db.py` binds `aioredis` to an
/// aioredis import: the swap there (`import redis.asyncio as aioredis`) changes
/// the name here too, so a use that redis.asyncio lacks breaks here. Reported
/// here, pointing at the import in the other module.
fn check_reexport(
    checker: &mut Checker,
    root: &str,
    attrs: &[&ruff_python_ast::ExprAttribute],
    ranges: &[ruff_text_size::TextRange],
) -> bool {
    let Some(project) = checker.options().project else {
        return false;
    };
    let Some(scope) = checker.model().binding_scope(root, checker.scope()) else {
        return false;
    };
    let Some(qualified) = checker.legacy().project_name(scope, root) else {
        return false;
    };
    let Some((export, summary)) = project.export(qualified) else {
        return false;
    };
    let crate::python::index::Exported::Aioredis(aioredis) = &export.what else {
        return false;
    };
    let api = checker.api();
    let Some(target) = api.module(aioredis).and_then(|m| m.target.clone()) else {
        return false;
    };
    let names = qualified_chain(&target, attrs);
    let Some((index, entry)) = names
        .iter()
        .enumerate()
        .find_map(|(index, name)| api.missing(name).map(|entry| (index, entry)))
    else {
        return false;
    };
    let range = ranges[index];
    let written = checker.text(range).to_string();
    let (module, name) = qualified.rsplit_once('.').unwrap_or(("", qualified));
    let diagnostic = Diagnostic::new(
        Rule::MissingAfterSwap,
        range,
        format!(
            "`{written}` comes from `{module}`, whose `{name}` is `{aioredis}`: once its import is \
             swapped for `{target}`, `{}` does not exist (an AttributeError at run time); {}",
            names[index], entry.instead
        ),
    )
    .with_related(crate::diagnostic::Related {
        path: summary.display.clone(),
        relative: summary.relative.clone(),
        abs_path: summary.abs_path.clone(),
        line: export.line,
        column: export.column,
        end_line: export.line,
        end_column: export.column + name.len() as u32,
        message: format!("`{name}` is bound to `{aioredis}` here"),
    });
    checker.report(diagnostic);
    true
}
