//! The fixes RU101 and RU103 attach to aioredis 1.x findings: each builds the
//! edits of one rewrite from `rules/aioredis-rewrites.toml` ([`crate::rewrites`])
//! and the call as written. Every fix here is unsafe (see the data file for
//! why each may change behaviour at the edges); a call whose shape is not the
//! plain one (`*args`, `**kwargs`, comments inside the arguments) gets none and
//! stays a finding for a person.

use ruff_python_ast::{self as ast, Expr, ExprCall, Keyword};
use ruff_text_size::{Ranged, TextRange, TextSize};

use crate::diagnostic::{Applicability, Edit, Fix};
use crate::rewrites::rewrites;

fn unsafe_fix(edits: Vec<Edit>, title: impl Into<String>) -> Fix {
    Fix::new(edits, Applicability::Unsafe, title)
}

/// The arguments are plain: no `*args`/`**kwargs`, no comment inside them.
fn plain_arguments(source: &str, call: &ExprCall) -> bool {
    !source[call.arguments.range].contains('#')
        && !call.arguments.args.iter().any(Expr::is_starred_expr)
        && call.arguments.keywords.iter().all(|k| k.arg.is_some())
}

/// `client.<method>` renamed (`execute` → `execute_command`, `iscan` → `scan_iter`),
/// for the methods whose arguments stay as they are.
pub fn rename_method(method: &str, attr: TextRange) -> Option<Fix> {
    if matches!(method, "hmset_dict" | "publish_json") {
        return None; // their arguments change too: see `method_call`
    }
    // `wait_closed()` outside an `await` statement: the close itself (`aclose`, or
    // `close` below redis-py 5.0.1), passed in by the caller as `method`.
    let new = match method {
        "aclose" | "close" => method,
        _ => rewrites().rename(method)?,
    };
    Some(unsafe_fix(
        vec![Edit::replacement(attr, new)],
        format!("Replace with `{new}`"),
    ))
}

/// `client.set(k, v)` as a statement → `await client.set(k, v)`: 1.x sent
/// the command when called, redis.asyncio sends it when awaited (awaiting
/// it on 1.x waits for the reply it sent anyway).
pub fn await_statement(call: &ExprCall) -> Fix {
    unsafe_fix(
        vec![Edit::replacement(TextRange::empty(call.start()), "await ")],
        "Insert `await`",
    )
}

/// Fixes that rewrite a 1.x method call with its arguments:
/// `hmset_dict(key, d, **kw)` → `hset(key, mapping={**d, **kw})` and
/// `publish_json(channel, obj)` → `publish(channel, json.dumps(obj))`
/// (`json_import`: where to insert `import json` when the module lacks it).
pub fn method_call(
    source: &str,
    call: &ExprCall,
    method: &ast::ExprAttribute,
    json_import: Option<TextSize>,
    json_bound: bool,
) -> Option<Fix> {
    if source[call.arguments.range].contains('#')
        || call.arguments.args.iter().any(Expr::is_starred_expr)
    {
        return None;
    }
    let name = method.attr.as_str();
    let new = rewrites().rename(name)?;
    let args = &call.arguments.args;
    match name {
        "hmset_dict" => {
            let [key, rest @ ..] = args.as_ref() else {
                return None;
            };
            let mut items = Vec::new();
            let mut single = None;
            for arg in rest {
                items.push(format!("**{}", &source[arg.range()]));
                single = Some(&source[arg.range()]);
            }
            for keyword in &call.arguments.keywords {
                match &keyword.arg {
                    Some(arg) => {
                        items.push(format!(
                            "{:?}: {}",
                            arg.as_str(),
                            &source[keyword.value.range()]
                        ));
                    }
                    None => items.push(format!("**{}", &source[keyword.value.range()])),
                }
            }
            if rest.len() > 1 || items.is_empty() {
                return None; // 1.x raised for a second positional mapping
            }
            let mapping = match (single, items.len()) {
                (Some(only), 1) => only.to_string(),
                _ => format!("{{{}}}", items.join(", ")),
            };
            Some(unsafe_fix(
                vec![
                    Edit::replacement(method.attr.range(), new),
                    Edit::replacement(
                        call.arguments.range,
                        format!("({}, mapping={mapping})", &source[key.range()]),
                    ),
                ],
                format!("Replace with `{new}(key, mapping=...)`"),
            ))
        }
        "publish_json" => {
            let [channel, obj] = args.as_ref() else {
                return None;
            };
            if !call.arguments.keywords.is_empty() {
                return None;
            }
            let mut edits = vec![
                Edit::replacement(method.attr.range(), new),
                Edit::replacement(
                    call.arguments.range,
                    format!(
                        "({}, json.dumps({}))",
                        &source[channel.range()],
                        &source[obj.range()]
                    ),
                ),
            ];
            if !json_bound {
                edits.push(Edit::replacement(
                    TextRange::empty(json_import?),
                    "import json\n",
                ));
            }
            Some(unsafe_fix(
                edits,
                format!("Replace with `{new}(channel, json.dumps(obj))`"),
            ))
        }
        _ => None,
    }
}

