#![doc = include_str!("../../rules/docs/RU102.md")]

use ruff_python_ast::{Expr, ExprCall, ExprSubscript};
use ruff_text_size::Ranged;

use super::Rule;
use crate::api::is_aioredis;
use crate::checker::Checker;
use crate::diagnostic::Diagnostic;

pub const DOC: &str = include_str!("../../rules/docs/RU102.md");

/// Functions that import the module their first argument names.
const IMPORT_FUNCTIONS: &[&str] = &[
    "importlib.import_module",
    "importlib.__import__",
    "builtins.__import__",
    "importlib.util.find_spec",
    "pytest.importorskip",
];

/// Functions that import the module of a dotted `module.attribute` target.
const TARGET_FUNCTIONS: &[&str] = &["unittest.mock.patch", "mock.patch", "pkgutil.resolve_name"];

/// Methods whose dotted string target is imported, on any receiver: pytest's
/// `monkeypatch` and pytest-mock's `mocker` are fixtures, parameters that no
/// import binds, so the receiver cannot be resolved.
const TARGET_METHODS: &[&str] = &["patch", "setattr", "delattr"];

pub fn check_call(checker: &mut Checker, call: &ExprCall) {
    // The sinks also decide whether RU100's import swap is safe.
    let report = checker.enabled(Rule::AioredisDynamicImport);
    if !report && !checker.has_bare_aioredis_string() {
        return;
    }
    // Both kinds take the module as a string first (or by keyword): that test
    // is cheap, resolving the callee is not, and most calls fail it.
    let spells_aioredis = |argument: Option<&Expr>| {
        matches!(argument, Some(Expr::StringLiteral(literal))
            if literal.value.to_str().starts_with("aioredis"))
    };
    let arguments = &call.arguments;
    if !spells_aioredis(arguments.args.first())
        && !spells_aioredis(arguments.find_keyword("name").map(|k| &k.value))
        && !spells_aioredis(arguments.find_keyword("target").map(|k| &k.value))
    {
        return;
    }
    if is_import_function(checker, &call.func) {
        let argument = call
            .arguments
            .args
            .first()
            .or_else(|| call.arguments.find_keyword("name").map(|k| &k.value));
        let Some(Expr::StringLiteral(literal)) = argument else {
            return;
        };
        let module = literal.value.to_str();
        if !is_aioredis(module) {
            return;
        }
        checker.note_aioredis_string(literal.range);
        if !report {
            return;
        }
        let instead = with_target(checker, module, |target| {
            format!("import `{target}` instead")
        });
        checker.report(Diagnostic::new(
            Rule::AioredisDynamicImport,
            call.range(),
            format!("Dynamic import of the archived `{module}` (fails on Python 3.11+); {instead}"),
        ));
        return;
    }
    let Some(function) = target_function(checker, &call.func) else {
        return;
    };
    let argument = call
        .arguments
        .args
        .first()
        .or_else(|| call.arguments.find_keyword("target").map(|k| &k.value));
    let Some(Expr::StringLiteral(literal)) = argument else {
        return;
    };
    let target = literal.value.to_str();
    // A patch target is always `module.attribute`; a bare `"aioredis"` is not one.
    if !target.starts_with("aioredis.") || !report {
        return;
    }
    let instead = replacement_target(checker, target);
    checker.report(Diagnostic::new(
        Rule::AioredisDynamicImport,
        literal.range(),
        format!(
            "`{function}` target `{target}` imports the archived `aioredis` when it runs \
             (fails on Python 3.11+); {instead}"
        ),
    ));
}

