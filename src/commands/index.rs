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
pub struct Candidate {
    pub relative: String,
    pub display: String,
    pub abs_path: std::path::PathBuf,
    pub text: String,
    /// Read from the work tree for the index only (not one of the command's files).
    pub extra: bool,
    /// Its summary, when the command's own pass made it (from the lint's parse).
    pub summary: Option<index::Summary>,
}

impl Candidate {
    pub fn of(file: &SourceFile, text: String) -> Self {
        Candidate {
            relative: file.relative.clone(),
            display: file.display.clone(),
            abs_path: file.abs_path.clone(),
            text,
            extra: false,
            summary: None,
        }
    }

    /// A module the command does not read, read from the work tree for the index.
    fn from_work_tree(project_root: &Path, relative: String, text: String) -> Self {
        Candidate {
            abs_path: project_root.join(&relative),
            display: relative.clone(),
            relative,
            text,
            extra: true,
            summary: None,
        }
    }
}

/// Pass 1 in two steps, so that `check` reads each file once: the command's
/// own pass hands over the texts [`Builder::defers`] asks for (instead of
/// linting them), then [`Builder::finish`] summarizes them, runs the needle
/// rounds (a second read, only of files that spell an offered name) and
/// returns the index with every summarized text, to be linted with it.
pub struct Builder {
    index: ProjectIndex,
    project_root: std::path::PathBuf,
    partial: bool,
    /// Texts that count instead of the files' (the language server's open
    /// buffers), by path relative to the project root.
    overrides: Texts,
}

/// Texts by path relative to the project root.
pub type Texts = std::collections::HashMap<String, String>;

fn is_python(file: &SourceFile) -> bool {
    is_python_path(&file.display) && !file.relative.starts_with("..")
}

impl Builder {
    /// `partial`: the files are not the whole project (staged mode, PATHS).
    pub fn new(files: &[SourceFile], project_root: &Path, partial: bool) -> Self {
        let mut packages: HashSet<String> = files
            .iter()
            .filter(|f| is_python(f) && is_package_file(&f.relative))
            .map(|f| folder_of(&f.relative).to_string())
            .collect();
        if partial {
            // The package layout of the files' folders, from the work tree
            // (one `stat` per folder, on all cores).
            let mut folders: HashSet<&str> = HashSet::new();
            for file in files.iter().filter(|f| is_python(f)) {
                let mut folder = folder_of(&file.relative);
                while !folder.is_empty() && folders.insert(folder) {
                    folder = folder_of(folder);
                }
            }
            let found: Vec<String> = folders
                .into_par_iter()
                .filter(|folder| project_root.join(folder).join("__init__.py").is_file())
                .map(str::to_string)
                .collect();
            packages.extend(found);
        }
        let relatives: Vec<&str> = files
            .iter()
            .filter(|f| is_python(f))
            .map(|f| f.relative.as_str())
            .collect();
        let index = ProjectIndex::new(&relatives, packages);
        Builder {
            index,
            project_root: project_root.to_path_buf(),
            partial,
            overrides: Texts::new(),
        }
    }

    pub fn is_partial(&self) -> bool {
        self.partial
    }

    /// The module name of a file, for [`Builder::context_for`].
    pub fn module_name(&self, relative: &str) -> Option<String> {
        self.index.module_name_of(relative)
    }

