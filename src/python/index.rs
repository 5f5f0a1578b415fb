//! The project index: what each module of the project offers the others, as far
//! as aioredis goes (issue 14's cross-module part).
//!
//! Pass 1 summarizes each module that can matter ([`summarize`]): a pure
//! function of its text, its module name and what the modules it imports
//! offer — the module-level 1.x clients and pools, the functions that return
//! one, the classes (whether their instances are 1.x clients, the 1.x objects
//! their `self.<attr>`s and methods hold), the names bound to an aioredis
//! import (which another module can import from it), the project names it
//! re-exports, and how it uses the names it imports from the project. A
//! fixpoint over the import graph runs the summaries again until none changes.
//! Pass 2 is the checker, handed a [`ModuleContext`]: an imported factory, a
//! module-level client imported elsewhere, a subclass of a class of another
//! module and the attributes set in such a base all resolve; a name bound to
//! aioredis in another module resolves as aioredis where it is imported; and
//! the import fix of a module judges the uses the other modules make of it.
//!
//! Which modules are summarized (exactness): every 1.x object and every
//! re-exported aioredis binding starts in a module whose text spells
//! `aioredis`; those are summarized first. A module that does not spell it
//! can only get something from them by importing an exported name, so it is
//! summarized when its text spells both an exported name and the last part of
//! the exporting module's name (rounds until no new module qualifies).

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use crate::python::legacy::LegacyKind;

/// What a module offers under one name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Exported {
    /// A module-level name that holds a 1.x object.
    Object(LegacyKind),
    /// A function whose call returns a 1.x object.
    Returns(LegacyKind),
    /// A class defined in the module.
    Class(ClassExport),
    /// A name bound to an aioredis import (`import aioredis` binds `aioredis`
    /// to `aioredis`); another module's `from m import aioredis` gets it.
    Aioredis(String),
    /// A project name imported into the module (`from .pool import create_pool`
    /// in a package's `__init__.py`), by its absolute name.
    Alias(String),
}

/// A class of the module, as other modules see it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ClassExport {
    /// Its instances are 1.x clients (it or a base subclasses 1.x `Redis`).
    pub client: bool,
    /// `self.<attr>` holding a 1.x object, in it or its bases.
    pub attributes: Vec<(String, LegacyKind)>,
    /// Methods returning a 1.x object, in it or its bases.
    pub returns: Vec<(String, LegacyKind)>,
    /// How its methods (and its bases') pass what `self`'s members give to
    /// other members (`channel = await self.register_topics()` then
    /// `self.wait_for_message(channel)`): a subclass that overrides them
    /// decides what flows (methods dispatch on the subclass).
    pub flows: Vec<MemberFlow>,
}

/// A member of `self`: what one of its methods returns, one of its
/// attributes, or a parameter of one of its methods.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Member {
    /// What `self.<name>(...)` returns.
    Returns(String),
    /// `self.<name>`.
    Attribute(String),
    /// The parameter of method `method` an argument lands in: by position
    /// (after the receiver) or by keyword.
    Argument {
        method: String,
        position: Option<usize>,
        keyword: Option<String>,
    },
}

/// `target ← source` between members of `self` (`element`: an element of
/// what the source gives, `x[0]`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MemberFlow {
    pub target: Member,
    pub source: Member,
    pub element: bool,
}

impl ClassExport {
    /// Its instances or members hold 1.x objects (not only member flows).
    pub fn holds_legacy(&self) -> bool {
        self.client || !self.attributes.is_empty() || !self.returns.is_empty()
    }
}

/// One name a module offers, and where it is defined (1-based).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Export {
    pub what: Exported,
    pub line: u32,
    pub column: u32,
}

/// A use, in one module, of a name imported from another project module:
/// `exceptions.RedisError` off `from app.db import aioredis`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExternalUse {
    /// The module imported from (absolute).
    pub module: String,
    /// The name imported.
    pub name: String,
    /// The attributes read off it (`["exceptions", "RedisError"]`).
    pub attrs: Vec<String>,
    /// Where (1-based; the end column on the same line when it fits).
    pub line: u32,
    pub column: u32,
    pub end_line: u32,
    pub end_column: u32,
}

