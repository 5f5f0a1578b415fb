#![doc = include_str!("../../rules/docs/RU100.md")]

use ruff_python_ast::{Alias, Stmt, StmtImportFrom};
use ruff_source_file::LineIndex;
use ruff_text_size::{Ranged, TextRange};

use super::Rule;
use crate::api::{ApiMap, is_aioredis};
use crate::checker::{Checker, Reference};
use crate::diagnostic::{Applicability, Edit, Fix};
use crate::diagnostic::{Diagnostic, Related};
use crate::python::semantic::{MODULE_SCOPE, ScopeId};

pub const DOC: &str = include_str!("../../rules/docs/RU100.md");

const ARCHIVED: &str = "Import of the archived `aioredis` (fails on Python 3.11+)";

/// How many blocking uses a message lists before "and N more".
const LISTED_BLOCKERS: usize = 3;

/// An import statement's rewrite, completed once every reference of the module
/// is known: the fix is safe only if every use of the names it binds still
/// exists, with the same meaning, after the swap.
#[derive(Debug)]
pub struct ImportFixPlan {
    diagnostic: usize,
    scope: ScopeId,
    edits: Vec<Edit>,
    title: String,
    /// Names the statement binds: (name, qualified before, qualified after).
    bound: Vec<(String, String, String)>,
    /// `from aioredis import *`: its uses cannot be enumerated.
    star: bool,
}

pub fn check(checker: &mut Checker, stmt: &Stmt) {
    if !checker.enabled(Rule::AioredisImport) {
        return;
    }
    let api = checker.api();
    let (advice, rewrite) = match stmt {
        Stmt::Import(import) => {
            let aliases: Vec<&Alias> = import
                .names
                .iter()
                .filter(|alias| is_aioredis(alias.name.as_str()))
                .collect();
            if aliases.is_empty() {
                return;
            }
            let advice: Vec<String> = aliases.iter().map(|a| import_advice(api, a)).collect();
            (advice.join("; "), rewrite_import(api, &aliases))
        }
        Stmt::ImportFrom(import) => match import.module.as_ref() {
            Some(module) if import.level == 0 && is_aioredis(module.as_str()) => (
                from_import_advice(api, import, module.as_str()),
                rewrite_from_import(api, import, module.as_str()),
            ),
            _ => return,
        },
        _ => return,
    };
    let diagnostic = checker.diagnostic_count();
    let mut report = Diagnostic::new(
        Rule::AioredisImport,
        stmt.range(),
        format!("{ARCHIVED}: {advice}"),
    );
    if let Stmt::ImportFrom(import) = stmt
        && rewrite.is_none()
        && let Some(fix) = rewrite_exceptions_import(checker.source(), import)
    {
        report = report.with_fix(fix);
        for alias in &import.names {
            let bound = alias.asname.as_ref().unwrap_or(&alias.name);
            checker.note_rewritten_import(bound.as_str());
        }
    }
    checker.report(report);
    if let Some(mut plan) = rewrite {
        plan.diagnostic = diagnostic;
        plan.scope = checker.scope();
        checker.plan_import_fix(plan);
    }
}

/// The edits for `import aioredis…` aliases; `None` when one has no counterpart.
fn rewrite_import(api: &ApiMap, aliases: &[&Alias]) -> Option<ImportFixPlan> {
    let mut edits = Vec::new();
    let mut bound = Vec::new();
    let mut replacements = Vec::new();
    for alias in aliases {
        let module = alias.name.as_str();
        let target = api.module(module)?.target.as_deref()?;
        match &alias.asname {
            Some(asname) => {
                edits.push(Edit::replacement(alias.name.range, target));
                bound.push((asname.to_string(), module.to_string(), target.to_string()));
                replacements.push(format!("import {target} as {asname}"));
            }
            None => {
                // `import aioredis.client` binds `aioredis`; `redis.asyncio` imports its
                // submodules, so binding `aioredis` to it keeps `aioredis.client` working.
                let package_target = api.module("aioredis")?.target.as_deref()?;
                edits.push(Edit::replacement(
                    alias.name.range,
                    format!("{package_target} as aioredis"),
                ));
                bound.push((
                    "aioredis".to_string(),
                    "aioredis".to_string(),
                    package_target.to_string(),
                ));
                replacements.push(format!("import {package_target} as aioredis"));
            }
        }
    }
    Some(ImportFixPlan {
        diagnostic: 0,
        scope: 0,
        edits,
        title: format!("Replace with `{}`", replacements.join("`; `")),
        bound,
        star: false,
    })
}

