//! `pyproject.toml`, read with `toml_edit` (which keeps every value's place in
//! the file): `[project] dependencies`, `[project.optional-dependencies]`,
//! `[dependency-groups]` (PEP 735), and Poetry's `[tool.poetry.dependencies]`,
//! `[tool.poetry.dev-dependencies]` and `[tool.poetry.group.<name>.dependencies]`.
//!
//! The keys of `optional-dependencies` and of Poetry's `extras` name extras, not
//! packages: an extra called `aioredis` is not a requirement on it.

use pep440_rs::VersionSpecifiers;
use toml_edit::{Document, Item, Table, Value};

use super::text::{list_element, to_range, whole_lines};
use super::versions::Admitted;
use super::{Dependency, LiteralSyntax, Manifest, Site, string_dependency};

pub fn parse(text: &str) -> Manifest {
    let document = match Document::parse(text) {
        Ok(document) => document,
        Err(error) => {
            return Manifest {
                error: Some(format!("not valid TOML: {}", error.message())),
                ..Manifest::default()
            };
        }
    };
    let mut manifest = Manifest::default();
    let root = document.as_table();
    if let Some(project) = root.get("project").and_then(Item::as_table_like) {
        if let Some(array) = project.get("dependencies").and_then(Item::as_array) {
            pep508_array(text, array, "project.dependencies", &mut manifest);
        }
        if let Some(extras) = project
            .get("optional-dependencies")
            .and_then(Item::as_table_like)
        {
            for (extra, item) in extras.iter() {
                if let Some(array) = item.as_array() {
                    let group = format!("project.optional-dependencies.{extra}");
                    pep508_array(text, array, &group, &mut manifest);
                }
            }
        }
    }
    if let Some(groups) = root.get("dependency-groups").and_then(Item::as_table_like) {
        for (name, item) in groups.iter() {
            if let Some(array) = item.as_array() {
                pep508_array(
                    text,
                    array,
                    &format!("dependency-groups.{name}"),
                    &mut manifest,
                );
            }
        }
    }
    if let Some(poetry) = root
        .get("tool")
        .and_then(|tool| tool.get("poetry"))
        .and_then(Item::as_table)
    {
        for key in ["dependencies", "dev-dependencies"] {
            if let Some(table) = poetry.get(key).and_then(Item::as_table) {
                key_table(
                    text,
                    table,
                    &format!("tool.poetry.{key}"),
                    Dialect::Poetry,
                    &mut manifest,
                );
            }
        }
        if let Some(groups) = poetry.get("group").and_then(Item::as_table) {
            for (name, group) in groups.iter() {
                if let Some(table) = group.get("dependencies").and_then(Item::as_table) {
                    key_table(
                        text,
                        table,
                        &format!("tool.poetry.group.{name}.dependencies"),
                        Dialect::Poetry,
                        &mut manifest,
                    );
                }
            }
        }
    }
    manifest
}

/// An array of PEP 508 strings.
pub fn pep508_array(text: &str, array: &toml_edit::Array, group: &str, manifest: &mut Manifest) {
    for value in array.iter() {
        let (Some(string), Some(span)) = (value.as_str(), value.span()) else {
            continue;
        };
        let removal = list_element(text, span.start, span.end);
        if let Some(dependency) = string_dependency(
            text,
            to_range(span),
            string,
            LiteralSyntax::Toml,
            Some(removal),
            group,
        ) {
            manifest.dependencies.push(dependency);
        }
    }
}

/// How a table of `name = constraint` entries writes its versions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// Poetry constraints: `^1.2`, `~1.2`, `1.2.*`, `>=1,<2`, `*`, `a || b`.
    Poetry,
    /// Pipfile: PEP 440 specifiers, or `*`.
    Pipfile,
}