/// `set(expire=)`, `flushdb(async_op=)`, `set(exist=SET_IF_NOT_EXIST)`,
/// `execute(return_exceptions=True)`: the keyword rewritten in place.
pub fn keyword(source: &str, call: &ExprCall, method: &str, keyword: &Keyword) -> Option<Fix> {
    let arg = keyword.arg.as_ref()?.as_str();
    let data = rewrites();
    let value = &keyword.value;
    let value_text = &source[value.range()];
    if let Some(new) = data.keyword(method, arg) {
        if matches!(arg, "expire" | "pexpire") && method == "set" {
            // 1.x ignored a falsy expiry; redis-py raises DataError for `ex=0`.
            if matches!(value, Expr::NumberLiteral(n) if value_text == "0" && n.value.is_int()) {
                return Some(unsafe_fix(
                    remove_keyword(source, call, keyword)?,
                    format!("Remove `{arg}=0` (no expiry in aioredis 1.x)"),
                ));
            }
            let written = match value {
                Expr::NumberLiteral(_) => value_text.to_string(),
                Expr::Name(_) | Expr::Attribute(_) | Expr::Call(_) | Expr::Subscript(_) => {
                    format!("{value_text} or None")
                }
                _ => format!("({value_text}) or None"),
            };
            return Some(unsafe_fix(
                vec![Edit::replacement(
                    keyword.range(),
                    format!("{new}={written}"),
                )],
                format!("Replace with `{new}=` (a falsy value still means no expiry)"),
            ));
        }
        return Some(unsafe_fix(
            vec![Edit::replacement(keyword.arg.as_ref()?.range(), new)],
            format!("Replace with `{new}=`"),
        ));
    }
    let last_name = match value {
        Expr::Name(name) => name.id.as_str(),
        Expr::Attribute(attribute) => attribute.attr.as_str(),
        Expr::BooleanLiteral(boolean) if boolean.value => "True",
        Expr::BooleanLiteral(_) => "False",
        _ => return None,
    };
    let new = data.keyword_value(method, arg, last_name)?;
    Some(unsafe_fix(
        vec![Edit::replacement(keyword.range(), new)],
        format!("Replace with `{new}`"),
    ))
}

