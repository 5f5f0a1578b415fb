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
use super::legacy_rewrites;
use crate::checker::Checker;
use crate::constructors::Library;
use crate::diagnostic::{Applicability, Diagnostic, Hold};
use crate::python::legacy::LegacyKind;

const CLIENT: &str = "the aioredis 1.x client";
const POOL: &str = "the aioredis 1.x pool";
/// A 1.x-only name on a receiver the model knows nothing about.
const LOOKS_LIKE: &str = "";

/// Whether the 1.x model has anything to say in this module.
pub(super) fn has_work(checker: &Checker) -> bool {
    checker.enabled(Rule::AioredisLegacyApi)
        && (!checker.legacy().is_empty() || checker.legacy().is_1x())
}

/// The 1.x kind `receiver` (a name or `self.<attr>`) holds.
pub(super) fn kind_of(checker: &Checker, receiver: &Expr) -> Option<LegacyKind> {
    checker
        .legacy()
        .kind_of(receiver, checker.scope(), checker.model())
}

/// `expr` is the outermost node of an attribute chain: every `<client>.<attr>`
/// in it whose receiver holds an aioredis 1.x client or pool and whose
/// attribute that object alone has (`redis.subscribe`, `self.pool.execute`).
pub fn check_attribute(checker: &mut Checker, expr: &Expr) {
    if !has_work(checker) {
        return;
    }
    // A 1.x sentinel used as a value (`return self.sentinel`): not followed.
    check_sentinel_use(checker, expr);
    let mut current = expr;
    while let Expr::Attribute(attribute) = current {
        if attribute.ctx.is_load() {
            let name = attribute.attr.as_str();
            let api = checker.api();
            let kind = kind_of(checker, &attribute.value);
            if let Some(message) = other_meaning(checker, kind, &attribute.value, name) {
                let diagnostic =
                    Diagnostic::new(Rule::AioredisLegacyApi, attribute.attr.range(), message);
                checker.report_on(diagnostic, &attribute.value);
                current = &attribute.value;
                continue;
            }
            if kind == Some(LegacyKind::Sentinel) && !matches!(name, "master_for" | "slave_for") {
                // No rewrite carries it: the `create_sentinel` rewrite waits.
                checker.sentinels_mut().block();
            }
            let found = match kind {
                Some(LegacyKind::Client) => api.client_method(name).map(|entry| (CLIENT, entry)),
                Some(LegacyKind::Sentinel) => api
                    .sentinel_method(name)
                    .map(|entry| ("the aioredis 1.x sentinel", entry)),
                Some(LegacyKind::Pool) => api.pool_method(name).map(|entry| (POOL, entry)),
                Some(LegacyKind::Channel) => api
                    .channel_method(name)
                    .map(|entry| ("the aioredis 1.x `Channel`", entry)),
                Some(LegacyKind::Transaction) => api
                    .transaction_method(name)
                    .map(|entry| ("the aioredis 1.x transaction", entry)),
                // A name only the 1.x client has, on an unknown receiver in a 1.x
                // module (a pytest fixture, an untyped parameter), unless the
                // module's own classes define it.
                None if checker.legacy().is_1x()
                    && !checker.legacy().defines_method(name)
                    && !is_other_client(checker, &attribute.value) =>
                {
                    api.client_method(name)
                        .filter(|entry| entry.anywhere)
                        .map(|entry| (LOOKS_LIKE, entry))
                }
                _ => None,
            };
            // A reply only 1.x gave, dropped here (`await conn.unwatch()`): the same.
            let found = found.filter(|(_, entry)| {
                !(entry.when_used && checker.reply_is_dropped(attribute.range()))
            });
            if let Some((owner, entry)) = found {
                let receiver = checker.text(attribute.value.range());
                let instead = super::deprecated_close::at_target(checker, &entry.instead);
                let message = match (&entry.in_1x, &entry.in_redis_py) {
                    _ if owner == LOOKS_LIKE => {
                        format!("looks like an aioredis 1.x call: `{receiver}.{name}`; {instead}")
                    }
                    (Some(in_1x), Some(in_redis_py)) => format!(
                        "`{receiver}.{name}` is {in_1x} on {owner}; in redis.asyncio it is \
                         {in_redis_py}; {instead}"
                    ),
                    _ => format!("`{receiver}.{name}` exists only on {owner}; {instead}"),
                };
                let mut diagnostic =
                    Diagnostic::new(Rule::AioredisLegacyApi, attribute.attr.range(), message);
                let fix = checker.take_callee_fix(attribute.attr.range()).or_else(|| {
                    if owner != CLIENT {
                        None
                    } else if name == "wait_closed" {
                        // Not a statement of its own (`loop.run_until_complete(x.wait_closed())`):
                        // the close itself, now that `x.close()` above is removed.
                        let close = if super::deprecated_close::has_aclose(checker) {
                            "aclose"
                        } else {
                            "close"
                        };
                        legacy_rewrites::rename_method(close, attribute.attr.range())
                    } else {
                        legacy_rewrites::rename_method(name, attribute.attr.range())
                    }
                });
                if let Some(fix) = fix {
                    diagnostic = diagnostic.with_fix(fix);
                }
                if owner == POOL {
                    let index = checker.diagnostic_count();
                    // `async with pool.get() as conn:` (the call starts where the chain does).
                    if name == "get" && checker.pools().is_async_with_item(expr.start()) {
                        diagnostic =
                            diagnostic.with_fix(legacy_rewrites::pool_get(attribute.attr.range()));
                        checker.pools_mut().get(index);
                    } else {
                        checker.pools_mut().block();
                    }
                }
                if name == "multi_exec" && owner == CLIENT {
                    let index = checker.diagnostic_count();
                    checker
                        .transactions_mut()
                        .reported(attribute.attr.range(), index);
                }
                checker.report_on(diagnostic, &attribute.value);
            }
        }
        current = &attribute.value;
    }
}

