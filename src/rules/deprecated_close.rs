#![doc = include_str!("../../rules/docs/RU103.md")]

use ruff_python_ast::{Expr, ExprAwait, ExprCall};
use ruff_text_size::Ranged;

use super::Rule;
use crate::checker::Checker;
use crate::constructors::{Constructor, Kind, Library};
use crate::diagnostic::Diagnostic;
use crate::python::legacy::LegacyKind;
use crate::version::RedisVersion;

/// Advice text as it holds at the target redis-py: below 5.0.1, which has no
/// `aclose()`, a client is closed with `await client.close()`. For every rule
/// whose message names the way to close a client (RU101, RU103, RU204).
pub fn at_target(checker: &Checker, advice: &str) -> String {
    if has_aclose(checker) {
        advice.to_string()
    } else {
        advice.replace(".aclose()", ".close()")
    }
}

/// Whether the target redis-py has `aclose()` (5.0.1 and later, or no target).
pub fn has_aclose(checker: &Checker) -> bool {
    checker
        .options()
        .target_redis_version
        .is_none_or(|version| version >= RedisVersion::ACLOSE)
}

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
    if !has_aclose(checker) {
        // Before redis-py 5.0.1 `close()` is the only way, and not deprecated.
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
    // `aclose()` from redis-py 5.0.1 on; below the target, `close()` awaited.
    let close = if has_aclose(checker) {
        "aclose"
    } else {
        "close"
    };
    let message = if library == Library::Aioredis1 {
        let instead = match kind {
            Kind::Client | Kind::Cluster if close == "aclose" => format!(
                "`await {receiver}.aclose()`, which also closes the client's own connection pool"
            ),
            Kind::Client | Kind::Cluster => format!(
                "`await {receiver}.close()` (`aclose()` needs redis-py >= 5.0.1, above the \
                 target version)"
            ),
            Kind::Pool if close == "aclose" => format!(
                "`await {receiver}.disconnect()` (or `await {receiver}.aclose()` with redis-py >= 5.0.1)"
            ),
            Kind::Pool => format!("`await {receiver}.disconnect()`"),
            Kind::Sentinel => format!(
                "`await client.{close}()` on each client from `{receiver}.master_for()`/`slave_for()` \
                 (redis.asyncio's `Sentinel` has no `wait_closed()`)"
            ),
        };
        // redis.asyncio's pool has no `close()` at all; a client's is a coroutine.
        let there = match kind {
            Kind::Pool => "redis.asyncio's connection pool has no `close()` (an `AttributeError`)",
            Kind::Sentinel => "redis.asyncio's `Sentinel` has no `close()` (an `AttributeError`)",
            _ => "in redis.asyncio `close()` is a coroutine this line would never run",
        };
        format!(
            "aioredis 1.x `{receiver}.close()` is synchronous, but {there}; replace it and \
             `await {receiver}.wait_closed()` with {instead}"
        )
    } else if matches!(kind, Kind::Client | Kind::Cluster) {
        format!(
            "`{receiver}.close()` without `await` only creates a coroutine and closes nothing; \
             write `await {receiver}.{close}()`"
        )
    } else {
        return;
    };
    let mut diagnostic = Diagnostic::new(Rule::DeprecatedClose, call.range(), message);
    // The 1.x client's shutdown, in `async def` where `await` may be written; its
    // `await wait_closed()` is removed by RU101's fix. A pool or a sentinel by hand.
    if library == Library::Aioredis1 && matches!(kind, Kind::Sentinel) {
        // No rewrite: redis-py's `Sentinel` has no `close()`, and its `aclose()` is new
        // (8.1.0 has it, 4.2.0 does not). Shown, never applied; it holds the module.
        diagnostic = diagnostic.with_fix(crate::diagnostic::Fix::new(
            vec![crate::diagnostic::Edit::replacement(
                call.range(),
                format!("await {receiver}.aclose()"),
            )],
            crate::diagnostic::Applicability::DisplayOnly,
            format!(
                "Write `await {receiver}.aclose()` with redis-py 8.1.0 or later (before it, \
                 `await s.aclose()` (or `close()`) for each `s` in `{receiver}.sentinels`), remove \
                 `await {receiver}.wait_closed()`, and close the clients `master_for()` and \
                 `slave_for()` gave"
            ),
        ));
    }
    if library == Library::Aioredis1 && matches!(kind, Kind::Pool) {
        // A 1.x pool closed here cannot become a client by the `create_pool` rewrite.
        checker.pools_mut().block();
    }
    if library == Library::Aioredis1 && matches!(kind, Kind::Client) {
        if checker.in_async_function() {
            diagnostic = diagnostic.with_fix(super::legacy_rewrites::close(call, receiver, close));
        } else if checker
            .source()
            .contains(&format!("{receiver}.wait_closed("))
        {
            // In a sync function (`loop.run_until_complete(x.wait_closed())` below):
            // the close moves into that call, which RU101's fix makes `x.aclose()`.
            let alone = checker.is_alone_in_block(call.range());
            diagnostic = diagnostic.with_fix(super::legacy_rewrites::remove_statement(
                checker.source(),
                call.range(),
                alone,
                &format!("Remove it: `{receiver}.wait_closed()` becomes `{receiver}.{close}()`"),
            ));
        }
    }
    match call.func.as_ref() {
        Expr::Attribute(method) => checker.report_on(diagnostic, &method.value),
        _ => checker.report(diagnostic),
    }
}