/// `encoding=` on a 1.x command (`get(key, encoding="utf-8")`), given what the
/// 1.x factory behind the receiver decodes (its `encoding=`, which the factory
/// rewrite turns into `decode_responses=True`): dropped when the client decodes
/// with that same encoding, or when `encoding=None` asks bytes of a client that
/// does not decode; otherwise a display-only fix saying what to write, since
/// redis-py decodes per client, never per command.
pub fn encoding(
    source: &str,
    call: &ExprCall,
    keyword: &Keyword,
    decoding: &crate::python::legacy::Decoding,
) -> Option<Fix> {
    use crate::python::legacy::Decoding;
    let asked = match &keyword.value {
        Expr::NoneLiteral(_) => None,
        Expr::StringLiteral(text) => Some(Some(text.value.to_str().to_string())),
        // A name or expression: only known at run time.
        _ => Some(None),
    };
    let same = |a: &str, b: &str| {
        let normal = |s: &str| s.to_ascii_lowercase().replace(['-', '_'], "");
        normal(a) == normal(b)
    };
    let display = |title: String| {
        Some(Fix::new(
            remove_keyword(source, call, keyword)?,
            Applicability::DisplayOnly,
            title,
        ))
    };
    match (decoding, asked) {
 (Decoding::Literal(client), Some(Some(command))) if same(client, &command) => {
 Some(unsafe_fix(
 remove_keyword(source, call, keyword)?,
 format!(
 "Remove `encoding=`: the client decodes every reply with {client:?} (`decode_responses=True`)"
 ),
 ))
 }
 (Decoding::Bytes, None) => Some(unsafe_fix(
 remove_keyword(source, call, keyword)?,
 "Remove `encoding=None`: the client does not decode, its replies are bytes",
 )),
 (Decoding::Bytes, Some(_)) => display(
 "Decode the reply yourself (`reply.decode(...)`, or each item of a list or dict), or build the client with `decode_responses=True` (it decodes every reply): redis-py has no per-command decoding"
 .to_string(),
 ),
 (Decoding::Literal(_) | Decoding::Expression, None) => display(
 "Read this reply through a second client built without `decode_responses` (the client decodes every reply, and `encoding=None` asked for bytes): redis-py has no per-command decoding"
 .to_string(),
 ),
 (Decoding::Literal(_) | Decoding::Expression, Some(_)) => display(
 "Remove `encoding=` once the client's own encoding (its factory's `encoding=`, now `decode_responses=True`) is the one this command asks for; otherwise read it through a client built with that encoding: redis-py has no per-command decoding"
 .to_string(),
 ),
    }
}

/// The edits that delete `keyword` from the call with its comma.
fn remove_keyword(source: &str, call: &ExprCall, keyword: &Keyword) -> Option<Vec<Edit>> {
    if source[call.arguments.range].contains('#') {
        return None;
    }
    let mut ranges: Vec<TextRange> = call
        .arguments
        .args
        .iter()
        .map(Ranged::range)
        .chain(call.arguments.keywords.iter().map(Ranged::range))
        .collect();
    ranges.sort_by_key(|r| r.start());
    let index = ranges.iter().position(|r| *r == keyword.range())?;
    let range = if index > 0 {
        TextRange::new(ranges[index - 1].end(), keyword.range().end())
    } else if let Some(next) = ranges.get(1) {
        TextRange::new(keyword.range().start(), next.start())
    } else {
        keyword.range()
    };
    Some(vec![Edit::replacement(range, "")])
}