    /// The context a file's summary is made in during the command's own pass
    /// (no module is summarized yet: what it imports resolves to nothing).
    pub fn context_for<'a>(
        &'a self,
        relative: &'a str,
        module: &'a str,
    ) -> index::ModuleContext<'a> {
        index::ModuleContext {
            index: &self.index,
            module,
            relative,
            is_package: is_package_file(relative),
        }
    }

    /// Whether pass 1 summarizes this file: it spells `aioredis`, or — when the
    /// files are only part of the project — it imports at all (its imports are
    /// followed into the modules not read) or is a test module (the
    /// `conftest.py` files above it are read).
    pub fn defers(&self, file: &SourceFile, bytes: &[u8]) -> bool {
        is_python(file)
            && (memchr::memmem::find(bytes, b"aioredis").is_some()
                || (self.partial
                    && (memchr::memmem::find(bytes, b"import").is_some()
                        || is_test_module(&file.relative))))
    }

    /// Summarizes `candidates` to a fixed point, then adds the files that
    /// spell an offered name (read again) and, for a partial run, the
    /// modules the summarized ones import (from the work tree).
    pub fn finish(
        self,
        mut candidates: Vec<Candidate>,
        files: &[SourceFile],
        repo_path: Option<&Path>,
    ) -> (ProjectIndex, Vec<Candidate>) {
        let Builder {
            mut index,
            project_root,
            partial,
            overrides,
        } = self;
        let read = |files: &[SourceFile],
                    repo_path: Option<&Path>,
                    wanted: &(dyn Fn(&SourceFile, &[u8]) -> bool + Sync)| {
            read_with(files, repo_path, wanted, &overrides)
        };
        let mut summarized: HashSet<String> =
            candidates.iter().map(|c| c.relative.clone()).collect();
        let mut fresh: HashSet<String> = HashSet::new();
        let mut changed: HashSet<String> = HashSet::new();
        for candidate in &mut candidates {
            index.add_file(&candidate.relative);
            let module = index.module_of(&candidate.relative).map(str::to_string);
            match (candidate.summary.take(), module) {
                (Some(summary), Some(module)) => {
                    index.insert(module.clone(), summary);
                    changed.insert(module);
                }
                _ => {
                    fresh.insert(candidate.relative.clone());
                }
            }
        }
        let manifests_require_1x =
            crate::project::requires_aioredis_1x(&project_root) == Some(true);
        settle_all(
            &mut index,
            &candidates,
            fresh,
            changed,
            manifests_require_1x,
        );
        let mut asked = rustc_hash::FxHashMap::default();
        // The command's own files: those it did not summarize cannot import
        // (or spell `aioredis`), and are never read again from the work tree.
        let own: HashSet<&str> = if partial {
            files.iter().map(|f| f.relative.as_str()).collect()
        } else {
            HashSet::new()
        };
        for _ in 0..8 {
            let needles = index.needles();
            let mut more = Vec::new();
            if !needles.is_empty() {
                let meets = |file: &SourceFile, bytes: &[u8]| {
                    is_python(file)
                        && !summarized.contains(&file.relative)
                        && index::meets_needles(bytes, &needles)
                };
                more = read(files, repo_path, &meets);
            }
            // The modules a summarized module's 1.x objects need (its classes'
            // project bases, its star imports), whatever they spell.
            let wanted: HashSet<&str> = index
                .modules()
                .flat_map(|(_, summary)| summary.wants.iter().map(String::as_str))
                .filter(|module| index.summary(module).is_none())
                .collect();
            if !wanted.is_empty() {
                let wanted_file = |file: &SourceFile, _: &[u8]| {
                    is_python(file)
                        && !summarized.contains(&file.relative)
                        && index
                            .module_name_of(&file.relative)
                            .is_some_and(|module| wanted.contains(module.as_str()))
                };
                more.extend(read(files, repo_path, &wanted_file));
            }
            // Test modules below a `conftest.py` whose fixtures hold 1.x objects,
            // when they spell a fixture's name (pytest fills parameters by name).
            let fixtures = conftest_fixtures(&index);
            if !fixtures.is_empty() {
                let test_file = |file: &SourceFile, bytes: &[u8]| {
                    is_python(file)
                        && !summarized.contains(&file.relative)
                        && is_test_module(&file.relative)
                        && fixtures.iter().any(|(folder, names)| {
                            under(&file.relative, folder)
                                && names.iter().any(|name| {
                                    memchr::memmem::find(bytes, name.as_bytes()).is_some()
                                })
                        })
                };
                more.extend(read(files, repo_path, &test_file));
            }
            if partial {
                more.extend(conftests_from_disk(&mut index, &candidates, &project_root));
                more.extend(imported_from_disk(
                    &mut index,
                    &candidates,
                    &project_root,
                    &mut asked,
                    &own,
                ));
            }
            more.retain(|c| summarized.insert(c.relative.clone()));
            if more.is_empty() {
                break;
            }
            for candidate in &more {
                index.add_file(&candidate.relative);
            }
            let fresh: HashSet<String> = more.iter().map(|c| c.relative.clone()).collect();
            candidates.extend(more);
            settle_all(
                &mut index,
                &candidates,
                fresh,
                HashSet::new(),
                manifests_require_1x,
            );
        }
        let nearest = NearestManifests::new(&project_root);
        index.decide_series(&|relative| nearest.environment(relative));
        index.keep_uses_of_aioredis_bindings();
        if std::env::var_os("REDIS_UNIFY_DEBUG_INDEX").is_some() {
            let mut modules: Vec<_> = index.modules().collect();
            modules.sort_by(|a, b| a.0.cmp(b.0));
            for (module, summary) in modules {
                eprintln!("index: {module}: {summary:?}");
            }
        }
        (index, candidates)
    }
}