/// `<receiver>.<name>` whose meaning differs under redis.asyncio: an attribute
/// of a 1.x connection that redis.asyncio's client has as something else
/// (`conn.pubsub_channels`), or an attribute of a 1.x reply whose shape differs
/// (`info.role` on what `role()` returned). The message, when it is one.
fn other_meaning(
    checker: &Checker,
    kind: Option<LegacyKind>,
    receiver: &Expr,
    name: &str,
) -> Option<String> {
    let api = checker.api();
    let written = checker.text(receiver.range());
    match kind? {
        LegacyKind::Client => {
            let entry = api.connection_attribute(name)?;
            if !checker
                .legacy()
                .is_connection(receiver, checker.scope(), checker.model())
            {
                return None;
            }
            Some(format!(
                "`{written}.{name}` on an aioredis 1.x connection is {}; on redis.asyncio's client \
                 it is {}; {}",
                entry.in_1x, entry.in_redis_py, entry.instead
            ))
        }
        // `fut.done()`, `fut.result()`, ...: asyncio's `Future` API on what redis.asyncio
        // makes the pipeline itself.
        LegacyKind::Future => {
            let Some(transaction) =
                checker
                    .legacy()
                    .queued_on(receiver, checker.scope(), checker.model())
            else {
                // The future a 1.x `execute()` returned (the command already sent).
                let call = checker
                    .legacy()
                    .sent_by(receiver, checker.scope(), checker.model())?;
                return Some(format!(
                    "`{written}.{name}` reads the future an aioredis 1.x `{call}()` returned \
                     (the command sent when called); {}",
                    api.futures().sent_instead
                ));
            };
            Some(format!(
                "`{written}.{name}` reads the future of a command queued on `{transaction}` (an \
                 aioredis 1.x transaction or pipeline); {}",
                api.futures().instead.replace("{transaction}", transaction)
            ))
        }
        LegacyKind::Reply => {
            let command = checker.legacy().reply_of(
                receiver,
                checker.scope(),
                checker.model(),
                checker.api(),
            )?;
            let (command, shape, false) = api.reply_part(command)? else {
                return None;
            };
            let breaks = match shape.shape.as_str() {
                "namedtuple" => !matches!(name, "count" | "index"),
                "dict" => matches!(name, "items" | "keys" | "values" | "get"),
                _ => false,
            };
            breaks.then(|| reply_message(written, &format!(".{name}"), command, shape))
        }
        _ => None,
    }
}

fn reply_message(
    written: &str,
    access: &str,
    command: &str,
    shape: &crate::api::ReplyShape,
) -> String {
    format!(
        "`{written}{access}` reads the aioredis 1.x reply of `{command}()`, {}; redis.asyncio \
         returns {}; {}",
        shape.in_1x, shape.in_redis_py, shape.instead
    )
}

/// `subs[b"channel"]` on the reply of a 1.x command that gave a dict
/// (`pubsub_numsub()`), a list of pairs in redis.asyncio.
pub fn check_subscript(checker: &mut Checker, subscript: &ast::ExprSubscript) {
    if !has_work(checker) || checker.legacy().is_empty() {
        return;
    }
    if kind_of(checker, &subscript.value) != Some(LegacyKind::Reply)
        || matches!(
            subscript.slice.as_ref(),
            Expr::NumberLiteral(_) | Expr::Slice(_)
        )
        || !subscript.ctx.is_load()
    {
        return;
    }
    let Some(command) = checker.legacy().reply_of(
        &subscript.value,
        checker.scope(),
        checker.model(),
        checker.api(),
    ) else {
        return;
    };
    let Some((command, shape, false)) = checker.api().reply_part(command) else {
        return;
    };
    if shape.shape != "dict" {
        return;
    }
    let written = checker.text(subscript.value.range());
    let access = format!("[{}]", checker.text(subscript.slice.range()));
    let message = reply_message(written, &access, command, shape);
    let diagnostic = Diagnostic::new(Rule::AioredisLegacyApi, subscript.range(), message);
    checker.report_on(diagnostic, &subscript.value);
}

/// `subs == {b"ch": 1}`: the reply of a 1.x command that gave a dict
/// (`pubsub_numsub()`), compared with a dict display; a list of pairs in
/// redis.asyncio never equals it. `await redis.ping() == b"PONG"`: a reply of
/// a literal shape compared with what 1.x returned (redis-py's is `True`).
pub fn check_compare(checker: &mut Checker, compare: &ast::ExprCompare) {
    if !has_work(checker) || checker.legacy().is_empty() {
        return;
    }
    if !compare
        .ops
        .iter()
        .all(|op| matches!(op, ast::CmpOp::Eq | ast::CmpOp::NotEq))
    {
        return;
    }
    let operands: Vec<&Expr> = std::iter::once(compare.left.as_ref())
        .chain(compare.comparators.iter())
        .collect();
    let has_dict = operands.iter().any(|operand| operand.is_dict_expr());
    let has_list = operands.iter().any(|operand| operand.is_list_expr());
    let literals: Vec<String> = operands.iter().filter_map(|o| text_literal(o)).collect();
    if !has_dict && !has_list && literals.is_empty() {
        return;
    }
    for operand in operands {
        let Some(command) = reply_command(checker, operand) else {
            continue;
        };
        let Some((command, shape, false)) = checker.api().reply_part(&command) else {
            continue;
        };
        let compared_with = match shape.shape.as_str() {
            "dict" if has_dict => "a dict".to_string(),
            "tuple" | "set" if has_list => "a list".to_string(),
            "literal" => match literals.iter().find(|l| shape.was.contains(l)) {
                Some(literal) => format!("`{literal}`"),
                None => continue,
            },
            _ => continue,
        };
        let written = checker.text(operand.range());
        let message = format!(
            "`{written}` is compared with {compared_with}, as the aioredis 1.x reply of \
             `{command}()` was ({}); redis.asyncio returns {}, which never equals it; {}",
            shape.in_1x, shape.in_redis_py, shape.instead
        );
        let diagnostic = Diagnostic::new(Rule::AioredisLegacyApi, operand.range(), message);
        checker.report_on(diagnostic, operand);
        return;
    }
}

