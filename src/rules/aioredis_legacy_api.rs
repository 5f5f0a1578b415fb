#![doc = include_str!("../../rules/docs/RU101.md")]

use ruff_python_ast::{self as ast, Expr, ExprCall};
use ruff_text_size::Ranged;

use super::Rule;
use crate::api::{aioredis_name_of, is_aioredis, is_redis_asyncio};
use crate::checker::{Checker, chain_ranges};
use crate::diagnostic::Diagnostic;
use crate::diagnostic::{Applicability, Edit, Fix};
use crate::python::semantic::{attribute_chain, qualified_chain};

pub const DOC: &str = include_str!("../../rules/docs/RU101.md");

/// `expr` is a `Name` or the outermost node of an attribute chain `a.b.c`.
/// Reached through `aioredis`, or through `redis.asyncio` after a swap, where
/// the same 1.x names are missing.
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
    let api = checker.api();
    for base in &roots {
        // The aioredis names the chain stands for: itself, or what a swap replaced.
        let names: Vec<String> = if is_aioredis(base) {
            qualified_chain(base, &attrs)
        } else if is_redis_asyncio(base) {
            qualified_chain(base, &attrs)
                .iter()
                .filter_map(|name| aioredis_name_of(name))
                .collect()
        } else {
            continue;
        };
        // Report the longest name that is 1.x API, so `aioredis.errors.ReplyError`
        // is one finding, not two. Below the root only exact entries count; the
        // root itself may sit inside a 1.x module (`from aioredis.errors import X`).
        let hit = (0..names.len()).rev().find_map(|index| {
            api.legacy(&names[index])
                .filter(|(key, _)| index == 0 || key.len() == names[index].len())
                .map(|(_, entry)| (index, entry))
        });
        let Some((index, entry)) = hit else { continue };
        let range = ranges[index];
        let written = checker.text(range);
        let name = &names[index];
        let subject = if written == name {
            format!("`{name}`")
        } else {
            format!("`{written}` (`{name}`)")
        };
        let mut diagnostic = Diagnostic::new(
            Rule::AioredisLegacyApi,
            range,
            format!(
                "{subject} exists only in aioredis 1.x; {}",
                super::deprecated_close::at_target(checker, &entry.instead)
            ),
        );
        if let Some(fix) = checker.take_callee_fix(range) {
            diagnostic = diagnostic.with_fix(fix);
        }
        checker.report(diagnostic);
        return;
    }
}

/// The aioredis 1.x factories with an exact mechanical rewrite (reference §3.2).
const FACTORIES: &[&str] = &["create_redis_pool", "create_redis"];

/// `await aioredis.create_redis_pool(url, encoding=…, maxsize=…, timeout=…)` becomes
/// `await aioredis.from_url(url, encoding=…, decode_responses=True,
/// max_connections=…, socket_connect_timeout=…)`: right once the module is
/// `redis.asyncio`, but a change of behaviour (pools fill lazily, a full pool
/// raises instead of waiting), so the fix is unsafe.
pub fn check_call(checker: &mut Checker, call: &ExprCall) {
    if !checker.enabled(Rule::AioredisLegacyApi) {
        return;
    }
    let Expr::Attribute(attribute) = call.func.as_ref() else {
        return;
    };
    let Expr::Name(module) = attribute.value.as_ref() else {
        return;
    };
    let factory = attribute.attr.as_str();
    if !FACTORIES.contains(&factory)
        || !checker
            .model()
            .resolve_name(module.id.as_str(), checker.scope())
            .iter()
            .any(|q| q == "aioredis" || q == "redis.asyncio")
    {
        return;
    }
    let source = checker.source();
    // Rewriting the argument list would drop comments inside it.
    if source[call.arguments.range].contains('#') {
        return;
    }
    let Some((constructor, arguments)) = rewrite_factory_arguments(source, call, factory) else {
        return;
    };
    let title = format!("Replace with `{}.{constructor}(...)`", module.id);
    let fix = Fix::new(
        vec![
            Edit::replacement(attribute.attr.range, constructor),
            Edit::replacement(call.arguments.range, format!("({})", arguments.join(", "))),
        ],
        Applicability::Unsafe,
        title,
    );
    checker.offer_callee_fix(call.func.range(), fix);
}

/// The new constructor and arguments, or `None` when an argument needs a person.
fn rewrite_factory_arguments(
    source: &str,
    call: &ExprCall,
    factory: &str,
) -> Option<(&'static str, Vec<String>)> {
    let [address] = call.arguments.args.as_ref() else {
        return None;
    };
    let mut constructor = "from_url";
    let mut arguments = Vec::new();
    match address {
        Expr::Tuple(ast::ExprTuple { elts, .. }) | Expr::List(ast::ExprList { elts, .. })
            if elts.len() == 2 =>
        {
            constructor = "Redis";
            arguments.push(format!("host={}", &source[elts[0].range()]));
            arguments.push(format!("port={}", &source[elts[1].range()]));
        }
        Expr::Tuple(_) | Expr::List(_) | Expr::Starred(_) => return None,
        Expr::StringLiteral(url) => {
            let text = url.value.to_str();
            if ["redis://", "rediss://", "unix://"]
                .iter()
                .any(|scheme| text.starts_with(scheme))
            {
                arguments.push(source[address.range()].to_string());
            } else {
                // 1.x took a bare unix socket path.
                constructor = "Redis";
                arguments.push(format!("unix_socket_path={}", &source[address.range()]));
            }
        }
        // A variable: assumed to hold a URL (the fix is unsafe for that reason too).
        _ => arguments.push(source[address.range()].to_string()),
    }
    let has_keyword = |name: &str| call.arguments.find_keyword(name).is_some();
    for keyword in &call.arguments.keywords {
        let name = keyword.arg.as_ref()?.as_str(); // `**kwargs`: cannot be checked
        let value = &source[keyword.value.range()];
        match name {
            "db" | "password" => arguments.push(format!("{name}={value}")),
            "ssl" if matches!(keyword.value, Expr::BooleanLiteral(_)) => {
                arguments.push(format!("ssl={value}"))
            }
            "encoding" => {
                arguments.push(format!("encoding={value}"));
                if !has_keyword("decode_responses") {
                    arguments.push("decode_responses=True".to_string());
                }
            }
            "maxsize" => arguments.push(format!("max_connections={value}")),
            "timeout" => arguments.push(format!("socket_connect_timeout={value}")),
            // Pools fill lazily; the event loop is found by asyncio.
            "minsize" | "loop" => {}
            // parser=, pool_cls=, connection_cls=, commands_factory=, an SSLContext: by hand.
            _ => return None,
        }
    }
    if factory == "create_redis" {
        arguments.push("single_connection_client=True".to_string());
    }
    Some((constructor, arguments))
}
