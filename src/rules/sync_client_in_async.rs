#![doc = include_str!("../../rules/docs/RU200.md")]

use ruff_python_ast::{Expr, ExprAttribute, ExprCall};
use ruff_text_size::Ranged;

use super::Rule;
use crate::checker::Checker;
use crate::constructors::{Kind, Mode};
use crate::diagnostic::Diagnostic;
use crate::python::clients::Construction;

pub const DOC: &str = include_str!("../../rules/docs/RU200.md");

/// A sync client (or cluster client, or sentinel) built directly inside `async def`.
pub fn check_construction(checker: &mut Checker, construction: &Construction) {
    let constructor = construction.constructor;
    if !checker.enabled(Rule::SyncClientInAsync)
        || constructor.mode != Mode::Sync
        || constructor.kind == Kind::Pool
        || !checker.in_async_function()
    {
        return;
    }
    let written = checker.text(construction.callee_range());
    let instead = constructor
        .async_counterpart
        .as_deref()
        .unwrap_or("a `redis.asyncio` client");
    checker.report(Diagnostic::new(
        Rule::SyncClientInAsync,
        construction.callee_range(),
        format!(
            "`{written}` builds a sync redis-py client inside `async def`, where each of its commands \
             blocks the event loop; use `{instead}` and `await` its commands"
        ),
    ));
}

/// `client.command(...)` inside `async def` on a name or `self.<attr>` that
/// holds a sync client built elsewhere (one built in the same function is
/// reported where it is built).
pub fn check_method_call(checker: &mut Checker, call: &ExprCall, method: &ExprAttribute) {
    if !checker.enabled(Rule::SyncClientInAsync) || !checker.in_async_function() {
        return;
    }
    let Some(held) = checker
        .clients()
        .held_by(&method.value, checker.scope(), checker.model())
    else {
        return;
    };
    let constructor = held.constructor;
    if constructor.mode != Mode::Sync
        || constructor.kind == Kind::Pool
        || !checker
            .constructors()
            .sync_method_blocks(method.attr.as_str())
    {
        return;
    }
    if let Expr::Name(name) = method.value.as_ref() {
        let bound_in = checker
            .model()
            .binding_scope(name.id.as_str(), checker.scope());
        if checker.function().map(|f| f.scope) == bound_in {
            return;
        }
    }
    let receiver = checker.text(method.value.range());
    checker.report(Diagnostic::new(
        Rule::SyncClientInAsync,
        call.range(),
        format!(
            "`{receiver}.{}()` is a blocking call on a sync redis-py client inside `async def`; use a \
             `redis.asyncio` client and `await` it, or run it with `await asyncio.to_thread(...)`",
            method.attr.as_str()
        ),
    ));
}
