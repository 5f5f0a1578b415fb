#![doc = include_str!("../../rules/docs/RU204.md")]

use ruff_python_ast::{Expr, ExprAttribute};

use super::Rule;
use crate::checker::Checker;
use crate::constructors::{Constructor, Kind};
use crate::diagnostic::Diagnostic;
use crate::python::clients::{Construction, Origin};

pub const DOC: &str = include_str!("../../rules/docs/RU204.md");

/// Check phase, when a function's body has been walked: the async clients it
/// assigned to local names and then neither closed nor let go of.
pub fn check_function_exit(checker: &mut Checker) {
    if !checker.enabled(Rule::ClientPerCall) {
        return;
    }
    let Some(function) = checker.function() else {
        return;
    };
    if function.sets_up_an_object {
        return;
    }
    let scope = function.scope;
    let function_name = checker.function_name(function);
    let close = if super::deprecated_close::has_aclose(checker) {
        "aclose"
    } else {
        "close"
    };
    let leaked: Vec<Diagnostic> = checker
        .clients()
        .held_in_scope(scope)
        .iter()
        .filter(|(name, held)| {
            held.origin == Origin::Assignment
                && builds_a_pool(held.constructor)
                && checker.client_uses().get(scope, name).leaks()
        })
        .map(|(name, held)| {
            let built_by = checker.text(held.callee);
            let message = if held.constructor.kind == Kind::Pool {
                format!(
                    "Each call of `{function_name}()` builds a connection pool `{name}` with \
                     `{built_by}(...)` and never disconnects it, so connections pile up; create one \
                     pool at startup and share it, or end this one with `await {name}.disconnect()`"
                )
            } else {
                format!(
                    "Each call of `{function_name}()` builds a client `{name}`, with its own \
                     connection pool, with `{built_by}(...)` and never closes it, so connections \
                     pile up; create one client at startup and share it, or close this one with \
                     `async with` or `await {name}.{close}()`"
                )
            };
            Diagnostic::new(Rule::ClientPerCall, held.callee, message)
        })
        .collect();
    for diagnostic in leaked {
        checker.report(diagnostic);
    }
}

/// `Redis(...).get(...)`, `(await create_redis_pool(...)).get(...)`: a client
/// built inside a function for one use and dropped.
pub fn check_temporary(checker: &mut Checker, attribute: &ExprAttribute) {
    if !checker.enabled(Rule::ClientPerCall)
        || checker
            .function()
            .is_none_or(|function| function.sets_up_an_object)
        || checker
            .constructors()
            .is_closing_method(attribute.attr.as_str())
    {
        return;
    }
    let call = match attribute.value.as_ref() {
        Expr::Call(call) => call,
        Expr::Await(await_expr) => match await_expr.value.as_ref() {
            Expr::Call(call) => call,
            _ => return,
        },
        _ => return,
    };
    let Some(construction) = Construction::resolve(
        call,
        checker.constructors(),
        checker.clients(),
        checker.model(),
        checker.scope(),
    ) else {
        return;
    };
    if !builds_a_pool(construction.constructor) {
        return;
    }
    let written = checker.text(construction.callee_range());
    checker.report(Diagnostic::new(
        Rule::ClientPerCall,
        construction.callee_range(),
        format!(
            "`{written}(...)` builds a client with its own connection pool for a single `.{}` and \
             never closes it; create one client at startup and share it",
            attribute.attr.as_str()
        ),
    ));
}

/// Async clients, cluster clients and pools: objects that own connections the
/// garbage collector does not close. (A sync client's sockets close when it is
/// collected; a sentinel only hands out clients.)
fn builds_a_pool(constructor: &Constructor) -> bool {
    constructor.is_async() && constructor.kind != Kind::Sentinel
}