/// Builds the index of the project around `files` in a pass of its own (see
/// the module doc); `fix` and `plan` use it, `check` uses [`Builder`] inside
/// its own pass.
pub fn build(
    files: &[SourceFile],
    repo_path: Option<&Path>,
    settings: &crate::settings::Settings,
    partial: bool,
) -> ProjectIndex {
    let builder = Builder::new(files, &settings.project_root, partial);
    let defers = |file: &SourceFile, bytes: &[u8]| builder.defers(file, bytes);
    let candidates = read_with(files, repo_path, &defers, &Texts::new());
    let (mut index, candidates) = builder.finish(candidates, files, repo_path);
    hold_across_modules(&mut index, &candidates, settings);
    index
}

/// [`settle`], then the provisional summaries (`lint::lint_and_summarize`)
/// that now matter replaced by summaries, and settled again, until none is
/// left that matters: one another summarized module imports from (its
/// exports count). One that imports something carrying aioredis is
/// summarized again by `settle` itself, as any importer.
fn settle_all(
    index: &mut ProjectIndex,
    candidates: &[Candidate],
    mut fresh: HashSet<String>,
    mut changed: HashSet<String>,
    manifests_require_1x: bool,
) {
    loop {
        settle(index, candidates, Some(&fresh), changed);
        let imported: HashSet<&str> = index
            .modules()
            .flat_map(|(_, summary)| summary.imported_names.iter().map(|(m, _)| m.as_str()))
            .collect();
        // In a project with aioredis 1.x code, every module's own summary
        // matters: a silent module's aioredis use is 1.x there, a test module
        // takes 1.x fixtures, a base class passes 1.x objects to its subclasses.
        let legacy_project = manifests_require_1x || has_legacy_code(index);
        let upgrade: HashSet<String> = candidates
            .iter()
            .filter(|candidate| {
                index.context(&candidate.relative).is_some_and(|context| {
                    (legacy_project || imported.contains(context.module))
                        && context.own().is_some_and(|summary| summary.provisional)
                })
            })
            .map(|candidate| candidate.relative.clone())
            .collect();
        if upgrade.is_empty() {
            break;
        }
        fresh = upgrade;
        changed = HashSet::new();
    }
}

/// Whether a module that imports `module` whole (`import logging`) may reach
/// what it gives: only as an attribute (`logging.aioredis`), so its text spells
/// `.<name>` of one of them. A star import (`from m import *`) binds the names
/// themselves: a text with one is judged as before.
fn reaches_whole(index: &ProjectIndex, module: &str, text: &str) -> bool {
    memchr::memmem::find(text.as_bytes(), b"import *").is_some()
        || index.giving_exports(module).iter().any(|name| {
            memchr::memmem::find(text.as_bytes(), format!(".{name}").as_bytes()).is_some()
        })
}

/// Whether some module's own aioredis use is 1.x, or offers 1.x fixtures.
fn has_legacy_code(index: &ProjectIndex) -> bool {
    index.modules().any(|(_, summary)| {
        summary.series == crate::python::legacy::Series::Legacy || !summary.fixtures.is_empty()
    })
}