/// What pass 1 learns about one module.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Summary {
    /// The file, as reports show it.
    pub display: String,
    /// Relative to the project root, and absolute.
    pub relative: String,
    pub abs_path: String,
    pub exports: HashMap<String, Export>,
    /// Uses of names imported from other project modules.
    pub uses: Vec<ExternalUse>,
    /// The project modules it imports from (absolute names).
    pub imports: Vec<String>,
    /// The names it imports from them: (absolute module, name).
    pub imported_names: Vec<(String, String)>,
    /// Some name it imports from the project is a 1.x object, a 1.x factory,
    /// a 1.x client class or a re-exported aioredis binding.
    pub imports_legacy: bool,
    /// Which aioredis its own use is written for (before the project's context).
    pub series: crate::python::legacy::Series,
    /// Project modules whose summaries its 1.x objects need although they may
    /// not spell `aioredis`: the modules of its classes' project bases and the
    /// modules it star-imports (member flows of a base, names of a star).
    pub wants: Vec<String>,
    /// Its pytest fixtures whose value is a 1.x object, or a function
    /// returning one (`factory`): a test's parameter of that name below the
    /// folder of a `conftest.py` holds it.
    pub fixtures: Vec<Fixture>,
    /// Pass 1's stand-in ([`provisional_summary`]): only what the module
    /// imports from the project, no exports, no uses. Replaced by the summary
    /// as soon as another summarized module imports from it or something it
    /// imports carries aioredis (`commands::index`).
    pub provisional: bool,
}

/// A pytest fixture of a module (`@pytest.fixture`), by what it returns or yields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fixture {
    pub name: String,
    pub kind: LegacyKind,
    /// The fixture's value is a function whose call returns `kind`.
    pub factory: bool,
    /// The client is a 1.x `RedisConnection` (`create_connection`), not a `Redis`.
    pub connection: bool,
    pub line: u32,
    pub column: u32,
}

/// Every summarized module of the project, by absolute module name.
#[derive(Debug, Default)]
pub struct ProjectIndex {
    modules: HashMap<String, Summary>,
    /// The module name of each file, by its path relative to the project root.
    by_relative: HashMap<String, String>,
    /// The first part of every module name of the project (`app` for `app.db`).
    roots: HashSet<String>,
    /// The packages (folders with `__init__.py`), relative, `/`-separated.
    packages: std::collections::HashSet<String>,
    /// The modules whose aioredis 1.x rewrites wait for a hand change in
    /// another module that shares 1.x objects with them (by module name), with
    /// where that module is.
    held_by: HashMap<String, Vec<crate::diagnostic::Related>>,
    /// The modules whose own aioredis use is silent and whose project's
    /// aioredis is 1.x (see [`ProjectIndex::decide_series`]).
    legacy_silent: HashSet<String>,
    /// The files with 1.x pytest fixtures (their paths and fixtures only), by
    /// path relative to the project root: `conftest.py` files in different
    /// folders often share a module name (`conftest`, no `__init__.py`).
    fixture_files: HashMap<String, Summary>,
}

/// Two modules that share 1.x objects: `importer` uses (at `use_`) what
/// `definer` defines. Rewriting one without the other hands redis.asyncio
/// objects to 1.x calls (or the reverse).
#[derive(Debug, Clone)]
pub struct LegacyLink<'a> {
    pub importer: &'a str,
    pub importer_summary: &'a Summary,
    pub definer: String,
    pub use_: &'a ExternalUse,
}

/// How one module sees the project.
#[derive(Debug, Clone, Copy)]
pub struct ModuleContext<'a> {
    pub index: &'a ProjectIndex,
    pub module: &'a str,
    /// The file (relative to the project root): two files may share a module
    /// name (several projects side by side), and only one has the summary.
    pub relative: &'a str,
    pub is_package: bool,
}

impl ProjectIndex {
    /// An index of the project whose Python files (relative to the project
    /// root) are `relatives`; `packages` are the folders with `__init__.py`.
    pub fn new(relatives: &[&str], packages: std::collections::HashSet<String>) -> Self {
        use rayon::prelude::*;
        // Only the top-level names are kept for every file (on all cores: it
        // runs before the files are read); module names are added for the
        // files pass 1 reads ([`Self::add_file`]).
        let roots = relatives
            .par_chunks(2048)
            .map(|chunk| roots_of(chunk, &packages))
            .reduce(HashSet::default, |mut a, b| {
                a.extend(b);
                a
            });
        ProjectIndex {
            packages,
            roots,
            ..ProjectIndex::default()
        }
    }

    /// Whether `module.name` gives an importer something of aioredis — a 1.x
    /// object, factory or class, an aioredis binding, or a class whose member
    /// flows a subclass may fill; `name` `*` (or a module `module.name` of the
    /// project) stands for every name the module offers.
    /// The names of what `module` gives ([`Self::gives_something`]).
    pub fn giving_exports(&self, module: &str) -> Vec<&str> {
        self.modules.get(module).map_or_else(Vec::new, |summary| {
            summary
                .exports
                .iter()
                .filter(|(_, export)| {
                    self.carries_legacy(&export.what)
                        || matches!(&export.what, Exported::Class(class) if !class.flows.is_empty())
                })
                .map(|(name, _)| name.as_str())
                .collect()
        })
    }

    pub fn gives_something(&self, module: &str, name: &str) -> bool {
        let gives = |what: &Exported| {
            self.carries_legacy(what)
                || matches!(what, Exported::Class(class) if !class.flows.is_empty())
        };
        let whole = |module: &str| {
            self.modules
                .get(module)
                .is_some_and(|summary| summary.exports.values().any(|e| gives(&e.what)))
        };
        if name == "*" {
            return whole(module);
        }
        self.modules
            .get(module)
            .and_then(|summary| summary.exports.get(name))
            .is_some_and(|export| gives(&export.what))
            || whole(&join(module, name))
    }