/// The 1.x positional forms: `zadd(key, score, member, ...)` → `zadd(key, {member: score})`,
/// `mset(k, v, ...)` / `msetnx(...)` → a dict, `hmset(key, f, v, ...)` → `hset(key, mapping={f: v})`.
pub fn positional(source: &str, call: &ExprCall, method: &ast::ExprAttribute) -> Option<Fix> {
    if !plain_arguments(source, call) || !call.arguments.keywords.is_empty() {
        return None;
    }
    let args = &call.arguments.args;
    let text = |expr: &Expr| source[expr.range()].to_string();
    let pairs = |items: &[Expr], swap: bool| -> Option<String> {
        if items.is_empty() || !items.len().is_multiple_of(2) {
            return None;
        }
        let pairs: Vec<String> = items
            .chunks(2)
            .map(|pair| {
                let (key, value) = if swap {
                    (&pair[1], &pair[0])
                } else {
                    (&pair[0], &pair[1])
                };
                format!("{}: {}", text(key), text(value))
            })
            .collect();
        Some(format!("{{{}}}", pairs.join(", ")))
    };
    let name = method.attr.as_str();
    let (new_name, arguments) = match name {
        "zadd" => {
            let (key, rest) = args.split_first()?;
            ("zadd", format!("({}, {})", text(key), pairs(rest, true)?))
        }
        "mset" | "msetnx" => (name, format!("({})", pairs(args, false)?)),
        "hmset" => {
            let (key, rest) = args.split_first()?;
            (
                "hset",
                format!("({}, mapping={})", text(key), pairs(rest, false)?),
            )
        }
        _ => return None,
    };
    let mut edits = vec![Edit::replacement(call.arguments.range, arguments)];
    if new_name != name {
        edits.push(Edit::replacement(method.attr.range(), new_name));
    }
    Some(unsafe_fix(
        edits,
        format!("Replace with `{new_name}(...)` and a mapping"),
    ))
}

/// `with await client as conn:` → `async with client.client() as conn:` (inside
/// `async def`): a single-connection client sharing the pool, released on exit.
pub fn with_await(source: &str, with: &ast::StmtWith, awaited: &Expr) -> Option<Fix> {
    let [item] = with.items.as_slice() else {
        return None;
    };
    let receiver = &source[awaited.range()];
    let receiver = match awaited {
        Expr::Name(_) | Expr::Attribute(_) => receiver.to_string(),
        _ => return None,
    };
    Some(unsafe_fix(
        vec![
            Edit::replacement(TextRange::empty(with.range.start()), "async "),
            Edit::replacement(item.context_expr.range(), format!("{receiver}.client()")),
        ],
        format!("Replace with `async with {receiver}.client() as ...`"),
    ))
}

/// The 1.x `x.close()` statement → `await x.aclose()` (`await x.close()` below
/// redis-py 5.0.1); a pool's → `await pool.disconnect()`.
pub fn close(call: &ExprCall, receiver: &str, method: &str) -> Fix {
    unsafe_fix(
        vec![Edit::replacement(
            call.range(),
            format!("await {receiver}.{method}()"),
        )],
        format!("Replace with `await {receiver}.{method}()`"),
    )
}

/// `await x.wait_closed()` as a statement: deleted with its line, or `pass`
/// when it is alone in its block (the close above it now waits).
pub fn remove_statement(source: &str, statement: TextRange, alone: bool, title: &str) -> Fix {
    if alone {
        return unsafe_fix(vec![Edit::replacement(statement, "pass")], title);
    }
    let start = statement.start().to_usize();
    let end = statement.end().to_usize();
    let line_start = source[..start].rfind('\n').map_or(0, |i| i + 1);
    let before_blank = source[line_start..start]
        .chars()
        .all(|c| c == ' ' || c == '\t');
    let rest = &source[end..];
    let line_end = rest.find('\n').map_or(source.len(), |i| end + i + 1);
    // A comment after the statement goes with it (as ruff deletes a statement).
    let after = source[end..line_end].trim();
    let after_blank = after.is_empty() || after.starts_with('#');
    let range = if before_blank && after_blank {
        TextRange::new(
            TextSize::try_from(line_start).unwrap_or_default(),
            TextSize::try_from(line_end).unwrap_or_default(),
        )
    } else {
        return unsafe_fix(vec![Edit::replacement(statement, "pass")], title);
    };
    unsafe_fix(vec![Edit::replacement(range, "")], title)
}

/// The exception a 1.x error name becomes, when the mapping is exact.
pub fn exception(name: &str) -> Option<&'static str> {
    rewrites()
        .exception(name)
        .filter(|rewrite| rewrite.exact)
        .map(|rewrite| rewrite.name.as_str())
}