/// The 1.x command whose reply `operand` is: a name holding it, or the awaited
/// call itself on a known 1.x client (`await redis.ping()`).
pub(super) fn reply_command(checker: &Checker, operand: &Expr) -> Option<String> {
    if let Expr::Await(awaited) = operand
        && let Expr::Call(call) = awaited.value.as_ref()
        && let Expr::Attribute(method) = call.func.as_ref()
    {
        // Only a command with a 1.x reply shape has a reply to judge.
        let command = method.attr.as_str();
        return (checker.api().reply_shape(command).is_some()
            && kind_of(checker, &method.value) == Some(LegacyKind::Client))
        .then(|| {
            crate::python::legacy::reply_name(command, crate::python::legacy::argument_count(call))
        });
    }
    if kind_of(checker, operand) != Some(LegacyKind::Reply) {
        return None;
    }
    checker
        .legacy()
        .reply_of(operand, checker.scope(), checker.model(), checker.api())
        .map(str::to_string)
}

/// The text of a str or bytes literal (`"PONG"`, `b"PONG"`).
fn text_literal(expr: &Expr) -> Option<String> {
    match expr {
        Expr::StringLiteral(literal) => Some(literal.value.to_str().to_string()),
        Expr::BytesLiteral(literal) => {
            let bytes: Vec<u8> = literal.value.bytes().collect();
            String::from_utf8(bytes).ok()
        }
        _ => None,
    }
}

/// `await fut` on the result of a command queued on a 1.x transaction or pipeline.
pub fn check_await(checker: &mut Checker, await_expr: &ast::ExprAwait) {
    if !has_work(checker) || checker.legacy().is_empty() {
        return;
    }
    let value = await_expr.value.as_ref();
    check_awaited_queued_call(checker, await_expr);
    if kind_of(checker, value) != Some(LegacyKind::Future) {
        return;
    }
    let Some(transaction) = checker
        .legacy()
        .queued_on(value, checker.scope(), checker.model())
    else {
        return;
    };
    let written = checker.text(value.range());
    let message = format!(
        "`{written}` is the future of a command queued on `{transaction}` (an aioredis 1.x \
         transaction or pipeline); {}",
        checker
            .api()
            .futures()
            .instead
            .replace("{transaction}", transaction)
    );
    let diagnostic = Diagnostic::new(Rule::AioredisLegacyApi, await_expr.range(), message);
    checker.report_on(diagnostic, value);
}

/// `await tr.incr("k")`: a command queued on a known 1.x transaction or pipeline,
/// awaited at once. 1.x awaited the command's future (never resolved before
/// `execute()`, an `AssertionError` after it); redis.asyncio's queued command returns
/// the pipeline, so this awaits the pipeline, not a reply. Not `execute()`, nor the
/// commands redis.asyncio's pipeline runs at once (`[unawaited] pipeline`: `watch`).
fn check_awaited_queued_call(checker: &mut Checker, await_expr: &ast::ExprAwait) {
    let Expr::Call(call) = await_expr.value.as_ref() else {
        return;
    };
    let Expr::Attribute(method) = call.func.as_ref() else {
        return;
    };
    let name = method.attr.as_str();
    if name == "execute"
        || checker.api().runs_only_when_awaited(name, true)
        || kind_of(checker, &method.value) != Some(LegacyKind::Transaction)
    {
        return;
    }
    let transaction = checker.text(method.value.range());
    let message = format!(
        "`await {transaction}.{name}(...)` awaits a command queued on `{transaction}` (an \
         aioredis 1.x transaction or pipeline): 1.x awaited its future (an `AssertionError` \
         once `execute()` has run); redis.asyncio's queued command returns the pipeline, so \
         this awaits the pipeline, not a reply; {}",
        checker
            .api()
            .futures()
            .instead
            .replace("{transaction}", transaction)
    );
    let diagnostic = Diagnostic::new(Rule::AioredisLegacyApi, await_expr.range(), message);
    checker.report_on(diagnostic, &method.value);
}

/// `asyncio.gather(fut1, fut2)` (and the other `[futures] awaiting` functions) given
/// futures of commands queued on a 1.x transaction or pipeline.
fn check_futures_call(checker: &mut Checker, call: &ExprCall) {
    if checker.legacy().is_empty() || call.arguments.args.is_empty() {
        return;
    }
    let mut futures = Vec::new();
    let mut transaction = None;
    for argument in &call.arguments.args {
        let argument = match argument {
            Expr::Starred(starred) => starred.value.as_ref(),
            other => other,
        };
        if kind_of(checker, argument) == Some(LegacyKind::Future) {
            futures.push(format!("`{}`", checker.text(argument.range())));
            transaction = transaction.or_else(|| {
                checker
                    .legacy()
                    .queued_on(argument, checker.scope(), checker.model())
            });
        }
    }
    let Some(transaction) = transaction else {
        return;
    };
    let api = checker.api();
    let callee = checker.resolve(&call.func);
    if !callee
        .iter()
        .any(|q| api.futures().awaiting.iter().any(|a| a == q))
    {
        return;
    }
    let message = format!(
        "`{}(...)` awaits {}, futures of commands queued on `{transaction}` (an aioredis 1.x \
         transaction or pipeline); {}",
        checker.text(call.func.range()),
        futures.join(", "),
        api.futures().instead.replace("{transaction}", transaction)
    );
    checker.report(Diagnostic::new(
        Rule::AioredisLegacyApi,
        call.range(),
        message,
    ));
}