/// `sys.modules["aioredis"]`: the module cache keyed by aioredis' import name.
pub fn check_subscript(checker: &mut Checker, subscript: &ExprSubscript) {
    let report = checker.enabled(Rule::AioredisDynamicImport);
    if !report && !checker.has_bare_aioredis_string() {
        return;
    }
    let Expr::StringLiteral(literal) = subscript.slice.as_ref() else {
        return;
    };
    let module = literal.value.to_str();
    if !is_aioredis(module)
        || !checker
            .resolve(&subscript.value)
            .iter()
            .any(|q| q == "sys.modules")
    {
        return;
    }
    checker.note_aioredis_string(literal.range);
    if !report {
        return;
    }
    let instead = with_target(checker, module, |target| {
        format!("key it by `{target}`, the module the migrated code imports")
    });
    checker.report(Diagnostic::new(
        Rule::AioredisDynamicImport,
        subscript.range(),
        format!(
            "`sys.modules[\"{module}\"]` refers to the archived `{module}` by its import name; {instead}"
        ),
    ));
}

fn is_import_function(checker: &Checker, func: &Expr) -> bool {
    if let Expr::Name(name) = func
        && name.id.as_str() == "__import__"
        && checker.model().is_unbound("__import__", checker.scope())
    {
        return true;
    }
    checker
        .resolve(func)
        .iter()
        .any(|q| IMPORT_FUNCTIONS.contains(&q.as_str()))
}

/// How the call is shown when `func` imports a dotted string target
/// (`mock.patch`, `monkeypatch.setattr`), else `None`.
fn target_function(checker: &Checker, func: &Expr) -> Option<String> {
    if let Some(name) = checker
        .resolve(func)
        .into_iter()
        .find(|q| TARGET_FUNCTIONS.contains(&q.as_str()))
    {
        return Some(name);
    }
    let Expr::Attribute(attribute) = func else {
        return None;
    };
    let method = attribute.attr.as_str();
    if !TARGET_METHODS.contains(&method) {
        return None;
    }
    Some(match attribute.value.as_ref() {
        Expr::Name(receiver) => format!("{}.{method}", receiver.id),
        _ => method.to_string(),
    })
}

/// What to write instead of the aioredis target `target` (`aioredis.x.y`).
fn replacement_target(checker: &Checker, target: &str) -> String {
    let api = checker.api();
    // The longest aioredis module the target starts with decides.
    let mut module = target;
    loop {
        if let Some(entry) = api.module(module) {
            let rest = &target[module.len()..];
            return match &entry.target {
                Some(new_module) => {
                    let new_target = format!("{new_module}{rest}");
                    match api.legacy(target) {
                        Some((_, legacy)) => format!(
                            "`{target}` is aioredis 1.x-only; patch what replaces it: {}",
                            legacy.instead
                        ),
                        None if !exported(api, new_module, rest) => format!(
                            "`{new_module}` has no `{}`: patch the redis-py name the migrated code calls",
                            first_name(rest)
                        ),
                        None => match api.missing(&new_target) {
                            Some(missing) => {
                                format!("`{new_target}` does not exist: {}", missing.instead)
                            }
                            None => {
                                format!("patch `{new_target}` once the code imports `{new_module}`")
                            }
                        },
                    }
                }
                None => entry
                    .note
                    .clone()
                    .unwrap_or_else(|| format!("`{module}` has no redis.asyncio counterpart")),
            };
        }
        match module.rfind('.') {
            Some(dot) => module = &module[..dot],
            None => return "patch the redis.asyncio name the migrated code uses".to_string(),
        }
    }
}

/// The first name of a `.a.b` rest.
fn first_name(rest: &str) -> &str {
    rest.trim_start_matches('.').split('.').next().unwrap_or("")
}

/// Whether redis-py's `module` has the first name of `rest`, as far as its
/// recorded exports say (a module without a record passes).
fn exported(api: &crate::api::ApiMap, module: &str, rest: &str) -> bool {
    let name = first_name(rest);
    name.is_empty() || api.exports(module, name).unwrap_or(true)
}

/// What to do instead, from the redis-py module that replaces the aioredis
/// `module`, or that it has none.
fn with_target(checker: &Checker, module: &str, advice: impl Fn(&str) -> String) -> String {
    checker
        .api()
        .module(module)
        .and_then(|entry| entry.target.as_deref())
        .map(advice)
        .unwrap_or_else(|| "this module has no redis.asyncio counterpart".to_string())
}