    /// Rewrites the uses written through a module bound whole (`app.db.pool`
    /// off `import app.db`, `db.pool` off `from app import db`) as uses of
    /// the name the deepest summarized module offers (`app.db`, `pool`).
    fn normalize_uses(&mut self) {
        let modules: HashSet<String> = self.modules.keys().cloned().collect();
        for summary in self.modules.values_mut() {
            for use_ in &mut summary.uses {
                let mut parts: Vec<String> = use_
                    .module
                    .split('.')
                    .filter(|p| !p.is_empty())
                    .map(str::to_string)
                    .collect();
                parts.push(use_.name.clone());
                parts.extend(use_.attrs.iter().cloned());
                let written = parts.len() - use_.attrs.len();
                for at in (written..parts.len()).rev() {
                    if modules.contains(&parts[..at].join(".")) {
                        use_.module = parts[..at].join(".");
                        use_.name = parts[at].clone();
                        use_.attrs = parts[at + 1..].to_vec();
                        break;
                    }
                }
            }
        }
    }

    /// Drops the recorded uses of project names that are not aioredis
    /// bindings: only those are judged by another module's import fix.
    pub fn keep_uses_of_aioredis_bindings(&mut self) {
        self.normalize_uses();
        // Kept: the uses of aioredis bindings, and of 1.x objects, factories
        // and classes wherever defined (they tie the importer's 1.x rewrites
        // to the definer's).
        let kept: Vec<(String, Vec<bool>)> = self
            .modules
            .iter()
            .filter(|(_, summary)| !summary.uses.is_empty())
            .map(|(module, summary)| {
                let keep = summary
                    .uses
                    .iter()
                    .map(|use_| self.use_is_judged(&use_.module, &use_.name))
                    .collect();
                (module.clone(), keep)
            })
            .collect();
        for (module, keep) in kept {
            let Some(summary) = self.modules.get_mut(&module) else {
                continue;
            };
            let mut keep = keep.into_iter();
            summary.uses.retain(|_| keep.next().unwrap_or(false));
            summary.uses.shrink_to_fit();
        }
    }

    /// Whether a use of `module.name` stays in the index: the name is bound
    /// to an aioredis import there, or is a 1.x object, factory or class.
    fn use_is_judged(&self, module: &str, name: &str) -> bool {
        let export = self.modules.get(module).and_then(|s| s.exports.get(name));
        export.is_some_and(|export| matches!(export.what, Exported::Aioredis(_)))
            || self.legacy_definer(module, name).is_some()
    }

    /// The module that defines `module.name` when it is a 1.x object, a
    /// factory of one or a class holding them (following re-exports).
    pub fn legacy_definer(&self, module: &str, name: &str) -> Option<String> {
        let mut qualified = format!("{module}.{name}");
        for _ in 0..8 {
            let (module, name) = qualified.rsplit_once('.')?;
            let summary = self.modules.get(module)?;
            let Some(export) = summary.exports.get(name) else {
                // A conftest.py's 1.x fixture a test module's parameter takes.
                return summary
                    .fixtures
                    .iter()
                    .any(|fixture| fixture.name == name)
                    .then(|| module.to_string());
            };
            match &export.what {
                Exported::Alias(target) if *target != qualified => qualified = target.clone(),
                Exported::Alias(_) | Exported::Aioredis(_) => return None,
                what => return self.carries_legacy(what).then(|| module.to_string()),
            }
        }
        None
    }