/// `str(chan)` on a 1.x `Channel` (`[channel_text]`): 1.x's repr, and no such
/// object in redis.asyncio.
fn check_channel_text(checker: &mut Checker, call: &ExprCall) {
    let Expr::Name(builtin) = call.func.as_ref() else {
        return;
    };
    let [argument] = &*call.arguments.args else {
        return;
    };
    let text = checker.api().channel_text();
    if !call.arguments.keywords.is_empty()
        || !text.builtins.iter().any(|b| b == builtin.id.as_str())
        || !checker
            .model()
            .is_unbound(builtin.id.as_str(), checker.scope())
        || kind_of(checker, argument) != Some(LegacyKind::Channel)
    {
        return;
    }
    let written = checker.text(call.range());
    let message = format!(
        "`{written}` formats an aioredis 1.x `Channel` ({}); redis.asyncio has no `Channel`; {}",
        text.in_1x, text.instead
    );
    let diagnostic = Diagnostic::new(Rule::AioredisLegacyApi, call.range(), message);
    checker.report_on(diagnostic, argument);
}

/// `<receiver>.<method>(...)` with a keyword or positional form only aioredis
/// 1.x takes: on a known 1.x client or transaction, or, in a 1.x module, on a
/// receiver that is not known to be something else.
pub fn check_call(checker: &mut Checker, call: &ExprCall) {
    if !has_work(checker) {
        return;
    }
    check_futures_call(checker, call);
    check_channel_text(checker, call);
    let Expr::Attribute(method) = call.func.as_ref() else {
        return;
    };
    let method_name = method.attr.as_str();
    if method_name == "__init__" {
        check_super_init(checker, call, method);
        return;
    }
    let api = checker.api();
    let positional = api.client_positional(method_name);
    let kind = kind_of(checker, &method.value);
    if kind == Some(LegacyKind::Client)
        && matches!(method_name, "hmset_dict" | "publish_json")
        && let Some(fix) = legacy_rewrites::method_call(
            checker.source(),
            call,
            method,
            checker.first_import(),
            checker
                .model()
                .resolve_name("json", checker.scope())
                .iter()
                .any(|q| q == "json"),
        )
    {
        checker.offer_callee_fix(method.attr.range(), fix);
    }
    if kind == Some(LegacyKind::Transaction)
        && let Expr::Name(name) = method.value.as_ref()
    {
        checker
            .transactions_mut()
            .queued(name.id.as_str(), method_name, call);
    }
    if matches!(kind, Some(LegacyKind::Client | LegacyKind::Transaction)) {
        check_required(checker, call, method);
        check_arguments(checker, call, method);
    }
    if call.arguments.keywords.is_empty() && positional.is_none() {
        return;
    }
    let known = match kind {
        Some(LegacyKind::Client | LegacyKind::Transaction) => true,
        Some(
            LegacyKind::Pool
            | LegacyKind::Foreign
            | LegacyKind::Channels
            | LegacyKind::ChannelMap
            | LegacyKind::Channel
            | LegacyKind::Sentinel
            | LegacyKind::Future
            | LegacyKind::Reply
            | LegacyKind::Collection(_)
            | LegacyKind::Keys(_),
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
        let mut diagnostic = Diagnostic::new(
            Rule::AioredisLegacyApi,
            arg.range(),
            message(
                known,
                &written,
                &super::deprecated_close::at_target(checker, &entry.instead),
            ),
        );
        if let Some(fix) = legacy_rewrites::keyword(checker.source(), call, method_name, keyword) {
            diagnostic = diagnostic.with_fix(fix);
        } else if known
            && arg.as_str() == "encoding"
            && let Some(decoding) =
                checker
                    .legacy()
                    .decoding_of(&method.value, checker.scope(), checker.model())
            && let Some(fix) = legacy_rewrites::encoding(checker.source(), call, keyword, decoding)
        {
            diagnostic = diagnostic.with_fix(fix);
        }
        checker.report_on(diagnostic, &method.value);
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
        // `mset(*pairs)` on a known 1.x object: flat pairs.
        let starred = known
            && entry.starred_after.is_some_and(|after| {
                arguments
                    .iter()
                    .position(Expr::is_starred_expr)
                    .is_some_and(|first| first >= after)
            });
        if starred {
            let written = format!("{method_name}(*...)` with the values unpacked");
            let text = format!("`{written} is aioredis 1.x's signature; {}", entry.instead);
            let diagnostic = Diagnostic::new(Rule::AioredisLegacyApi, method.attr.range(), text);
            checker.report_on(diagnostic, &method.value);
        } else if count >= entry.min_positional && (known || (entry.anywhere && numeric_ok())) {
            let plural = if count == 1 { "" } else { "s" };
            let written = format!("{method_name}(...)` with {count} positional argument{plural}");
            let text = if known {
                format!("`{written} is aioredis 1.x's signature; {}", entry.instead)
            } else {
                format!(
                    "looks like an aioredis 1.x call: `{written}; {}",
                    entry.instead
                )
            };
            let mut diagnostic =
                Diagnostic::new(Rule::AioredisLegacyApi, method.attr.range(), text);
            if let Some(fix) = legacy_rewrites::positional(checker.source(), call, method) {
                diagnostic = diagnostic.with_fix(fix);
            }
            checker.report_on(diagnostic, &method.value);
        }
    }
}

/// `zrange(key)` on a known 1.x object: arguments 1.x defaulted and
/// redis.asyncio requires (`[client_required]`).
fn check_required(checker: &mut Checker, call: &ExprCall, method: &ast::ExprAttribute) {
    let Some(entry) = checker.api().client_required(method.attr.as_str()) else {
        return;
    };
    let arguments = &call.arguments;
    if arguments.args.iter().any(Expr::is_starred_expr)
        || arguments.keywords.iter().any(|k| {
            k.arg
                .as_ref()
                .is_none_or(|arg| entry.unless_keywords.iter().any(|u| u == arg.as_str()))
        })
        || arguments.args.is_empty()
    {
        return;
    }
    let given = arguments.args.len() - 1;
    let missing: Vec<&str> = entry
        .parameters
        .iter()
        .skip(given)
        .filter(|name| {
            !arguments
                .keywords
                .iter()
                .any(|k| k.arg.as_ref().is_some_and(|a| a.as_str() == name.as_str()))
        })
        .map(String::as_str)
        .collect();
    if missing.is_empty() {
        return;
    }
    let name = method.attr.as_str();
    let missing = missing
        .iter()
        .map(|m| format!("`{m}`"))
        .collect::<Vec<_>>()
        .join(" and ");
    let diagnostic = Diagnostic::new(
        Rule::AioredisLegacyApi,
        method.attr.range(),
        format!(
            "`{name}(...)` without {missing} relies on aioredis 1.x's defaults; redis.asyncio \
             requires them; {}",
            entry.instead
        ),
    );
    checker.report_on(diagnostic, &method.value);
}

/// `expire(key, 10.0)`, `zrangebylex(key, min=b"a")`, `bitpos(key, 0, end=3)` on a
/// known 1.x object: argument values 1.x converted before sending and redis.asyncio
/// sends as they are, or refuses (`[client_arguments]`). One finding per call.
fn check_arguments(checker: &mut Checker, call: &ExprCall, method: &ast::ExprAttribute) {
    let entries = checker.api().client_arguments(method.attr.as_str());
    if entries.is_empty() {
        return;
    }
    let arguments = &call.arguments;
    // Past a `*args` positions are unknown; `**kwargs` may give anything.
    let starred = arguments.args.iter().position(Expr::is_starred_expr);
    let given = |name: &str, position: usize| -> Option<&Expr> {
        if starred.is_none_or(|first| position < first)
            && let Some(arg) = arguments.args.get(position)
        {
            return Some(arg);
        }
        arguments
            .keywords
            .iter()
            .find(|k| k.arg.as_ref().is_some_and(|a| a.as_str() == name))
            .map(|k| &k.value)
    };
    if arguments.keywords.iter().any(|k| k.arg.is_none()) {
        return;
    }
    let mut hits = Vec::new();
    // The first entry that applies says what 1.x did and what to write.
    let mut first_hit = None;
    for (parameter, entry) in entries {
        let Some(value) = given(parameter, entry.position) else {
            continue;
        };
        let hit = match (entry.value.as_deref(), &entry.without) {
            (Some("float"), _) => is_float(checker, value),
            (Some("bytes"), _) => match value {
                Expr::BytesLiteral(literal) => {
                    let bytes: Vec<u8> = literal.value.bytes().collect();
                    !entry.unchanged.iter().any(|u| u.as_bytes() == bytes)
                }
                _ => false,
            },
            (None, Some(without)) => {
                starred.is_none() && given(&without.name, without.position).is_none()
            }
            _ => false,
        };
        if hit {
            hits.push(format!("`{parameter}={}`", checker.text(value.range())));
            first_hit.get_or_insert(entry);
        }
    }
    let Some(entry) = first_hit else {
        return;
    };
    let name = method.attr.as_str();
    let message = format!(
        "`{name}(...)` passes {}: {}; {}; {}",
        hits.join(", "),
        entry.in_1x,
        entry.in_redis_py,
        entry.instead
    );
    let diagnostic = Diagnostic::new(Rule::AioredisLegacyApi, method.attr.range(), message);
    checker.report_on(diagnostic, &method.value);
}

/// Whether `expr` is a float: a float literal, a division, arithmetic with a float
/// operand, a call of a `[float_values]` function, or a name whose last assignment
/// visited so far stored one.
fn is_float(checker: &Checker, expr: &Expr) -> bool {
    match expr {
        Expr::NumberLiteral(number) => matches!(number.value, Number::Float(_)),
        Expr::UnaryOp(unary) => {
            matches!(unary.op, ast::UnaryOp::USub | ast::UnaryOp::UAdd)
                && is_float(checker, &unary.operand)
        }
        Expr::BinOp(binary) => match binary.op {
            ast::Operator::Div => true,
            ast::Operator::Add
            | ast::Operator::Sub
            | ast::Operator::Mult
            | ast::Operator::Mod
            | ast::Operator::Pow
            | ast::Operator::FloorDiv => {
                is_float(checker, &binary.left) || is_float(checker, &binary.right)
            }
            _ => false,
        },
        Expr::Call(inner) => {
            let api = checker.api();
            let last_name = match inner.func.as_ref() {
                Expr::Name(name) => name.id.as_str(),
                Expr::Attribute(attribute) => attribute.attr.as_str(),
                _ => return false,
            };
            if !api.may_return_float(last_name) {
                return false;
            }
            match inner.func.as_ref() {
                Expr::Name(name)
                    if checker
                        .model()
                        .is_unbound(name.id.as_str(), checker.scope()) =>
                {
                    api.returns_float(&format!("builtins.{}", name.id))
                }
                func => checker.resolve(func).iter().any(|q| api.returns_float(q)),
            }
        }
        Expr::Name(name) => checker.holds_float(name.id.as_str()),
        _ => false,
    }
}

/// `super().__init__(pool_or_conn)` in a subclass of the 1.x `Redis`: 1.x's
/// constructor took the pool or connection positionally, redis.asyncio's
/// `Redis()` takes keywords only (arq 0.19's `ArqRedis`).
fn check_super_init(checker: &mut Checker, call: &ExprCall, method: &ast::ExprAttribute) {
    let Expr::Call(inner) = method.value.as_ref() else {
        return;
    };
    if !matches!(inner.func.as_ref(), Expr::Name(name) if name.id.as_str() == "super")
        || call.arguments.args.is_empty()
        || !checker.legacy().in_client_subclass(checker.scope())
    {
        return;
    }
    let diagnostic = Diagnostic::new(
        Rule::AioredisLegacyApi,
        call.arguments.args[0].range(),
        "`super().__init__(pool_or_conn)` with a positional argument is aioredis 1.x's \
         `Redis` constructor; redis.asyncio's `Redis()` takes keywords only: pass \
         `connection_pool=` (a `redis.asyncio.ConnectionPool`)",
    );
    checker.report(diagnostic);
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
        if let Expr::Name(name) = &item.context_expr {
            check_split_with(checker, name, item.optional_vars.is_some());
        }
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
        let mut diagnostic = Diagnostic::new(
            Rule::AioredisLegacyApi,
            item.context_expr.range(),
            message(known, &written, instead),
        );
        // A 1.x `Redis` client (not a `create_pool` pool: redis.asyncio's pool has no
        // `client()`), in `async def` where `async with` may be written.
        if kind_of(checker, &awaited.value) == Some(LegacyKind::Client)
            && checker.in_async_function()
            && let Some(fix) = legacy_rewrites::with_await(checker.source(), with, &awaited.value)
        {
            diagnostic = diagnostic.with_fix(fix);
        }
        checker.report_on(diagnostic, &awaited.value);
    }
}

