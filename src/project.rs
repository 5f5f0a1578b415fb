//! What redis-unify learns about the project around the files it checks: the
//! redis-py version its manifests require (the default of
//! `target-redis-version`), whether its code imports `redis.asyncio` (RU302),
//! and the requirements files that others include with `-r`.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use ignore::WalkBuilder;

use crate::diagnostic::Diagnostic;
use crate::fix::FixMode;
use crate::fix::apply::{FixOutcome, fix_manifest, fix_source};
use crate::lint::{
    ManifestContext, is_python_path, lint_manifest, lint_source_with, source_type_of,
};
use crate::manifest::versions::redis_version;
use crate::manifest::{Manifest, ManifestKind};
use crate::python::index::ModuleContext;
use crate::settings::{ExcludeMatcher, Settings};
use crate::source::{FilePath, Origin, SourceFile, relative_to, slash_path};
use crate::version::RedisVersion;

/// The manifests that describe the project in `root`: `pyproject.toml`,
/// `setup.cfg`, `setup.py`, `Pipfile` and `requirements*.txt` in `root`, the
/// `*.txt` of `root/requirements/`, and the files they include with `-r`.
pub fn root_manifests(root: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for folder in [root.to_path_buf(), root.join("requirements")] {
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        let mut paths: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_file() && ManifestKind::of(p).is_some())
            .collect();
        paths.sort();
        found.extend(paths);
    }
    with_includes(found)
}

/// `paths` and, transitively, the requirements files they include.
pub fn with_includes(paths: Vec<PathBuf>) -> Vec<PathBuf> {
    let mut seen: BTreeSet<PathBuf> = paths.iter().cloned().collect();
    let mut all = paths.clone();
    let mut queue = paths;
    while let Some(path) = queue.pop() {
        if ManifestKind::of(&path) != Some(ManifestKind::Requirements) {
            continue;
        }
        for include in includes_of(&path) {
            if include.is_file() && seen.insert(include.clone()) {
                all.push(include.clone());
                queue.push(include);
            }
        }
    }
    all
}

/// The files a requirements file includes (`-r`, `-c`), relative to its folder.
fn includes_of(path: &Path) -> Vec<PathBuf> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return Vec::new();
    };
    let folder = path.parent().unwrap_or(Path::new("."));
    crate::manifest::requirements::parse(&text)
        .includes
        .into_iter()
        .map(|include| crate::source::absolute(folder, Path::new(&include.path)))
        .collect()
}

/// The included requirements files that are not among `files` yet, as work
/// tree files (a file a requirements file includes is read with it, whatever
/// its name).
pub fn included_requirements(
    files: &[SourceFile],
    cwd: &Path,
    project_root: &Path,
) -> Vec<SourceFile> {
    // Hashed by bytes: a `Path` set compares component by component, and this
    // runs over every file of the tree.
    let known: rustc_hash::FxHashSet<&std::ffi::OsStr> =
        files.iter().map(|f| f.abs_path.as_os_str()).collect();
    let requirements: Vec<PathBuf> = files
        .iter()
        .filter(|f| f.origin == Origin::WorkTree && f.manifest == Some(ManifestKind::Requirements))
        .map(|f| f.abs_path.clone())
        .collect();
    with_includes(requirements)
        .into_iter()
        .filter(|path| !known.contains(path.as_os_str()))
        .map(|abs_path| SourceFile {
            manifest: Some(ManifestKind::Requirements),
            display: slash_path(&relative_to(&abs_path, cwd)),
            relative: slash_path(&relative_to(&abs_path, project_root)),
            abs_path,
            origin: Origin::WorkTree,
        })
        .collect()
}

/// The lowest redis-py version that the `redis` requirements of the root's
/// manifests admit, with the manifest it comes from: the most conservative
/// guess of the release the code runs on. `None` when no requirement has a
/// lower bound.
pub fn required_redis_version(root: &Path) -> Option<(RedisVersion, PathBuf)> {
    required_redis_version_with(root, &|path| std::fs::read_to_string(path).ok())
}

