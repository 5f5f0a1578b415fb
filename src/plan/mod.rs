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

use crate::diagnostic::Applicability;
use crate::lint::{is_python_path, lint_with_usage, source_type_of};
use crate::project::{AsyncioUse, lint_manifest_file};
use crate::python::imports::{Import, import_time_imports, imports};
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
    /// The redis-py version phases 1–4 are planned for (`target-redis-version`,
    /// else what phase 0's fixes require, else the lowest the manifests admit).
    pub target_redis_version: Option<String>,
    /// Where that version comes from, and what to do when it disagrees with phase 0.
    pub notes: Vec<String>,
    /// For each phase 1–4: the Python files that still fail to import after it.
    pub verify: Vec<PhaseVerify>,
    /// Whether the configuration already holds phases, and whether they are
    /// this plan's (set by the command; decides what the Markdown tells to run).
    #[serde(skip)]
    pub saved: Saved,
    /// The configuration file `plan --write` writes, as shown (set by the command).
    #[serde(skip)]
    pub config_target: String,
    /// The folder to run the printed commands in, when it is not the current
    /// one (a plan of another project's folder).
    #[serde(skip)]
    pub run_from: Option<String>,
}

/// The phases the configuration holds, compared with the plan.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Saved {
    /// None yet: `plan --write` comes first.
    #[default]
    Nothing,
    /// The plan's phases, as `plan --write` would write them.
    Same(String),
    /// Other phases (edited by hand, or saved before part of the migration).
    Different(String),
}

/// What a phase's `--verify` can cover: after the phase (and the ones before
/// it), which Python files still run an aioredis import when they are
/// imported, themselves or through the project modules they import — on
/// Python 3.11 their tests fail until a later phase.
#[derive(Debug, Clone, Serialize)]
pub struct PhaseVerify {
    pub phase: u8,
    pub still_importing_aioredis: Vec<Blocked>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Blocked {
    pub path: String,
    /// The file whose aioredis import it runs (itself, or a module it imports).
    pub through: String,
    /// The phase that removes that import, or `None` when only a hand change can.
    pub until_phase: Option<u8>,
}

/// How a file's import-time aioredis import goes away.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Swap {
    /// It has none (aioredis only in functions, under `TYPE_CHECKING`, …).
    NotNeeded,
    /// A fix swaps it: 1 a safe fix, 2 an unsafe one.
    Fix(u8),
    /// Only a hand change (a 1.x API, a `noqa`-suppressed import, …).
    Manual,
}

/// What reading one Python file gave.
struct Read {
    relative: String,
    imports: Vec<Import>,
    /// The imports that run when the module is imported.
    import_time: Vec<Import>,
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
    /// Its RU100 findings, by fix.
    import_findings: Counts,
    /// Its aioredis import statements, anywhere in the file.
    aioredis_imports: usize,
    /// Whether an aioredis import runs when the module is imported.
    aioredis_at_import: bool,
}

impl Planned {
    fn swap(&self) -> Swap {
        if !self.aioredis_at_import {
            Swap::NotNeeded
        } else if self.import_findings.manual == 0
            && self.import_findings.total() >= self.aioredis_imports
        {
            Swap::Fix(if self.import_findings.r#unsafe == 0 {
                1
            } else {
                2
            })
        } else {
            Swap::Manual
        }
    }
}

/// Whether a rule is about the migration itself (RU0xx, RU1xx), rather than
/// about Redis client safety (RU2xx), which does not depend on aioredis. RU002
/// (a stale `# noqa`) is about neither: it never moves a file's phase.
pub fn is_migration_rule(rule: Rule) -> bool {
    rule != Rule::UnusedNoqa && (rule.code().starts_with("RU0") || rule.code().starts_with("RU1"))
}