/// A table of `name = "constraint"` / `name = { version = …, extras = […] }`.
pub fn key_table(
    text: &str,
    table: &Table,
    group: &str,
    dialect: Dialect,
    manifest: &mut Manifest,
) {
    for (name, item) in table.iter() {
        if dialect == Dialect::Poetry && name == "python" {
            continue; // the Python version, not a package
        }
        let Ok(package) = pep508_rs::PackageName::new(name.to_string()) else {
            continue;
        };
        let Some((key, _)) = table.get_key_value(name) else {
            continue;
        };
        let Some(key_span) = key.span() else {
            continue;
        };
        let (constraint, version_span, extras, marker) = match item {
            Item::Value(Value::String(string)) => (
                Some(string.value().to_string()),
                string.span(),
                Vec::new(),
                None,
            ),
            Item::Value(Value::InlineTable(inline)) => {
                let version = inline.get("version");
                (
                    version.and_then(Value::as_str).map(str::to_string),
                    version.and_then(Value::span),
                    string_list(inline.get("extras")),
                    inline
                        .get("markers")
                        .and_then(Value::as_str)
                        .map(str::to_string),
                )
            }
            Item::Table(sub) => (
                sub.get("version")
                    .and_then(Item::as_str)
                    .map(str::to_string),
                None,
                string_list(sub.get("extras").and_then(Item::as_value)),
                sub.get("markers")
                    .and_then(Item::as_str)
                    .map(str::to_string),
            ),
            _ => continue,
        };
        let (admitted, specifier) = match constraint.as_deref() {
            Some(constraint) => match dialect {
                Dialect::Poetry => poetry_constraint(constraint),
                Dialect::Pipfile => pipfile_constraint(constraint),
            },
            None => Some((Admitted::any(), String::new())),
        }
        .unwrap_or_else(|| (Admitted::any(), String::new()));
        let item_span = item.span().or_else(|| version_span.clone());
        let end = item_span
            .as_ref()
            .map_or(key_span.end, |s| s.end.max(key_span.end));
        let inline = !matches!(item, Item::Table(_));
        manifest.dependencies.push(Dependency {
            name: package,
            extras,
            admitted,
            specifier,
            marker,
            range: super::text::range(key_span.start, end),
            site: Site::TomlKey {
                key: to_range(key_span.clone()),
                version: version_span.map(to_range),
                removal: if inline {
                    whole_lines(text, key_span.start, end)
                } else {
                    None
                },
            },
            group: group.to_string(),
        });
    }
}

fn string_list(value: Option<&Value>) -> Vec<String> {
    value
        .and_then(Value::as_array)
        .map(|array| {
            array
                .iter()
                .filter_map(Value::as_str)
                .map(|s| s.trim().to_ascii_lowercase())
                .collect()
        })
        .unwrap_or_default()
}

/// A Pipfile version: `*` or PEP 440 specifiers.
fn pipfile_constraint(constraint: &str) -> Option<(Admitted, String)> {
    let constraint = constraint.trim();
    if constraint.is_empty() || constraint == "*" {
        return Some((Admitted::any(), String::new()));
    }
    let specifiers: VersionSpecifiers = constraint.parse().ok()?;
    Some((Admitted::of(&specifiers), specifiers.to_string()))
}

/// A Poetry constraint, translated into PEP 440 specifiers (the versions
/// themselves are parsed by pep440_rs): `^1.2.3` → `>=1.2.3,<2.0.0`,
/// `~1.2` → `>=1.2,<1.3`, a bare `1.2` → `==1.2`, `*` → anything; `||`
/// alternatives admit the union.
pub fn poetry_constraint(constraint: &str) -> Option<(Admitted, String)> {
    let mut admitted: Option<Admitted> = None;
    let mut texts = Vec::new();
    for alternative in constraint.split("||") {
        let mut clauses = Vec::new();
        for clause in alternative
            .split(',')
            .map(str::trim)
            .filter(|c| !c.is_empty())
        {
            if clause == "*" {
                continue;
            }
            clauses.extend(poetry_clause(clause)?);
        }
        let (this, text) = if clauses.is_empty() {
            (Admitted::any(), String::new())
        } else {
            let specifiers: VersionSpecifiers = clauses.join(",").parse().ok()?;
            (Admitted::of(&specifiers), specifiers.to_string())
        };
        admitted = Some(match admitted {
            None => this,
            Some(before) => before.union(&this),
        });
        texts.push(text);
    }
    Some((admitted?, texts.join(" || ")))
}