/// The edit for `from aioredis… import …`; `None` when a name has no counterpart.
fn rewrite_from_import(
    api: &ApiMap,
    import: &StmtImportFrom,
    module: &str,
) -> Option<ImportFixPlan> {
    let target = api.module(module)?.target.as_deref()?;
    let module_range = import.module.as_ref()?.range;
    let mut bound = Vec::new();
    let mut star = false;
    for alias in &import.names {
        let name = alias.name.as_str();
        if name == "*" {
            star = true;
            continue;
        }
        if api.legacy(&format!("{module}.{name}")).is_some()
            || api.exports(target, name) != Some(true)
        {
            return None;
        }
        let bound_name = alias.asname.as_ref().unwrap_or(&alias.name).to_string();
        bound.push((
            bound_name,
            format!("{module}.{name}"),
            format!("{target}.{name}"),
        ));
    }
    Some(ImportFixPlan {
        diagnostic: 0,
        scope: 0,
        edits: vec![Edit::replacement(module_range, target)],
        title: format!("Import from `{target}` instead"),
        bound,
        star,
    })
}

/// `from aioredis.errors import ReplyError, RedisError` (or from `aioredis`) where
/// every name is a 1.x error with an exact redis-py counterpart
/// (`rules/aioredis-rewrites.toml`, `[exceptions]`): `from redis.exceptions import
/// ResponseError as ReplyError, RedisError`, so the uses keep their names. Unsafe:
/// an `except` now catches redis-py's class, raised by redis-py's client only.
fn rewrite_exceptions_import(source: &str, import: &StmtImportFrom) -> Option<Fix> {
    let module = import.module.as_ref()?.as_str();
    if import.level != 0 || !matches!(module, "aioredis" | "aioredis.errors") {
        return None;
    }
    let mut names = Vec::new();
    for alias in &import.names {
        let old = alias.name.as_str();
        let new = super::legacy_rewrites::exception(old)?;
        let bound = alias.asname.as_ref().map_or(old, |asname| asname.as_str());
        names.push(if bound == new {
            new.to_string()
        } else {
            format!("{new} as {bound}")
        });
    }
    if source[import.range()].contains('#') {
        return None;
    }
    let text = format!("from redis.exceptions import {}", names.join(", "));
    Some(Fix::new(
        vec![Edit::replacement(import.range(), text.clone())],
        Applicability::Unsafe,
        format!("Replace with `{text}`"),
    ))
}

/// What a use becomes after the swap.
enum UseVerdict {
    /// It exists unchanged.
    Keeps,
    /// It exists once this edit drops a segment (`aioredis.exceptions.X` → `aioredis.X`).
    Rewrite(Edit),
    /// It does not exist: the swap would break it.
    Breaks(String),
}