/// Runs the summaries to a fixed point: a module is summarized again while a
/// module it imports from changed.
fn settle(
    index: &mut ProjectIndex,
    candidates: &[Candidate],
    fresh: Option<&HashSet<String>>,
    mut changed: HashSet<String>,
) {
    let mut first = true;
    // The `conftest.py` files whose summary changed in the last round.
    let mut changed_conftests: Vec<String> = changed
        .iter()
        .filter_map(|module| index.summary(module))
        .filter(|s| s.relative.rsplit('/').next() == Some("conftest.py"))
        .map(|s| s.relative.clone())
        .collect();
    for _ in 0..16 {
        // Summarized again: a module that imports a name whose module changed
        // and which now gives something of aioredis (most imports give nothing).
        // A test module sees the fixtures of the `conftest.py` files above it.
        let conftests: Vec<&str> = changed_conftests.iter().map(|c| folder_of(c)).collect();
        let todo: Vec<&Candidate> = candidates
            .iter()
            .filter(|c| {
                (first && fresh.is_none_or(|fresh| fresh.contains(&c.relative)))
                    || (is_test_module(&c.relative)
                        && !conftests.is_empty()
                        && conftests.iter().any(|folder| {
                            under(&c.relative, folder)
                                && c.relative != format!("{folder}/conftest.py")
                                && c.relative != "conftest.py"
                        }))
                    || index
                        .module_of(&c.relative)
                        .and_then(|m| index.summary(m))
                        .is_some_and(|s| {
                            s.imported_names.iter().any(|(module, name)| {
                                (changed.contains(module)
                                    || changed.contains(&format!("{module}.{name}")))
                                    && index.gives_something(module, name)
                                    && (name != "*" || reaches_whole(index, module, &c.text))
                            })
                        })
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
        changed_conftests.clear();
        for (module, summary) in results {
            let relative = summary.relative.clone();
            if index.insert(module.clone(), summary) {
                changed.insert(module);
                if relative.rsplit('/').next() == Some("conftest.py") {
                    changed_conftests.push(relative);
                }
            }
        }
        first = false;
        if changed.is_empty() {
            break;
        }
    }
}

/// The index of the whole project of `files` (all its Python files, from the
/// work tree) with `texts` counting instead of those files' contents: the
/// language server's open buffers.
pub fn build_with_texts(
    files: &[SourceFile],
    settings: &crate::settings::Settings,
    texts: Texts,
) -> ProjectIndex {
    let mut builder = Builder::new(files, &settings.project_root, false);
    builder.overrides = texts;
    let defers = |file: &SourceFile, bytes: &[u8]| builder.defers(file, bytes);
    let candidates = read_with(files, None, &defers, &builder.overrides);
    let (mut index, candidates) = builder.finish(candidates, files, None);
    hold_across_modules(&mut index, &candidates, settings);
    index
}

/// The files among `files` that `wanted` accepts, read (as the rules read
/// them), or taken from `overrides`.
fn read_with(
    files: &[SourceFile],
    repo_path: Option<&Path>,
    wanted: &(dyn Fn(&SourceFile, &[u8]) -> bool + Sync),
    overrides: &Texts,
) -> Vec<Candidate> {
    let mut found: Vec<Candidate> = Vec::new();
    if !overrides.is_empty() {
        for file in files {
            if let Some(text) = overrides.get(&file.relative)
                && wanted(file, text.as_bytes())
            {
                found.push(Candidate::of(file, text.clone()));
            }
        }
    }
    let from_disk = |file: &SourceFile, bytes: &[u8]| {
        !overrides.contains_key(&file.relative) && wanted(file, bytes)
    };
    found.extend(read(files, repo_path, &from_disk));
    found
}

/// The files among `files` that `wanted` accepts, read (as the rules read them).
fn read(
    files: &[SourceFile],
    repo_path: Option<&Path>,
    wanted: &(dyn Fn(&SourceFile, &[u8]) -> bool + Sync),
) -> Vec<Candidate> {
    map_files_if(files, repo_path, wanted, |file, decoded| {
        Some(Candidate::of(file, decoded.text))
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
/// read, from the work tree, followed name by name: a checked file's imported
/// names, then, through a module read here, the re-export (`from .pool import
/// create_pool as make_pool`) of each name asked of it. A module read is
/// summarized when it spells `aioredis` (a 1.x object starts there) or a
/// name asked of it (it may define or re-export it).
fn imported_from_disk(
    index: &mut ProjectIndex,
    candidates: &[Candidate],
    project_root: &Path,
    asked: &mut rustc_hash::FxHashMap<String, rustc_hash::FxHashSet<String>>,
    own: &HashSet<&str>,
) -> Vec<Candidate> {
    type Asked = rustc_hash::FxHashMap<String, rustc_hash::FxHashSet<String>>;
    type Wanted = std::collections::BTreeMap<String, HashSet<String>>;
    fn ask(
        (module, name): (&str, &str),
        index: &ProjectIndex,
        asked: &mut Asked,
        wanted: &mut Wanted,
    ) {
        // Most pairs were asked in an earlier round: no copy for them.
        if index.summary(module).is_some()
            || asked.get(module).is_some_and(|names| names.contains(name))
        {
            return;
        }
        asked
            .entry(module.to_string())
            .or_default()
            .insert(name.to_string());
        wanted
            .entry(module.to_string())
            .or_default()
            .insert(name.to_string());
    }
    let mut wanted: Wanted = Default::default();
    // Where the importers' top-level packages sit (`examples/service/` for
    // `examples/service/app/db.py`, module `app.db`): imports resolve there first.
    let mut source_roots: Vec<String> = Vec::new();
    for candidate in candidates {
        let Some(module) = index.module_of(&candidate.relative) else {
            continue;
        };
        if let Some(root) = source_root(&candidate.relative, module)
            && !source_roots.iter().any(|known| known == root)
        {
            source_roots.push(root.to_string());
        }
        let Some(summary) = index.summary(module) else {
            continue;
        };
        let mut pairs: Vec<(String, String)> = Vec::new();
        if candidate.extra {
            // Only the names asked of a module read here lead further.
            let names: Vec<String> = asked
                .get(module)
                .map(|names| names.iter().cloned().collect())
                .unwrap_or_default();
            for name in names {
                if let Some(index::Exported::Alias(target)) =
                    summary.exports.get(&name).map(|export| &export.what)
                    && let Some((m, n)) = target.rsplit_once('.')
                {
                    pairs.push((m.to_string(), n.to_string()));
                }
            }
        } else {
            pairs.extend(summary.imported_names.iter().cloned());
        }
        for (module, name) in pairs {
            // `from app import db`: `app.db` may be a module, imported whole.
            if name != "*" {
                let whole = format!("{module}.{name}");
                ask((&whole, "*"), index, asked, &mut wanted);
            }
            ask((&module, &name), index, asked, &mut wanted);
        }
    }
    let mut found = Vec::new();
    // Whether the top-level package or module exists at all, once per name
    // (most imports name other packages: one lookup instead of four opens).
    let mut roots: std::collections::HashMap<String, bool> = Default::default();
    let prefixes: Vec<&str> = source_roots
        .iter()
        .map(String::as_str)
        .chain(["", "src/"])
        .collect();
    for (module, names) in wanted {
        let path = module.replace('.', "/");
        let root = module.split('.').next().unwrap_or(&module);
        'read: for prefix in &prefixes {
            let exists = *roots.entry(format!("{prefix}{root}")).or_insert_with(|| {
                let base = project_root.join(format!("{prefix}{root}"));
                base.is_dir() || project_root.join(format!("{prefix}{root}.py")).is_file()
            });
            if !exists {
                continue;
            }
            for relative in [
                format!("{prefix}{path}.py"),
                format!("{prefix}{path}/__init__.py"),
            ] {
                if own.contains(relative.as_str()) {
                    // Read by the command (in staged mode, its staged content).
                    break 'read;
                }
                let Ok(text) = std::fs::read_to_string(project_root.join(&relative)) else {
                    continue;
                };
                if text.contains("aioredis")
                    || names
                        .iter()
                        .any(|name| name == "*" || text.contains(name.as_str()))
                {
                    index.add_file(&relative);
                    found.push(Candidate::from_work_tree(project_root, relative, text));
                }
                break 'read;
            }
        }
    }
    found
}

/// Which environment a file runs in: the closest folder above it (its own
/// first, up to the project root) that has manifests, and what they say about
/// aioredis. Each folder is read once.
struct NearestManifests {
    root: std::path::PathBuf,
    /// Per folder (relative): `None` without manifests, else their answer.
    folders: std::sync::Mutex<std::collections::HashMap<String, Option<Option<bool>>>>,
}

impl NearestManifests {
    fn new(root: &Path) -> Self {
        NearestManifests {
            root: root.to_path_buf(),
            folders: Default::default(),
        }
    }

    /// The folder whose manifests describe the environment `relative` runs in
    /// (the project root when no folder on the way has any), and what they say.
    fn environment(&self, relative: &str) -> (String, Option<bool>) {
        if relative.starts_with("..") {
            return (String::new(), None);
        }
        let mut folder = folder_of(relative);
        loop {
            let answer = {
                let mut folders = self.folders.lock().unwrap_or_else(|e| e.into_inner());
                *folders.entry(folder.to_string()).or_insert_with(|| {
                    let path = self.root.join(folder);
                    (!crate::project::root_manifests(&path).is_empty())
                        .then(|| crate::project::requires_aioredis_1x(&path))
                })
            };
            if let Some(answer) = answer {
                return (folder.to_string(), answer);
            }
            if folder.is_empty() {
                return (String::new(), None);
            }
            folder = folder_of(folder);
        }
    }
}

/// The folder above a file's top-level package, with its trailing `/` (`""`
/// at the project root): `relative` without the module's own path.
fn source_root<'a>(relative: &'a str, module: &str) -> Option<&'a str> {
    let path = module.replace('.', "/");
    let stem = relative
        .strip_suffix("/__init__.py")
        .or_else(|| relative.strip_suffix(".py"))?;
    let root = stem.strip_suffix(path.as_str())?;
    (root.is_empty() || root.ends_with('/')).then_some(root)
}

/// The folders of the summarized `conftest.py` files with 1.x fixtures, and
/// the fixtures' names.
fn conftest_fixtures(index: &ProjectIndex) -> Vec<(String, Vec<String>)> {
    let mut found: Vec<(String, Vec<String>)> = index
        .fixture_files()
        .filter(|summary| summary.relative.rsplit('/').next() == Some("conftest.py"))
        .map(|summary| {
            (
                folder_of(&summary.relative).to_string(),
                summary.fixtures.iter().map(|f| f.name.clone()).collect(),
            )
        })
        .collect();
    found.sort();
    found
}

/// A module pytest collects tests or fixtures from: `test_*.py`, `*_test.py`,
/// `conftest.py`.
fn is_test_module(relative: &str) -> bool {
    let name = relative.rsplit('/').next().unwrap_or(relative);
    name == "conftest.py"
        || (name.ends_with(".py") && (name.starts_with("test_") || name.ends_with("_test.py")))
}

/// Whether `relative` is inside `folder` (the project root when empty).
fn under(relative: &str, folder: &str) -> bool {
    folder.is_empty()
        || relative
            .strip_prefix(folder)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// For a partial run: the `conftest.py` files (from the work tree) in the
/// folders of the test modules read, and the folders above them, that define
/// fixtures and spell `aioredis` (where a 1.x fixture starts).
fn conftests_from_disk(
    index: &mut ProjectIndex,
    candidates: &[Candidate],
    project_root: &Path,
) -> Vec<Candidate> {
    let mut folders: std::collections::BTreeSet<String> = Default::default();
    for candidate in candidates.iter().filter(|c| is_test_module(&c.relative)) {
        let mut folder = folder_of(&candidate.relative);
        loop {
            if !folders.insert(folder.to_string()) {
                break;
            }
            if folder.is_empty() {
                break;
            }
            folder = folder_of(folder);
        }
    }
    let mut found = Vec::new();
    for folder in folders {
        let relative = if folder.is_empty() {
            "conftest.py".to_string()
        } else {
            format!("{folder}/conftest.py")
        };
        if candidates.iter().any(|c| c.relative == relative) {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(project_root.join(&relative)) else {
            continue;
        };
        if text.contains("aioredis") && text.contains("fixture") {
            index.add_file(&relative);
            found.push(Candidate::from_work_tree(project_root, relative, text));
        }
    }
    found
}

fn folder_of(relative: &str) -> &str {
    relative.rsplit_once('/').map_or("", |(folder, _)| folder)
}

/// Whether the run's files are only part of the project: staged mode,
/// `--changed-since`, or PATHS that do not hold the project root.
pub fn is_partial(common: &crate::cli::CommonArgs, inputs: &super::inputs::Inputs) -> bool {
    let root = &inputs.settings.project_root;
    let root = std::fs::canonicalize(root).unwrap_or_else(|_| root.clone());
    let whole = common.paths.is_empty()
        || common
            .paths
            .iter()
            .any(|path| std::fs::canonicalize(path).is_ok_and(|path| root.starts_with(&path)));
    inputs.staged || !whole || common.changed_since.is_some()
}

/// The index for a `fix` run (empty when no selected rule reads it).
pub fn for_inputs(
    common: &crate::cli::CommonArgs,
    inputs: &super::inputs::Inputs,
    repo_path: Option<&Path>,
) -> ProjectIndex {
    if !wants_index(inputs.settings.any_file_rules()) {
        return ProjectIndex::default();
    }
    build(
        &inputs.files,
        repo_path,
        &inputs.settings,
        is_partial(common, inputs),
    )
}

/// All or nothing across modules: modules that share aioredis 1.x objects (one
/// uses a client, pool, factory or class another defines) are rewritten
/// together. When one of them keeps 1.x uses without a rewrite (its own 1.x
/// rewrites are held), the others' 1.x rewrites are held too, with where that
/// module uses the shared object: rewritten alone, a factory would hand a
/// redis.asyncio client to 1.x calls, or a 1.x client to redis-py calls. Lints
/// the linked modules once with the index, before the command's own lint.
pub fn hold_across_modules(
    index: &mut ProjectIndex,
    candidates: &[Candidate],
    settings: &crate::settings::Settings,
) {
    let links = index.legacy_links();
    if links.is_empty() {
        return;
    }
    let mut linked: HashSet<&str> = HashSet::new();
    for link in &links {
        linked.insert(link.importer);
        linked.insert(link.definer.as_str());
    }
    let self_held: HashSet<String> = candidates
        .par_iter()
        .filter_map(|candidate| {
            let context = index.context(&candidate.relative)?;
            if !linked.contains(context.module) || context.own().is_none() {
                return None;
            }
            let options = settings.lint_options().with_project(Some(context));
            let diagnostics = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                crate::lint::lint(
                    &candidate.text,
                    source_type_of(&candidate.display),
                    settings.rules_for(&candidate.relative),
                    &options,
                )
                .diagnostics
            }))
            .ok()?;
            crate::rules::aioredis_legacy_client::needs_hand_change(&diagnostics)
                .then(|| context.module.to_string())
        })
        .collect();
    if self_held.is_empty() {
        return;
    }
    // The modules linked to a held one, to a fixed point (a chain of links).
    let mut held: HashSet<String> = self_held.clone();
    loop {
        let before = held.len();
        for link in &links {
            if held.contains(link.importer) || held.contains(&link.definer) {
                held.insert(link.importer.to_string());
                held.insert(link.definer.clone());
            }
        }
        if held.len() == before {
            break;
        }
    }
    let mut holds: std::collections::BTreeMap<String, Vec<crate::diagnostic::Related>> =
        Default::default();
    for module in held.iter().filter(|m| !self_held.contains(*m)) {
        // One location per module that needs the hand change (its first use).
        let mut named: HashSet<(&str, &str)> = HashSet::new();
        let related: Vec<crate::diagnostic::Related> = links
            .iter()
            .filter(|link| {
                held.contains(link.importer)
                    && (self_held.contains(link.importer) || self_held.contains(&link.definer))
                    && named.insert((link.importer, link.definer.as_str()))
            })
            .map(|link| {
                let summary = link.importer_summary;
                // The definer alone needs the hand change: point at it, where
                // it defines the shared name.
                if !self_held.contains(link.importer)
                    && let Some(definer) = index.summary(&link.definer)
                    && let Some((line, column)) = definer
                        .exports
                        .get(&link.use_.name)
                        .map(|e| (e.line, e.column))
                        .or_else(|| {
                            definer
                                .fixtures
                                .iter()
                                .find(|f| f.name == link.use_.name)
                                .map(|f| (f.line, f.column))
                        })
                {
                    return crate::diagnostic::Related {
                        path: definer.display.clone(),
                        relative: definer.relative.clone(),
                        abs_path: definer.abs_path.clone(),
                        line,
                        column,
                        end_line: line,
                        end_column: column + link.use_.name.chars().count() as u32,
                        message: format!(
                            "this module defines `{}` (aioredis 1.x objects), which `{}` \
                             uses, and has aioredis 1.x uses that need a hand change first",
                            link.use_.name, summary.display
                        ),
                    };
                }
                let message = if self_held.contains(link.importer) {
                    format!(
                        "this module uses `{}` of `{}` (aioredis 1.x objects) and has \
                         aioredis 1.x uses that need a hand change first",
                        link.use_.name, link.definer
                    )
                } else {
                    format!(
                        "this module uses `{}` of `{}` (aioredis 1.x objects), whose \
                         aioredis 1.x uses need a hand change first",
                        link.use_.name, link.definer
                    )
                };
                crate::diagnostic::Related {
                    path: summary.display.clone(),
                    relative: summary.relative.clone(),
                    abs_path: summary.abs_path.clone(),
                    line: link.use_.line,
                    column: link.use_.column,
                    end_line: link.use_.end_line,
                    end_column: link.use_.end_column,
                    message,
                }
            })
            .collect();
        holds.insert(module.clone(), related);
    }
    for (module, related) in holds {
        index.hold(module, related);
    }
}
