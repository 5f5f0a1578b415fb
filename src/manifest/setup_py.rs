//! `setup.py`: the literal `install_requires=[…]` and `extras_require={…}` of
//! the `setup()` call, read with the Python parser (so a requirement in a
//! comment or a docstring is not one). A keyword given a module-level name
//! (`install_requires=REQUIRES`) is followed to that name's list literal.

use std::collections::HashMap;

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{Expr, ExprCall, Stmt};
use ruff_text_size::Ranged;

use super::text::list_element;
use super::{LiteralSyntax, Manifest, string_dependency};

pub fn parse(text: &str) -> Manifest {
    let parsed = match ruff_python_parser::parse_module(text) {
        Ok(parsed) => parsed,
        Err(error) => {
            return Manifest {
                error: Some(format!("does not parse as Python: {}", error.error)),
                ..Manifest::default()
            };
        }
    };
    let body = &parsed.syntax().body;
    let mut lists: HashMap<&str, &Expr> = HashMap::new();
    for stmt in body {
        if let Stmt::Assign(assign) = stmt
            && let [Expr::Name(name)] = assign.targets.as_slice()
        {
            lists.insert(name.id.as_str(), &assign.value);
        }
    }
    let mut finder = SetupCalls { calls: Vec::new() };
    for stmt in body {
        finder.visit_stmt(stmt);
    }
    let mut manifest = Manifest::default();
    for call in finder.calls {
        for keyword in &call.arguments.keywords {
            let Some(arg) = &keyword.arg else {
                continue;
            };
            let value = resolve(&keyword.value, &lists);
            match arg.as_str() {
                "install_requires" => {
                    strings(text, value, "install_requires", &mut manifest);
                }
                "extras_require" => {
                    if let Expr::Dict(dict) = value {
                        for item in &dict.items {
                            let Some(Expr::StringLiteral(key)) = &item.key else {
                                continue;
                            };
                            let group = format!("extras_require.{}", key.value.to_str());
                            strings(text, resolve(&item.value, &lists), &group, &mut manifest);
                        }
                    }
                }
                _ => {}
            }
        }
    }
    manifest
}

fn resolve<'a>(expr: &'a Expr, lists: &HashMap<&str, &'a Expr>) -> &'a Expr {
    match expr {
        Expr::Name(name) => lists.get(name.id.as_str()).copied().unwrap_or(expr),
        _ => expr,
    }
}

/// The string literals of a list or tuple literal (or a lone string).
fn strings(text: &str, value: &Expr, group: &str, manifest: &mut Manifest) {
    let elements: &[Expr] = match value {
        Expr::List(list) => &list.elts,
        Expr::Tuple(tuple) => &tuple.elts,
        Expr::StringLiteral(_) => std::slice::from_ref(value),
        _ => return,
    };
    let in_list = !matches!(value, Expr::StringLiteral(_));
    for element in elements {
        let Expr::StringLiteral(string) = element else {
            continue;
        };
        let range = string.range();
        let removal =
            in_list.then(|| list_element(text, range.start().to_usize(), range.end().to_usize()));
        if let Some(dependency) = string_dependency(
            text,
            range,
            string.value.to_str(),
            LiteralSyntax::Python,
            removal,
            group,
        ) {
            manifest.dependencies.push(dependency);
        }
    }
}

/// Calls of `setup(…)`, `setuptools.setup(…)`, `distutils.core.setup(…)`.
struct SetupCalls<'a> {
    calls: Vec<&'a ExprCall>,
}

impl<'a> Visitor<'a> for SetupCalls<'a> {
    fn visit_expr(&mut self, expr: &'a Expr) {
        if let Expr::Call(call) = expr {
            let is_setup = match call.func.as_ref() {
                Expr::Name(name) => name.id.as_str() == "setup",
                Expr::Attribute(attribute) => attribute.attr.as_str() == "setup",
                _ => false,
            };
            if is_setup {
                self.calls.push(call);
            }
        }
        visitor::walk_expr(self, expr);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_keywords_of_setup() {
        let text = r#""""Uses aioredis>=1.3 (a docstring, not a requirement)."""
from setuptools import setup

REQUIRES = [
    "aioredis[hiredis]>=1.3,<2",  # archived
    'redis; python_version >= "3.11"',
]

setup(
    name="svc",
    install_requires=REQUIRES,
    extras_require={"aioredis": ["redis>=5"], "types": ("types-redis",)},
)
"#;
        let manifest = parse(text);
        let found: Vec<(&str, &str, &str)> = manifest
            .dependencies
            .iter()
            .map(|d| (d.group.as_str(), d.name.as_ref(), &text[d.range]))
            .collect();
        assert_eq!(
            found,
            [
                (
                    "install_requires",
                    "aioredis",
                    "\"aioredis[hiredis]>=1.3,<2\""
                ),
                (
                    "install_requires",
                    "redis",
                    "'redis; python_version >= \"3.11\"'"
                ),
                ("extras_require.aioredis", "redis", "\"redis>=5\""),
                ("extras_require.types", "types-redis", "\"types-redis\""),
            ]
        );
    }
}
