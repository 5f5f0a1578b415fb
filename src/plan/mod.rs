//! `redis-unify plan`: every Python file that uses aioredis, what it uses,
//! how much of it the fixes cover, how central it is, and the migration phase
//! that follows ([`policy`]); the dependency manifests' findings as phase 0.

pub mod markdown;
pub mod modules;
pub mod policy;
pub mod write;

use std::collections::{BTreeMap, BTreeSet, HashSet};

use rayon::prelude::*;
use ruff_python_ast::Stmt;
use ruff_source_file::LineIndex;
use serde::Serialize;

use crate::fix::Applicability;
use crate::lint::{is_python_path, lint_with_usage, source_type_of};
use crate::project::{AsyncioUse, lint_manifest_file};
use crate::python::imports::{Import, imports};
use crate::rules::Rule;
use crate::settings::Settings;
use crate::source::SourceFile;
use modules::{Graph, ModuleFile};
use policy::{Counts, Facts};

/// What a file uses of aioredis.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Uses {
    /// The aioredis modules it imports (`aioredis`, `aioredis.exceptions`).
    pub imports: Vec<String>,
    /// The aioredis names it uses, by qualified name (`aioredis.Redis`).
    pub names: Vec<String>,
    /// Its uses of aioredis 1.x-only API (RU101), as written.
    pub legacy: Vec<String>,
    /// The names it uses only in type annotations.
    pub annotation_only: Vec<String>,
    /// Its dynamic imports of aioredis (RU102).
    pub dynamic_imports: usize,
}

/// One file of the plan.
#[derive(Debug, Clone, Serialize)]
pub struct PlannedFile {
    /// Relative to the project root, `/`-separated (as `paths` globs match).
    pub path: String,
    pub phase: u8,
    pub reasons: Vec<String>,
    /// The migration findings (RU0xx, RU1xx): what decides the phase.
    pub findings: Counts,
    /// The client-safety findings (RU2xx): shown, but independent of the migration.
    pub safety_findings: usize,
    pub fan_in: usize,
    pub test_file: bool,
    pub uses: Uses,
}

/// A finding in a dependency manifest (phase 0).
#[derive(Debug, Clone, Serialize)]
pub struct DependencyFinding {
    pub path: String,
    pub line: usize,
    pub code: &'static str,
    pub message: String,
    /// `safe`, `unsafe` or `none`.
    pub fix: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    pub files: Vec<PlannedFile>,
    pub dependencies: Vec<DependencyFinding>,
    /// How many Python files were read.
    pub python_files: usize,
}

/// What reading one Python file gave.
struct Read {
    relative: String,
    imports: Vec<Import>,
    /// Set when the file uses aioredis.
    planned: Option<Planned>,
}

/// The findings of a file that uses aioredis, by kind.
struct Planned {
    uses: Uses,
    counts: Counts,
    manual_rules: BTreeMap<Rule, usize>,
    unsafe_rules: BTreeMap<Rule, usize>,
    safety_rules: BTreeMap<Rule, usize>,
    /// The names it defines at the top level (for its role).
    names: Vec<String>,
}

/// Whether a rule is about the migration itself (RU0xx, RU1xx), rather than
/// about Redis client safety (RU2xx), which does not depend on aioredis.
pub fn is_migration_rule(rule: Rule) -> bool {
    rule.code().starts_with("RU0") || rule.code().starts_with("RU1")
}

