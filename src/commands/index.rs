//! Pass 1 of `check`, `fix` and `plan`: the project index (`python/index.rs`)
//! over the files the command reads, before the rules run.
//!
//! Which files: the command's own files (the walk, the PATHS, or in staged
//! mode the staged files, read from the index as the rules read them), and —
//! when those are only part of the project (staged mode, PATHS) — the project
//! modules they import, read from the work tree, transitively. A file is
//! summarized when it spells `aioredis`, or spells a name another summarized
//! module offers together with that module's last name part
//! ([`index::meets_needles`]); rounds repeat until no new file qualifies.

use std::collections::HashSet;
use std::path::Path;

use rayon::prelude::*;

use super::check::{Outcome, map_files_if};
use crate::lint::{is_python_path, source_type_of, summarize};
use crate::python::index::{self, ProjectIndex, is_package_file};
use crate::rules::{Rule, RuleSet};
use crate::source::SourceFile;

/// The rules that read the index: the import fix (uses in other modules),
/// RU101/RU103 (1.x objects from other modules), RU104 (re-exported names).
pub fn wants_index(rules: RuleSet) -> bool {
    rules.contains_any(&[
        Rule::AioredisImport,
        Rule::AioredisLegacyApi,
        Rule::DeprecatedClose,
        Rule::MissingAfterSwap,
    ])
}

/// One summarized module's text.
struct Candidate {
    relative: String,
    display: String,
    abs_path: std::path::PathBuf,
    text: String,
}

/// Builds the index of the project around `files` (see the module doc).
/// `partial`: the files are not the whole project (staged mode, PATHS).
pub fn build(
    files: &[SourceFile],
    repo_path: Option<&Path>,
    project_root: &Path,
    partial: bool,
) -> ProjectIndex {
    let python =
        |file: &SourceFile| is_python_path(&file.display) && !file.relative.starts_with("..");
    let mut packages: HashSet<String> = files
        .iter()
        .filter(|f| python(f) && is_package_file(&f.relative))
        .map(|f| folder_of(&f.relative).to_string())
        .collect();
    if partial {
        // The package layout of the files' folders, from the work tree.
        let mut seen = HashSet::new();
        for file in files.iter().filter(|f| python(f)) {
            let mut folder = folder_of(&file.relative);
            while !folder.is_empty() && seen.insert(folder.to_string()) {
                if project_root.join(folder).join("__init__.py").is_file() {
                    packages.insert(folder.to_string());
                }
                folder = folder_of(folder);
            }
        }
    }
    let mut index = ProjectIndex::new(
        files
            .iter()
            .filter(|f| python(f))
            .map(|f| f.relative.as_str()),
        packages,
    );
    // A part of the project: its files may import from modules not read here,
    // so each one that imports at all is summarized (its imports are followed).
    let spells_aioredis = |file: &SourceFile, bytes: &[u8]| {
        python(file)
            && (memchr::memmem::find(bytes, b"aioredis").is_some()
                || (partial && memchr::memmem::find(bytes, b"import").is_some()))
    };
    let mut candidates = read(files, repo_path, &spells_aioredis);
    let mut summarized: HashSet<String> = candidates.iter().map(|c| c.relative.clone()).collect();
    settle(&mut index, &candidates, true);
    for _ in 0..8 {
        let needles = index.needles();
        let mut more = Vec::new();
        if !needles.is_empty() {
            let meets = |file: &SourceFile, bytes: &[u8]| {
                python(file)
                    && !summarized.contains(&file.relative)
                    && index::meets_needles(bytes, &needles)
            };
            more = read(files, repo_path, &meets);
        }
        if partial {
            more.extend(imported_from_disk(
                &mut index,
                &candidates,
                &summarized,
                project_root,
                &needles,
            ));
        }
        more.retain(|c| summarized.insert(c.relative.clone()));
        if more.is_empty() {
            break;
        }
        candidates.extend(more);
        settle(&mut index, &candidates, true);
    }
    if std::env::var_os("REDIS_UNIFY_DEBUG_INDEX").is_some() {
        let mut modules: Vec<_> = index.modules().collect();
        modules.sort_by(|a, b| a.0.cmp(b.0));
        for (module, summary) in modules {
            eprintln!("index: {module}: {summary:?}");
        }
    }
    index
}