fn poetry_clause(clause: &str) -> Option<Vec<String>> {
    if let Some(version) = clause.strip_prefix('^') {
        let version: pep440_rs::Version = version.trim().parse().ok()?;
        let release = version.release();
        let bump_at = release
            .iter()
            .position(|n| *n != 0)
            .unwrap_or(release.len() - 1);
        let mut upper: Vec<u64> = release[..=bump_at].to_vec();
        upper[bump_at] += 1;
        return Some(vec![
            format!(">={version}"),
            format!("<{}", pep440_rs::Version::new(upper)),
        ]);
    }
    if let Some(version) = clause.strip_prefix('~').filter(|v| !v.starts_with('=')) {
        let version: pep440_rs::Version = version.trim().parse().ok()?;
        let release = version.release();
        let bump_at = if release.len() >= 2 { 1 } else { 0 };
        let mut upper: Vec<u64> = release[..=bump_at].to_vec();
        upper[bump_at] += 1;
        return Some(vec![
            format!(">={version}"),
            format!("<{}", pep440_rs::Version::new(upper)),
        ]);
    }
    if clause.starts_with(|c: char| c.is_ascii_digit()) {
        return Some(vec![format!("=={clause}")]);
    }
    Some(vec![clause.to_string()])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn poetry_constraints() {
        let spec = |c: &str| poetry_constraint(c).unwrap().1;
        assert_eq!(spec("^2.0.1"), ">=2.0.1, <3");
        assert_eq!(spec("^0.2.3"), ">=0.2.3, <0.3");
        assert_eq!(spec("~1.3"), ">=1.3, <1.4");
        assert_eq!(spec("4.3.4"), "==4.3.4");
        assert_eq!(spec("*"), "");
        assert_eq!(spec(">=4.2,<5"), ">=4.2, <5");
        let (admitted, _) = poetry_constraint("^3.5 || ^5.0").unwrap();
        assert!(admitted.at_least(&"3.5".parse().unwrap()));
        assert!(!admitted.admits_any_in(&"4.0".parse().unwrap(), Some(&"5.0".parse().unwrap())));
    }

    #[test]
    fn project_and_poetry_tables() {
        let text = r#"[project]
dependencies = [
    "aioredis[hiredis]>=2.0",  # archived
    "redis>=4.2.0",
]
[project.optional-dependencies]
aioredis = ["redis>=5"]

[tool.poetry.dependencies]
python = "^3.8"
aioredis = { version = "^1.3", extras = ["hiredis"] }

[tool.poetry.group.dev.dependencies]
types-redis = "*"

[tool.poetry.extras]
aioredis = ["aioredis"]

[tool.mypy.overrides]
module = "aioredis.*"
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
                    "project.dependencies",
                    "aioredis",
                    "\"aioredis[hiredis]>=2.0\""
                ),
                ("project.dependencies", "redis", "\"redis>=4.2.0\""),
                (
                    "project.optional-dependencies.aioredis",
                    "redis",
                    "\"redis>=5\""
                ),
                (
                    "tool.poetry.dependencies",
                    "aioredis",
                    "aioredis = { version = \"^1.3\", extras = [\"hiredis\"] }"
                ),
                (
                    "tool.poetry.group.dev.dependencies",
                    "types-redis",
                    "types-redis = \"*\""
                ),
            ]
        );
        assert_eq!(manifest.dependencies[3].extras, ["hiredis"]);
        assert_eq!(manifest.dependencies[3].specifier, ">=1.3, <2");
    }
}
