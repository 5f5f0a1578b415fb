#![doc = include_str!("../../rules/docs/RU101.md")]

use ruff_python_ast::{self as ast, Expr, ExprCall};
use ruff_text_size::Ranged;

use super::Rule;
use crate::api::{aioredis_name_of, is_aioredis, is_redis_asyncio};
use crate::checker::{Checker, chain_ranges};
use crate::diagnostic::Diagnostic;
use crate::diagnostic::{Applicability, Edit, Fix};
use crate::python::semantic::{attribute_chain, qualified_chain};
use crate::rewrites::{Factory, rewrites};

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
            if name.ends_with(".create_pool") {
                // Kept only if the pool is used as `async with pool.get()` alone.
                let index = checker.diagnostic_count();
                checker.pools_mut().factory(index);
            }
            if rewrites()
                .sentinel
                .factories
                .iter()
                .any(|factory| name.rsplit('.').next() == Some(factory.as_str()))
            {
                // Kept only if the sentinel is used through `master_for`/`slave_for` alone.
                let index = checker.diagnostic_count();
                checker.sentinels_mut().factory(index);
            }
            diagnostic = diagnostic.with_fix(fix);
        } else if (base == "aioredis" || base == "redis.asyncio")
            && let Some(new) = name
                .rsplit('.')
                .next()
                .and_then(super::legacy_rewrites::exception)
            && api.exports("redis.asyncio", new) == Some(true)
            && !source_has_comment(checker.text(range))
        {
            // `aioredis.errors.ReplyError` → `aioredis.ResponseError`: redis.asyncio
            // re-exports redis-py's exceptions, and the import swap follows.
            let root = checker.text(ranges[0]);
            let text = format!("{root}.{new}");
            diagnostic = diagnostic.with_fix(Fix::new(
                vec![Edit::replacement(range, text.clone())],
                Applicability::Unsafe,
                format!("Replace with `{text}` (redis-py's exception)"),
            ));
        }
        checker.report(diagnostic);
        return;
    }
}

fn source_has_comment(text: &str) -> bool {
    text.contains('#')
}

/// `await aioredis.create_redis_pool(url, encoding=…, maxsize=…, timeout=…)` becomes
/// `await aioredis.from_url(url, encoding=…, decode_responses=True,
/// max_connections=…, socket_connect_timeout=…)`: right once the module is
/// `redis.asyncio`, but a change of behaviour (pools fill lazily, a full pool
/// raises instead of waiting), so the fix is unsafe. The factories and the
/// keyword mapping are data: `[factories]` and `[factory_keywords]` in
/// `rules/aioredis-rewrites.toml`.
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
    let Some(factory) = rewrites().factory(attribute.attr.as_str()) else {
        return;
    };
    if !checker
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
    let mut title = format!("Replace with `{}.{constructor}(...)`", module.id);
    if call.arguments.find_keyword("maxsize").is_some() {
        title.push_str(
            "; `max_connections` on redis.asyncio's default pool raises `ConnectionError` when \
             all are in use, where the 1.x pool waited (pass a `BlockingConnectionPool` by hand \
             if the code relies on waiting)",
        );
    }
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

/// `await aioredis.create_sentinel([...], ...)` becomes `aioredis.Sentinel([(host, port),
/// ...], ...)` (the `[sentinel]` table of `rules/aioredis-rewrites.toml`), offered to the
/// RU101 finding of the factory's name; the whole `await` is replaced, since redis-py's
/// `Sentinel` is not awaited.
pub fn check_await(checker: &mut Checker, await_expr: &ast::ExprAwait) {
    if !checker.enabled(Rule::AioredisLegacyApi) {
        return;
    }
    let Expr::Call(call) = await_expr.value.as_ref() else {
        return;
    };
    let Expr::Attribute(attribute) = call.func.as_ref() else {
        return;
    };
    let Expr::Name(module) = attribute.value.as_ref() else {
        return;
    };
    if !rewrites()
        .sentinel
        .factories
        .iter()
        .any(|factory| factory == attribute.attr.as_str())
        || !checker
            .model()
            .resolve_name(module.id.as_str(), checker.scope())
            .iter()
            .any(|q| q == "aioredis" || q == "redis.asyncio")
    {
        return;
    }
    if let Some(fix) =
        super::legacy_rewrites::sentinel(checker.source(), await_expr, call, module.id.as_str())
    {
        checker.offer_callee_fix(call.func.range(), fix);
    }
}

/// The new constructor and arguments, or `None` when an argument needs a person.
fn rewrite_factory_arguments<'f>(
    source: &str,
    call: &ExprCall,
    factory: &'f Factory,
) -> Option<(&'f str, Vec<String>)> {
    let mut positional = call.arguments.args.iter();
    let address = match (positional.next(), call.arguments.find_keyword("address")) {
        (Some(address), None) if positional.next().is_none() => address,
        (None, Some(keyword)) => &keyword.value,
        _ => return None,
    };
    let mut constructor = factory.url.as_str();
    let mut arguments = Vec::new();
    match address {
        Expr::Tuple(ast::ExprTuple { elts, .. }) | Expr::List(ast::ExprList { elts, .. })
            if elts.len() == 2 && !elts.iter().any(Expr::is_starred_expr) =>
        {
            constructor = factory.host_port.as_str();
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
                constructor = factory.host_port.as_str();
                arguments.push(format!("unix_socket_path={}", &source[address.range()]));
            }
        }
        // A variable: assumed to hold a URL (the fix is unsafe for that reason too).
        _ => arguments.push(source[address.range()].to_string()),
    }
    for keyword in &call.arguments.keywords {
        let name = keyword.arg.as_ref()?.as_str(); // `**kwargs`: cannot be checked
        if name == "address" {
            continue;
        }
        let value = &source[keyword.value.range()];
        let new = rewrites().factory_keyword(name)?; // parser=, pool_cls=, ...: by hand
        if !new.is_empty() {
            super::legacy_rewrites::carry_factory_keyword(
                &mut arguments,
                call,
                keyword,
                new,
                value,
            )?;
        }
    }
    arguments.extend(factory.extra.iter().cloned());
    Some((constructor, arguments))
}
