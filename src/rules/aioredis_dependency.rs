#![doc = include_str!("../../rules/docs/RU300.md")]

use super::Rule;
use crate::diagnostic::Diagnostic;
use crate::diagnostic::{Applicability, Edit, Fix};
use crate::manifest::text::{python_string, toml_string};
use crate::manifest::{Dependency, LiteralSyntax, Manifest, Site, head_len};

pub const DOC: &str = include_str!("../../rules/docs/RU300.md");

/// What an aioredis requirement becomes: the first redis-py release with
/// `aclose()` and `Redis.from_pool()` (and past both CVE windows of RU301).
pub const REPLACEMENT: &str = "redis>=5.0.1";

/// The extras of aioredis that redis-py has under the same name.
const KEPT_EXTRAS: &[&str] = &["hiredis"];

pub fn check(text: &str, manifest: &Manifest, diagnostics: &mut Vec<Diagnostic>) {
    for dependency in manifest.requirements_on("aioredis") {
        let redis_in_group = manifest
            .requirements_on("redis")
            .any(|redis| redis.group == dependency.group);
        let extras = if dependency.extras.is_empty() {
            String::new()
        } else {
            format!("[{}]", dependency.extras.join(","))
        };
        let written = format!("aioredis{extras}{}", dependency.specifier);
        let mut diagnostic = Diagnostic::new(
            Rule::AioredisDependency,
            dependency.range,
            format!(
                "`{written}` requires the archived aioredis, which fails to import on Python 3.11+; require `{}` and import `redis.asyncio`",
                replacement(dependency)
            ),
        );
        let fix = if redis_in_group {
            removal_fix(dependency)
        } else {
            replacement_fix(text, dependency)
        };
        match fix {
            Some(fix) => diagnostic = diagnostic.with_fix(fix),
            None => {
                diagnostic = diagnostic.with_help(format!(
                    "replace it with `{}` by hand",
                    replacement(dependency)
                ))
            }
        }
        diagnostics.push(diagnostic);
    }
}

/// `redis>=5.0.1`, or `redis[hiredis]>=5.0.1` when aioredis had that extra.
pub fn replacement(dependency: &Dependency) -> String {
    let extras: Vec<&str> = dependency
        .extras
        .iter()
        .map(String::as_str)
        .filter(|extra| KEPT_EXTRAS.contains(extra))
        .collect();
    if extras.is_empty() {
        REPLACEMENT.to_string()
    } else {
        format!("redis[{}]>=5.0.1", extras.join(","))
    }
}

fn replacement_fix(text: &str, dependency: &Dependency) -> Option<Fix> {
    let new_head = replacement(dependency);
    let title = format!("Replace with `{new_head}`");
    rewrite_fix(text, dependency, new_head, title)
}

/// Rewrites a requirement as `new_head` (`name[extras]>=5.0.1`), keeping its
/// marker; a TOML key (Poetry, Pipfile) becomes `redis = ">=5.0.1"`.
pub fn rewrite_fix(
    text: &str,
    dependency: &Dependency,
    new_head: String,
    title: String,
) -> Option<Fix> {
    let edits = match &dependency.site {
        Site::Pep508 {
            head: Some(head), ..
        } => vec![Edit::replacement(*head, new_head)],
        Site::Pep508 {
            head: None,
            literal: Some(literal),
            ..
        } => {
            // Rewrite the whole string, keeping its marker.
            let value = literal.value.trim();
            let rest = &value[head_len(value)..];
            let new_value = format!("{new_head}{rest}");
            let encoded = match literal.syntax {
                LiteralSyntax::Toml => toml_string(&new_value),
                LiteralSyntax::Python => {
                    let raw = &text[literal.range];
                    let quote = if raw.ends_with('\'') { '\'' } else { '"' };
                    python_string(&new_value, quote)
                }
            };
            vec![Edit::replacement(literal.range, encoded)]
        }
        Site::Pep508 { .. } => return None,
        Site::TomlKey {
            key,
            version: Some(version),
            ..
        } => {
            let raw = &text[*version];
            let quote = if raw.starts_with('\'') { '\'' } else { '"' };
            vec![
                Edit::replacement(*key, "redis"),
                Edit::replacement(*version, format!("{quote}>=5.0.1{quote}")),
            ]
        }
        Site::TomlKey { version: None, .. } => return None,
    };
    Some(Fix::new(edits, Applicability::Unsafe, title))
}

fn removal_fix(dependency: &Dependency) -> Option<Fix> {
    let removal = match &dependency.site {
        Site::Pep508 { removal, .. } | Site::TomlKey { removal, .. } => (*removal)?,
    };
    Some(Fix::new(
        vec![Edit::replacement(removal, "")],
        Applicability::Unsafe,
        "Remove it: this list already requires `redis` (make sure that requirement admits `>=5.0.1`)",
    ))
}