/// What `with await pool as conn` becomes in redis.asyncio.
const WITH_AWAIT_INSTEAD: &str = "write `async with client.client() as conn:` (a single-connection \
                                  client sharing the pool), or call the commands on the client itself";

/// `with ctx as conn:` where `ctx = await pool`: the 1.x `ContextRedis`
/// idiom split over two statements (aiocache 0.11). Known when `pool` holds a
/// 1.x client or pool; otherwise judged in a 1.x module, with a target.
fn check_split_with(checker: &mut Checker, name: &ast::ExprName, has_target: bool) {
    let Some((parts, kind)) =
        checker
            .legacy()
            .split_with_await(name.id.as_str(), checker.scope(), checker.model())
    else {
        return;
    };
    let known = matches!(kind, Some(LegacyKind::Client | LegacyKind::Pool));
    let looks_like = checker.legacy().is_1x() && has_target && kind.is_none();
    if !known && !looks_like {
        return;
    }
    let written = format!("with {}` over `await {}", name.id, parts.join("."));
    let diagnostic = Diagnostic::new(
        Rule::AioredisLegacyApi,
        name.range,
        message(known, &written, WITH_AWAIT_INSTEAD),
    );
    checker.report(diagnostic);
}

/// `ctx = await pool` whose `ctx` a sync `with` uses (see [`check_split_with`]).
fn check_split_await(checker: &mut Checker, target: &ast::ExprName, value: &Expr) {
    let Expr::Await(awaited) = value else {
        return;
    };
    let Some((_, kind)) =
        checker
            .legacy()
            .split_with_await(target.id.as_str(), checker.scope(), checker.model())
    else {
        return;
    };
    let known = matches!(kind, Some(LegacyKind::Client | LegacyKind::Pool));
    let looks_like = checker.legacy().is_1x() && kind.is_none();
    if !known && !looks_like {
        return;
    }
    let written = format!(
        "{} = {}` used as `with {}",
        target.id,
        checker.text(awaited.range),
        target.id
    );
    let diagnostic = Diagnostic::new(
        Rule::AioredisLegacyApi,
        awaited.range,
        message(
            known,
            &written,
            "redis.asyncio's clients and pools are not awaitable; write `async with \
             client.client() as conn:` (a single-connection client sharing the pool), or \
             call the commands on the client itself",
        ),
    );
    checker.report_on(diagnostic, &awaited.value);
}