    /// Every importer → definer link of 1.x objects between two modules.
    pub fn legacy_links(&self) -> Vec<LegacyLink<'_>> {
        let mut links = Vec::new();
        for (importer, summary) in &self.modules {
            for use_ in &summary.uses {
                if let Some(definer) = self.legacy_definer(&use_.module, &use_.name)
                    && definer != *importer
                {
                    links.push(LegacyLink {
                        importer,
                        importer_summary: summary,
                        definer,
                        use_,
                    });
                }
            }
        }
        links.sort_by(|a, b| {
            (a.importer, a.use_.line, a.use_.column).cmp(&(b.importer, b.use_.line, b.use_.column))
        });
        links
    }

    /// Decides, once every module is summarized, which modules whose own
    /// aioredis use says nothing about the version
    /// ([`Series::Silent`](crate::python::legacy::Series)) are 1.x code: only
    /// one aioredis is installed per environment. `environment(relative)` is
    /// the folder whose manifests describe the file's environment (the closest
    /// one above it that has any, else the project root) and what they say
    /// (`Some(true)`: they require aioredis < 2; `Some(false)`: 2.x or later).
    /// When they say nothing, the module is 1.x code when another module of
    /// the same environment uses 1.x-only API.
    pub fn decide_series(&mut self, environment: &dyn Fn(&str) -> (String, Option<bool>)) {
        use crate::python::legacy::Series;
        let mut legacy_environments = HashSet::default();
        let mut silent = Vec::new();
        for (module, summary) in &self.modules {
            match summary.series {
                Series::Legacy => {
                    legacy_environments.insert(environment(&summary.relative).0);
                }
                Series::Silent => silent.push((module.clone(), environment(&summary.relative))),
                Series::Modern | Series::None => {}
            }
        }
        self.legacy_silent = silent
            .into_iter()
            .filter(|(_, (folder, manifests))| {
                manifests.unwrap_or_else(|| legacy_environments.contains(folder))
            })
            .map(|(module, _)| module)
            .collect();
    }

    /// Holds the 1.x rewrites of `module` for a hand change elsewhere.
    pub fn hold(&mut self, module: String, related: Vec<crate::diagnostic::Related>) {
        self.held_by.insert(module, related);
    }

    /// Adds a file the command does not read (a module its files import).
    pub fn add_file(&mut self, relative: &str) {
        if let Some(name) = self.module_name_of(relative) {
            if let Some(root) = name.split('.').next()
                && !is_conftest(relative)
            {
                self.roots.insert(root.to_string());
            }
            self.by_relative.insert(relative.to_string(), name);
        }
    }

    /// The module name a file would get (whether or not it was added). A
    /// `conftest.py` is named by its whole path (`tests.sub.conftest`): pytest
    /// loads each one, package or not, and nothing imports it, while the
    /// package chain names every `conftest.py` of a folder without
    /// `__init__.py` `conftest`.
    pub fn module_name_of(&self, relative: &str) -> Option<String> {
        if is_conftest(relative) {
            let path = relative.strip_suffix(".py")?;
            return Some(path.replace('/', "."));
        }
        crate::plan::modules::module_names(relative, &self.packages)
            .into_iter()
            .next()
    }

    /// The module name of a file (relative to the project root).
    pub fn module_of(&self, relative: &str) -> Option<&str> {
        self.by_relative.get(relative).map(String::as_str)
    }

    /// The context of the file `relative`, when it is a module of the project.
    pub fn context(&self, relative: &str) -> Option<ModuleContext<'_>> {
        let (relative, module) = self.by_relative.get_key_value(relative)?;
        Some(ModuleContext {
            index: self,
            module,
            relative,
            is_package: is_package_file(relative),
        })
    }

    pub fn summary(&self, module: &str) -> Option<&Summary> {
        self.modules.get(module)
    }

    pub fn insert(&mut self, module: String, summary: Summary) -> bool {
        if summary.fixtures.is_empty() {
            self.fixture_files.remove(&summary.relative);
        } else {
            let fixtures = Summary {
                display: summary.display.clone(),
                relative: summary.relative.clone(),
                abs_path: summary.abs_path.clone(),
                fixtures: summary.fixtures.clone(),
                ..Summary::default()
            };
            self.fixture_files
                .insert(summary.relative.clone(), fixtures);
        }
        let changed = self.modules.get(&module) != Some(&summary);
        self.modules.insert(module, summary);
        changed
    }

    pub fn is_empty(&self) -> bool {
        self.modules.is_empty()
    }

    /// The files with 1.x pytest fixtures (paths and fixtures only).
    pub fn fixture_files(&self) -> impl Iterator<Item = &Summary> {
        self.fixture_files.values()
    }

    pub fn modules(&self) -> impl Iterator<Item = (&String, &Summary)> {
        self.modules.iter()
    }

    /// The names other modules may import from the summarized ones without
    /// spelling `aioredis`, with the last part of the exporting module's name:
    /// a file that spells neither pair cannot import them.
    pub fn needles(&self) -> Vec<(String, String)> {
        let mut needles = Vec::new();
        for (module, summary) in &self.modules {
            let last = module.rsplit('.').next().unwrap_or(module).to_string();
            for (name, export) in &summary.exports {
                if !name.contains("aioredis") && self.carries_legacy(&export.what) {
                    needles.push((name.clone(), last.clone()));
                }
            }
        }
        needles.sort();
        needles.dedup();
        needles
    }
}

/// The first part of the module name of each file ([`ProjectIndex::new`]).
/// Each folder's package chain is looked up once (the files of a folder
/// mostly come one after another).
fn roots_of(relatives: &[&str], packages: &std::collections::HashSet<String>) -> HashSet<String> {
    let mut roots: HashSet<String> = HashSet::default();
    let mut chains: HashMap<&str, usize> = HashMap::default();
    let mut last: (&str, usize) = ("", 0);
    for relative in relatives {
        let root = crate::plan::modules::module_root_from(relative, |folder| {
            if folder.is_empty() {
                return 0;
            }
            if folder != last.0 {
                let start = *chains
                    .entry(folder)
                    .or_insert_with(|| crate::plan::modules::package_chain_start(folder, packages));
                last = (folder, start);
            }
            last.1
        });
        if let Some(root) = root
            && !roots.contains(root)
        {
            roots.insert(root.to_string());
        }
    }
    roots
}