/// Builds the plan of `files` (Python files and manifests, read from the work
/// tree). `target_configured`: whether `target-redis-version` was set in the
/// configuration (else `settings` holds the lowest version the manifests admit).
pub fn build(files: &[SourceFile], settings: &Settings, target_configured: bool) -> Plan {
    let asyncio = AsyncioUse::new(settings);
    let dependencies = dependency_findings(files, settings, &asyncio);
    // Phases 1–4 come after phase 0: plan them for the redis-py that phase 0's
    // fixes require (RU300/RU301 write `>=5.0.1`), unless the configuration
    // names a target; say when the two disagree.
    let phase_0_version = dependencies
        .iter()
        .any(|d| d.fix != "none" && (d.code == "RU300" || d.code == "RU301"))
        .then_some(crate::version::RedisVersion::ACLOSE);
    let mut options = settings.lint_options();
    let mut notes = Vec::new();
    match (phase_0_version, options.target_redis_version) {
        (Some(required), Some(target)) if target_configured && target < required => {
            notes.push(format!(
                "`target-redis-version` is {target}, but phase 0's fixes require redis>={required}: \
                 the findings below follow {target} (no `aclose()`, …); raise `target-redis-version` \
                 to \"{required}\" together with phase 0, then run `redis-unify plan` again."
            ));
        }
        (Some(required), target) if !target_configured && target.is_none_or(|t| t < required) => {
            options.target_redis_version = Some(required);
            notes.push(format!(
                "Phases 1–4 are planned for redis-py {required}, which phase 0's fixes require{}.",
                match target {
                    Some(target) => format!(" (the manifests admit {target} today)"),
                    None => String::new(),
                }
            ));
        }
        _ => {}
    }
    let python: Vec<&SourceFile> = files
        .iter()
        .filter(|f| is_python_path(&f.relative))
        .collect();
    // The project index, as check and fix build it: the cross-module sites
    // count in a file's reasons like the others.
    let index = if crate::commands::index::wants_index(settings.rules) {
        crate::commands::index::build(files, None, settings, false)
    } else {
        crate::python::index::ProjectIndex::default()
    };
    let read: Vec<Read> = python
        .par_iter()
        .filter_map(|file| {
            let options = options.with_project(index.context(&file.relative));
            read_python(file, settings, &options)
        })
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
    // What runs when a module is imported: the graph a test's import follows.
    let import_time_files: Vec<ModuleFile> = read
        .iter()
        .map(|r| ModuleFile {
            relative: r.relative.clone(),
            imports: r.import_time.clone(),
        })
        .collect();
    let import_time = Graph::build_import_time(&import_time_files, &packages);
    let mut planned: Vec<PlannedFile> = Vec::new();
    for file in &read {
        let Some(Planned {
            uses,
            counts,
            manual_rules,
            unsafe_rules,
            safety_rules,
            names,
            ..
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
    let swaps: BTreeMap<String, Swap> = read
        .iter()
        .filter_map(|r| r.planned.as_ref().map(|p| (r.relative.clone(), p.swap())))
        .collect();
    pull_imported_modules_forward(&mut planned, &swaps, &import_time);
    planned.sort_by(|a, b| (a.phase, &a.path).cmp(&(b.phase, &b.path)));
    let verify = (1..=4)
        .map(|phase| PhaseVerify {
            phase,
            still_importing_aioredis: still_importing_aioredis(
                phase,
                &planned,
                &swaps,
                &import_time,
            ),
        })
        .collect();
    Plan {
        files: planned,
        dependencies,
        python_files: python.len(),
        target_redis_version: options.target_redis_version.map(|v| v.to_string()),
        notes,
        verify,
        saved: Saved::Nothing,
        config_target: "pyproject.toml".to_string(),
        run_from: None,
    }
}

/// Whether `fix --phase N` as `plan` prints it applies unsafe fixes: when a
/// file of the phase has a finding only an unsafe fix covers.
pub fn phase_uses_unsafe_fixes(files: &[PlannedFile], phase: u8) -> bool {
    files
        .iter()
        .any(|f| f.phase == phase && f.findings.r#unsafe > 0)
}

/// Whether `fix --phase N` as `plan` prints it checks that each changed module
/// imports (`--verify-imports`): when no file the phase changes still runs an
/// aioredis import after it, so the check can pass (a file with no fix is not
/// changed, so not imported).
pub fn phase_imports_can_pass(
    plan_verify: &[PhaseVerify],
    files: &[PlannedFile],
    phase: u8,
) -> bool {
    let Some(verify) = plan_verify.iter().find(|v| v.phase == phase) else {
        return true;
    };
    let unsafe_fixes = phase_uses_unsafe_fixes(files, phase);
    !files.iter().any(|file| {
        let changed = file.findings.safe > 0 || (unsafe_fixes && file.findings.r#unsafe > 0);
        file.phase == phase
            && changed
            && verify
                .still_importing_aioredis
                .iter()
                .any(|blocked| blocked.path == file.path)
    })
}

/// Whether `fix --phase N` can change anything before the phase's hand changes:
/// some finding of the phase has a safe or unsafe fix. (An aioredis 1.x module
/// with a use no rewrite carries shows its rewrites as display-only fixes.)
pub fn phase_has_fixes(files: &[PlannedFile], phase: u8) -> bool {
    files
        .iter()
        .any(|f| f.phase == phase && (f.findings.safe > 0 || f.findings.r#unsafe > 0))
}

/// The command `plan` prints for a phase (1–4).
pub fn phase_command(plan: &Plan, phase: u8) -> String {
    let unsafe_fixes = phase_uses_unsafe_fixes(&plan.files, phase);
    let imports = phase_imports_can_pass(&plan.verify, &plan.files, phase);
    format!(
        "redis-unify fix --phase {phase}{}{} --verify \"<your test command>\" --commit",
        if unsafe_fixes { " --unsafe-fixes" } else { "" },
        if imports { " --verify-imports" } else { "" }
    )
}

/// The command `plan` prints for phase 0, the dependency manifests.
pub const DEPENDENCIES_COMMAND: &str =
    "redis-unify fix --phase 0 --unsafe-fixes --verify \"<your install command>\" --commit";

/// A module that others import is migrated no later than they are, as far as
/// a fix can make it importable: on Python 3.11 no aioredis imports, so a
/// phase's tests pass only when every project module they load is swapped.
/// Such a module moves to the earliest phase of the files that import it
/// (directly or through others) — never below the phase its swap needs (1 for
/// a safe fix, 2 for an unsafe one); its hand changes stay to do, and say so.
fn pull_imported_modules_forward(
    planned: &mut [PlannedFile],
    swaps: &BTreeMap<String, Swap>,
    import_time: &Graph,
) {
    let index: BTreeMap<String, usize> = planned
        .iter()
        .enumerate()
        .map(|(i, f)| (f.path.clone(), i))
        .collect();
    // The planned files that import each swappable one, directly or not.
    let importers: BTreeMap<&str, Vec<usize>> = index
        .keys()
        .filter(|path| matches!(swaps.get(*path), Some(Swap::Fix(_))))
        .map(|path| {
            let planned_importers = import_time
                .importers_closure(path)
                .iter()
                .filter_map(|importer| index.get(importer).copied())
                .collect();
            (path.as_str(), planned_importers)
        })
        .collect();
    let original: Vec<u8> = planned.iter().map(|f| f.phase).collect();
    // Phases only go down and are at least 1: this ends.
    loop {
        let mut changed = false;
        for (path, &i) in &index {
            let Some(Swap::Fix(floor)) = swaps.get(path) else {
                continue;
            };
            let earliest = importers[path.as_str()]
                .iter()
                .map(|&importer| planned[importer].phase)
                .min();
            let Some(earliest) = earliest else { continue };
            let wanted = earliest.max(*floor);
            if wanted < planned[i].phase {
                planned[i].phase = wanted;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    for (path, &i) in &index {
        if planned[i].phase == original[i] {
            continue;
        }
        let phase = planned[i].phase;
        let mut importers: Vec<String> = importers[path.as_str()]
            .iter()
            .filter(|&&importer| planned[importer].phase == phase)
            .map(|&importer| planned[importer].path.clone())
            .collect();
        importers.sort_unstable();
        let shown: Vec<String> = importers.iter().take(3).map(|p| format!("`{p}`")).collect();
        let more = importers.len().saturating_sub(3);
        let file = &planned[i];
        let swap = if matches!(swaps.get(path), Some(Swap::Fix(1))) {
            "a safe fix"
        } else {
            "an unsafe fix"
        };
        let mut reason = format!(
            "in phase {phase}, not {}: {}{} {} it, and their tests can import it only once its \
             aioredis import is swapped ({swap})",
            original[i],
            shown.join(", "),
            if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            },
            if importers.len() == 1 {
                "imports"
            } else {
                "import"
            },
        );
        if file.findings.manual > 0 {
            reason.push_str(&format!(
                "; its {} that {} a hand change {} after this phase (`redis-unify check {}` shows {})",
                if file.findings.manual == 1 {
                    "finding"
                } else {
                    "findings"
                },
                if file.findings.manual == 1 {
                    "needs"
                } else {
                    "need"
                },
                if file.findings.manual == 1 {
                    "remains"
                } else {
                    "remain"
                },
                file.path,
                if file.findings.manual == 1 { "it" } else { "them" },
            ));
        }
        planned[i].reasons.insert(0, reason);
    }
}

/// The Python files that still run an aioredis import when imported, after
/// phases 1..=`phase` were fixed as `plan` prints them.
fn still_importing_aioredis(
    phase: u8,
    planned: &[PlannedFile],
    swaps: &BTreeMap<String, Swap>,
    import_time: &Graph,
) -> Vec<Blocked> {
    let mut sources: Vec<(String, Option<u8>)> = Vec::new();
    for file in planned {
        let until = match swaps.get(&file.path) {
            Some(Swap::NotNeeded) | None => continue,
            Some(Swap::Fix(1)) => Some(file.phase),
            Some(Swap::Fix(_)) => {
                phase_uses_unsafe_fixes(planned, file.phase).then_some(file.phase)
            }
            Some(Swap::Manual) => None,
        };
        if until.is_none_or(|until| until > phase) {
            sources.push((file.path.clone(), until));
        }
    }
    // The hardest cause first: a hand change, then the latest phase.
    sources.sort_by_key(|(path, until)| (until.is_some(), std::cmp::Reverse(*until), path.clone()));
    let mut blocked: BTreeMap<String, Blocked> = BTreeMap::new();
    for (source, until) in &sources {
        let reached = std::iter::once(source.clone()).chain(import_time.importers_closure(source));
        for path in reached {
            blocked.entry(path.clone()).or_insert(Blocked {
                path,
                through: source.clone(),
                until_phase: *until,
            });
        }
    }
    blocked.into_values().collect()
}

/// The findings of the dependency manifests (phase 0).
fn dependency_findings(
    files: &[SourceFile],
    settings: &Settings,
    asyncio: &AsyncioUse,
) -> Vec<DependencyFinding> {
    let mut dependencies = Vec::new();
    for file in files.iter().filter(|f| f.manifest.is_some()) {
        let Ok(bytes) = file.read(None) else {
            continue;
        };
        let Ok(text) = String::from_utf8(bytes) else {
            continue;
        };
        // Only its requirements: setup.py's Python findings are planned with the code.
        let diagnostics = lint_manifest_file(file.path(), &text, settings, asyncio);
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
    dependencies
}

fn read_python(
    file: &SourceFile,
    settings: &Settings,
    options: &crate::lint::LintOptions,
) -> Option<Read> {
    let bytes = file.read(None).ok()?;
    let text = crate::source::encoding::decode_python(bytes).ok()?.text;
    let source_type = source_type_of(&file.relative);
    // A file without `redis` has no migration finding (and without `aioredis`, it
    // can only have one through a client it is handed, as RU105 finds).
    if !text.contains("redis") && !options.project.is_some_and(|p| p.relevant()) {
        // Only its imports matter, for the fan-in of the others.
        let (imports, import_time) = if text.contains("import") {
            let parsed = ruff_python_parser::parse_unchecked_source(&text, source_type);
            let body = &parsed.syntax().body;
            (imports(body), import_time_imports(body))
        } else {
            (Vec::new(), Vec::new())
        };
        return Some(Read {
            relative: file.relative.clone(),
            imports,
            import_time,
            planned: None,
        });
    }
    let parsed = ruff_python_parser::parse_unchecked_source(&text, source_type);
    let body = &parsed.syntax().body;
    let file_imports = imports(body);
    let import_time = import_time_imports(body);
    let rules = settings.rules_for(&file.relative);
    let linted = lint_with_usage(&text, source_type, rules, options);
    let is_aioredis_import = |i: &&Import| i.level == 0 && crate::api::is_aioredis(&i.module);
    let aioredis_import_count = file_imports.iter().filter(is_aioredis_import).count();
    let aioredis_at_import = import_time.iter().any(|i| is_aioredis_import(&i));
    let mut import_findings = Counts::default();
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
        if diagnostic.rule == Rule::UnusedNoqa {
            continue; // a stale `# noqa`: neither migration nor client safety
        }
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
            Some(Applicability::Safe) => {
                counts.safe += 1;
                if diagnostic.rule == Rule::AioredisImport {
                    import_findings.safe += 1;
                }
            }
            Some(Applicability::Unsafe) => {
                counts.r#unsafe += 1;
                *unsafe_rules.entry(diagnostic.rule).or_default() += 1;
                if diagnostic.rule == Rule::AioredisImport {
                    import_findings.r#unsafe += 1;
                }
            }
            _ => {
                counts.manual += 1;
                *manual_rules.entry(diagnostic.rule).or_default() += 1;
                if diagnostic.rule == Rule::AioredisImport {
                    import_findings.manual += 1;
                }
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
        import_time,
        planned: uses_aioredis.then(|| Planned {
            uses,
            counts,
            manual_rules,
            unsafe_rules,
            safety_rules,
            names: defined_names(body),
            import_findings,
            aioredis_imports: aioredis_import_count,
            aioredis_at_import,
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
