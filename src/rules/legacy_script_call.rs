#![doc = include_str!("../../rules/docs/RU105.md")]

use ruff_python_ast::{Expr, ExprCall};
use ruff_text_size::Ranged;

use super::Rule;
use crate::checker::Checker;
use crate::diagnostic::Diagnostic;
use crate::diagnostic::{Applicability, Edit, Fix};

pub const DOC: &str = include_str!("../../rules/docs/RU105.md");

/// The script commands whose aioredis 1.x signature took `keys=[]` and `args=[]`.
const METHODS: &[&str] = &["eval", "evalsha"];

/// `<anything>.eval(script, keys=[...], args=[...])` or `.evalsha(sha, [keys], [args])`.
pub fn check_call(checker: &mut Checker, call: &ExprCall) {
    if !checker.enabled(Rule::LegacyScriptCall) {
        return;
    }
    let Expr::Attribute(attribute) = call.func.as_ref() else {
        return;
    };
    let method = attribute.attr.as_str();
    if !METHODS.contains(&method) {
        return;
    }
    let Some((keys, args)) = legacy_lists(call) else {
        return;
    };
    let source = checker.source();
    let callee = &source[call.func.range()];
    let callee = if callee.len() <= 40 {
        callee.to_string()
    } else {
        format!("….{method}")
    };
    let first = if method == "eval" { "script" } else { "sha" };
    let mut diagnostic = Diagnostic::new(
        Rule::LegacyScriptCall,
        call.func.range(),
        format!(
            "`{callee}(...)` passes the keys and arguments as lists, aioredis 1.x's signature; \
             redis-py's `{method}({first}, numkeys, *keys_and_args)` fails on it (`keys=`/`args=` \
             raise TypeError); pass the number of keys, then each key and argument"
        ),
    );
    if let Some(arguments) = rewrite(source, call, keys, args) {
        diagnostic = diagnostic.with_fix(Fix::new(
            vec![Edit::replacement(call.arguments.range, arguments)],
            Applicability::Unsafe,
            "Pass `numkeys`, then the keys and arguments by position",
        ));
    }
    checker.report(diagnostic);
}

/// The keys and args expressions of a 1.x-shaped call (each may be absent),
/// or `None` when the call has redis-py's shape or cannot be told.
fn legacy_lists(call: &ExprCall) -> Option<(Option<&Expr>, Option<&Expr>)> {
    let arguments = &call.arguments;
    let keyword = |name: &str| arguments.find_keyword(name).map(|k| &k.value);
    let (keys_keyword, args_keyword) = (keyword("keys"), keyword("args"));
    match arguments.args.as_ref() {
        [script] if !matches!(script, Expr::Starred(_)) => (keys_keyword.is_some()
            || args_keyword.is_some())
        .then_some((keys_keyword, args_keyword)),
        // By position: `evalsha(sha, [key], [arg])`, `evalsha(sha, [key], args=[arg])`.
        [script, keys, rest @ ..]
            if !matches!(script, Expr::Starred(_))
                && keys_keyword.is_none()
                && is_list(keys)
                && rest.len() <= 1
                && rest.iter().all(is_list)
                && (rest.is_empty() || args_keyword.is_none()) =>
        {
            Some((Some(keys), rest.first().or(args_keyword)))
        }
        _ => None,
    }
}

fn is_list(expr: &Expr) -> bool {
    matches!(expr, Expr::List(_) | Expr::Tuple(_))
}

/// `(script, numkeys, key…, arg…)`, or `None` when the call needs a person.
fn rewrite(
    source: &str,
    call: &ExprCall,
    keys: Option<&Expr>,
    args: Option<&Expr>,
) -> Option<String> {
    let arguments = &call.arguments;
    // Rewriting the argument list would drop comments inside it.
    if source[arguments.range].contains('#') {
        return None;
    }
    // Only `keys=` and `args=`: any other keyword (or `**kwargs`) needs a person.
    if arguments
        .keywords
        .iter()
        .any(|k| !matches!(k.arg.as_ref().map(|a| a.as_str()), Some("keys" | "args")))
    {
        return None;
    }
    let script = &source[arguments.args.first()?.range()];
    let mut spread_keys = Vec::new();
    let numkeys = match keys {
        None => "0".to_string(),
        Some(keys) => match spread(source, keys)? {
            Spread::Elements(elements) => {
                let count = elements.len();
                spread_keys = elements;
                count.to_string()
            }
            Spread::Whole(text) => {
                spread_keys.push(format!("*{text}"));
                format!("len({text})")
            }
        },
    };
    let mut parts = vec![script.to_string(), numkeys];
    parts.extend(spread_keys);
    if let Some(args) = args {
        match spread(source, args)? {
            Spread::Elements(elements) => parts.extend(elements),
            Spread::Whole(text) => parts.push(format!("*{text}")),
        }
    }
    Some(format!("({})", parts.join(", ")))
}

enum Spread {
    /// A list or tuple literal's elements, as written.
    Elements(Vec<String>),
    /// A name or attribute chain, spread with `*` (and counted with `len`).
    Whole(String),
}

fn spread(source: &str, expr: &Expr) -> Option<Spread> {
    match expr {
        Expr::List(list) => elements(source, &list.elts),
        Expr::Tuple(tuple) => elements(source, &tuple.elts),
        Expr::Name(_) => Some(Spread::Whole(source[expr.range()].to_string())),
        Expr::Attribute(attribute) if is_chain(&attribute.value) => {
            Some(Spread::Whole(source[expr.range()].to_string()))
        }
        // A call or any other expression would run twice (`len(f())`, `*f()`).
        _ => None,
    }
}

fn elements(source: &str, elements: &[Expr]) -> Option<Spread> {
    if elements.iter().any(|e| matches!(e, Expr::Starred(_))) {
        return None;
    }
    Some(Spread::Elements(
        elements
            .iter()
            .map(|e| source[e.range()].to_string())
            .collect(),
    ))
}

fn is_chain(expr: &Expr) -> bool {
    match expr {
        Expr::Name(_) => true,
        Expr::Attribute(attribute) => is_chain(&attribute.value),
        _ => false,
    }
}
