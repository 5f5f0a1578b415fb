#![doc = include_str!("../../rules/docs/RU100.md")]

use ruff_python_ast::{Alias, Stmt, StmtImportFrom};
use ruff_text_size::Ranged;

use super::Rule;
use crate::api::{ApiMap, is_aioredis};
use crate::checker::Checker;
use crate::diagnostic::Diagnostic;

pub const DOC: &str = include_str!("../../rules/docs/RU100.md");

const ARCHIVED: &str = "Import of the archived `aioredis` (fails on Python 3.11+)";

pub fn check(checker: &mut Checker, stmt: &Stmt) {
    if !checker.enabled(Rule::AioredisImport) {
        return;
    }
    let advice = match stmt {
        Stmt::Import(import) => {
            let advice: Vec<String> = import
                .names
                .iter()
                .filter(|alias| is_aioredis(alias.name.as_str()))
                .map(|alias| import_advice(checker.api(), alias))
                .collect();
            if advice.is_empty() {
                return;
            }
            advice.join("; ")
        }
        Stmt::ImportFrom(import) => match import.module.as_ref() {
            Some(module) if import.level == 0 && is_aioredis(module.as_str()) => {
                from_import_advice(checker.api(), import, module.as_str())
            }
            _ => return,
        },
        _ => return,
    };
    checker.report(Diagnostic::new(
        Rule::AioredisImport,
        stmt.range(),
        format!("{ARCHIVED}: {advice}"),
    ));
}

/// Advice for one `import aioredis…` alias.
fn import_advice(api: &ApiMap, alias: &Alias) -> String {
    let module = alias.name.as_str();
    let Some(entry) = api.module(module) else {
        return format!("`{module}` is not a module of aioredis 1.3.1 or 2.0.1");
    };
    match (&entry.target, &alias.asname) {
        (Some(target), Some(asname)) => format!("use `import {target} as {asname}`"),
        (Some(target), None) if module == "aioredis" => {
            format!("use `import {target} as aioredis`")
        }
        (Some(target), None) => {
            format!("use `import {target}` and write the uses of `{module}` as `{target}`")
        }
        (None, _) => entry.note.clone().unwrap_or_default(),
    }
}

/// Advice for `from aioredis… import …`.
fn from_import_advice(api: &ApiMap, import: &StmtImportFrom, module: &str) -> String {
    let Some(entry) = api.module(module) else {
        return format!("`{module}` is not a module of aioredis 1.3.1 or 2.0.1");
    };
    let Some(target) = &entry.target else {
        return entry.note.clone().unwrap_or_default();
    };
    let mut legacy = Vec::new();
    let mut missing = Vec::new();
    for alias in &import.names {
        let name = alias.name.as_str();
        if name == "*" {
            continue;
        }
        if api.legacy(&format!("{module}.{name}")).is_some() {
            legacy.push(format!("`{name}`"));
        } else if api.exports(target, name) == Some(false) {
            missing.push(format!("`{name}`"));
        }
    }
    if !legacy.is_empty() {
        return format!(
            "{} {} aioredis 1.x API that `{target}` does not have (see RU101)",
            legacy.join(", "),
            if legacy.len() == 1 { "is" } else { "are" }
        );
    }
    if !missing.is_empty() {
        return format!(
            "`{target}` has no {}: change {} by hand",
            missing.join(", "),
            if missing.len() == 1 { "it" } else { "them" }
        );
    }
    let names: Vec<String> = import
        .names
        .iter()
        .map(|alias| match &alias.asname {
            Some(asname) => format!("{} as {asname}", alias.name.as_str()),
            None => alias.name.to_string(),
        })
        .collect();
    format!("use `from {target} import {}`", names.join(", "))
}