/// [`required_redis_version`], each root manifest's text read with `read`
/// (the language server gives the unsaved text of an open buffer). Which
/// manifests there are, and what `-r` includes, still come from the disk.
pub fn required_redis_version_with(
    root: &Path,
    read: &dyn Fn(&Path) -> Option<String>,
) -> Option<(RedisVersion, PathBuf)> {
    let mut lowest: Option<(RedisVersion, PathBuf)> = None;
    for path in root_manifests(root) {
        let Some(kind) = ManifestKind::of(&path) else {
            continue;
        };
        let Some(text) = read(&path) else {
            continue;
        };
        if !crate::manifest::may_contain_findings(text.as_bytes()) {
            continue;
        }
        for dependency in Manifest::parse(&text, kind).requirements_on("redis") {
            let Some(version) = dependency.admitted.lowest() else {
                continue;
            };
            let version = redis_version(&version);
            if lowest.as_ref().is_none_or(|(v, _)| version < *v) {
                lowest = Some((version, path.clone()));
            }
        }
    }
    lowest
}

/// What the root's manifests say about the aioredis the project runs on:
/// `Some(false)` when a requirement admits only aioredis 2.x or later (the
/// cautious answer wins), `Some(true)` when one admits only versions below 2,
/// `None` when none tells (no requirement, or `aioredis>=1.1`).
pub fn requires_aioredis_1x(root: &Path) -> Option<bool> {
    let two = crate::manifest::versions::version("2");
    let mut answer = None;
    for path in root_manifests(root) {
        let Some(kind) = ManifestKind::of(&path) else {
            continue;
        };
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        if !crate::manifest::may_contain_findings(text.as_bytes()) {
            continue;
        }
        for dependency in Manifest::parse(&text, kind).requirements_on("aioredis") {
            if dependency.admitted.at_least(&two) {
                return Some(false);
            }
            if dependency.admitted.capped_below(&two) {
                answer = Some(true);
            }
        }
    }
    answer
}

/// Answers, once per project, whether its Python code imports
/// `redis.asyncio` or `aioredis` (read from the disk; the answer is kept until
/// [`AsyncioUse::forget`], which the language server calls when a Python file
/// changes). A manifest's project is the project root
/// (the configuration file's folder, else the repository's work tree, else
/// the current folder) when the manifest is inside it, else the manifest's
/// own folder.
pub struct AsyncioUse {
    project_root: PathBuf,
    excludes: ExcludeMatcher,
    answers: Mutex<HashMap<PathBuf, bool>>,
}

impl AsyncioUse {
    pub fn new(settings: &Settings) -> Self {
        AsyncioUse {
            project_root: settings.project_root.clone(),
            excludes: settings.exclude_matcher(),
            answers: Mutex::new(HashMap::new()),
        }
    }

    /// Drops the answers: the next question walks the project again.
    pub fn forget(&self) {
        if let Ok(mut answers) = self.answers.lock() {
            answers.clear();
        }
    }

    /// Whether the project of the manifest at `path` imports `redis.asyncio` or `aioredis`.
    pub fn for_manifest(&self, path: &Path) -> bool {
        if path.starts_with(&self.project_root) {
            return self.below(&self.project_root.clone());
        }
        self.below(path.parent().unwrap_or(Path::new("/")))
    }

    pub fn below(&self, folder: &Path) -> bool {
        if let Some(answer) = self
            .answers
            .lock()
            .ok()
            .and_then(|a| a.get(folder).copied())
        {
            return answer;
        }
        let excludes = self.excludes.clone();
        let answer = WalkBuilder::new(folder)
            .hidden(true)
            .git_ignore(true)
            .require_git(false)
            .follow_links(false)
            .filter_entry(move |entry| {
                entry.depth() == 0 || !excludes.is_excluded_path(entry.path())
            })
            .build()
            .filter_map(Result::ok)
            .filter(|entry| entry.file_type().is_some_and(|t| t.is_file()))
            .filter(|entry| is_python_path(&entry.path().to_string_lossy()))
            .any(|entry| {
                std::fs::read_to_string(entry.path())
                    .is_ok_and(|text| crate::python::imports::imports_async_redis(&text))
            });
        if let Ok(mut answers) = self.answers.lock() {
            answers.insert(folder.to_path_buf(), answer);
        }
        answer
    }
}

