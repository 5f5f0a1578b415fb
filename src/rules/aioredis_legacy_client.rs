//! RU101 on aioredis 1.x objects themselves: the client's attributes
//! (`subscribe`, `multi_exec`, `wait_closed`, ...), the pool's (`execute`,
//! `acquire`), keyword arguments and positional forms of commands that
//! redis.asyncio does not take (`set(expire=)`, `get(encoding=)`,
//! `zadd(key, score, member)`), and the `with await pool as conn` idiom. The
//! tables are data in `rules/aioredis-api.toml` (`[client_methods]`,
//! `[pool_methods]`, `[client_keywords]`, `[client_positional]`,
//! `[client_types]`); which expressions hold a 1.x object is the
//! [`LegacyModel`](crate::python::legacy::LegacyModel)'s answer.
//!
//! In a module whose aioredis use is 1.x, the keyword and positional forms
//! marked `anywhere` are also reported on receivers the model knows nothing
//! about, worded as what they look like.

use ruff_python_ast::{self as ast, Expr, ExprCall, Number};
use ruff_text_size::Ranged;

use super::Rule;
use crate::checker::Checker;
use crate::constructors::Library;
use crate::diagnostic::Diagnostic;
use crate::python::legacy::LegacyKind;

/// Whether the 1.x model has anything to say in this module.
fn has_work(checker: &Checker) -> bool {
    checker.enabled(Rule::AioredisLegacyApi)
        && (!checker.legacy().is_empty() || checker.legacy().is_1x())
}

/// The 1.x kind `receiver` (a name or `self.<attr>`) holds.
fn kind_of(checker: &Checker, receiver: &Expr) -> Option<LegacyKind> {
    checker
        .legacy()
        .kind_of(receiver, checker.scope(), checker.model())
}

/// `expr` is the outermost node of an attribute chain: every `<client>.<attr>`
/// in it whose receiver holds an aioredis 1.x client or pool and whose
/// attribute that object alone has (`redis.subscribe`, `self.pool.execute`).
pub fn check_attribute(checker: &mut Checker, expr: &Expr) {
    if !checker.enabled(Rule::AioredisLegacyApi) || checker.legacy().is_empty() {
        return;
    }
    let mut current = expr;
    while let Expr::Attribute(attribute) = current {
        if attribute.ctx.is_load() {
            let name = attribute.attr.as_str();
            let api = checker.api();
            let found = match kind_of(checker, &attribute.value) {
                Some(LegacyKind::Client) => api
                    .client_method(name)
                    .map(|entry| ("the aioredis 1.x client", entry)),
                Some(LegacyKind::Pool) => api
                    .pool_method(name)
                    .map(|entry| ("the aioredis 1.x pool", entry)),
                Some(LegacyKind::Channel) => api
                    .channel_method(name)
                    .map(|entry| ("the aioredis 1.x `Channel`", entry)),
                _ => None,
            };
            if let Some((owner, entry)) = found {
                let receiver = checker.text(attribute.value.range());
                let message = format!(
                    "`{receiver}.{name}` exists only on {owner}; {}",
                    super::deprecated_close::at_target(checker, &entry.instead)
                );
                checker.report_on(
                    Diagnostic::new(Rule::AioredisLegacyApi, attribute.attr.range(), message),
                    &attribute.value,
                );
            }
        }
        current = &attribute.value;
    }
}