/// `await client.wait_closed()` as a statement on a 1.x client: the fix deletes it
/// (the `close()` above it becomes `await client.aclose()`, which waits), offered
/// to the RU101 finding its `wait_closed` gets.
pub fn check_expr_statement(checker: &mut Checker, statement: &ast::StmtExpr) {
    if !has_work(checker) {
        return;
    }
    check_unawaited(checker, statement);
    let Expr::Await(awaited) = statement.value.as_ref() else {
        return;
    };
    let Expr::Call(call) = awaited.value.as_ref() else {
        return;
    };
    let Expr::Attribute(method) = call.func.as_ref() else {
        return;
    };
    if method.attr.as_str() != "wait_closed"
        || !call.arguments.is_empty()
        || kind_of(checker, &method.value) != Some(LegacyKind::Client)
    {
        return;
    }
    let alone = checker.is_alone_in_block(statement.range);
    let close = if super::deprecated_close::has_aclose(checker) {
        "aclose"
    } else {
        "close"
    };
    let fix = legacy_rewrites::remove_statement(
        checker.source(),
        statement.range,
        alone,
        &format!(
            "Remove it: the `await client.{close}()` above it waits until the client is closed"
        ),
    );
    checker.offer_callee_fix(method.attr.range(), fix);
}

/// `client.set(k, v)` as a statement of its own, not awaited, on a 1.x client
/// (`pipe.watch(k)` on a 1.x pipeline): 1.x sent the command when called,
/// redis.asyncio builds a coroutine that nothing awaits, so the command never
/// runs. The commands are `[unawaited]` in `rules/aioredis-api.toml`; a method
/// the module's own classes define may be theirs (a subclass's), and is left.
fn check_unawaited(checker: &mut Checker, statement: &ast::StmtExpr) {
    let Expr::Call(call) = statement.value.as_ref() else {
        return;
    };
    let Expr::Attribute(method) = call.func.as_ref() else {
        return;
    };
    let name = method.attr.as_str();
    let pipeline = match kind_of(checker, &method.value) {
        Some(LegacyKind::Client) => false,
        Some(LegacyKind::Transaction) => true,
        _ => return,
    };
    if !checker.api().runs_only_when_awaited(name, pipeline)
        || checker.legacy().defines_method(name)
    {
        return;
    }
    let receiver = checker.text(method.value.range());
    let (then, now) = if pipeline {
        (
            "aioredis 1.x queued it on the pipeline",
            "redis.asyncio's `Pipeline` runs it at once, as a coroutine",
        )
    } else {
        (
            "aioredis 1.x sent the command when called",
            "redis.asyncio returns a coroutine",
        )
    };
    let message = format!(
        "`{receiver}.{name}()` is not awaited: {then}, {now}, which does nothing until \
         awaited; write `await {receiver}.{name}(...)`"
    );
    let mut diagnostic = Diagnostic::new(Rule::AioredisLegacyApi, method.attr.range(), message);
    // On a 1.x pipeline, awaiting a queued command before `execute()` never returns.
    if !pipeline && checker.in_async_function() {
        diagnostic = diagnostic.with_fix(legacy_rewrites::await_statement(call));
    }
    checker.report_on(diagnostic, &method.value);
}