/// Fixes one file's text: as Python, then as a manifest (`setup.py` is both).
pub fn fix_file(
    file: FilePath<'_>,
    text: &str,
    settings: &Settings,
    asyncio: &AsyncioUse,
    mode: FixMode,
) -> FixOutcome {
    fix_file_in(file, text, settings, asyncio, mode, None)
}

/// [`fix_file`] in a project: `project` is the index as this module sees it.
pub fn fix_file_in(
    file: FilePath<'_>,
    text: &str,
    settings: &Settings,
    asyncio: &AsyncioUse,
    mode: FixMode,
    project: Option<ModuleContext<'_>>,
) -> FixOutcome {
    let rules = settings.rules_for(file.relative);
    let mut outcome = FixOutcome {
        text: text.to_string(),
        fixed: Default::default(),
        diagnostics: Vec::new(),
        failure: None,
    };
    if is_python_path(file.display) {
        outcome = fix_source(
            text,
            source_type_of(file.display),
            rules,
            &lint_options(file, settings).with_project(project),
            mode,
        );
    }
    if let Some(kind) = file.manifest {
        let uses_asyncio = || asyncio.for_manifest(file.abs_path);
        let context = ManifestContext {
            uses_asyncio: &uses_asyncio,
        };
        let manifest = fix_manifest(&outcome.text, kind, rules, &context, mode);
        for (rule, count) in manifest.fixed {
            *outcome.fixed.entry(rule).or_default() += count;
        }
        outcome.failure = outcome.failure.or(manifest.failure);
        outcome.text = manifest.text;
        if is_python_path(file.display) {
            outcome.diagnostics = lint_file_in(file, &outcome.text, settings, asyncio, project);
        } else {
            outcome.diagnostics = manifest.diagnostics;
        }
    }
    outcome
}