/// `<receiver>.<method>(...)` with a keyword or positional form only aioredis
/// 1.x takes: on a known 1.x client or transaction, or, in a 1.x module, on a
/// receiver that is not known to be something else.
pub fn check_call(checker: &mut Checker, call: &ExprCall) {
    if !has_work(checker) {
        return;
    }
    let Expr::Attribute(method) = call.func.as_ref() else {
        return;
    };
    let method_name = method.attr.as_str();
    let api = checker.api();
    let positional = api.client_positional(method_name);
    if call.arguments.keywords.is_empty() && positional.is_none() {
        return;
    }
    let known = match kind_of(checker, &method.value) {
        Some(LegacyKind::Client | LegacyKind::Transaction) => true,
        Some(
            LegacyKind::Pool | LegacyKind::Foreign | LegacyKind::Channels | LegacyKind::Channel,
        ) => return,
        // An unknown receiver in a 1.x module, unless the module's own classes
        // define a method of that name (the call may be theirs).
        None if checker.legacy().is_1x()
            && !checker.legacy().defines_method(method_name)
            && !is_other_client(checker, &method.value) =>
        {
            false
        }
        None => return,
    };
    for keyword in &call.arguments.keywords {
        let Some(arg) = &keyword.arg else { continue };
        let entry = if known {
            api.client_keyword(method_name, arg.as_str())
        } else {
            api.anywhere_keyword(method_name, arg.as_str())
        };
        let Some(entry) = entry else { continue };
        let written = format!("{method_name}({}=...)", arg.as_str());
        // At the keyword's name: the value may be long, and the plan lists the text.
        let text = message(
            known,
            &written,
            &super::deprecated_close::at_target(checker, &entry.instead),
        );
        checker.report_on(
            Diagnostic::new(Rule::AioredisLegacyApi, arg.range(), text),
            &method.value,
        );
    }
    if let Some(entry) = positional {
        let arguments = &call.arguments.args;
        let count = arguments
            .iter()
            .filter(|arg| !arg.is_starred_expr())
            .count();
        let numeric_ok = || match entry.anywhere_numeric_at {
            Some(index) => arguments.get(index).is_some_and(is_number_literal),
            None => true,
        };
        if count >= entry.min_positional && (known || (entry.anywhere && numeric_ok())) {
            let written = format!("{method_name}(...)` with {count} positional arguments");
            let text = if known {
                format!("`{written} is aioredis 1.x's signature; {}", entry.instead)
            } else {
                format!(
                    "looks like an aioredis 1.x call: `{written}; {}",
                    entry.instead
                )
            };
            checker.report_on(
                Diagnostic::new(Rule::AioredisLegacyApi, method.attr.range(), text),
                &method.value,
            );
        }
    }
}

fn message(known: bool, written: &str, instead: &str) -> String {
    if known {
        format!("`{written}` exists only in aioredis 1.x; {instead}")
    } else {
        format!("looks like an aioredis 1.x call: `{written}`; {instead}")
    }
}

/// A client of another library (redis-py, aioredis 2.x) the client model knows.
fn is_other_client(checker: &Checker, receiver: &Expr) -> bool {
    checker
        .clients()
        .held_by(receiver, checker.scope(), checker.model())
        .is_some_and(|held| held.constructor.library != Library::Aioredis1)
}

/// `1`, `-2.5`: a number written in the source.
fn is_number_literal(expr: &Expr) -> bool {
    match expr {
        Expr::NumberLiteral(number) => matches!(number.value, Number::Int(_) | Number::Float(_)),
        Expr::UnaryOp(unary) => {
            matches!(unary.op, ast::UnaryOp::USub | ast::UnaryOp::UAdd)
                && matches!(unary.operand.as_ref(), Expr::NumberLiteral(_))
        }
        _ => false,
    }
}

/// `with await pool as conn:` / `with await redis as r:`: the 1.x `ContextRedis`
/// idiom (a sync `with` over an awaited client or pool).
pub fn check_with(checker: &mut Checker, with: &ast::StmtWith) {
    if with.is_async || !has_work(checker) {
        return;
    }
    for item in &with.items {
        let Expr::Await(awaited) = &item.context_expr else {
            continue;
        };
        let known = matches!(
            kind_of(checker, &awaited.value),
            Some(LegacyKind::Client | LegacyKind::Pool)
        );
        // Elsewhere in a 1.x module, only with a target (`with await lock:` was asyncio's).
        let looks_like = checker.legacy().is_1x() && item.optional_vars.is_some();
        if !known && !looks_like {
            continue;
        }
        let written = format!("with await {}", checker.text(awaited.value.range()));
        let instead = "write `async with client.client() as conn:` (a single-connection client \
                       sharing the pool), or call the commands on the client itself";
        checker.report_on(
            Diagnostic::new(
                Rule::AioredisLegacyApi,
                item.context_expr.range(),
                message(known, &written, instead),
            ),
            &awaited.value,
        );
    }
}