/// Check phase: the bindings other than `name = value` ([`check_assign`]) that
/// change whether a name holds a float ([`is_float`]): `name: T = value`,
/// `name /= n`, `a = b = value`, `a, b = ...`, `for name in ...`, `with ... as name`.
pub fn record_float_bindings(checker: &mut Checker, stmt: &ast::Stmt) {
    if !has_work(checker) {
        return;
    }
    match stmt {
        ast::Stmt::AnnAssign(assign) => {
            if let Expr::Name(name) = assign.target.as_ref() {
                let stores = assign
                    .value
                    .as_deref()
                    .is_some_and(|value| is_float(checker, value));
                checker.record_float_store(name.id.as_str(), stores);
            }
        }
        ast::Stmt::AugAssign(assign) => {
            if let Expr::Name(name) = assign.target.as_ref()
                && (assign.op == ast::Operator::Div || is_float(checker, &assign.value))
            {
                checker.record_float_store(name.id.as_str(), true);
            }
        }
        // `name = value` alone is `check_assign`'s.
        ast::Stmt::Assign(assign) if !matches!(assign.targets.as_slice(), [Expr::Name(_)]) => {
            let chained = assign.targets.iter().all(Expr::is_name_expr);
            let stores = chained && is_float(checker, &assign.value);
            for target in &assign.targets {
                for_each_bound_name(target, &mut |name| checker.record_float_store(name, stores));
            }
        }
        ast::Stmt::For(for_stmt) => {
            for_each_bound_name(&for_stmt.target, &mut |name| {
                checker.record_float_store(name, false);
            });
        }
        ast::Stmt::With(with) => {
            for item in &with.items {
                if let Some(target) = &item.optional_vars {
                    for_each_bound_name(target, &mut |name| {
                        checker.record_float_store(name, false);
                    });
                }
            }
        }
        _ => {}
    }
}

/// Each name an assignment target binds (`a`, `a, (b, *c)`).
fn for_each_bound_name(target: &Expr, f: &mut impl FnMut(&str)) {
    match target {
        Expr::Name(name) => f(name.id.as_str()),
        Expr::Tuple(tuple) => tuple.elts.iter().for_each(|e| for_each_bound_name(e, f)),
        Expr::List(list) => list.elts.iter().for_each(|e| for_each_bound_name(e, f)),
        Expr::Starred(starred) => for_each_bound_name(&starred.value, f),
        _ => {}
    }
}

/// `tr = client.multi_exec()` on a 1.x client: a candidate for
/// `pipeline(transaction=True)`, completed by [`attach_transaction_fixes`].
pub fn check_assign(checker: &mut Checker, assign: &ast::StmtAssign) {
    if !has_work(checker) {
        return;
    }
    let [Expr::Name(target)] = assign.targets.as_slice() else {
        return;
    };
    let stores_float = is_float(checker, &assign.value);
    checker.record_float_store(target.id.as_str(), stores_float);
    check_split_await(checker, target, &assign.value);
    let Expr::Call(call) = assign.value.as_ref() else {
        return;
    };
    let Expr::Attribute(method) = call.func.as_ref() else {
        return;
    };
    if kind_of(checker, &method.value) != Some(LegacyKind::Client) {
        return;
    }
    match method.attr.as_str() {
        "multi_exec" => checker
            .transactions_mut()
            .candidate(target.id.as_str(), call, method),
        "pipeline" => checker
            .transactions_mut()
            .pipeline(target.id.as_str(), call, method),
        _ => {}
    }
}

/// The `multi_exec()` rewrites whose transaction's queued results are never used.
pub fn attach_transaction_fixes(checker: &mut Checker) {
    let transactions = checker.take_transactions();
    let super::legacy_rewrites::TransactionFixes {
        fixes,
        futures,
        pipelines,
    } = transactions.finish();
    checker.set_pipeline_futures(futures);
    // 1.x `pipeline()` is not a transaction; redis.asyncio's defaults to one.
    for (attr, fix) in pipelines {
        checker.report(
            Diagnostic::new(
                Rule::AioredisLegacyApi,
                attr,
                "aioredis 1.x `pipeline()` sends no MULTI/EXEC, redis.asyncio's \
                 `pipeline()` wraps its commands in one (`transaction=True`); write \
                 `pipeline(transaction=False)` to keep 1.x's behaviour",
            )
            .with_fix(fix),
        );
    }
    for (index, fix) in fixes {
        if let Some(diagnostic) = checker.diagnostics_mut().get_mut(index)
            && diagnostic.fix.is_none()
        {
            diagnostic.fix = Some(fix);
        }
    }
}