/// Completes the planned import fixes: safe when every use keeps working
/// (possibly with its own edit, made in the same fix), unsafe otherwise.
pub fn attach_fixes(checker: &mut Checker) {
    let plans = checker.take_import_fix_plans();
    if plans.is_empty() {
        return;
    }
    let source = checker.source();
    // Lines are only named in blocker messages: index them on first need.
    let lines = std::cell::OnceCell::new();
    let line_of = |range: TextRange| {
        lines
            .get_or_init(|| LineIndex::from_source_text(source))
            .line_index(range.start())
            .get()
    };
    // RU101 findings no fix rewrites: the swap cannot make this module work.
    // (The module's other 1.x rewrites are then held as display-only.)
    let without_rewrite = super::aioredis_legacy_client::without_rewrite(checker);
    let mut completed = Vec::new();
    for plan in plans {
        let mut edits = plan.edits.clone();
        let mut blockers = Vec::new();
        for (name, before, after) in &plan.bound {
            for reference in checker.references() {
                if &reference.root != name || reference.binding_scope != plan.scope {
                    continue;
                }
                match judge_use(checker.api(), source, reference, before, after) {
                    UseVerdict::Keeps => {}
                    UseVerdict::Rewrite(edit) => edits.push(edit),
                    UseVerdict::Breaks(what) => {
                        blockers.push(format!("{what} (line {})", line_of(reference.ranges[0])));
                    }
                }
            }
        }
        let mut held = without_rewrite > 0;
        // Modules sharing 1.x objects with this one keep hand changes: the swap
        // waits with the module's 1.x rewrites.
        let held_by = checker
            .options()
            .project
            .map_or(&[][..], |project| project.held_by());
        if let Some(first) = held_by.first() {
            held = true;
            blockers.push(format!(
                "`{}` (line {}) shares this module's aioredis 1.x objects and needs a hand change first",
                first.path, first.line
            ));
        }
        for range in checker.pipeline_futures() {
            held = true;
            blockers.push(format!(
                "the commands queued on the aioredis 1.x `{}` (line {}) are used as futures, \
                 which redis-py's pipeline does not return: collect the results of `execute()`",
                &source[*range],
                line_of(*range)
            ));
        }
        // The names a module-level import binds can be imported by other
        // modules (`from app.db import aioredis`): their uses count too.
        let mut related = Vec::new();
        if plan.scope == MODULE_SCOPE
            && let Some(project) = checker.options().project
        {
            for (name, before, after) in &plan.bound {
                for (summary, use_) in project.uses_of(name) {
                    let reference = Reference {
                        root: name.clone(),
                        binding_scope: MODULE_SCOPE,
                        attrs: use_.attrs.clone(),
                        ranges: vec![TextRange::default(); use_.attrs.len() + 1],
                        in_annotation: false,
                    };
                    let what = match judge_use(checker.api(), "", &reference, before, after) {
                        UseVerdict::Keeps => continue,
                        UseVerdict::Rewrite(_) => {
                            let mut written = name.clone();
                            for attr in &use_.attrs {
                                written.push('.');
                                written.push_str(attr);
                            }
                            format!(
                                "`{written}` needs a change there (`{after}` has no `exceptions`)"
                            )
                        }
                        UseVerdict::Breaks(what) => what,
                    };
                    blockers.push(format!(
                        "{what} ({}:{} imports `{name}` from here)",
                        summary.display, use_.line
                    ));
                    related.push(Related {
                        path: summary.display.clone(),
                        relative: summary.relative.clone(),
                        abs_path: summary.abs_path.clone(),
                        line: use_.line,
                        column: use_.column,
                        end_line: use_.end_line,
                        end_column: use_.end_column,
                        message: format!(
                            "`{name}` is imported from this module and used here: {what}"
                        ),
                    });
                }
            }
        }
        if plan.star {
            blockers.push("the names a `*` import brings in cannot be checked".to_string());
        }
        // Nothing in the module names 1.x API, but the project's aioredis is 1.x:
        // its names are 1.x's (`Redis` is the 1.x client), and it has 1.x calls.
        if checker.legacy().is_1x_by_project()
            && checker
                .diagnostics()
                .iter()
                .any(|d| d.rule == Rule::AioredisLegacyApi)
        {
            blockers.push(
                "the project's aioredis is 1.x (its requirements, or 1.x-only API in its \
                 other modules), so this module's aioredis names are 1.x's"
                    .to_string(),
            );
        }
        for range in checker.aioredis_strings() {
            blockers.push(format!(
                "the string `{}` (line {}) names aioredis code",
                &source[*range],
                line_of(*range)
            ));
        }
        edits.sort_by_key(|edit| (edit.range.start(), edit.range.end()));
        edits.dedup();
        // Without RU101 selected, whether the module's 1.x uses have rewrites is not
        // known: a swap blocked by one is only shown.
        let unjudged_1x = !checker.enabled(Rule::AioredisLegacyApi)
            && blockers.iter().any(|b| b.contains("is aioredis 1.x API"));
        let applicability = if blockers.is_empty() {
            Applicability::Safe
        } else if unjudged_1x {
            Applicability::DisplayOnly
        } else if held {
            // The swap would leave 1.x calls that fail on redis.asyncio: shown, not
            // applied, until they are rewritten (by their own fixes in the same run,
            // or by hand).
            if without_rewrite > 0 {
                blockers.insert(
                    0,
                    format!(
                        "{without_rewrite} aioredis 1.x {} (RU101) without a rewrite",
                        if without_rewrite == 1 { "use" } else { "uses" }
                    ),
                );
            }
            Applicability::DisplayOnly
        } else {
            Applicability::Unsafe
        };
        completed.push((
            plan.diagnostic,
            Fix::new(edits, applicability, plan.title),
            blockers,
            related,
        ));
    }
    for (index, fix, blockers, related) in completed {
        let diagnostic = &mut checker.diagnostics_mut()[index];
        for related in related {
            if !diagnostic.related.contains(&related) {
                diagnostic.related.push(related);
            }
        }
        if !blockers.is_empty() {
            let shown: Vec<&str> = blockers
                .iter()
                .take(LISTED_BLOCKERS)
                .map(String::as_str)
                .collect();
            let more = blockers.len().saturating_sub(LISTED_BLOCKERS);
            let more = if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            };
            diagnostic.message.push_str(&format!(
                "; the swap alone is not safe: {}{more}",
                shown.join(", ")
            ));
        }
        diagnostic.fix = Some(fix);
    }
}