/// `tr = client.multi_exec()` → `tr = client.pipeline(transaction=True)`, when no
/// queued command's result is used: 1.x returned a future per queued command,
/// redis-py returns the pipeline, and the results only from `execute()`.
/// Candidates are collected during the check pass and completed at its end.
#[derive(Debug, Default)]
pub struct Transactions {
    candidates: Vec<TransactionCandidate>,
    /// Names whose queued commands' results are used (`fut = tr.incr(...)`).
    futures_used: std::collections::HashSet<String>,
    /// Calls that are statements of their own (their result is dropped).
    statement_calls: std::collections::HashSet<TextSize>,
    /// The methods queued on each name, in order (for the display-only shape).
    queued_methods: std::collections::HashMap<String, Vec<String>>,
    /// 1.x `pipeline()` calls, by the name they are assigned to, with the
    /// `pipeline` attribute and the call.
    pipelines: Vec<(String, TextRange, TextRange)>,
}

#[derive(Debug)]
struct TransactionCandidate {
    name: String,
    /// The `multi_exec` attribute, where RU101 reports.
    attr: TextRange,
    edit: Edit,
    diagnostic: Option<usize>,
}

impl Transactions {
    /// `name = <receiver>.pipeline()` on a 1.x client: not reported (redis-py has
    /// `pipeline()`), but its queued commands' results may be used as futures,
    /// which redis-py's pipeline does not return.
    pub fn pipeline(&mut self, name: &str, call: &ExprCall, method: &ast::ExprAttribute) {
        // 1.x `pipeline()` takes no argument: a call with some is not judged.
        let attr = if call.arguments.is_empty() {
            method.attr.range()
        } else {
            TextRange::default()
        };
        self.pipelines.push((name.to_string(), attr, call.range()));
    }

    /// `name = <receiver>.multi_exec()`.
    pub fn candidate(&mut self, name: &str, call: &ExprCall, method: &ast::ExprAttribute) {
        if !call.arguments.is_empty() {
            return;
        }
        let replacement = rewrites().transaction(method.attr.as_str());
        let Some(replacement) = replacement else {
            return;
        };
        self.candidates.push(TransactionCandidate {
            name: name.to_string(),
            attr: method.attr.range(),
            edit: Edit::replacement(TextRange::new(method.attr.start(), call.end()), replacement),
            diagnostic: None,
        });
    }

    /// The RU101 finding at `attr` has index `diagnostic`.
    pub fn reported(&mut self, attr: TextRange, diagnostic: usize) {
        for candidate in &mut self.candidates {
            if candidate.attr == attr {
                candidate.diagnostic = Some(diagnostic);
            }
        }
    }

    pub fn statement_call(&mut self, call: TextSize) {
        self.statement_calls.insert(call);
    }

    /// `<name>.<method>(...)` on a 1.x transaction: its result is a future unless the
    /// call is a statement or `execute()`.
    pub fn queued(&mut self, name: &str, method: &str, call: &ExprCall) {
        if method != "execute" {
            self.queued_methods
                .entry(name.to_string())
                .or_default()
                .push(method.to_string());
        }
        if method != "execute" && !self.statement_calls.contains(&call.start()) {
            self.futures_used.insert(name.to_string());
        }
    }