impl ProjectIndex {
    /// Whether an export gives its importers something of aioredis: a 1.x
    /// object, factory or class, an aioredis binding, or a re-export of one.
    pub fn carries_legacy(&self, what: &Exported) -> bool {
        let mut what = what;
        for _ in 0..8 {
            match what {
                Exported::Object(kind) | Exported::Returns(kind) => {
                    return *kind != LegacyKind::Foreign;
                }
                Exported::Class(class) => return class.holds_legacy(),
                Exported::Aioredis(_) => return true,
                Exported::Alias(target) => {
                    let Some((module, name)) = target.rsplit_once('.') else {
                        return false;
                    };
                    let Some(export) = self.modules.get(module).and_then(|s| s.exports.get(name))
                    else {
                        return false;
                    };
                    what = &export.what;
                }
            }
        }
        false
    }
}

/// `module.name`, or `name` at the top.
fn join(module: &str, name: &str) -> String {
    if module.is_empty() {
        name.to_string()
    } else {
        format!("{module}.{name}")
    }
}

/// Whether a module's text may build an aioredis 1.x object itself (without
/// importing one from the project): every 1.x object starts at a 1.x
/// constructor (`create_pool`, the `aioredis-1` entries of
/// rules/clients.toml) or a 1.x type (`[client_types]` of
/// rules/aioredis-api.toml: a call, an annotation, a base class), whose last
/// name part any reference spells as a whole word; or, in a module whose
/// aioredis use is 1.x (it spells a `[legacy]` name), at `with await x` and
/// `multi_exec` (`LegacyModel::eval`, `kind_of_call`). A module that may not
/// offers no 1.x object, factory or class of its own.
pub fn may_build_legacy_objects(text: &str) -> bool {
    static WORDS: std::sync::OnceLock<aho_corasick::AhoCorasick> = std::sync::OnceLock::new();
    let words = WORDS.get_or_init(|| {
        let api = crate::api::api_map();
        let types = api.client_types();
        let mut words: Vec<&str> = crate::constructors::constructor_table()
            .iter()
            .filter(|(_, constructor)| {
                constructor.library == crate::constructors::Library::Aioredis1
            })
            .map(|(name, _)| name)
            .chain(
                [
                    &types.client,
                    &types.pool,
                    &types.channel,
                    &types.client_in_1x_modules,
                ]
                .into_iter()
                .flatten()
                .map(String::as_str),
            )
            .map(|name| name.rsplit('.').next().unwrap_or(name))
            .collect();
        words.sort_unstable();
        words.dedup();
        crate::api::whole_word_searcher(words)
    });
    crate::api::spells_a_whole_word(words, text)
        || ((memchr::memmem::find(text.as_bytes(), b"await").is_some()
            || memchr::memmem::find(text.as_bytes(), b"multi_exec").is_some())
            && crate::api::api_map().may_mention_legacy_code(text))
}