/// Whether `reference`, which reads `before.attrs…` today, still works as `after.attrs…`.
fn judge_use(
    api: &ApiMap,
    source: &str,
    reference: &Reference,
    before: &str,
    after: &str,
) -> UseVerdict {
    let mut old_name = before.to_string();
    for attr in &reference.attrs {
        old_name.push('.');
        old_name.push_str(attr);
    }
    if api.legacy(&old_name).is_some() {
        return UseVerdict::Breaks(format!("`{old_name}` is aioredis 1.x API"));
    }
    // Names redis-py dropped, down to class attributes (`Redis.RESPONSE_CALLBACKS`).
    let mut new_name = after.to_string();
    for attr in &reference.attrs {
        new_name.push('.');
        new_name.push_str(attr);
        if api.missing(&new_name).is_some() && !new_name.ends_with(".exceptions") {
            return UseVerdict::Breaks(format!("`{new_name}` does not exist (for `{old_name}`)"));
        }
    }
    // Walk the new name through the modules whose exports are known.
    let mut module = after.to_string();
    if api.module_exports(&module).is_none() {
        return UseVerdict::Keeps; // a class or function: its attributes carried over
    }
    for (index, attr) in reference.attrs.iter().enumerate() {
        match api.exports(&module, attr) {
            Some(true) => {
                let submodule = format!("{module}.{attr}");
                if api.module_exports(&submodule).is_none() {
                    return UseVerdict::Keeps;
                }
                module = submodule;
            }
            Some(false) => {
                // `aioredis.exceptions.X` through `import aioredis`: redis.asyncio has no
                // `exceptions` submodule, but re-exports the exceptions themselves.
                let next = reference.attrs.get(index + 1);
                if attr == "exceptions"
                    && let Some(next) = next
                    && api.exports(&module, next) == Some(true)
                {
                    let keep = &source[reference.ranges[index]];
                    return UseVerdict::Rewrite(Edit::replacement(
                        reference.ranges[index + 1],
                        keep,
                    ));
                }
                return UseVerdict::Breaks(format!(
                    "`{module}` has no `{attr}` (for `{old_name}`)"
                ));
            }
            None => return UseVerdict::Keeps,
        }
    }
    UseVerdict::Keeps
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
