#![doc = include_str!("../../rules/docs/RU103.md")]

use ruff_python_ast::{Expr, ExprAwait, ExprCall};
use ruff_text_size::Ranged;

use super::Rule;
use crate::checker::Checker;
use crate::constructors::{Constructor, Kind, Library};
use crate::diagnostic::Diagnostic;
use crate::python::legacy::LegacyKind;

pub const DOC: &str = include_str!("../../rules/docs/RU103.md");

/// `await client.close()` on a redis.asyncio or aioredis 2.x client.
pub fn check_await(checker: &mut Checker, await_expr: &ExprAwait) {
    if !checker.enabled(Rule::DeprecatedClose) {
        return;
    }
    let Expr::Call(call) = await_expr.value.as_ref() else {
        return;
    };
    let Some((receiver, constructor)) = close_of_async_client(checker, call) else {
        return;
    };
    if constructor.library == Library::Aioredis1 || !constructor.builds_client() {
        return;
    }
    checker.report(Diagnostic::new(
        Rule::DeprecatedClose,
        await_expr.range(),
        format!(
            "`close()` is deprecated since redis-py 5.0.1; write `await {receiver}.aclose()`, which \
             also closes the connection pool the client created (aioredis 2.x `close()` left it open)"
        ),
    ));
}

/// `client.close()` as a statement of its own, not awaited: the aioredis 1.x
/// shutdown (`close()` then `await wait_closed()`), or a forgotten `await`.
pub fn check_statement(checker: &mut Checker, expr: &Expr) {
    if !checker.enabled(Rule::DeprecatedClose) {
        return;
    }
    let Expr::Call(call) = expr else {
        return;
    };
    let (receiver, library, kind) = match close_of_async_client(checker, call) {
        Some((receiver, constructor)) => (receiver, constructor.library, constructor.kind),
        None => match close_of_legacy_object(checker, call) {
            Some((receiver, kind)) => (receiver, Library::Aioredis1, kind),
            None => return,
        },
    };
    let message = if library == Library::Aioredis1 {
        let instead = match kind {
            Kind::Client | Kind::Cluster => format!(
                "`await {receiver}.aclose()`, which also closes the client's own connection pool"
            ),
            Kind::Pool => format!(
                "`await {receiver}.disconnect()` (or `await {receiver}.aclose()` with redis-py >= 5.0.1)"
            ),
            Kind::Sentinel => format!(
                "`await client.aclose()` on each client from `{receiver}.master_for()`/`slave_for()` \
                 (redis.asyncio's `Sentinel` has no `wait_closed()`)"
            ),
        };
        format!(
            "aioredis 1.x `{receiver}.close()` is synchronous, but in redis.asyncio `close()` is a \
             coroutine this line would never run; replace it and `await {receiver}.wait_closed()` \
             with {instead}"
        )
    } else if matches!(kind, Kind::Client | Kind::Cluster) {
        format!(
            "`{receiver}.close()` without `await` only creates a coroutine and closes nothing; \
             write `await {receiver}.aclose()`"
        )
    } else {
        return;
    };
    checker.report(Diagnostic::new(
        Rule::DeprecatedClose,
        call.range(),
        message,
    ));
}

/// For `<receiver>.close()` on an aioredis 1.x client or pool the 1.x model
/// knows (a `with await` connection, an annotated parameter, a factory's result).
fn close_of_legacy_object<'a>(checker: &Checker<'a>, call: &ExprCall) -> Option<(&'a str, Kind)> {
    let Expr::Attribute(method) = call.func.as_ref() else {
        return None;
    };
    if method.attr.as_str() != "close" || !call.arguments.is_empty() {
        return None;
    }
    let kind = match checker
        .legacy()
        .kind_of(&method.value, checker.scope(), checker.model())?
    {
        LegacyKind::Client => Kind::Client,
        LegacyKind::Pool => Kind::Pool,
        LegacyKind::Transaction
        | LegacyKind::Foreign
        | LegacyKind::Channels
        | LegacyKind::Channel => return None,
    };
    Some((checker.text(method.value.range()), kind))
}

/// For `<receiver>.close()` on a name or `self.<attr>` holding an async client:
/// the receiver as written and the client's constructor.
fn close_of_async_client<'a>(
    checker: &Checker<'a>,
    call: &ExprCall,
) -> Option<(&'a str, &'static Constructor)> {
    let Expr::Attribute(method) = call.func.as_ref() else {
        return None;
    };
    if method.attr.as_str() != "close" {
        return None;
    }
    let held = checker
        .clients()
        .held_by(&method.value, checker.scope(), checker.model())?;
    held.constructor
        .is_async()
        .then(|| (checker.text(method.value.range()), held.constructor))
}