/// Pass 1's cheap stand-in for a module's summary, from its import statements
/// alone (no walk over expressions): the project modules and names it imports,
/// wherever the import stands — the same resolution as the checker's, and a
/// superset of what the summary records (which keeps one import per bound
/// name) — and nothing it offers. It stands for the summary exactly as long as
/// no other summarized module imports from this one and nothing it imports
/// carries aioredis: then its findings are those without the index, and it
/// offers nothing another module reads. `commands::index` replaces it by the
/// summary otherwise. The `bool`: some aioredis import binds a name that does
/// not spell `aioredis` (`from aioredis import Redis`), which another module
/// may import without spelling `aioredis` either (a needle, see
/// [`ProjectIndex::needles`]).
pub fn provisional_summary(
    body: &[ruff_python_ast::Stmt],
    project: ModuleContext<'_>,
    file: crate::source::FilePath<'_>,
) -> (Summary, bool) {
    use ruff_python_ast::Stmt;
    use ruff_python_ast::statement_visitor::{StatementVisitor, walk_stmt};

    struct Imports<'p> {
        project: ModuleContext<'p>,
        names: Vec<(String, String)>,
        binds_other_aioredis_names: bool,
    }
    impl<'a> StatementVisitor<'a> for Imports<'_> {
        fn visit_stmt(&mut self, stmt: &'a Stmt) {
            match stmt {
                Stmt::Import(import) => {
                    for alias in &import.names {
                        let bound = alias.asname.as_ref().map_or_else(
                            || alias.name.split('.').next().unwrap_or_default(),
                            |asname| asname.as_str(),
                        );
                        if crate::api::is_aioredis(alias.name.as_str())
                            && !bound.contains("aioredis")
                        {
                            self.binds_other_aioredis_names = true;
                        }
                        // A project module bound whole (`import app.db as db`).
                        if self.project.is_project(alias.name.as_str()) {
                            self.names.push((alias.name.to_string(), "*".to_string()));
                        }
                    }
                }
                Stmt::ImportFrom(import) => {
                    let module = import.module.as_ref().map(|m| m.as_str());
                    if import.level == 0
                        && module.is_some_and(crate::api::is_aioredis)
                        && import.names.iter().any(|alias| {
                            !alias
                                .asname
                                .as_ref()
                                .unwrap_or(&alias.name)
                                .as_str()
                                .contains("aioredis")
                        })
                    {
                        self.binds_other_aioredis_names = true;
                    }
                    let Some(project_module) = self
                        .project
                        .absolute(import.level, module)
                        .filter(|absolute| import.level > 0 || self.project.is_project(absolute))
                    else {
                        return;
                    };
                    for alias in &import.names {
                        // `*`: every name the module offers, as the summary records it.
                        self.names
                            .push((project_module.clone(), alias.name.to_string()));
                    }
                }
                _ => walk_stmt(self, stmt),
            }
        }
    }

    let mut imports = Imports {
        project,
        names: Vec::new(),
        binds_other_aioredis_names: false,
    };
    imports.visit_body(body);
    let mut names = imports.names;
    names.sort();
    names.dedup();
    let mut modules: Vec<String> = names.iter().map(|(module, _)| module.clone()).collect();
    modules.dedup();
    let summary = Summary {
        display: file.display.to_string(),
        relative: file.relative.to_string(),
        abs_path: file.abs_path.display().to_string(),
        imports: modules,
        imported_names: names,
        provisional: true,
        ..Summary::default()
    };
    (summary, imports.binds_other_aioredis_names)
}

/// Whether the bytes of a file spell one of the `needles` pairs (both parts).
pub fn meets_needles(bytes: &[u8], needles: &[(String, String)]) -> bool {
    needles.iter().any(|(name, module)| {
        memchr::memmem::find(bytes, name.as_bytes()).is_some()
            && memchr::memmem::find(bytes, module.as_bytes()).is_some()
    })
}

/// A pytest `conftest.py`.
pub fn is_conftest(relative: &str) -> bool {
    relative == "conftest.py" || relative.ends_with("/conftest.py")
}

pub fn is_package_file(relative: &str) -> bool {
    relative == "__init__.py"
        || relative.ends_with("/__init__.py")
        || relative == "__init__.pyi"
        || relative.ends_with("/__init__.pyi")
}

impl<'a> ModuleContext<'a> {
    /// The absolute module a `from <dots><module> import` names.
    pub fn absolute(&self, level: u32, module: Option<&str>) -> Option<String> {
        if level == 0 {
            return module.map(str::to_string);
        }
        let mut base: Vec<&str> = self.module.split('.').filter(|p| !p.is_empty()).collect();
        if !self.is_package {
            base.pop();
        }
        for _ in 1..level {
            base.pop()?;
        }
        let mut parts = base.join(".");
        if let Some(module) = module.filter(|m| !m.is_empty()) {
            if !parts.is_empty() {
                parts.push('.');
            }
            parts.push_str(module);
        }
        (!parts.is_empty()).then_some(parts)
    }

    /// Whether a qualified name starts at one of the project's top-level modules.
    pub fn is_project(&self, qualified: &str) -> bool {
        let root = qualified.split('.').next().unwrap_or(qualified);
        // aioredis' and redis-py's own sources in a project are still those packages.
        !matches!(root, "aioredis" | "redis") && self.index.roots.contains(root)
    }

    /// What `module.name` is, following re-exports; with the summary of the
    /// module that defines it.
    pub fn export(&self, qualified: &str) -> Option<(&'a Export, &'a Summary)> {
        let mut qualified = qualified.to_string();
        for _ in 0..8 {
            let (module, name) = qualified.rsplit_once('.')?;
            let summary = self.index.modules.get(module)?;
            let export = summary.exports.get(name)?;
            match &export.what {
                Exported::Alias(target) if *target != qualified => qualified = target.clone(),
                Exported::Alias(_) => return None,
                _ => return Some((export, summary)),
            }
        }
        None
    }