/// `loop.call_soon(client.close)`: an aioredis 1.x client's or pool's synchronous
/// `close` handed over as a callback (not called). In redis.asyncio a client's
/// `close` is a coroutine function, so the callback only creates a coroutine that
/// nothing awaits (the client stays open); a pool has no `close` at all.
pub fn check_callback(checker: &mut Checker, call: &ExprCall) {
    if !checker.enabled(Rule::DeprecatedClose) || checker.legacy().is_empty() {
        return;
    }
    let arguments = call
        .arguments
        .args
        .iter()
        .chain(call.arguments.keywords.iter().map(|k| &k.value));
    let mut found = Vec::new();
    for argument in arguments {
        let Expr::Attribute(method) = argument else {
            continue;
        };
        if method.attr.as_str() != "close" || !method.ctx.is_load() {
            continue;
        }
        let kind = checker
            .legacy()
            .kind_of(&method.value, checker.scope(), checker.model());
        if let Some(kind @ (LegacyKind::Client | LegacyKind::Pool)) = kind {
            found.push((argument.range(), method.value.as_ref(), kind));
        }
    }
    // `atexit.register(pool.close)`, `weakref.finalize(obj, pool.close)`: run at exit.
    let at_exit = !found.is_empty()
        && checker
            .resolve(&call.func)
            .iter()
            .any(|q| matches!(q.as_str(), "atexit.register" | "weakref.finalize"));
    for (range, value, kind) in found {
        let receiver = checker.text(value.range());
        let there = match kind {
            LegacyKind::Pool => {
                "redis.asyncio's connection pool has no `close()` (an `AttributeError`)"
            }
            _ => {
                "in redis.asyncio `close` is a coroutine function: the callback only creates a \
                  coroutine nothing awaits, and the client stays open"
            }
        };
        let close = if kind == LegacyKind::Pool {
            "disconnect"
        } else if has_aclose(checker) {
            "aclose"
        } else {
            "close"
        };
        let callee = checker.text(call.func.range());
        if at_exit {
            // No event loop runs at exit: a scheduled close would never run (and
            // Python 3.14 refuses to schedule it). No callback form is right.
            let message = format!(
                "`{callee}({receiver}.close)` hands over aioredis 1.x's synchronous \
                 `{receiver}.close` to run at exit; {there}, and no event loop runs at exit to \
                 await it; close it in the application's shutdown coroutine instead: \
                 `await {receiver}.{close}()`"
            );
            checker.report_on(
                Diagnostic::new(Rule::DeprecatedClose, range, message),
                value,
            );
            continue;
        }
        let message = format!(
            "`{callee}({receiver}.close)` hands over aioredis 1.x's synchronous \
             `{receiver}.close` as a callback; {there}; pass a callback that schedules the \
             close: `lambda: asyncio.ensure_future({receiver}.{close}())`"
        );
        // Shown, never applied: the module may not import `asyncio`, and the callback's
        // caller decides when it runs. It holds the module's 1.x rewrites.
        let fix = crate::diagnostic::Fix::new(
            vec![crate::diagnostic::Edit::replacement(
                range,
                format!("lambda: asyncio.ensure_future({receiver}.{close}())"),
            )],
            crate::diagnostic::Applicability::DisplayOnly,
            format!("Pass `lambda: asyncio.ensure_future({receiver}.{close}())`"),
        );
        let diagnostic = Diagnostic::new(Rule::DeprecatedClose, range, message).with_fix(fix);
        checker.report_on(diagnostic, value);
    }
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
        LegacyKind::Sentinel => Kind::Sentinel,
        LegacyKind::Future
        | LegacyKind::Reply
        | LegacyKind::Transaction
        | LegacyKind::Foreign
        | LegacyKind::Channels
        | LegacyKind::ChannelMap
        | LegacyKind::Channel
        | LegacyKind::Collection(_)
        | LegacyKind::Keys(_) => return None,
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