/// Runs the summaries to a fixed point: a module is summarized again while a
/// module it imports from changed.
fn settle(index: &mut ProjectIndex, candidates: &[Candidate], mut everything: bool) {
    let mut changed: HashSet<String> = HashSet::new();
    for _ in 0..16 {
        let todo: Vec<&Candidate> = candidates
            .iter()
            .filter(|c| {
                everything
                    || index
                        .module_of(&c.relative)
                        .and_then(|m| index.summary(m))
                        .is_some_and(|s| s.imports.iter().any(|i| changed.contains(i)))
            })
            .collect();
        let results: Vec<(String, index::Summary)> = todo
            .par_iter()
            .filter_map(|candidate| {
                let context = index.context(&candidate.relative)?;
                let summary = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    summarize(
                        &candidate.text,
                        source_type_of(&candidate.display),
                        context,
                        crate::source::FilePath {
                            abs_path: &candidate.abs_path,
                            display: &candidate.display,
                            relative: &candidate.relative,
                            manifest: None,
                        },
                    )
                }))
                .ok()
                .flatten()?;
                Some((context.module.to_string(), summary))
            })
            .collect();
        changed.clear();
        for (module, summary) in results {
            if index.insert(module.clone(), summary) {
                changed.insert(module);
            }
        }
        everything = false;
        if changed.is_empty() {
            break;
        }
    }
}

/// The files among `files` that `wanted` accepts, read (as the rules read them).
fn read(
    files: &[SourceFile],
    repo_path: Option<&Path>,
    wanted: &(dyn Fn(&SourceFile, &[u8]) -> bool + Sync),
) -> Vec<Candidate> {
    map_files_if(files, repo_path, wanted, |file, decoded| {
        Some(Candidate {
            relative: file.relative.clone(),
            display: file.display.clone(),
            abs_path: file.abs_path.clone(),
            text: decoded.text,
        })
    })
    .into_iter()
    .filter_map(|outcome| match outcome {
        Outcome::Done(found) => found,
        // Told by the command's own pass, which reads the file again.
        Outcome::Skipped(..) | Outcome::Crashed(..) => None,
    })
    .collect()
}

/// The project modules the summarized ones import that the command does not
/// read, from the work tree, when they spell `aioredis` or meet the needles.
fn imported_from_disk(
    index: &mut ProjectIndex,
    candidates: &[Candidate],
    summarized: &HashSet<String>,
    project_root: &Path,
    needles: &[(String, String)],
) -> Vec<Candidate> {
    let mut wanted: Vec<String> = Vec::new();
    for candidate in candidates {
        let Some(summary) = index
            .module_of(&candidate.relative)
            .and_then(|m| index.summary(m))
        else {
            continue;
        };
        for module in &summary.imports {
            if index.summary(module).is_none() {
                wanted.push(module.clone());
            }
        }
    }
    wanted.sort();
    wanted.dedup();
    let mut found = Vec::new();
    for module in wanted {
        let path = module.replace('.', "/");
        for relative in [
            format!("{path}.py"),
            format!("{path}/__init__.py"),
            format!("src/{path}.py"),
            format!("src/{path}/__init__.py"),
        ] {
            if summarized.contains(&relative) {
                break;
            }
            let Ok(text) = std::fs::read_to_string(project_root.join(&relative)) else {
                continue;
            };
            // Every module a checked file imports is summarized: what it offers
            // may come from a module it imports in turn.
            let _ = needles;
            index.add_file(&relative);
            found.push(Candidate {
                abs_path: project_root.join(&relative),
                display: relative.clone(),
                relative,
                text,
            });
            break;
        }
    }
    found
}

fn folder_of(relative: &str) -> &str {
    relative.rsplit_once('/').map_or("", |(folder, _)| folder)
}

/// The index for a `check`/`fix` run (empty when no selected rule reads it).
pub fn for_inputs(
    common: &crate::cli::CommonArgs,
    inputs: &super::inputs::Inputs,
    repo_path: Option<&Path>,
) -> ProjectIndex {
    if !wants_index(inputs.settings.any_file_rules()) {
        return ProjectIndex::default();
    }
    // Paths that hold the project root read the whole project.
    let root = &inputs.settings.project_root;
    let root = std::fs::canonicalize(root).unwrap_or_else(|_| root.clone());
    let whole = common.paths.is_empty()
        || common
            .paths
            .iter()
            .any(|path| std::fs::canonicalize(path).is_ok_and(|path| root.starts_with(&path)));
    let partial = inputs.staged || !whole || common.changed_since.is_some();
    build(
        &inputs.files,
        repo_path,
        &inputs.settings.project_root,
        partial,
    )
}