    /// The summary of this module (present when pass 1 summarized it).
    pub fn own(&self) -> Option<&'a Summary> {
        self.index
            .modules
            .get(self.module)
            .filter(|summary| summary.relative == self.relative)
    }

    /// Whether the checker has project work in this module: it was summarized
    /// and imports something 1.x or aioredis from the project, or its aioredis
    /// is 1.x because its project's is.
    pub fn relevant(&self) -> bool {
        // A module whose own exports matter spells `aioredis`: the rules'
        // prefilter reads it anyway.
        self.own().is_some_and(|s| s.imports_legacy) || self.project_is_1x()
    }

    /// Whether this module's aioredis is 1.x because its project's is (its own
    /// use says nothing of the version; [`ProjectIndex::decide_series`]).
    pub fn project_is_1x(&self) -> bool {
        self.own().is_some() && self.index.legacy_silent.contains(self.module)
    }

    /// Where the hand changes are that hold this module's 1.x rewrites (empty
    /// when none does).
    pub fn held_by(&self) -> &'a [crate::diagnostic::Related] {
        self.own()
            .and_then(|_| self.index.held_by.get(self.module))
            .map_or(&[], Vec::as_slice)
    }

    /// The fixtures of the `conftest.py` files that apply to this module (in
    /// its folder and the folders above), closest first, with their summaries.
    pub fn conftest_fixtures(&self) -> Vec<(&'a Summary, &'a Fixture)> {
        let mut found = Vec::new();
        let mut folder = self.relative.rsplit_once('/').map_or("", |(f, _)| f);
        let own = self.relative.rsplit('/').next() == Some("conftest.py");
        let mut first = true;
        loop {
            if !(first && own) {
                let conftest = if folder.is_empty() {
                    "conftest.py".to_string()
                } else {
                    format!("{folder}/conftest.py")
                };
                if let Some(summary) = self.index.fixture_files.get(&conftest) {
                    found.extend(summary.fixtures.iter().map(|f| (summary, f)));
                }
            }
            first = false;
            if folder.is_empty() {
                break;
            }
            folder = folder.rsplit_once('/').map_or("", |(f, _)| f);
        }
        found
    }

    /// Whether another module uses a name this module binds to aioredis.
    pub fn others_use_its_aioredis_names(&self) -> bool {
        self.own().is_some_and(|summary| {
            summary.exports.iter().any(|(name, export)| {
                matches!(export.what, Exported::Aioredis(_)) && !self.uses_of(name).is_empty()
            })
        })
    }

    /// Every use other modules make of `name` imported from this module.
    pub fn uses_of(&self, name: &str) -> Vec<(&'a Summary, &'a ExternalUse)> {
        let mut found: Vec<(&Summary, &ExternalUse)> = self
            .index
            .modules
            .values()
            .flat_map(|summary| summary.uses.iter().map(move |use_| (summary, use_)))
            .filter(|(_, use_)| use_.module == self.module && use_.name == name)
            .collect();
        found.sort_by(|a, b| {
            (a.0.display.as_str(), a.1.line, a.1.column).cmp(&(
                b.0.display.as_str(),
                b.1.line,
                b.1.column,
            ))
        });
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index() -> ProjectIndex {
        let packages = ["app", "app/db"].into_iter().map(String::from).collect();
        let mut index = ProjectIndex::new(&["app/__init__.py", "app/db/pool.py"], packages);
        index.add_file("app/__init__.py");
        index.add_file("app/db/pool.py");
        let export = |what| Export {
            what,
            line: 1,
            column: 1,
        };
        let mut pool = Summary::default();
        pool.exports.insert(
            "create_pool".into(),
            export(Exported::Returns(LegacyKind::Pool)),
        );
        pool.exports.insert(
            "aioredis".into(),
            export(Exported::Aioredis("aioredis".into())),
        );
        index.insert("app.db.pool".into(), pool);
        let mut package = Summary::default();
        package.exports.insert(
            "make_pool".into(),
            export(Exported::Alias("app.db.pool.create_pool".into())),
        );
        package
            .exports
            .insert("loop".into(), export(Exported::Alias("app.loop".into())));
        index.insert("app".into(), package);
        index
    }

    #[test]
    fn only_modules_with_1x_constructors_types_or_1x_idioms_may_build_1x_objects() {
        for text in [
            "import aioredis\npool = aioredis.create_pool(u)\n",
            "from aioredis import create_redis_pool as make\n",
            "import aioredis\ndef f(p: 'aioredis.ConnectionsPool'): ...\n",
            "import aioredis\nclass C(aioredis.Redis): ...\n",
            "from aioredis.pubsub import Channel\n",
            // A 1.x module (it names `aioredis.errors`): the 1.x idioms count.
            "import aioredis.errors\nasync def f(p):\n    with await p as c:\n        return c\n",
            "import aioredis.errors\ntr = x.multi_exec()\n",
        ] {
            assert!(may_build_legacy_objects(text), "{text}");
        }
        for text in [
            "import aioredis\n",
            "import aioredis\nfrom aioredis import errors\nclass MyRedisError(errors.ReplyError): ...\n",
            "import aioredis\nasync def f(c):\n    return await c.get('k')\n",
            // Not a 1.x module: `with await` says nothing.
            "import aioredis\nasync def f(p):\n    with await p as c:\n        return c\n",
            "import aioredis\nmy_create_pool = 1\nRedisy = 2\n",
        ] {
            assert!(!may_build_legacy_objects(text), "{text}");
        }
    }

    #[test]
    fn relative_imports_resolve_from_the_module_or_package() {
        let index = index();
        let module = index.context("app/db/pool.py").unwrap();
        assert_eq!(
            module.absolute(1, Some("conn")).as_deref(),
            Some("app.db.conn")
        );
        assert_eq!(module.absolute(2, None).as_deref(), Some("app"));
        assert_eq!(module.absolute(4, None), None);
        let package = index.context("app/__init__.py").unwrap();
        assert_eq!(
            package.absolute(1, Some("db.pool")).as_deref(),
            Some("app.db.pool")
        );
        assert!(package.is_project("app.db.pool.x"));
        assert!(!package.is_project("aioredis.client"));
    }

    #[test]
    fn uses_through_modules_bound_whole_name_the_deepest_module() {
        let mut index = index();
        let mut views = Summary::default();
        let use_ = |module: &str, name: &str, attrs: &[&str]| ExternalUse {
            module: module.into(),
            name: name.into(),
            attrs: attrs.iter().map(|a| a.to_string()).collect(),
            line: 1,
            column: 1,
            end_line: 1,
            end_column: 1,
        };
        // `import app.db.pool` then `app.db.pool.create_pool(...)`; `from app
        // import db` then `db.pool.create_pool`; a name of no module.
        views.uses = vec![
            use_("", "app", &["db", "pool", "create_pool"]),
            use_("app", "db", &["pool", "create_pool"]),
            use_("app", "loop", &["run"]),
        ];
        index.insert("app.views".into(), views);
        index.keep_uses_of_aioredis_bindings();
        let uses = &index.summary("app.views").unwrap().uses;
        assert_eq!(uses.len(), 2, "{uses:?}");
        for kept in uses {
            assert_eq!(
                (kept.module.as_str(), kept.name.as_str()),
                ("app.db.pool", "create_pool")
            );
        }
        assert!(index.gives_something("app.db.pool", "*"));
        assert!(index.gives_something("app.db", "pool"));
        assert!(!index.gives_something("app", "loop"));
    }

    #[test]
    fn conftest_fixtures_apply_below_their_folder_closest_first() {
        let packages = std::collections::HashSet::new();
        let files = [
            "conftest.py",
            "tests/conftest.py",
            "tests/unit/test_a.py",
            "other/test_b.py",
        ];
        let mut index = ProjectIndex::new(&files, packages);
        let fixture = |name: &str| Fixture {
            name: name.into(),
            kind: LegacyKind::Client,
            factory: false,
            connection: false,
            line: 1,
            column: 1,
        };
        for (relative, names) in [
            ("conftest.py", vec!["redis", "pool"]),
            ("tests/conftest.py", vec!["redis"]),
        ] {
            index.add_file(relative);
            let module = index.module_of(relative).unwrap().to_string();
            let summary = Summary {
                relative: relative.into(),
                fixtures: names.into_iter().map(fixture).collect(),
                ..Summary::default()
            };
            index.insert(module, summary);
        }
        for relative in ["tests/unit/test_a.py", "other/test_b.py"] {
            index.add_file(relative);
        }
        let seen = |relative: &str| -> Vec<(String, String)> {
            index
                .context(relative)
                .unwrap()
                .conftest_fixtures()
                .into_iter()
                .map(|(summary, f)| (summary.relative.clone(), f.name.clone()))
                .collect()
        };
        assert_eq!(
            seen("tests/unit/test_a.py"),
            [
                ("tests/conftest.py".to_string(), "redis".to_string()),
                ("conftest.py".into(), "redis".into()),
                ("conftest.py".into(), "pool".into()),
            ]
        );
        assert_eq!(
            seen("other/test_b.py"),
            [
                ("conftest.py".to_string(), "redis".to_string()),
                ("conftest.py".into(), "pool".into()),
            ]
        );
        // A conftest.py sees those above it, not its own.
        assert_eq!(seen("tests/conftest.py").len(), 2);
    }

    #[test]
    fn exports_follow_re_exports_and_stop_at_cycles() {
        let index = index();
        let context = index.context("app/__init__.py").unwrap();
        let (export, _) = context.export("app.make_pool").unwrap();
        assert_eq!(export.what, Exported::Returns(LegacyKind::Pool));
        assert!(context.export("app.loop").is_none());
        assert!(index.carries_legacy(&Exported::Alias("app.make_pool".into())));
        assert!(!index.carries_legacy(&Exported::Alias("app.loop".into())));
        let needles = index.needles();
        assert!(needles.contains(&("create_pool".into(), "pool".into())));
        assert!(needles.contains(&("make_pool".into(), "app".into())));
        assert!(
            !needles
                .iter()
                .any(|(name, _)| name == "aioredis" || name == "loop")
        );
        assert!(meets_needles(b"from app import make_pool", &needles));
        assert!(!meets_needles(b"make_pool = None", &needles));
    }
}