/// `check --add-noqa` on one file's text: a `# noqa: CODE` for each finding
/// (see [`crate::fix::add_noqa`]), as a [`FixOutcome`]: `fixed` counts the
/// findings now suppressed per rule, `diagnostics` holds those that could
/// not be, and `failure` says why: one line per finding (`ROW: CODE not
/// suppressed: why`), or one line about the whole file.
pub fn add_noqa_file(
    file: FilePath<'_>,
    text: &str,
    settings: &Settings,
    asyncio: &AsyncioUse,
    project: Option<ModuleContext<'_>>,
) -> FixOutcome {
    use crate::fix::add_noqa::{Comments, add};
    use ruff_source_file::LineIndex;
    let findings = lint_file_in(file, text, settings, asyncio, project);
    let unchanged = |diagnostics: Vec<Diagnostic>, failure: Option<String>| FixOutcome {
        text: text.to_string(),
        fixed: Default::default(),
        diagnostics,
        failure,
    };
    let targets: Vec<Diagnostic> = findings
        .iter()
        .filter(|f| f.rule != crate::rules::Rule::UnusedNoqa)
        .cloned()
        .collect();
    if targets.is_empty() {
        return unchanged(findings, None);
    }
    let line_index = LineIndex::from_source_text(text);
    let line_of = |d: &Diagnostic| line_index.line_index(d.range.start()).get();
    let python = is_python_path(file.display);
    if python
        && targets
            .iter()
            .any(|f| f.rule == crate::rules::Rule::SyntaxError)
    {
        return unchanged(
            findings,
            Some(
                "it does not parse (RU001), so no `# noqa` was added; fix the syntax first".into(),
            ),
        );
    }
    let parsed;
    let comments = if python {
        parsed = ruff_python_parser::parse_unchecked_source(text, source_type_of(file.display));
        Comments::Python(parsed.tokens())
    } else {
        match file.manifest {
            Some(kind) => Comments::for_manifest(kind),
            None => return unchanged(findings, None),
        }
    };
    let added = add(text, &targets, &comments);
    let mut notes: Vec<String> = added
        .skipped
        .iter()
        .map(|(f, why)| format!("{}: {} not suppressed: {why}", line_of(f), f.rule.code()))
        .collect();
    // The result, linted again: what was meant to be suppressed is, and
    // nothing new appears (TOML: the same values, comments aside).
    let after = lint_file(file, &added.text, settings, asyncio);
    let same_values = !matches!(comments, Comments::Toml)
        || toml::from_str::<toml::Value>(text).ok()
            == toml::from_str::<toml::Value>(&added.text).ok();
    let skipped: Vec<&Diagnostic> = added.skipped.iter().map(|(f, _)| f).collect();
    let unexpected = after.iter().any(|f| {
        f.rule != crate::rules::Rule::UnusedNoqa
            && !skipped
                .iter()
                .any(|s| s.rule == f.rule && s.message == f.message)
    });
    if unexpected || !same_values {
        return unchanged(
            findings,
            Some(
                "adding `# noqa` comments would change what the file means or what is found in                  it, so it was left as it was; please report it"
                    .into(),
            ),
        );
    }
    notes.sort_by_key(|note| {
        note.split(':')
            .next()
            .and_then(|row| row.parse::<usize>().ok())
    });
    FixOutcome {
        text: added.text,
        fixed: added.rules,
        diagnostics: after
            .into_iter()
            .filter(|f| f.rule != crate::rules::Rule::UnusedNoqa)
            .collect(),
        failure: (!notes.is_empty()).then(|| notes.join("\n")),
    }
}

/// Lints one file's text: as Python, as a manifest, or both (`setup.py`).
pub fn lint_file(
    file: FilePath<'_>,
    text: &str,
    settings: &Settings,
    asyncio: &AsyncioUse,
) -> Vec<Diagnostic> {
    lint_file_in(file, text, settings, asyncio, None)
}

/// [`lint_file`] in a project: `project` is the index as this module sees it.
pub fn lint_file_in(
    file: FilePath<'_>,
    text: &str,
    settings: &Settings,
    asyncio: &AsyncioUse,
    project: Option<ModuleContext<'_>>,
) -> Vec<Diagnostic> {
    let rules = settings.rules_for(file.relative);
    let mut diagnostics = Vec::new();
    if is_python_path(file.display) {
        diagnostics = lint_source_with(
            text,
            source_type_of(file.display),
            rules,
            &lint_options(file, settings).with_project(project),
        );
    }
    let found = lint_manifest_file(file, text, settings, asyncio);
    if !found.is_empty() {
        diagnostics.extend(found);
        diagnostics.sort_by_key(|d| (d.range.start(), d.range.end(), d.rule));
    }
    diagnostics
}

/// The options for linting `file` as Python.
fn lint_options(file: FilePath<'_>, settings: &Settings) -> crate::lint::LintOptions<'static> {
    crate::lint::LintOptions {
        also_manifest: file.manifest.is_some(),
        ..settings.lint_options()
    }
}

/// The RU3xx findings of a file, when it is a dependency manifest.
pub fn lint_manifest_file(
    file: FilePath<'_>,
    text: &str,
    settings: &Settings,
    asyncio: &AsyncioUse,
) -> Vec<Diagnostic> {
    let Some(kind) = file.manifest else {
        return Vec::new();
    };
    let uses_asyncio = || asyncio.for_manifest(file.abs_path);
    let context = ManifestContext {
        uses_asyncio: &uses_asyncio,
    };
    lint_manifest(text, kind, settings.rules_for(file.relative), &context)
}