/// Builds the plan of `files` (Python files and manifests, read from the work tree).
pub fn build(files: &[SourceFile], settings: &Settings) -> Plan {
    let asyncio = AsyncioUse::new(settings);
    let python: Vec<&SourceFile> = files
        .iter()
        .filter(|f| is_python_path(&f.relative))
        .collect();
    let read: Vec<Read> = python
        .par_iter()
        .filter_map(|file| read_python(file, settings))
        .collect();
    let packages: HashSet<String> = python
        .iter()
        .filter_map(|f| {
            let (folder, name) = f.relative.rsplit_once('/').unwrap_or(("", &f.relative));
            (name == "__init__.py" || name == "__init__.pyi").then(|| folder.to_string())
        })
        .collect();
    let module_files: Vec<ModuleFile> = read
        .iter()
        .map(|r| ModuleFile {
            relative: r.relative.clone(),
            imports: r.imports.clone(),
        })
        .collect();
    let graph = Graph::build(&module_files, &packages);
    let mut planned: Vec<PlannedFile> = Vec::new();
    for file in &read {
        let Some(Planned {
            uses,
            counts,
            manual_rules,
            unsafe_rules,
            safety_rules,
            names,
        }) = &file.planned
        else {
            continue;
        };
        let test_file = policy::is_test_file(&file.relative);
        let fan_in = graph.fan_in(&file.relative);
        let roles = policy::critical_roles(&file.relative, names);
        let (phase, mut reasons) = policy::phase(&Facts {
            counts,
            manual_rules,
            unsafe_rules,
            test_file,
            fan_in,
            roles: &roles,
        });
        reasons.extend(use_reasons(uses));
        let safety_findings: usize = safety_rules.values().sum();
        if safety_findings > 0 {
            reasons.push(format!(
                "also {safety_findings} client-safety {} ({}) to fix by hand, with or without the migration",
                if safety_findings == 1 { "finding" } else { "findings" },
                safety_rules
                    .keys()
                    .map(|r| r.code())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        planned.push(PlannedFile {
            path: file.relative.clone(),
            phase,
            reasons,
            findings: counts.clone(),
            safety_findings,
            fan_in,
            test_file,
            uses: uses.clone(),
        });
    }
    planned.sort_by(|a, b| (a.phase, &a.path).cmp(&(b.phase, &b.path)));

    let mut dependencies = Vec::new();
    for file in files.iter().filter(|f| f.manifest.is_some()) {
        let Ok(bytes) = file.read(None) else {
            continue;
        };
        let Ok(text) = String::from_utf8(bytes) else {
            continue;
        };
        // Only its requirements: setup.py's Python findings are planned with the code.
        let diagnostics = lint_manifest_file(file.path(), &text, settings, &asyncio);
        let index = LineIndex::from_source_text(&text);
        for diagnostic in diagnostics {
            dependencies.push(DependencyFinding {
                path: file.relative.clone(),
                line: index.line_index(diagnostic.range.start()).get(),
                code: diagnostic.rule.code(),
                message: diagnostic.message.clone(),
                fix: match diagnostic.fix.as_ref().map(|f| f.applicability) {
                    Some(Applicability::Safe) => "safe",
                    Some(Applicability::Unsafe) => "unsafe",
                    _ => "none",
                },
            });
        }
    }
    Plan {
        files: planned,
        dependencies,
        python_files: python.len(),
    }
}

fn read_python(file: &SourceFile, settings: &Settings) -> Option<Read> {
    let bytes = file.read(None).ok()?;
    let text = crate::source::encoding::decode_python(bytes).ok()?.text;
    let source_type = source_type_of(&file.relative);
    // A file without `redis` has no migration finding (and without `aioredis`, it
    // can only have one through a client it is handed, as RU105 finds).
    if !text.contains("redis") {
        // Only its imports matter, for the fan-in of the others.
        let imports = if text.contains("import") {
            let parsed = ruff_python_parser::parse_unchecked_source(&text, source_type);
            imports(&parsed.syntax().body)
        } else {
            Vec::new()
        };
        return Some(Read {
            relative: file.relative.clone(),
            imports,
            planned: None,
        });
    }
    let parsed = ruff_python_parser::parse_unchecked_source(&text, source_type);
    let body = &parsed.syntax().body;
    let file_imports = imports(body);
    let rules = settings.rules_for(&file.relative);
    let linted = lint_with_usage(&text, source_type, rules, &settings.lint_options());
    let aioredis_imports: BTreeSet<String> = file_imports
        .iter()
        .filter(|i| i.level == 0 && crate::api::is_aioredis(&i.module))
        .map(|i| i.module.clone())
        .collect();
    let mut uses = Uses {
        imports: aioredis_imports.into_iter().collect(),
        names: linted.usage.names.keys().cloned().collect(),
        annotation_only: linted.usage.annotation_only.iter().cloned().collect(),
        ..Uses::default()
    };
    let mut counts = Counts::default();
    let mut manual_rules: BTreeMap<Rule, usize> = BTreeMap::new();
    let mut unsafe_rules: BTreeMap<Rule, usize> = BTreeMap::new();
    let mut safety_rules: BTreeMap<Rule, usize> = BTreeMap::new();
    for diagnostic in &linted.diagnostics {
        if !is_migration_rule(diagnostic.rule) {
            *safety_rules.entry(diagnostic.rule).or_default() += 1;
            continue;
        }
        match diagnostic
            .fix
            .as_ref()
            .filter(|f| !f.edits.is_empty())
            .map(|f| f.applicability)
        {
            Some(Applicability::Safe) => counts.safe += 1,
            Some(Applicability::Unsafe) => {
                counts.r#unsafe += 1;
                *unsafe_rules.entry(diagnostic.rule).or_default() += 1;
            }
            _ => {
                counts.manual += 1;
                *manual_rules.entry(diagnostic.rule).or_default() += 1;
            }
        }
        match diagnostic.rule {
            Rule::AioredisLegacyApi => uses.legacy.push(text[diagnostic.range].to_string()),
            Rule::AioredisDynamicImport => uses.dynamic_imports += 1,
            _ => {}
        }
    }
    // A file that calls aioredis 1.x API shapes on a client it was handed (RU105:
    // `evalsha(sha, keys=…)`) belongs to the migration too, without an import.
    let migration_findings = counts.safe + counts.r#unsafe + counts.manual;
    let uses_aioredis = !uses.imports.is_empty()
        || !uses.names.is_empty()
        || uses.dynamic_imports > 0
        || migration_findings > 0;
    Some(Read {
        relative: file.relative.clone(),
        imports: file_imports,
        planned: uses_aioredis.then(|| Planned {
            uses,
            counts,
            manual_rules,
            unsafe_rules,
            safety_rules,
            names: defined_names(body),
        }),
    })
}

/// The names a module defines at its top level: classes, functions, and
/// assigned names (what tells its role: `class SessionStore`, `cache = …`).
fn defined_names(body: &[Stmt]) -> Vec<String> {
    let mut names = Vec::new();
    for stmt in body {
        match stmt {
            Stmt::ClassDef(class) => names.push(class.name.to_string()),
            Stmt::FunctionDef(function) => names.push(function.name.to_string()),
            Stmt::Assign(assign) => {
                for target in &assign.targets {
                    if let ruff_python_ast::Expr::Name(name) = target {
                        names.push(name.id.to_string());
                    }
                }
            }
            Stmt::AnnAssign(assign) => {
                if let ruff_python_ast::Expr::Name(name) = assign.target.as_ref() {
                    names.push(name.id.to_string());
                }
            }
            _ => {}
        }
    }
    names
}

/// What the file uses, as reasons a reviewer can check.
fn use_reasons(uses: &Uses) -> Vec<String> {
    let mut reasons = Vec::new();
    if !uses.legacy.is_empty() {
        let mut legacy: Vec<&str> = uses.legacy.iter().map(String::as_str).collect();
        legacy.sort_unstable();
        legacy.dedup();
        let shown: Vec<String> = legacy.iter().take(4).map(|n| format!("`{n}`")).collect();
        let more = legacy.len().saturating_sub(4);
        reasons.push(format!(
            "uses aioredis 1.x API: {}{}",
            shown.join(", "),
            if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            }
        ));
    } else if !uses.names.is_empty() {
        let short: Vec<String> = uses
            .names
            .iter()
            .take(5)
            .map(|n| format!("`{}`", n.strip_prefix("aioredis.").unwrap_or(n)))
            .collect();
        let more = uses.names.len().saturating_sub(5);
        reasons.push(format!(
            "uses aioredis 2.x names only: {}{}",
            short.join(", "),
            if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            }
        ));
    } else if !uses.imports.is_empty() {
        reasons.push("imports aioredis without using a name of it".to_string());
    }
    if !uses.names.is_empty() && uses.annotation_only.len() == uses.names.len() {
        reasons.push("aioredis appears only in type annotations".to_string());
    }
    if uses.dynamic_imports > 0 {
        reasons.push(format!(
            "imports aioredis dynamically ({}×)",
            uses.dynamic_imports
        ));
    }
    reasons
}