    /// The fixes, for the diagnostics they belong to, the 1.x `pipeline()`
    /// calls whose queued results are used as futures (no rewrite carries them),
    /// and the other 1.x `pipeline()` calls (without arguments) with their
    /// `pipeline(transaction=False)` fix, at the `pipeline` attribute.
    pub fn finish(self) -> TransactionFixes {
        // And the `multi_exec()` calls in the same case: they hold the module too.
        let futures: Vec<TextRange> = self
            .pipelines
            .iter()
            .filter(|(name, _, _)| self.futures_used.contains(name))
            .map(|(_, _, range)| *range)
            .chain(
                self.candidates
                    .iter()
                    .filter(|candidate| self.futures_used.contains(&candidate.name))
                    .map(|candidate| candidate.edit.range),
            )
            .collect();
        let pipelines = self
            .pipelines
            .iter()
            .filter(|(name, attr, _)| !self.futures_used.contains(name) && !attr.is_empty())
            .filter_map(|(_, attr, call)| {
                let replacement = rewrites().transaction("pipeline")?;
                Some((
                    *attr,
                    unsafe_fix(
                        vec![Edit::replacement(
                            TextRange::new(attr.start(), call.end()),
                            replacement,
                        )],
                        format!("Replace with `{replacement}` (1.x's pipeline sent no MULTI/EXEC)"),
                    ),
                ))
            })
            .collect();
        let fixes = self
            .candidates
            .into_iter()
            .filter_map(|candidate| {
                let replacement = candidate.edit.content.clone();
                if !self.futures_used.contains(&candidate.name) {
                    return Some((
                        candidate.diagnostic?,
                        unsafe_fix(
                            vec![candidate.edit],
                            format!(
                                "Replace with `{replacement}` (no queued command's result is used)"
                            ),
                        ),
                    ));
                }
                // The queued results are used as futures: the shape to write,
                // shown and never applied (the uses of the futures change too).
                let name = &candidate.name;
                let queued: Vec<String> = self
                    .queued_methods
                    .get(name)
                    .into_iter()
                    .flatten()
                    .map(|method| format!("`{name}.{method}(...)`"))
                    .collect();
                let queued = if queued.is_empty() {
                    "the commands".to_string()
                } else {
                    queued.join(", ")
                };
                Some((
                    candidate.diagnostic?,
                    Fix::new(
                        vec![candidate.edit],
                        Applicability::DisplayOnly,
                        format!(
                            "Write `{name} = <client>.{replacement}`, queue {queued} as \
                             statements, and take their results from `results = await \
                             {name}.execute()` (a list, in queue order) where the futures \
                             were awaited"
                        ),
                    ),
                ))
            })
            .collect();
        TransactionFixes {
            fixes,
            futures,
            pipelines,
        }
    }
}

/// What [`Transactions::finish`] hands back.
pub struct TransactionFixes {
    /// The `multi_exec()` fixes, by the index of their RU101 finding.
    pub fixes: Vec<(usize, Fix)>,
    /// 1.x `pipeline()` calls whose queued results are used as futures.
    pub futures: Vec<TextRange>,
    /// The other 1.x `pipeline()` calls: the `pipeline` attribute and its fix.
    pub pipelines: Vec<(TextRange, Fix)>,
}

/// `pool = await aioredis.create_pool(...)` used only as `async with pool.get() as
/// conn:` → a client (`from_url`/`Redis(...)`) and `async with pool.client() as
/// conn:`: each `client()` is a single-connection client sharing the pool,
/// released at the end of the block, as 1.x's `pool.get()` was. Any other use of
/// a 1.x pool in the module (`execute`, `acquire`, `with await pool`, ...) keeps
/// every one of these fixes off. Collected during the check pass.
#[derive(Debug, Default)]
pub struct Pools {
    /// RU101 findings of `create_pool` calls with a factory fix.
    factories: Vec<usize>,
    /// RU101 findings of `pool.get` in `async with`, with their fix.
    gets: Vec<usize>,
    /// Some 1.x pool is used in another way.
    blocked: bool,
    /// Context expressions of `async with` items.
    async_with_items: std::collections::HashSet<TextSize>,
}

impl Pools {
    pub fn async_with_item(&mut self, expr: TextSize) {
        self.async_with_items.insert(expr);
    }

    pub fn is_async_with_item(&self, expr: TextSize) -> bool {
        self.async_with_items.contains(&expr)
    }

    pub fn factory(&mut self, diagnostic: usize) {
        self.factories.push(diagnostic);
    }