/// All or nothing per module: when some aioredis 1.x use of the module has no
/// rewrite (pub/sub `Channel`s, a `create_pool` pool, ...), the module's 1.x
/// rewrites are shown but not applied. Applied alone they would leave code that
/// runs on neither aioredis 1.x nor redis.asyncio, and would hide from the 1.x
/// model the clients whose remaining uses still need a hand change (a factory
/// rewritten to `from_url` no longer builds a 1.x client). Once the hand changes
/// are made, one `fix --unsafe-fixes` run rewrites the rest and swaps the import.
///
/// Across modules (the project index): modules that share 1.x objects are held
/// together, with where the module that needs the hand change uses them
/// (`commands::index::hold_across_modules`).
pub fn hold_rewrites_of_a_partly_manual_module(checker: &mut Checker) {
    let manual = without_rewrite(checker) > 0 || !checker.pipeline_futures().is_empty();
    let held_by = checker
        .options()
        .project
        .map_or(&[][..], |project| project.held_by());
    if !manual && held_by.is_empty() {
        return;
    }
    let (hold, note, related): (Hold, String, &[crate::diagnostic::Related]) = if manual {
        (Hold::ThisModule, HELD_NOTE.to_string(), &[])
    } else {
        let first = &held_by[0];
        (
            Hold::SharedModule,
            format!(
                " (applied once `{}`, which shares aioredis 1.x objects with this module, \
                 has its hand changes: rewritten alone, one side would call the other's \
                 objects with the wrong API)",
                first.path
            ),
            held_by,
        )
    };
    for diagnostic in checker.diagnostics_mut() {
        let is_1x_rewrite = match diagnostic.rule {
            Rule::AioredisLegacyApi => true,
            Rule::DeprecatedClose => diagnostic.message.starts_with("aioredis 1.x"),
            // Before the import plans complete, RU100's only fix is the 1.x errors' import.
            Rule::AioredisImport => true,
            _ => false,
        };
        if let (true, Some(fix)) = (is_1x_rewrite, diagnostic.fix.as_mut())
            && fix.applicability == Applicability::Unsafe
        {
            fix.applicability = Applicability::DisplayOnly;
            fix.held = Some(hold);
            fix.title.push_str(&note);
            for related in related {
                if !diagnostic.related.contains(related) {
                    diagnostic.related.push(related.clone());
                }
            }
        }
    }
}

/// What a held module's 1.x rewrites add to their titles.
const HELD_NOTE: &str = " (applied once every aioredis 1.x use in this module has a rewrite: \
                              the others need a hand change first)";

/// Whether a module's findings (linted with every fix attached) leave aioredis
/// 1.x uses for a hand change: its 1.x rewrites are held, some RU101 finding
/// has no fix and no other fix's edit covers it, or an RU101/RU103 fix is only
/// shown (`encoding=` redis-py cannot carry, a 1.x sentinel's `close()`).
/// (Within the module, a sentinel's `close()` already keeps `create_sentinel`'s
/// finding without a fix.)
pub fn needs_hand_change(diagnostics: &[crate::diagnostic::Diagnostic]) -> bool {
    let covered = |range| covered_by_another_fix(diagnostics, range);
    diagnostics.iter().any(|d| {
        d.fix.as_ref().is_some_and(|fix| {
            fix.held == Some(Hold::ThisModule)
                || (matches!(d.rule, Rule::AioredisLegacyApi | Rule::DeprecatedClose)
                    && fix.applicability == Applicability::DisplayOnly)
        }) || (d.rule == Rule::AioredisLegacyApi && d.fix.is_none() && !covered(d.range))
    })
}

/// Whether an edit of another finding's fix replaces `range` whole (a name
/// inside a keyword the keyword's fix rewrites).
fn covered_by_another_fix(
    diagnostics: &[crate::diagnostic::Diagnostic],
    range: ruff_text_size::TextRange,
) -> bool {
    diagnostics.iter().any(|other| {
        // A fix only shown is never applied: it covers nothing (its own finding included).
        other.fix.as_ref().is_some_and(|fix| {
            fix.applicability != Applicability::DisplayOnly
                && fix
                    .edits
                    .iter()
                    .any(|edit| edit.range.contains_range(range) && edit.range != range)
        })
    })
}

/// A 1.x sentinel read as a value (a name or `self.<attr>`, not the receiver of
/// `master_for`/`slave_for`): the `create_sentinel` rewrite cannot follow it.
pub fn check_sentinel_use(checker: &mut Checker, expr: &Expr) {
    let is_load = match expr {
        Expr::Name(name) => name.ctx.is_load(),
        Expr::Attribute(attribute) => attribute.ctx.is_load(),
        _ => false,
    };
    if is_load && kind_of(checker, expr) == Some(LegacyKind::Sentinel) {
        checker.sentinels_mut().block();
    }
}

/// The `create_sentinel` → `Sentinel` rewrites, kept only when every use of a 1.x
/// sentinel in the module is `master_for`/`slave_for` (see [`legacy_rewrites::Sentinels`]).
pub fn attach_sentinel_fixes(checker: &mut Checker) {
    let sentinels = checker.take_sentinels();
    for index in sentinels.finish() {
        if let Some(diagnostic) = checker.diagnostics_mut().get_mut(index) {
            diagnostic.fix = None;
        }
    }
}

/// The `create_pool` → client rewrites, kept only when every use of a 1.x pool in
/// the module is `async with pool.get() as conn:` (see [`legacy_rewrites::Pools`]).
pub fn attach_pool_fixes(checker: &mut Checker) {
    let pools = checker.take_pools();
    for index in pools.finish() {
        if let Some(diagnostic) = checker.diagnostics_mut().get_mut(index) {
            diagnostic.fix = None;
        }
    }
}

/// RU101 findings that no fix rewrites (none, or one only shown: `encoding=` that
/// redis-py cannot carry per command): not the uses of a name whose import is
/// rewritten (`except ReplyError` under `from aioredis.errors import ReplyError`),
/// nor a name inside another fix's edit (`exist=aioredis.Redis.SET_IF_EXIST`, which
/// the keyword's fix replaces whole).
pub fn without_rewrite(checker: &Checker) -> usize {
    let source = checker.source();
    let diagnostics = checker.diagnostics();
    let covered = |range| covered_by_another_fix(diagnostics, range);
    diagnostics
        .iter()
        .filter(|d| {
            d.rule == Rule::AioredisLegacyApi
                && d.fix.as_ref().is_none_or(|fix| {
                    fix.applicability == Applicability::DisplayOnly && fix.held.is_none()
                })
        })
        .filter(|d| !checker.is_rewritten_import(&source[d.range]))
        .filter(|d| !covered(d.range))
        .count()
}
