//! RU101 on the aioredis 1.x client itself: attributes (`subscribe`,
//! `multi_exec`, `wait_closed`, ...) and keyword arguments (`set(expire=)`,
//! `get(encoding=)`) that redis.asyncio's client does not have. The tables are
//! data in `rules/aioredis-api.toml` (`[client]`, `[client_methods]`,
//! `[client_keywords]`); only names and `self.<attr>`s the client model says
//! hold a client from one of the `[client]` constructors are judged.

use ruff_python_ast::{Expr, ExprCall};
use ruff_text_size::Ranged;

use super::Rule;
use crate::checker::Checker;
use crate::constructors::Library;
use crate::diagnostic::Diagnostic;

/// `expr` is the outermost node of an attribute chain: every `<client>.<attr>`
/// in it whose receiver holds an aioredis 1.x client and whose attribute that
/// client alone has (`redis.subscribe`, `self.redis.closed`).
pub fn check_attribute(checker: &mut Checker, expr: &Expr) {
    if !checker.enabled(Rule::AioredisLegacyApi) || checker.clients().is_empty() {
        return;
    }
    let mut current = expr;
    while let Expr::Attribute(attribute) = current {
        if attribute.ctx.is_load()
            && let Some(entry) = checker.api().client_method(attribute.attr.as_str())
            && holds_legacy_client(checker, &attribute.value)
        {
            let receiver = checker.text(attribute.value.range());
            let message = format!(
                "`{receiver}.{}` exists only on the aioredis 1.x client; {}",
                attribute.attr.as_str(),
                super::deprecated_close::at_target(checker, &entry.instead)
            );
            checker.report(Diagnostic::new(
                Rule::AioredisLegacyApi,
                attribute.attr.range(),
                message,
            ));
        }
        current = &attribute.value;
    }
}

/// `<client>.<method>(..., keyword=...)` on an aioredis 1.x client, with a
/// keyword redis.asyncio's `<method>` does not take (`set(expire=)`).
pub fn check_call(checker: &mut Checker, call: &ExprCall) {
    if !checker.enabled(Rule::AioredisLegacyApi) || checker.clients().is_empty() {
        return;
    }
    let Expr::Attribute(method) = call.func.as_ref() else {
        return;
    };
    if call.arguments.keywords.is_empty() || !holds_legacy_client(checker, &method.value) {
        return;
    }
    let method_name = method.attr.as_str();
    for keyword in &call.arguments.keywords {
        let Some(arg) = &keyword.arg else { continue };
        let Some(entry) = checker.api().client_keyword(method_name, arg.as_str()) else {
            continue;
        };
        let message = format!(
            "`{method_name}({}=...)` exists only in aioredis 1.x; {}",
            arg.as_str(),
            super::deprecated_close::at_target(checker, &entry.instead)
        );
        // At the keyword's name: the value may be long, and the plan lists the text.
        checker.report(Diagnostic::new(
            Rule::AioredisLegacyApi,
            arg.range(),
            message,
        ));
    }
}

/// Whether `receiver` (a name or `self.<attr>`) holds an aioredis 1.x `Redis` client.
fn holds_legacy_client(checker: &Checker, receiver: &Expr) -> bool {
    checker
        .clients()
        .held_by(receiver, checker.scope(), checker.model())
        .is_some_and(|held| {
            held.constructor.library == Library::Aioredis1
                && checker.api().builds_legacy_client(&held.constructor.name)
        })
}