    pub fn get(&mut self, diagnostic: usize) {
        self.gets.push(diagnostic);
    }

    pub fn block(&mut self) {
        self.blocked = true;
    }

    /// The findings whose fixes must be taken off.
    pub fn finish(self) -> Vec<usize> {
        if self.blocked || self.factories.is_empty() {
            self.factories.into_iter().chain(self.gets).collect()
        } else {
            Vec::new()
        }
    }
}

/// `pool.get()` → `pool.client()` (see [`Pools`]).
pub fn pool_get(attr: TextRange) -> Fix {
    unsafe_fix(
        vec![Edit::replacement(attr, "client")],
        "Replace with `client()`: a single-connection client sharing the pool",
    )
}

/// `await <module>.create_sentinel([address, ...], **keywords)` → `<module>.Sentinel([(host,
/// port), ...], ...)`: the whole `await` expression is replaced (redis-py's `Sentinel` is not
/// awaited). `None` when an address or a keyword needs a person (see `[sentinel]` and
/// `[sentinel_keywords]` in rules/aioredis-rewrites.toml).
pub fn sentinel(
    source: &str,
    await_expr: &ast::ExprAwait,
    call: &ExprCall,
    module: &str,
) -> Option<Fix> {
    let data = rewrites();
    if source[call.arguments.range].contains('#') || call.arguments.args.len() > 1 {
        return None;
    }
    let addresses = match (
        call.arguments.args.first(),
        call.arguments.find_keyword("sentinels"),
    ) {
        (Some(first), None) => first,
        (None, Some(keyword)) => &keyword.value,
        _ => return None,
    };
    let (Expr::List(ast::ExprList { elts, .. }) | Expr::Tuple(ast::ExprTuple { elts, .. })) =
        addresses
    else {
        return None;
    };
    if elts.is_empty() {
        return None;
    }
    let mut pairs = Vec::new();
    for element in elts {
        pairs.push(sentinel_address(source, element)?);
    }
    let mut arguments = vec![format!("[{}]", pairs.join(", "))];
    let mut sentinel_kwargs = Vec::new();
    for keyword in &call.arguments.keywords {
        let name = keyword.arg.as_ref()?.as_str(); // `**kwargs`: cannot be checked
        if name == "sentinels" {
            continue;
        }
        let value = &source[keyword.value.range()];
        let new = data.sentinel_keyword(name)?;
        if new.is_empty() {
            continue;
        }
        if let Some(key) = new.strip_prefix("sentinel_kwargs.") {
            sentinel_kwargs.push(format!("{key:?}: {value}"));
            continue;
        }
        carry_factory_keyword(&mut arguments, call, keyword, new, value)?;
    }
    if !sentinel_kwargs.is_empty() {
        arguments.push(format!(
            "sentinel_kwargs={{{}}}",
            sentinel_kwargs.join(", ")
        ));
    }
    let constructor = &data.sentinel.constructor;
    Some(unsafe_fix(
        vec![Edit::replacement(
            await_expr.range(),
            format!("{module}.{constructor}({})", arguments.join(", ")),
        )],
        format!(
            "Replace with `{module}.{constructor}([(host, port), ...])` (not awaited; \
             `master_for`/`slave_for` keep their names)"
        ),
    ))
}

/// A 1.x factory keyword as redis-py's `new=` (a factory's or a sentinel's),
/// pushed to `arguments`: `encoding=` adds `decode_responses=True`; `None` for
/// an `ssl=` built in the call, whose `SSLContext` needs the `ssl_*` keywords
/// written by hand (`True`/`False` or a name holding one is carried).
pub(super) fn carry_factory_keyword(
    arguments: &mut Vec<String>,
    call: &ExprCall,
    keyword: &ast::Keyword,
    new: &str,
    value: &str,
) -> Option<()> {
    match keyword.arg.as_ref().map(ast::Identifier::as_str) {
        Some("ssl")
            if !matches!(
                keyword.value,
                Expr::BooleanLiteral(_) | Expr::Name(_) | Expr::Attribute(_)
            ) =>
        {
            return None;
        }
        Some("encoding") => {
            arguments.push(format!("{new}={value}"));
            if call.arguments.find_keyword("decode_responses").is_none() {
                arguments.push("decode_responses=True".to_string());
            }
        }
        _ => arguments.push(format!("{new}={value}")),
    }
    Some(())
}

