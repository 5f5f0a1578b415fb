//! The modules a Python file imports, wherever the import stands (module
//! level, functions, `try`, `if TYPE_CHECKING:`): what `plan` needs for the
//! project's import graph, and RU302 to know whether a project uses
//! `redis.asyncio`.

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{Expr, Stmt};

/// One imported module: `import a.b` gives `a.b`; `from a import b` gives `a`
/// with the name `b` (which may itself be a module, `a.b`); relative imports
/// keep their level (`from ..x import y`: level 2, module `x`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Import {
    pub level: u32,
    pub module: String,
    pub names: Vec<String>,
}

impl Import {
    /// The absolute names this import may load: the module, and for a
    /// `from` import each `module.name`.
    pub fn targets(&self) -> impl Iterator<Item = String> + '_ {
        std::iter::once(self.module.clone()).chain(self.names.iter().map(|name| {
            if self.module.is_empty() {
                name.clone()
            } else {
                format!("{}.{name}", self.module)
            }
        }))
    }
}

/// Every import statement of a module, in order.
pub fn imports(body: &[Stmt]) -> Vec<Import> {
    let mut collector = Collector::default();
    for stmt in body {
        collector.visit_stmt(stmt);
    }
    collector.imports
}

/// The import statements that run when the module is imported: at module
/// level, also inside `try`, `if`, `with`, loops and class bodies, but not in
/// functions nor under `if TYPE_CHECKING:` (whose `else` branch runs).
pub fn import_time_imports(body: &[Stmt]) -> Vec<Import> {
    let mut found = Vec::new();
    collect_import_time(body, &mut found);
    found
}

fn collect_import_time(body: &[Stmt], found: &mut Vec<Import>) {
    for stmt in body {
        match stmt {
            Stmt::Import(_) | Stmt::ImportFrom(_) => {
                found.extend(imports(std::slice::from_ref(stmt)));
            }
            Stmt::If(stmt_if) => {
                if !is_type_checking(&stmt_if.test) {
                    collect_import_time(&stmt_if.body, found);
                }
                for clause in &stmt_if.elif_else_clauses {
                    if !clause.test.as_ref().is_some_and(is_type_checking) {
                        collect_import_time(&clause.body, found);
                    }
                }
            }
            Stmt::Try(stmt_try) => {
                collect_import_time(&stmt_try.body, found);
                for handler in &stmt_try.handlers {
                    let ruff_python_ast::ExceptHandler::ExceptHandler(handler) = handler;
                    collect_import_time(&handler.body, found);
                }
                collect_import_time(&stmt_try.orelse, found);
                collect_import_time(&stmt_try.finalbody, found);
            }
            Stmt::With(with) => collect_import_time(&with.body, found),
            Stmt::For(stmt_for) => {
                collect_import_time(&stmt_for.body, found);
                collect_import_time(&stmt_for.orelse, found);
            }
            Stmt::While(stmt_while) => {
                collect_import_time(&stmt_while.body, found);
                collect_import_time(&stmt_while.orelse, found);
            }
            Stmt::ClassDef(class) => collect_import_time(&class.body, found),
            _ => {}
        }
    }
}

/// `TYPE_CHECKING` or `<module>.TYPE_CHECKING`.
fn is_type_checking(expr: &Expr) -> bool {
    match expr {
        Expr::Name(name) => name.id.as_str() == "TYPE_CHECKING",
        Expr::Attribute(attribute) => attribute.attr.as_str() == "TYPE_CHECKING",
        _ => false,
    }
}

/// Whether the text imports `redis.asyncio` or `aioredis` (in any form:
/// `import redis.asyncio`, `from redis import asyncio`, `from redis.asyncio
/// import Redis`, `import aioredis`). Text without those bytes is not parsed.
pub fn imports_async_redis(text: &str) -> bool {
    if !text.contains("aioredis") && !text.contains("asyncio") {
        return false;
    }
    let parsed =
        ruff_python_parser::parse_unchecked_source(text, ruff_python_ast::PySourceType::Python);
    imports(&parsed.syntax().body).iter().any(|import| {
        import.level == 0
            && import.targets().any(|target| {
                target == "redis.asyncio"
                    || target.starts_with("redis.asyncio.")
                    || target == "aioredis"
                    || target.starts_with("aioredis.")
            })
    })
}

#[derive(Default)]
struct Collector {
    imports: Vec<Import>,
}

impl<'a> Visitor<'a> for Collector {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::Import(import) => {
                for alias in &import.names {
                    self.imports.push(Import {
                        level: 0,
                        module: alias.name.to_string(),
                        names: Vec::new(),
                    });
                }
            }
            Stmt::ImportFrom(import) => self.imports.push(Import {
                level: import.level,
                module: import
                    .module
                    .as_ref()
                    .map(ToString::to_string)
                    .unwrap_or_default(),
                names: import
                    .names
                    .iter()
                    .map(|alias| alias.name.to_string())
                    .filter(|name| name != "*")
                    .collect(),
            }),
            _ => visitor::walk_stmt(self, stmt),
        }
    }

    fn visit_expr(&mut self, _expr: &'a Expr) {
        // Imports are statements: no need to walk expressions.
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_async_redis_imports() {
        assert!(imports_async_redis("import aioredis\n"));
        assert!(imports_async_redis(
            "def f():\n    from redis import asyncio\n"
        ));
        assert!(imports_async_redis("from redis.asyncio import Redis\n"));
        assert!(!imports_async_redis("import redis\nimport asyncio\n"));
        assert!(!imports_async_redis("x = 'import aioredis'\n"));
        assert!(!imports_async_redis("from .aioredis import x\n"));
    }

    #[test]
    fn import_time_imports_skip_functions_and_type_checking() {
        let text = "import a\ntry:\n    import b\nexcept ImportError:\n    import c\nif TYPE_CHECKING:\n    import d\nelse:\n    import e\ndef f():\n    import g\nclass K:\n    import h\n";
        let parsed =
            ruff_python_parser::parse_unchecked_source(text, ruff_python_ast::PySourceType::Python);
        let modules: Vec<String> = import_time_imports(&parsed.syntax().body)
            .into_iter()
            .map(|i| i.module)
            .collect();
        assert_eq!(modules, ["a", "b", "c", "e", "h"]);
    }
}