/// One 1.x sentinel address as redis-py's `(host, port)` pair: a pair as written, or a
/// `redis://host[:port]` string literal (port 6379 when none is written, as 1.x).
fn sentinel_address(source: &str, element: &Expr) -> Option<String> {
    match element {
        Expr::Tuple(ast::ExprTuple { elts, .. }) | Expr::List(ast::ExprList { elts, .. })
            if elts.len() == 2 && !elts.iter().any(Expr::is_starred_expr) =>
        {
            Some(format!(
                "({}, {})",
                &source[elts[0].range()],
                &source[elts[1].range()]
            ))
        }
        Expr::StringLiteral(url) => {
            let text = url.value.to_str();
            let rest = text.strip_prefix("redis://")?;
            let rest = rest.strip_suffix('/').unwrap_or(rest);
            // A password, a database or options: by hand.
            if rest.is_empty() || rest.contains(['@', '/', '?', '#', '[']) {
                return None;
            }
            let (host, port) = match rest.rsplit_once(':') {
                Some((host, port)) => (host, port.parse::<u16>().ok()?),
                None => (rest, 6379),
            };
            // A host name or an IPv4 address, written back as a Python string literal.
            if host.is_empty()
                || !host
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
            {
                return None;
            }
            Some(format!("({host:?}, {port})"))
        }
        _ => None,
    }
}

/// The `create_sentinel` → `Sentinel` rewrites, kept only when every use of a 1.x
/// sentinel in the module is `master_for(...)`/`slave_for(...)` (all or nothing,
/// as [`Pools`]). Collected during the check pass.
#[derive(Debug, Default)]
pub struct Sentinels {
    /// RU101 findings of `create_sentinel` calls with a fix.
    factories: Vec<usize>,
    /// Some 1.x sentinel is used in another way.
    blocked: bool,
}

impl Sentinels {
    pub fn factory(&mut self, diagnostic: usize) {
        self.factories.push(diagnostic);
    }

    pub fn block(&mut self) {
        self.blocked = true;
    }

    /// The findings whose fixes must be taken off.
    pub fn finish(self) -> Vec<usize> {
        if self.blocked {
            self.factories
        } else {
            Vec::new()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn address(text: &str) -> Option<String> {
        let parsed = ruff_python_parser::parse_expression(text).unwrap();
        sentinel_address(text, &parsed.syntax().body)
    }

    #[test]
    fn sentinel_addresses_become_host_port_pairs() {
        assert_eq!(address("('h', 26379)").as_deref(), Some("('h', 26379)"));
        assert_eq!(address("[host, port]").as_deref(), Some("(host, port)"));
        assert_eq!(
            address("'redis://sentinel-1.local:26379'").as_deref(),
            Some("(\"sentinel-1.local\", 26379)")
        );
        // 1.x's default port when none is written.
        assert_eq!(
            address("'redis://10.0.0.1/'").as_deref(),
            Some("(\"10.0.0.1\", 6379)")
        );
        // A password, a database, options, IPv6, odd characters, a variable: by hand.
        for text in [
            "'redis://:secret@h:26379'",
            "'redis://h:26379/2'",
            "'redis://h:26379?timeout=1'",
            "'redis://[::1]:26379'",
            "'redis://hö:26379'",
            "'redis://h:port'",
            "'rediss://h:26379'",
            "url",
            "('h', 1, 2)",
        ] {
            assert_eq!(address(text), None, "{text}");
        }
    }
}
