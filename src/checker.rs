//! The walk over one module's syntax tree.
//!
//! It runs twice over the same tree: first [`Phase::Bind`] records every scope
//! and what each scope binds (the [`SemanticModel`]); then [`Phase::Check`]
//! replays the same scopes in the same order and hands statements, references
//! and calls to the rules, which can now resolve any name, wherever it was bound.
//!
//! Both phases keep the stack of enclosing functions (name, `async` or not,
//! class), so the bind phase can record which names and `self.<attr>`s hold a
//! Redis client ([`ClientModel`]) and the check phase can judge each client
//! call by where it happens.

use std::collections::{HashMap, HashSet};

use ruff_python_ast::StringFlags;
use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{
    self as ast, Comprehension, ExceptHandler, Expr, ExprContext, Parameters, Pattern, Stmt,
};
use ruff_text_size::{Ranged, TextRange, TextSize};

use crate::api::{ApiMap, is_aioredis};
use crate::constructors::{ConstructorTable, constructor_table};
use crate::diagnostic::Diagnostic;
use crate::diagnostic::Fix;
use crate::lint::LintOptions;
use crate::python::clients::{ClientModel, ClientTarget, ClientUses, Construction, Origin};
use crate::python::legacy::{LegacyModel, LegacyTarget};
use crate::python::semantic::{MODULE_SCOPE, ScopeId, ScopeKind, SemanticModel, attribute_chain};
use crate::rules::{self, Rule, RuleSet};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Bind,
    Check,
}

/// One enclosing `def`, `async def` or `lambda`.
#[derive(Debug, Clone)]
pub struct FunctionFrame {
    pub scope: ScopeId,
    /// Where the name is written; `None` for a lambda.
    pub name: Option<TextRange>,
    pub is_async: bool,
    /// The class scope, when the function is defined directly in a class body.
    pub class: Option<ScopeId>,
    /// A method that runs once per object, not once per call: `__init__`,
    /// `__post_init__`, `__aenter__`, `__enter__`.
    pub sets_up_an_object: bool,
    /// Bind phase: where what the function returns is recorded for the 1.x
    /// model (a property's attribute, a function's or method's result).
    returns: Option<LegacyTarget>,
    /// Bind phase: the 1.x factories of `@pytest.fixture(params=[...])`, which
    /// `request.param` gives in the fixture (every param must be one).
    fixture_params: Vec<String>,
}

pub struct Checker<'src> {
    phase: Phase,
    source: &'src str,
    options: LintOptions<'src>,
    model: SemanticModel,
    /// Pass 1 of the project index: record the uses of names imported from
    /// the project's own modules ([`Self::project_uses`]).
    records_uses: bool,
    /// Names imported from the project's own modules (local name → module, name).
    project_imports: rustc_hash::FxHashMap<String, (String, String)>,
    /// Pass 1: the chains read off those names (root, attributes, range).
    project_uses: Vec<(String, Vec<String>, TextRange)>,
    /// Project modules imported whole or by `*` (absolute names).
    project_whole: Vec<String>,
    clients: ClientModel,
    /// Where aioredis 1.x clients, pools and transactions flow (RU101).
    legacy: LegacyModel,
    /// RU101 is enabled and the text names aioredis: the 1.x model is built.
    tracks_legacy: bool,
    /// Check phase: what each function does with the clients it holds (RU204).
    client_uses: ClientUses,
    scope: ScopeId,
    /// The enclosing functions, innermost last.
    functions: Vec<FunctionFrame>,
    /// The id the next scope gets when the check phase replays the scopes.
    replayed_scopes: ScopeId,
    /// Inside a type annotation, where string literals are forward references.
    in_annotation: bool,
    /// Inside an expression parsed from a string annotation: no new scopes there.
    in_string_annotation: bool,
    rules: RuleSet,
    /// Some client rule is enabled, so clients are tracked.
    tracks_clients: bool,
    /// The text names an alias such as `StrictRedis` somewhere (RU207 has work).
    mentions_an_alias: bool,
    api: &'static ApiMap,
    constructors: &'static ConstructorTable,
    diagnostics: Vec<Diagnostic>,
    /// Every reference whose root name is bound to an aioredis import.
    references: Vec<Reference>,
    /// String literals that are exactly an aioredis dotted name (`"aioredis.Redis"`,
    /// as `mock.patch` targets are): an import swap leaves them dangling.
    aioredis_strings: Vec<TextRange>,
    /// Import fixes waiting for every reference to be known.
    import_fixes: Vec<rules::aioredis_import::ImportFixPlan>,
    /// Fixes computed at a call for the diagnostic its callee will get.
    callee_fixes: HashMap<TextRange, Fix>,
    /// Where the module's first import (not `__future__`) starts: where a fix adds one.
    first_import: Option<TextSize>,
    /// Check phase, with the 1.x model: the statements alone in their block
    /// (a fix that removes one writes `pass`).
    alone_in_block: HashSet<TextSize>,
    /// Names bound by an import statement whose own fix rewrites it (`from
    /// aioredis.errors import ReplyError`): their uses need no fix of their own.
    rewritten_imports: HashSet<String>,
    /// RU100 is enabled and the text holds a quoted `aioredis` (`"aioredis"`,
    /// `'aioredis'`): RU102's sinks are looked at for the swap's sake too.
    bare_aioredis_string: bool,
    /// 1.x `pipeline()` calls whose queued results are used as futures.
    pipeline_futures: Vec<TextRange>,
    /// Check phase: 1.x `create_pool()` pools a fix may turn into clients.
    pools: rules::legacy_rewrites::Pools,
    sentinels: rules::legacy_rewrites::Sentinels,
    /// Check phase: 1.x `multi_exec()` transactions a fix may turn into pipelines.
    transactions: rules::legacy_rewrites::Transactions,
    /// Check phase, with the 1.x model: per (binding scope, name), whether the last
    /// `name = value` visited so far stored a float (RU101's `[client_arguments]`).
    float_names: rustc_hash::FxHashMap<ScopeId, rustc_hash::FxHashMap<String, bool>>,
    /// Check phase: in an expression statement `[await] x.m(...)`, the range of
    /// `x.m` (the reply is dropped).
    statement_method: Option<TextRange>,
}

/// A use of a name bound by an import: `root.attrs[0].attrs[1]…`.
#[derive(Debug)]
pub struct Reference {
    pub root: String,
    /// The scope whose binding the root resolves to.
    pub binding_scope: ScopeId,
    pub attrs: Vec<String>,
    /// Ranges of `root`, `root.a`, `root.a.b`, … (see [`chain_ranges`]).
    pub ranges: Vec<TextRange>,
    /// Inside a type annotation (a string annotation included).
    pub in_annotation: bool,
}

/// How a module uses aioredis: what `plan` shows and classifies.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Usage {
    /// Each aioredis name used (`aioredis.Redis`, `aioredis.exceptions.RedisError`),
    /// with how often.
    pub names: std::collections::BTreeMap<String, usize>,
    /// The names of `names` that are used only inside type annotations.
    pub annotation_only: std::collections::BTreeSet<String>,
}

impl<'src> Checker<'src> {
    /// Builds the semantic model of `module` and runs the enabled rules over it.
    pub fn run(
        source: &'src str,
        module: &[Stmt],
        rules: RuleSet,
        options: &LintOptions<'src>,
    ) -> Vec<Diagnostic> {
        Self::run_inner(source, module, rules, options, None)
    }

    fn new(
        source: &'src str,
        module: &[Stmt],
        rules: RuleSet,
        options: &LintOptions<'src>,
    ) -> Self {
        // It imports 1.x objects from the project, or its aioredis use says
        // nothing of the version in a 1.x project (`ModuleContext::relevant`).
        let imports_from_project = options.project.is_some_and(|p| p.relevant());
        Checker {
            phase: Phase::Bind,
            source,
            options: *options,
            records_uses: false,
            project_imports: Default::default(),
            project_uses: Vec::new(),
            project_whole: Vec::new(),
            model: SemanticModel::default(),
            clients: ClientModel::default(),
            legacy: LegacyModel::default(),
            // Every 1.x object comes from a 1.x-only name (a factory, a 1.x type) or
            // needs a 1.x module, which uses one: a module whose text spells none,
            // as a whole word (`utils` is not `util`) and a module's name as that
            // module (`aioredis.errors`, not `errors = []`), has no 1.x objects,
            // and pays nothing.
            tracks_legacy: (rules.contains(Rule::AioredisLegacyApi)
                || rules.contains(Rule::DeprecatedClose))
                && ((memchr::memmem::find(source.as_bytes(), b"aioredis").is_some()
                    && crate::api::api_map().may_mention_legacy_code(source))
                    || imports_from_project),
            client_uses: ClientUses::default(),
            scope: MODULE_SCOPE,
            functions: Vec::new(),
            replayed_scopes: MODULE_SCOPE,
            in_annotation: false,
            in_string_annotation: false,
            rules,
            tracks_clients: rules.contains_any(Rule::CLIENT_RULES),
            mentions_an_alias: rules.contains(Rule::StrictRedisAlias)
                && constructor_table().alias_names().any(|alias| {
                    memchr::memmem::find(source.as_bytes(), alias.as_bytes()).is_some()
                }),
            api: crate::api::api_map(),
            constructors: constructor_table(),
            diagnostics: Vec::new(),
            references: Vec::new(),
            aioredis_strings: Vec::new(),
            import_fixes: Vec::new(),
            callee_fixes: HashMap::new(),
            first_import: module.iter().find_map(|stmt| match stmt {
                Stmt::ImportFrom(from) if from.module.as_deref() == Some("__future__") => None,
                Stmt::Import(_) | Stmt::ImportFrom(_) => Some(stmt.start()),
                _ => None,
            }),
            alone_in_block: HashSet::new(),
            rewritten_imports: HashSet::new(),
            pipeline_futures: Vec::new(),
            bare_aioredis_string: rules.contains(Rule::AioredisImport)
                && (memchr::memmem::find(source.as_bytes(), b"\"aioredis\"").is_some()
                    || memchr::memmem::find(source.as_bytes(), b"'aioredis'").is_some()),
            pools: rules::legacy_rewrites::Pools::default(),
            sentinels: rules::legacy_rewrites::Sentinels::default(),
            transactions: rules::legacy_rewrites::Transactions::default(),
            float_names: rustc_hash::FxHashMap::default(),
            statement_method: None,
        }
    }

    fn run_inner(
        source: &'src str,
        module: &[Stmt],
        rules: RuleSet,
        options: &LintOptions<'src>,
        usage: Option<&mut Usage>,
    ) -> Vec<Diagnostic> {
        let mut checker = Checker::new(source, module, rules, options);
        checker.visit_body(module);
        checker
            .clients
            .resolve(&checker.model, checker.constructors);
        if checker.tracks_legacy {
            checker.legacy.resolve(
                &checker.model,
                checker.constructors,
                checker.api,
                checker.options.project.as_ref(),
            );
        }
        checker.phase = Phase::Check;
        checker.scope = MODULE_SCOPE;
        checker.visit_body(module);
        debug_assert_eq!(checker.replayed_scopes + 1, checker.model.scope_count());
        rules::aioredis_legacy_client::attach_transaction_fixes(&mut checker);
        rules::aioredis_legacy_client::attach_pool_fixes(&mut checker);
        rules::aioredis_legacy_client::attach_sentinel_fixes(&mut checker);
        rules::aioredis_legacy_client::hold_rewrites_of_a_partly_manual_module(&mut checker);
        rules::aioredis_import::attach_fixes(&mut checker);
        if let Some(usage) = usage {
            *usage = checker.usage();
        }
        checker.diagnostics
    }

    /// Pass 1 of the project index: what the module offers the others and how
    /// it uses what it imports from them (no rule runs). `display` is the file
    /// as reports show it.
    pub fn summarize(
        source: &'src str,
        module: &[Stmt],
        project: crate::python::index::ModuleContext<'src>,
        file: crate::source::FilePath<'_>,
    ) -> crate::python::index::Summary {
        use crate::python::index::{Export, Exported, ExternalUse, Summary};
        let options = LintOptions {
            target_redis_version: None,
            also_manifest: false,
            project: Some(project),
        };
        let mut rules = RuleSet::default();
        rules.insert(Rule::AioredisLegacyApi);
        let mut checker = Checker::new(source, module, rules, &options);
        // Uses are kept only of names whose module's summary carries aioredis
        // (`ProjectIndex::keep_uses_of_aioredis_bindings`). With no summary
        // yet (pass 1's first summaries) none can: a module that imports one
        // that turns out to is summarized again by the fixpoint, with them.
        checker.records_uses = !project.index.is_empty();
        checker.tracks_legacy = true;
        checker.visit_body(module);
        checker.legacy.resolve(
            &checker.model,
            checker.constructors,
            checker.api,
            Some(&project),
        );
        let line_index = std::cell::OnceCell::new();
        let position = |offset: ruff_text_size::TextSize| {
            let at = line_index
                .get_or_init(|| ruff_source_file::LineIndex::from_source_text(source))
                .line_column(offset, source);
            (at.line.get() as u32, at.column.get() as u32)
        };
        let defined = module_level_definitions(module);
        let place = |name: &str| defined.get(name).map_or((1, 1), |offset| position(*offset));
        let mut summary = Summary {
            display: file.display.to_string(),
            relative: file.relative.to_string(),
            abs_path: file.abs_path.display().to_string(),
            ..Summary::default()
        };
        let mut insert = |name: String, what: Exported| {
            let (line, column) = place(&name);
            summary
                .exports
                .entry(name)
                .or_insert(Export { what, line, column });
        };
        for (name, imports) in checker.model.module_imports() {
            if let Some(aioredis) = imports.iter().find(|q| is_aioredis(q)) {
                insert(name.to_string(), Exported::Aioredis(aioredis.clone()));
            }
        }
        for (scope, name, qualified) in checker.legacy.project_imports() {
            if scope == MODULE_SCOPE {
                insert(name.to_string(), Exported::Alias(qualified.to_string()));
            }
        }
        let (offers, _) = checker.legacy.module_offers();
        let mut imports_legacy = false;
        for (scope, name, qualified) in checker.legacy.project_imports() {
            let _ = (scope, name);
            if let Some((export, _)) = project.export(qualified) {
                imports_legacy |= match &export.what {
                    Exported::Object(_) | Exported::Returns(_) | Exported::Aioredis(_) => true,
                    Exported::Class(class) => class.holds_legacy() || !class.flows.is_empty(),
                    Exported::Alias(_) => false,
                };
            } else {
                // `from app import db`, `db` a module of the project.
                imports_legacy |= project.index.gives_something(qualified, "*");
            }
        }
        for module in checker.legacy.whole_project_modules() {
            imports_legacy |= project.index.gives_something(module, "*");
        }
        summary.wants = checker.legacy.wanted_modules(&checker.model);
        // A test's parameter taking a conftest.py's 1.x fixture uses it: the
        // two modules' 1.x rewrites go together.
        for (fixture, conftest) in checker.legacy.project_fixture_uses() {
            let (Some(conftest_module), Some(range)) = (
                project.index.module_of(conftest),
                parameter_range(module, fixture),
            ) else {
                continue;
            };
            let (line, column) = position(range.start());
            let (end_line, end_column) = position(range.end());
            summary.uses.push(ExternalUse {
                module: conftest_module.to_string(),
                name: fixture.clone(),
                attrs: Vec::new(),
                line,
                column,
                end_line,
                end_column,
            });
        }
        imports_legacy |= checker.legacy.uses_project_fixtures();
        summary.fixtures = checker
            .legacy
            .fixture_values()
            .into_iter()
            .map(|(name, kind, factory, connection)| {
                let (line, column) = place(&name);
                crate::python::index::Fixture {
                    name,
                    kind,
                    factory,
                    connection,
                    line,
                    column,
                }
            })
            .collect();
        for (name, what) in offers {
            insert(name, what);
        }
        summary.imports_legacy = imports_legacy;
        summary.series = checker.legacy.series();
        let mut imported: Vec<String> = checker
            .project_imports
            .values()
            .map(|(module, _)| module.clone())
            .filter(|module| !module.is_empty())
            .chain(checker.project_whole.iter().cloned())
            .collect();
        imported.sort();
        imported.dedup();
        summary.imports = imported;
        let mut names: Vec<(String, String)> = checker
            .project_imports
            .values()
            .filter(|(module, _)| !module.is_empty())
            .cloned()
            .collect();
        // Modules imported whole or by `*`: every name they offer.
        names.extend(
            checker
                .project_whole
                .iter()
                .map(|module| (module.clone(), "*".to_string())),
        );
        names.sort();
        names.dedup();
        summary.imported_names = names;
        for (root, attrs, range) in &checker.project_uses {
            let Some((module, name)) = checker.project_imports.get(root) else {
                continue;
            };
            let (line, column) = position(range.start());
            let (end_line, end_column) = position(range.end());
            summary.uses.push(ExternalUse {
                module: module.clone(),
                name: name.clone(),
                attrs: attrs.clone(),
                line,
                column,
                end_line,
                end_column,
            });
        }
        summary
    }

    /// Like [`Checker::run`], and also how the module uses aioredis.
    pub fn run_with_usage(
        source: &'src str,
        module: &[Stmt],
        rules: RuleSet,
        options: &LintOptions<'src>,
    ) -> (Vec<Diagnostic>, Usage) {
        let mut usage = Usage::default();
        let diagnostics = Self::run_inner(source, module, rules, options, Some(&mut usage));
        (diagnostics, usage)
    }

    /// The qualified aioredis names of the references, and which are annotation-only.
    fn usage(&self) -> Usage {
        let mut usage = Usage::default();
        let mut outside_annotations = std::collections::BTreeSet::new();
        for reference in &self.references {
            let Some((_, binding)) = self
                .model
                .lookup_in(reference.root.as_str(), reference.binding_scope)
            else {
                continue;
            };
            for import in binding.imports.iter().filter(|q| is_aioredis(q)) {
                let mut name = import.clone();
                for attr in &reference.attrs {
                    name.push('.');
                    name.push_str(attr);
                }
                *usage.names.entry(name.clone()).or_default() += 1;
                if !reference.in_annotation {
                    outside_annotations.insert(name);
                }
            }
        }
        usage.annotation_only = usage
            .names
            .keys()
            .filter(|name| !outside_annotations.contains(*name))
            .cloned()
            .collect();
        usage
    }

    pub fn references(&self) -> &[Reference] {
        &self.references
    }

    pub fn aioredis_strings(&self) -> &[TextRange] {
        &self.aioredis_strings
    }

    pub fn set_pipeline_futures(&mut self, ranges: Vec<TextRange>) {
        self.pipeline_futures = ranges;
    }

    /// 1.x `pipeline()` calls whose queued commands' results are used as futures.
    pub fn pipeline_futures(&self) -> &[TextRange] {
        &self.pipeline_futures
    }

    /// Whether RU100 needs RU102's sinks looked at (see the field).
    pub fn has_bare_aioredis_string(&self) -> bool {
        self.bare_aioredis_string
    }

    /// A string naming aioredis that reaches an import-like sink (`import_module`,
    /// `sys.modules[...]`): an import swap leaves it dangling.
    pub fn note_aioredis_string(&mut self, range: TextRange) {
        if !self.aioredis_strings.contains(&range) {
            self.aioredis_strings.push(range);
        }
    }

    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }

    pub fn diagnostics_mut(&mut self) -> &mut [Diagnostic] {
        &mut self.diagnostics
    }

    pub fn diagnostic_count(&self) -> usize {
        self.diagnostics.len()
    }

    pub fn plan_import_fix(&mut self, plan: rules::aioredis_import::ImportFixPlan) {
        self.import_fixes.push(plan);
    }

    pub fn take_import_fix_plans(&mut self) -> Vec<rules::aioredis_import::ImportFixPlan> {
        std::mem::take(&mut self.import_fixes)
    }

    /// A fix for the diagnostic that will be reported at `callee` (a call's function).
    pub fn offer_callee_fix(&mut self, callee: TextRange, fix: Fix) {
        self.callee_fixes.insert(callee, fix);
    }

    pub fn take_callee_fix(&mut self, callee: TextRange) -> Option<Fix> {
        self.callee_fixes.remove(&callee)
    }

    pub fn note_rewritten_import(&mut self, name: &str) {
        self.rewritten_imports.insert(name.to_string());
    }

    pub fn is_rewritten_import(&self, name: &str) -> bool {
        self.rewritten_imports.contains(name)
    }

    pub fn pools_mut(&mut self) -> &mut rules::legacy_rewrites::Pools {
        &mut self.pools
    }

    pub fn pools(&self) -> &rules::legacy_rewrites::Pools {
        &self.pools
    }

    pub fn take_pools(&mut self) -> rules::legacy_rewrites::Pools {
        std::mem::take(&mut self.pools)
    }

    pub fn sentinels_mut(&mut self) -> &mut rules::legacy_rewrites::Sentinels {
        &mut self.sentinels
    }

    pub fn take_sentinels(&mut self) -> rules::legacy_rewrites::Sentinels {
        std::mem::take(&mut self.sentinels)
    }

    pub fn transactions_mut(&mut self) -> &mut rules::legacy_rewrites::Transactions {
        &mut self.transactions
    }

    /// Check phase: whether `method` (`x.m`) is called as an expression statement of
    /// its own (`[await] x.m(...)`), its reply dropped.
    pub fn reply_is_dropped(&self, method: TextRange) -> bool {
        self.statement_method == Some(method)
    }

    /// Check phase: `name = value` was just visited; `is_float` tells what it stored.
    pub fn record_float_store(&mut self, name: &str, is_float: bool) {
        let scope = self.model.assignment_scope(self.scope, name);
        let names = self.float_names.entry(scope).or_default();
        match names.get_mut(name) {
            Some(stored) => *stored = is_float,
            // A name never given a float needs no entry: none reads as "not a float".
            None if is_float => {
                names.insert(name.to_string(), true);
            }
            None => {}
        }
    }

    /// Check phase: whether the last `name = value` visited before this point, in the
    /// scope `name` resolves to, stored a float.
    pub fn holds_float(&self, name: &str) -> bool {
        self.model
            .binding_scope(name, self.scope)
            .and_then(|scope| self.float_names.get(&scope)?.get(name))
            .copied()
            .unwrap_or(false)
    }

    pub fn take_transactions(&mut self) -> rules::legacy_rewrites::Transactions {
        std::mem::take(&mut self.transactions)
    }

    /// Where the module's first import starts (not `from __future__`), if it has one.
    pub fn first_import(&self) -> Option<TextSize> {
        self.first_import
    }

    /// Whether the statement at `range` is the only one of its block (known in
    /// modules with the 1.x model, else `true`, the cautious answer).
    pub fn is_alone_in_block(&self, range: TextRange) -> bool {
        !self.tracks_legacy || self.alone_in_block.contains(&range.start())
    }

    /// The rules about references that resolve through an import: `expr` is a
    /// `Name` or a whole attribute chain whose root some import binds.
    fn check_import_reference(&mut self, expr: &Expr) {
        self.record_reference(expr);
        rules::aioredis_legacy_api::check_reference(self, expr);
        rules::missing_after_swap::check_reference(self, expr);
        rules::strict_redis_alias::check_reference(self, expr);
    }

    /// Records a reference (`Name` or attribute chain) if its root is an aioredis import.
    fn record_reference(&mut self, expr: &Expr) {
        let Some((root, attrs)) = attribute_chain(expr) else {
            return;
        };
        let Some((binding_scope, binding)) = self.model.lookup_in(root.id.as_str(), self.scope)
        else {
            return;
        };
        if !binding.imports.iter().any(|q| is_aioredis(q)) {
            return;
        }
        self.references.push(Reference {
            root: root.id.to_string(),
            binding_scope,
            attrs: attrs.iter().rev().map(|a| a.attr.to_string()).collect(),
            ranges: chain_ranges(expr),
            in_annotation: self.in_annotation,
        });
    }

    pub fn source(&self) -> &'src str {
        self.source
    }

    pub fn api(&self) -> &'static ApiMap {
        self.api
    }

    pub fn constructors(&self) -> &'static ConstructorTable {
        self.constructors
    }

    /// Whether the source text names a plain alias such as `StrictRedis` at all.
    pub fn mentions_an_alias(&self) -> bool {
        self.mentions_an_alias
    }

    pub fn options(&self) -> &LintOptions<'src> {
        &self.options
    }

    pub fn clients(&self) -> &ClientModel {
        &self.clients
    }

    pub fn legacy(&self) -> &LegacyModel {
        &self.legacy
    }

    pub fn client_uses(&self) -> &ClientUses {
        &self.client_uses
    }

    /// The innermost enclosing function or lambda; `None` at module or class level.
    pub fn function(&self) -> Option<&FunctionFrame> {
        self.functions.last()
    }

    /// Directly inside an `async def` (not in a nested `def` or `lambda`, which
    /// run when called, possibly in a worker thread).
    pub fn in_async_function(&self) -> bool {
        self.function().is_some_and(|f| f.is_async)
    }

    pub fn model(&self) -> &SemanticModel {
        &self.model
    }

    pub fn scope(&self) -> ScopeId {
        self.scope
    }

    pub fn enabled(&self, rule: Rule) -> bool {
        self.rules.contains(rule)
    }

    /// Reports a finding on a 1.x object, with where the object comes from
    /// when another module of the project made it.
    pub fn report_on(&mut self, diagnostic: Diagnostic, receiver: &Expr) {
        let origin = self
            .legacy
            .origin_of(receiver, self.scope, &self.model)
            .map(|origin| crate::diagnostic::Related {
                path: origin.display.clone(),
                relative: origin.relative.clone(),
                abs_path: origin.abs_path.clone(),
                line: origin.line,
                column: origin.column,
                end_line: origin.line,
                end_column: origin.column
                    + origin.name.rsplit('.').next().unwrap_or_default().len() as u32,
                message: format!(
                    "the aioredis 1.x object `{}` holds comes from `{}`, defined here",
                    self.text(receiver.range()),
                    origin.name
                ),
            });
        self.diagnostics.push(match origin {
            Some(origin) => diagnostic.with_related(origin),
            None => diagnostic,
        });
    }

    pub fn report(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }

    /// Qualified names `expr` may denote in the current scope.
    pub fn resolve(&self, expr: &Expr) -> Vec<String> {
        self.model.resolve_expr(expr, self.scope)
    }

    /// The source text of a node.
    pub fn text(&self, range: TextRange) -> &'src str {
        &self.source[range]
    }

    fn binding(&self) -> bool {
        self.phase == Phase::Bind
    }

    /// Enters a new scope and returns the one to restore afterwards.
    fn enter_scope(&mut self, kind: ScopeKind) -> ScopeId {
        let parent = self.scope;
        self.scope = match self.phase {
            Phase::Bind => self.model.push_scope(kind, parent),
            Phase::Check => {
                self.replayed_scopes += 1;
                self.replayed_scopes
            }
        };
        parent
    }

    fn bind_other(&mut self, name: &str) {
        if self.binding() {
            let scope = self.model.assignment_scope(self.scope, name);
            self.model.bind_other(scope, name);
        }
    }

    /// The name of a function frame, `<lambda>` for a lambda.
    pub fn function_name(&self, frame: &FunctionFrame) -> &'src str {
        frame.name.map_or("<lambda>", |range| self.text(range))
    }

    /// Enters a function's scope and frame; returns the scope to restore.
    fn enter_function(
        &mut self,
        kind: ScopeKind,
        name: Option<&ast::Identifier>,
        parameters: Option<&Parameters>,
        decorators: &[ast::Decorator],
    ) -> ScopeId {
        let parent = self.enter_scope(kind);
        let class = (self.model.scope(parent).kind == ScopeKind::Class).then_some(parent);
        if self.binding()
            && self.tracks_clients
            && let (Some(class), Some(receiver)) = (class, parameters.and_then(receiver_parameter))
            && !decorators.iter().any(|d| is_staticmethod(&d.expression))
        {
            self.clients.record_method(self.scope, receiver, class);
        }
        let mut returns = None;
        let mut fixture_params = Vec::new();
        if self.binding() && self.tracks_legacy {
            fixture_params = self.legacy_fixture_params(decorators, parent);
            if let (Some(class), Some(receiver)) = (class, parameters.and_then(receiver_parameter))
                && !decorators.iter().any(|d| is_staticmethod(&d.expression))
            {
                self.legacy.record_method(self.scope, receiver, class);
            }
            if let (Some(name), Some(_)) = (name, class) {
                self.legacy.record_own_method(name.as_str());
            }
            if let (Some(name), Some(parameters)) = (name, parameters) {
                let binding = class.unwrap_or_else(|| self.model.assignment_scope(parent, name));
                let is_method =
                    class.is_some() && !decorators.iter().any(|d| is_staticmethod(&d.expression));
                self.legacy.record_function(
                    binding,
                    name.as_str(),
                    self.scope,
                    parameters,
                    is_method,
                    decorators,
                );
                if class.is_none()
                    && binding == MODULE_SCOPE
                    && decorators.iter().any(|d| is_pytest_fixture(&d.expression))
                {
                    self.legacy.record_fixture(name.as_str(), self.scope);
                }
            }
            if let Some(name) = name {
                let name = name.to_string();
                returns = Some(match class {
                    Some(class) if decorators.iter().any(|d| is_property(&d.expression)) => {
                        LegacyTarget::Attribute(class, name)
                    }
                    Some(class) => LegacyTarget::Returns(class, name),
                    None => LegacyTarget::Returns(self.model.assignment_scope(parent, &name), name),
                });
            }
        }
        let sets_up_an_object = class.is_some()
            && name.is_some_and(|name| {
                matches!(
                    name.as_str(),
                    "__init__" | "__post_init__" | "__aenter__" | "__enter__"
                )
            });
        self.functions.push(FunctionFrame {
            scope: self.scope,
            name: name.map(Ranged::range),
            is_async: matches!(kind, ScopeKind::Function { is_async: true }),
            class,
            sets_up_an_object,
            returns,
            fixture_params,
        });
        parent
    }

    /// The qualified names of `@pytest.fixture(params=[...])`'s params when each
    /// is an aioredis 1.x factory (`aioredis.create_redis`), else none.
    fn legacy_fixture_params(&self, decorators: &[ast::Decorator], scope: ScopeId) -> Vec<String> {
        let params = decorators
            .iter()
            .find_map(|decorator| match &decorator.expression {
                Expr::Call(call) if is_pytest_fixture(&decorator.expression) => {
                    call.arguments.find_keyword("params").map(|k| &k.value)
                }
                _ => None,
            });
        let elements = match params {
            Some(Expr::List(list)) => &list.elts,
            Some(Expr::Tuple(tuple)) => &tuple.elts,
            _ => return Vec::new(),
        };
        let mut found = Vec::new();
        for element in elements {
            let factories = self.legacy_factories(element, scope);
            if factories.is_empty() {
                return Vec::new();
            }
            found.extend(factories);
        }
        found
    }

    /// The aioredis 1.x factories (`create_redis`, `create_pool`, ...) a name or
    /// chain written in `scope` may denote.
    fn legacy_factories(&self, expr: &Expr, scope: ScopeId) -> Vec<String> {
        self.model
            .resolve_expr(expr, scope)
            .into_iter()
            .filter(|qualified| {
                self.constructors
                    .lookup(qualified)
                    .is_some_and(|c| c.library == crate::constructors::Library::Aioredis1)
            })
            .collect()
    }

    /// Bind phase: `name = <a 1.x factory>` (`make = aioredis.create_pool`), or
    /// `name = request.param` in a fixture whose params are 1.x factories: calls
    /// of `name` build what the factory builds.
    fn bind_factory_alias(&mut self, targets: &[Expr], value: &Expr) {
        let [Expr::Name(target)] = targets else {
            return;
        };
        let is_request_param = matches!(value, Expr::Attribute(attribute)
            if attribute.attr.as_str() == "param"
                && matches!(attribute.value.as_ref(), Expr::Name(n) if n.id.as_str() == "request"));
        let factories = if is_request_param {
            self.functions
                .last()
                .map(|frame| frame.fixture_params.clone())
                .unwrap_or_default()
        } else if matches!(value, Expr::Name(_) | Expr::Attribute(_)) {
            self.legacy_factories(value, self.scope)
        } else {
            return;
        };
        if !factories.is_empty() {
            let scope = self.model.assignment_scope(self.scope, target.id.as_str());
            self.legacy
                .record_factory_alias(scope, target.id.as_str(), factories);
        }
    }

    fn exit_function(&mut self, parent: ScopeId) {
        if !self.binding() {
            rules::client_per_call::check_function_exit(self);
        }
        self.functions.pop();
        self.scope = parent;
    }

    /// Bind phase: what an assignment `targets = value` tells about string
    /// literals and clients.
    fn bind_assignment(&mut self, targets: &[Expr], value: &Expr, origin: Origin) {
        if !self.tracks_clients {
            return;
        }
        if let ([Expr::Name(target)], Expr::StringLiteral(literal)) = (targets, value) {
            let scope = self.model.assignment_scope(self.scope, target.id.as_str());
            self.model
                .record_string_literal(scope, target.id.as_str(), literal.value.to_str());
            return;
        }
        if !may_be_a_construction(value) {
            return;
        }
        for target in targets {
            match target {
                Expr::Name(name) => {
                    let name = name.id.as_str();
                    if self.model.scope(self.scope).kind == ScopeKind::Class {
                        // A class attribute is `self.<name>` in the methods too.
                        let class = self.scope;
                        self.clients.record_assignment(
                            self.constructors,
                            || ClientTarget::Attribute {
                                class,
                                attr: name.to_string(),
                            },
                            self.scope,
                            value,
                            origin,
                        );
                    }
                    let scope = self.model.assignment_scope(self.scope, name);
                    self.clients.record_assignment(
                        self.constructors,
                        || ClientTarget::Name {
                            scope,
                            name: name.to_string(),
                        },
                        self.scope,
                        value,
                        origin,
                    );
                }
                Expr::Attribute(attribute) => {
                    let Expr::Name(receiver) = attribute.value.as_ref() else {
                        continue;
                    };
                    let Some((parameter, class)) = self.clients.method_receiver(self.scope) else {
                        continue;
                    };
                    if parameter != receiver.id.as_str() {
                        continue;
                    }
                    self.clients.record_assignment(
                        self.constructors,
                        || ClientTarget::Attribute {
                            class,
                            attr: attribute.attr.to_string(),
                        },
                        self.scope,
                        value,
                        origin,
                    );
                }
                _ => {}
            }
        }
    }

    /// Check phase: the client calls of a call expression.
    fn check_call(&mut self, call: &ast::ExprCall) {
        if !self.tracks_clients {
            return;
        }
        if let Some(construction) = Construction::resolve(
            call,
            self.constructors,
            &self.clients,
            &self.model,
            self.scope,
        ) {
            rules::sync_client_in_async::check_construction(self, &construction);
            rules::missing_socket_timeout::check(self, &construction);
            rules::hardcoded_redis_password::check(self, &construction);
            rules::tls_verification_disabled::check(self, &construction);
            rules::positional_async_client_args::check(self, &construction);
            return;
        }
        rules::aioredis_legacy_client::check_call(self, call);
        rules::deprecated_close::check_callback(self, call);
        if self.tracks_legacy {
            rules::aioredis_reply_shapes::check_call(self, call);
        }
        if self.clients.is_empty() {
            return;
        }
        if let Expr::Attribute(method) = call.func.as_ref() {
            // `client.get(...)` uses the client; `client.connection_pool.disconnect()` closes it.
            if let Some((root, _)) = attribute_chain(&method.value)
                && let Some(scope) = self.client_name_scope(root.id.as_str())
            {
                if self.constructors.is_closing_method(method.attr.as_str()) {
                    self.client_uses.mark_closed(scope, root.id.as_str());
                } else {
                    self.client_uses.mark_commanded(scope, root.id.as_str());
                }
            }
            rules::sync_client_in_async::check_method_call(self, call, method);
        }
    }

    /// Bind phase: the 1.x model's target for an assignment target: a name
    /// (also `self.<name>` for a class attribute), or `self.<attr>` in a method.
    fn legacy_target(&self, target: &Expr) -> Option<LegacyTarget> {
        match target {
            Expr::Name(name) => {
                let name = name.id.as_str();
                if self.model.scope(self.scope).kind == ScopeKind::Class {
                    return Some(LegacyTarget::Attribute(self.scope, name.to_string()));
                }
                Some(LegacyTarget::Name(
                    self.model.assignment_scope(self.scope, name),
                    name.to_string(),
                ))
            }
            Expr::Attribute(attribute) => {
                let Expr::Name(receiver) = attribute.value.as_ref() else {
                    return None;
                };
                let (parameter, class) = self.legacy.method_receiver(self.scope)?;
                (parameter == receiver.id.as_str())
                    .then(|| LegacyTarget::Attribute(class, attribute.attr.to_string()))
            }
            _ => None,
        }
    }

    /// Bind phase: `container.append(value)` (`add`, `appendleft`,
    /// `insert(i, value)`): a collection of 1.x objects.
    fn record_stored_by_call(&mut self, call: &ast::ExprCall) {
        let Expr::Attribute(method) = call.func.as_ref() else {
            return;
        };
        let value = match (method.attr.as_str(), call.arguments.args.as_ref()) {
            ("append" | "add" | "appendleft", [value]) | ("insert", [_, value]) => value,
            _ => return,
        };
        if value.is_starred_expr() || !call.arguments.keywords.is_empty() {
            return;
        }
        self.legacy
            .record_stored(&method.value, self.scope, None, value);
    }

    /// The scope that binds `name` to a client, as seen from here.
    fn client_name_scope(&self, name: &str) -> Option<ScopeId> {
        if !self.clients.may_hold_client(name) {
            return None;
        }
        let scope = self.model.binding_scope(name, self.scope)?;
        self.clients.held_by_name(scope, name).map(|_| scope)
    }

    /// Check phase: a load of a client-holding name. As the root of `name.attr`
    /// (`bare` false) it only escapes into a nested function; as a value of its
    /// own it escapes wherever it goes.
    fn track_client_use(&mut self, name: &str, bare: bool) {
        if !self.tracks_clients || self.clients.is_empty() {
            return;
        }
        let Some(scope) = self.client_name_scope(name) else {
            return;
        };
        let from_nested_function = self.function().is_some_and(|f| f.scope != scope);
        if bare || from_nested_function {
            self.client_uses.mark_escape(scope, name);
        }
    }

    fn bind_parameters(&mut self, parameters: &Parameters) {
        if !self.binding() {
            return;
        }
        for parameter in parameters.iter() {
            self.model.bind_other(self.scope, parameter.name().as_str());
        }
    }

    /// `import app.db` / `import app.db as db` of a project module (index
    /// only): the module is bound whole, written `app.db` / `db`.
    fn bind_project_module(&mut self, module: &str, asname: Option<&str>) {
        let Some(project) = self.options.project else {
            return;
        };
        if !project.is_project(module) {
            return;
        }
        self.project_whole.push(module.to_string());
        match asname {
            Some(asname) => {
                self.legacy
                    .record_project_module(self.scope, asname, module);
                if let Some((parent, last)) = module.rsplit_once('.') {
                    self.project_imports
                        .insert(asname.to_string(), (parent.to_string(), last.to_string()));
                }
            }
            None => {
                // `import a.b.c` binds `a`; `a`, `a.b` and `a.b.c` are modules.
                let mut prefix = String::new();
                for part in module.split('.') {
                    if !prefix.is_empty() {
                        prefix.push('.');
                    }
                    prefix.push_str(part);
                    self.legacy
                        .record_project_module(self.scope, &prefix, &prefix);
                }
                let root = module.split('.').next().unwrap_or(module);
                self.project_imports
                    .insert(root.to_string(), (String::new(), root.to_string()));
            }
        }
    }

    fn bind_imports(&mut self, stmt: &Stmt) {
        match stmt {
            Stmt::Import(import) => {
                for alias in &import.names {
                    let module = alias.name.as_str();
                    self.bind_project_module(module, alias.asname.as_ref().map(|a| a.as_str()));
                    match &alias.asname {
                        Some(asname) => {
                            if self.tracks_legacy {
                                self.legacy.record_import(self.api, module);
                            }
                            self.model
                                .bind_import(self.scope, asname.as_str(), module.to_string());
                            if self.tracks_clients {
                                self.clients.record_import(
                                    self.constructors,
                                    asname.as_str(),
                                    module,
                                );
                            }
                        }
                        None => {
                            if self.tracks_legacy {
                                self.legacy.record_import(self.api, module);
                            }
                            // `import a.b.c` binds `a`, and `a.b.c` resolves through it.
                            let top = module.split('.').next().unwrap_or(module);
                            self.model.bind_import(self.scope, top, top.to_string());
                        }
                    }
                }
            }
            Stmt::ImportFrom(import) => {
                let module = import.module.as_ref().map(|m| m.as_str()).unwrap_or("");
                // The project's own module, by its absolute name (index only).
                let project_module = self.options.project.and_then(|project| {
                    project
                        .absolute(import.level, import.module.as_ref().map(|m| m.as_str()))
                        .filter(|absolute| import.level > 0 || project.is_project(absolute))
                });
                for alias in &import.names {
                    let bound = alias.asname.as_ref().unwrap_or(&alias.name).as_str();
                    if let Some(project_module) = &project_module
                        && alias.name.as_str() == "*"
                    {
                        // `from .bases import *`: the module's exports (index only).
                        self.legacy.record_project_star(project_module);
                        self.project_whole.push(project_module.clone());
                    }
                    if let (Some(project_module), Some(project)) =
                        (&project_module, self.options.project)
                        && alias.name.as_str() != "*"
                    {
                        let qualified = format!("{project_module}.{}", alias.name.as_str());
                        self.project_imports.insert(
                            bound.to_string(),
                            (project_module.clone(), alias.name.to_string()),
                        );
                        self.legacy
                            .record_project_import(self.scope, bound, qualified.clone());
                        // A name another module binds to an aioredis import is aioredis here.
                        if let Some((export, _)) = project.export(&qualified)
                            && let crate::python::index::Exported::Aioredis(aioredis) = &export.what
                        {
                            if self.tracks_legacy {
                                self.legacy.record_import(self.api, aioredis);
                            }
                            self.model.bind_import(self.scope, bound, aioredis.clone());
                            continue;
                        }
                    }
                    if import.level > 0 {
                        // A relative import names the project's own module, never a package.
                        self.model.bind_other(self.scope, bound);
                    } else if alias.name.as_str() == "*" {
                        self.model.add_star_import(self.scope, module.to_string());
                    } else {
                        let qualified = format!("{module}.{}", alias.name.as_str());
                        if self.tracks_legacy {
                            self.legacy.record_import(self.api, &qualified);
                        }
                        if self.tracks_clients {
                            self.clients
                                .record_import(self.constructors, bound, &qualified);
                        }
                        self.model.bind_import(self.scope, bound, qualified);
                    }
                }
            }
            _ => {}
        }
    }

    /// The nearest enclosing scope that is not a comprehension (where `:=` binds).
    fn walrus_scope(&self) -> ScopeId {
        let mut scope = self.scope;
        while self.model.scope(scope).kind == ScopeKind::Comprehension {
            scope = self.model.scope(scope).parent.unwrap_or(MODULE_SCOPE);
        }
        scope
    }

    fn visit_comprehension_scope(&mut self, generators: &[Comprehension], elements: &[&Expr]) {
        // The first iterable is evaluated in the enclosing scope.
        if let Some(first) = generators.first() {
            self.visit_expr(&first.iter);
        }
        let parent = self.enter_scope(ScopeKind::Comprehension);
        for (index, generator) in generators.iter().enumerate() {
            if index > 0 {
                self.visit_expr(&generator.iter);
            }
            self.visit_expr(&generator.target);
            // `[info.name for info in await redis.client_list()]`: as a `for` loop.
            if self.binding()
                && self.tracks_legacy
                && let Some(target) = self.legacy_target(&generator.target)
            {
                self.legacy
                    .record_iteration(target, self.scope, &generator.iter);
            }
            for condition in &generator.ifs {
                self.visit_expr(condition);
            }
        }
        for element in elements {
            self.visit_expr(element);
        }
        self.scope = parent;
    }

    /// A string inside an annotation is a forward reference: parse it and walk it.
    fn visit_string_annotation(&mut self, string: &ast::ExprStringLiteral) {
        let Some(literal) = string.as_single_part_string() else {
            return;
        };
        // Only a plain literal whose text is its value maps back onto the source.
        let inner = literal
            .range
            .add_start(literal.flags.opener_len())
            .sub_end(literal.flags.closer_len());
        if self
            .source
            .get(inner.start().to_usize()..inner.end().to_usize())
            != Some(literal.value.as_ref())
        {
            return;
        }
        let Ok(parsed) = ruff_python_parser::parse_string_annotation(self.source, literal) else {
            return;
        };
        let was = std::mem::replace(&mut self.in_string_annotation, true);
        self.visit_expr(&parsed.syntax().body);
        self.in_string_annotation = was;
    }

    fn is_typing_literal(&self, expr: &Expr) -> bool {
        if let Expr::Name(name) = expr
            && name.id.as_str() == "Literal"
            && self.model.is_unbound("Literal", self.scope)
        {
            return true;
        }
        self.resolve(expr)
            .iter()
            .any(|q| q == "typing.Literal" || q == "typing_extensions.Literal")
    }
}

impl<'ast> Visitor<'ast> for Checker<'_> {
    fn visit_body(&mut self, body: &'ast [Stmt]) {
        if let [only] = body
            && self.tracks_legacy
            && !self.binding()
        {
            self.alone_in_block.insert(only.start());
        }
        for stmt in body {
            self.visit_stmt(stmt);
        }
    }

    fn visit_stmt(&mut self, stmt: &'ast Stmt) {
        if !self.binding()
            && self.tracks_legacy
            && matches!(
                stmt,
                Stmt::AnnAssign(_) | Stmt::AugAssign(_) | Stmt::For(_) | Stmt::With(_)
            )
        {
            rules::aioredis_legacy_client::record_float_bindings(self, stmt);
        }
        match stmt {
            Stmt::FunctionDef(function) => {
                self.bind_other(function.name.as_str());
                for decorator in &function.decorator_list {
                    self.visit_decorator(decorator);
                }
                if let Some(type_params) = &function.type_params {
                    self.visit_type_params(type_params);
                }
                // Defaults and annotations are evaluated in the enclosing scope.
                self.visit_parameters(&function.parameters);
                if let Some(returns) = &function.returns {
                    self.visit_annotation(returns);
                }
                let parent = self.enter_function(
                    ScopeKind::Function {
                        is_async: function.is_async,
                    },
                    Some(&function.name),
                    Some(&function.parameters),
                    &function.decorator_list,
                );
                self.bind_parameters(&function.parameters);
                if self.binding() && self.tracks_legacy {
                    self.legacy
                        .record_parameters(self.scope, &function.parameters);
                    if let (Some(returns), Some(target)) = (
                        &function.returns,
                        self.functions.last().and_then(|f| f.returns.clone()),
                    ) {
                        self.legacy.record_annotation(target, parent, returns);
                    }
                }
                self.visit_body(&function.body);
                self.exit_function(parent);
            }
            Stmt::ClassDef(class) => {
                self.bind_other(class.name.as_str());
                for decorator in &class.decorator_list {
                    self.visit_decorator(decorator);
                }
                if let Some(type_params) = &class.type_params {
                    self.visit_type_params(type_params);
                }
                if let Some(arguments) = &class.arguments {
                    self.visit_arguments(arguments);
                }
                let parent = self.enter_scope(ScopeKind::Class);
                if self.binding() && self.tracks_legacy {
                    let binding = self.model.assignment_scope(parent, class.name.as_str());
                    self.legacy
                        .record_class(binding, class.name.as_str(), self.scope);
                    if let Some(arguments) = &class.arguments {
                        self.legacy
                            .record_bases(self.scope, parent, &arguments.args);
                    }
                }
                self.visit_body(&class.body);
                self.scope = parent;
            }
            Stmt::Import(_) | Stmt::ImportFrom(_) => {
                if self.binding() {
                    self.bind_imports(stmt);
                } else {
                    rules::aioredis_import::check(self, stmt);
                }
            }
            Stmt::Assign(assign) => {
                if !self.binding() && self.tracks_legacy {
                    rules::aioredis_legacy_client::check_assign(self, assign);
                    rules::aioredis_legacy_client::record_float_bindings(self, stmt);
                }
                if self.binding() {
                    self.bind_assignment(&assign.targets, &assign.value, Origin::Assignment);
                    if self.tracks_legacy {
                        self.bind_factory_alias(&assign.targets, &assign.value);
                        for target in &assign.targets {
                            // `container[key] = value`: a collection of 1.x objects.
                            if let Expr::Subscript(subscript) = target {
                                self.legacy.record_stored(
                                    &subscript.value,
                                    self.scope,
                                    Some(&subscript.slice),
                                    &assign.value,
                                );
                            }
                            if let Some(target) = self.legacy_target(target) {
                                self.legacy.record_awaited(&target, &assign.value);
                                self.legacy.record_value(target, self.scope, &assign.value);
                            } else if let Expr::Tuple(ast::ExprTuple { elts, .. })
                            | Expr::List(ast::ExprList { elts, .. }) = target
                            {
                                let positional = !elts.iter().any(Expr::is_starred_expr);
                                for (index, element) in elts.iter().enumerate() {
                                    if let Some(element) = self.legacy_target(element) {
                                        if positional {
                                            self.legacy.record_unpacked_at(
                                                element.clone(),
                                                self.scope,
                                                &assign.value,
                                                index,
                                            );
                                        }
                                        self.legacy.record_unpacked(
                                            element,
                                            self.scope,
                                            &assign.value,
                                        );
                                    }
                                }
                            }
                        }
                    }
                }
                visitor::walk_stmt(self, stmt);
            }
            Stmt::AnnAssign(assign) => {
                if self.binding()
                    && self.tracks_legacy
                    && let Some(target) = self.legacy_target(&assign.target)
                {
                    self.legacy
                        .record_annotation(target.clone(), self.scope, &assign.annotation);
                    if let Some(value) = &assign.value {
                        self.legacy.record_value(target, self.scope, value);
                    }
                }
                if let (true, Some(value)) = (self.binding(), &assign.value) {
                    self.bind_assignment(
                        std::slice::from_ref(assign.target.as_ref()),
                        value,
                        Origin::Assignment,
                    );
                }
                visitor::walk_stmt(self, stmt);
            }
            Stmt::With(with) => {
                if !self.binding() {
                    rules::aioredis_legacy_client::check_with(self, with);
                    if with.is_async && self.tracks_legacy {
                        for item in &with.items {
                            self.pools.async_with_item(item.context_expr.start());
                        }
                    }
                }
                if self.binding() {
                    for item in &with.items {
                        if self.tracks_legacy && !with.is_async {
                            let target = item
                                .optional_vars
                                .as_deref()
                                .and_then(|target| self.legacy_target(target));
                            self.legacy
                                .record_with_name(self.scope, &item.context_expr, target);
                        }
                        if self.tracks_legacy
                            && let Some(target) = item.optional_vars.as_deref()
                            && let Some(target) = self.legacy_target(target)
                        {
                            self.legacy.record_with(
                                target,
                                self.scope,
                                &item.context_expr,
                                with.is_async,
                            );
                        }
                        if let Some(target) = &item.optional_vars {
                            self.bind_assignment(
                                std::slice::from_ref(target.as_ref()),
                                &item.context_expr,
                                Origin::ContextManager,
                            );
                        }
                    }
                }
                visitor::walk_stmt(self, stmt);
            }
            Stmt::Expr(statement) => {
                if !self.binding() {
                    rules::deprecated_close::check_statement(self, &statement.value);
                    if self.tracks_legacy {
                        rules::aioredis_legacy_client::check_expr_statement(self, statement);
                        if let Expr::Call(call) = statement.value.as_ref() {
                            self.transactions.statement_call(call.start());
                        }
                    }
                }
                // `[await] x.m(...)` alone: the reply of `m` is dropped.
                let dropped = match statement.value.as_ref() {
                    Expr::Await(awaited) => awaited.value.as_ref(),
                    other => other,
                };
                self.statement_method = match dropped {
                    Expr::Call(call) if call.func.is_attribute_expr() => Some(call.func.range()),
                    _ => None,
                };
                visitor::walk_stmt(self, stmt);
                self.statement_method = None;
            }
            Stmt::Return(ret) => {
                if self.binding()
                    && self.tracks_legacy
                    && let Some(value) = &ret.value
                    && let Some(target) = self.functions.last().and_then(|f| f.returns.clone())
                {
                    self.legacy
                        .record_returned_tuple(&target, self.scope, value);
                    self.legacy.record_value(target, self.scope, value);
                }
                visitor::walk_stmt(self, stmt);
            }
            Stmt::Global(global) => {
                if self.binding() {
                    for name in &global.names {
                        self.model.declare_global(self.scope, name.as_str());
                    }
                }
            }
            Stmt::Nonlocal(nonlocal) => {
                if self.binding() {
                    for name in &nonlocal.names {
                        self.model.declare_nonlocal(self.scope, name.as_str());
                    }
                }
            }
            Stmt::For(for_stmt) => {
                if self.binding()
                    && self.tracks_legacy
                    && let Some(target) = self.legacy_target(&for_stmt.target)
                {
                    self.legacy
                        .record_iteration(target, self.scope, &for_stmt.iter);
                }
                visitor::walk_stmt(self, stmt);
            }
            _ => visitor::walk_stmt(self, stmt),
        }
    }

    fn visit_annotation(&mut self, expr: &'ast Expr) {
        let was = std::mem::replace(&mut self.in_annotation, true);
        self.visit_expr(expr);
        self.in_annotation = was;
    }

    fn visit_expr(&mut self, expr: &'ast Expr) {
        // What a pytest fixture yields is its value.
        if let Expr::Yield(yielded) = expr
            && self.binding()
            && self.tracks_legacy
            && let Some(value) = &yielded.value
            && let Some(frame) = self.functions.last()
            && self.legacy.is_fixture(frame.scope)
            && let Some(target) = frame.returns.clone()
        {
            self.legacy.record_value(target, self.scope, value);
        }
        match expr {
            Expr::Name(name) => match name.ctx {
                ExprContext::Load => {
                    if self.records_uses && self.project_imports.contains_key(name.id.as_str()) {
                        self.project_uses
                            .push((name.id.to_string(), Vec::new(), name.range));
                    }
                    if !self.binding() {
                        if self.model.may_be_redis_import(name.id.as_str()) {
                            self.check_import_reference(expr);
                        }
                        self.track_client_use(name.id.as_str(), true);
                        if self.tracks_legacy {
                            rules::aioredis_legacy_client::check_sentinel_use(self, expr);
                        }
                    }
                }
                ExprContext::Store | ExprContext::Del => self.bind_other(name.id.as_str()),
                ExprContext::Invalid => {}
            },
            Expr::Attribute(_) if attribute_chain(expr).is_some() => {
                if self.binding() && self.tracks_legacy {
                    self.legacy.record_chain(self.api, self.scope, expr);
                    self.legacy.record_modern_chain(self.api, self.scope, expr);
                }
                if self.records_uses
                    && let Some((root, attrs)) = attribute_chain(expr)
                    && self.project_imports.contains_key(root.id.as_str())
                {
                    self.project_uses.push((
                        root.id.to_string(),
                        attrs.iter().rev().map(|a| a.attr.to_string()).collect(),
                        expr.range(),
                    ));
                }
                // A whole `a.b.c` chain is one reference: resolve it once, at the top.
                if !self.binding()
                    && let Some((root, _)) = attribute_chain(expr)
                {
                    if self.model.may_be_redis_import(root.id.as_str()) {
                        self.check_import_reference(expr);
                    }
                    self.track_client_use(root.id.as_str(), false);
                    if self.tracks_clients {
                        rules::aioredis_legacy_client::check_attribute(self, expr);
                    }
                }
            }
            Expr::Attribute(attribute) if !self.binding() => {
                // `Redis(...).get(...)`: an attribute of a call's result.
                rules::client_per_call::check_temporary(self, attribute);
                visitor::walk_expr(self, expr);
            }
            Expr::Await(await_expr) if !self.binding() => {
                rules::deprecated_close::check_await(self, await_expr);
                if self.tracks_legacy {
                    rules::aioredis_legacy_client::check_await(self, await_expr);
                    rules::aioredis_legacy_api::check_await(self, await_expr);
                }
                visitor::walk_expr(self, expr);
            }
            Expr::Named(named) => {
                if let Expr::Name(target) = named.target.as_ref() {
                    if self.binding() {
                        let scope = self.walrus_scope();
                        self.model.bind_other(scope, target.id.as_str());
                    }
                } else {
                    self.visit_expr(&named.target);
                }
                self.visit_expr(&named.value);
            }
            Expr::Lambda(lambda) if !self.in_string_annotation => {
                if let Some(parameters) = &lambda.parameters {
                    self.visit_parameters(parameters);
                }
                let parent =
                    self.enter_function(ScopeKind::Lambda, None, lambda.parameters.as_deref(), &[]);
                if let Some(parameters) = &lambda.parameters {
                    self.bind_parameters(parameters);
                }
                self.visit_expr(&lambda.body);
                self.exit_function(parent);
            }
            Expr::ListComp(comp) if !self.in_string_annotation => {
                self.visit_comprehension_scope(&comp.generators, &[&comp.elt]);
            }
            Expr::SetComp(comp) if !self.in_string_annotation => {
                self.visit_comprehension_scope(&comp.generators, &[&comp.elt]);
            }
            Expr::Generator(comp) if !self.in_string_annotation => {
                self.visit_comprehension_scope(&comp.generators, &[&comp.elt]);
            }
            Expr::DictComp(comp) if !self.in_string_annotation => match &comp.key {
                Some(key) => self.visit_comprehension_scope(&comp.generators, &[key, &comp.value]),
                None => self.visit_comprehension_scope(&comp.generators, &[&comp.value]),
            },
            Expr::Call(call) => {
                if self.binding() && self.tracks_legacy {
                    self.legacy.record_call(self.scope, call);
                    self.legacy.record_queued(self.api, self.scope, call);
                    self.record_stored_by_call(call);
                    self.legacy.record_modern_call(self.api, self.scope, call);
                }
                if !self.binding() {
                    rules::aioredis_dynamic_import::check_call(self, call);
                    rules::aioredis_legacy_api::check_call(self, call);
                    rules::legacy_script_call::check_call(self, call);
                    self.check_call(call);
                }
                visitor::walk_expr(self, expr);
            }
            Expr::StringLiteral(string) if self.in_annotation && !self.binding() => {
                self.visit_string_annotation(string);
            }
            Expr::StringLiteral(string) if !self.binding() => {
                // A dotted `"aioredis.x"` names aioredis code wherever it goes; a bare
                // `"aioredis"` only at an import-like sink (RU102 notes those).
                let text = string.value.to_str();
                if text.contains('.') && is_dotted_aioredis_name(text) {
                    self.aioredis_strings.push(string.range);
                }
            }
            Expr::Subscript(subscript)
                if self.in_annotation && self.is_typing_literal(&subscript.value) =>
            {
                // `Literal["x"]` holds values, not forward references.
                self.visit_expr(&subscript.value);
                let was = std::mem::replace(&mut self.in_annotation, false);
                self.visit_expr(&subscript.slice);
                self.in_annotation = was;
            }
            Expr::Compare(compare) if !self.binding() && self.tracks_legacy => {
                rules::aioredis_legacy_client::check_compare(self, compare);
                rules::aioredis_reply_shapes::check_compare(self, compare);
                visitor::walk_expr(self, expr);
            }
            Expr::BinOp(binop) if !self.binding() && self.tracks_legacy => {
                rules::aioredis_reply_shapes::check_binop(self, binop);
                visitor::walk_expr(self, expr);
            }
            Expr::Subscript(subscript) if !self.binding() && !self.in_annotation => {
                rules::aioredis_dynamic_import::check_subscript(self, subscript);
                if self.tracks_legacy {
                    rules::aioredis_legacy_client::check_subscript(self, subscript);
                    rules::aioredis_reply_shapes::check_subscript(self, subscript);
                }
                visitor::walk_expr(self, expr);
            }
            _ => visitor::walk_expr(self, expr),
        }
    }

    fn visit_except_handler(&mut self, handler: &'ast ExceptHandler) {
        let ExceptHandler::ExceptHandler(handler_node) = handler;
        if let Some(name) = &handler_node.name {
            self.bind_other(name.as_str());
        }
        visitor::walk_except_handler(self, handler);
    }

    fn visit_pattern(&mut self, pattern: &'ast Pattern) {
        let name = match pattern {
            Pattern::MatchAs(p) => p.name.as_ref(),
            Pattern::MatchStar(p) => p.name.as_ref(),
            Pattern::MatchMapping(p) => p.rest.as_ref(),
            _ => None,
        };
        if let Some(name) = name {
            self.bind_other(name.as_str());
        }
        visitor::walk_pattern(self, pattern);
    }
}

/// Where each module-level name is first bound: `def`, `class`, an
/// assignment or an import, also inside module-level `if`/`try` blocks.
/// The first parameter named `name` of the module's functions and methods.
fn parameter_range(body: &[Stmt], name: &str) -> Option<TextRange> {
    let of = |function: &ast::StmtFunctionDef| {
        function
            .parameters
            .iter()
            .find(|p| p.name().as_str() == name)
            .map(|p| p.name().range())
    };
    body.iter().find_map(|stmt| match stmt {
        Stmt::FunctionDef(function) => of(function),
        Stmt::ClassDef(class) => class.body.iter().find_map(|stmt| match stmt {
            Stmt::FunctionDef(function) => of(function),
            _ => None,
        }),
        _ => None,
    })
}

fn module_level_definitions(
    body: &[Stmt],
) -> rustc_hash::FxHashMap<String, ruff_text_size::TextSize> {
    let mut found = rustc_hash::FxHashMap::default();
    let mut add = |name: &str, offset: ruff_text_size::TextSize| {
        found.entry(name.to_string()).or_insert(offset);
    };
    let mut stack: Vec<&[Stmt]> = vec![body];
    while let Some(body) = stack.pop() {
        for stmt in body {
            match stmt {
                Stmt::FunctionDef(function) => add(function.name.as_str(), function.name.start()),
                Stmt::ClassDef(class) => add(class.name.as_str(), class.name.start()),
                Stmt::Assign(assign) => {
                    for target in &assign.targets {
                        if let Expr::Name(name) = target {
                            add(name.id.as_str(), name.start());
                        }
                    }
                }
                Stmt::AnnAssign(assign) => {
                    if let Expr::Name(name) = assign.target.as_ref() {
                        add(name.id.as_str(), name.start());
                    }
                }
                Stmt::Import(import) => {
                    for alias in &import.names {
                        let bound = alias.asname.as_ref().map_or_else(
                            || alias.name.split('.').next().unwrap_or_default(),
                            |a| a.as_str(),
                        );
                        add(bound, alias.start());
                    }
                }
                Stmt::ImportFrom(import) => {
                    for alias in &import.names {
                        let bound = alias.asname.as_ref().unwrap_or(&alias.name);
                        add(bound.as_str(), alias.start());
                    }
                }
                Stmt::If(stmt_if) => {
                    stack.push(&stmt_if.body);
                    for clause in &stmt_if.elif_else_clauses {
                        stack.push(&clause.body);
                    }
                }
                Stmt::Try(stmt_try) => {
                    stack.push(&stmt_try.body);
                    for handler in &stmt_try.handlers {
                        let ExceptHandler::ExceptHandler(handler) = handler;
                        stack.push(&handler.body);
                    }
                    stack.push(&stmt_try.orelse);
                    stack.push(&stmt_try.finalbody);
                }
                _ => {}
            }
        }
    }
    found
}

/// Whether an assigned value can be a construction at all (see
/// `construction_candidates`): most are not, and are passed over cheaply.
fn may_be_a_construction(value: &Expr) -> bool {
    matches!(
        value,
        Expr::Call(_) | Expr::Await(_) | Expr::If(_) | Expr::BoolOp(_)
    )
}

/// `@property` or `@cached_property` (also `functools.cached_property`).
fn is_property(decorator: &Expr) -> bool {
    let name = match decorator {
        Expr::Name(name) => name.id.as_str(),
        Expr::Attribute(attribute) => attribute.attr.as_str(),
        _ => return false,
    };
    matches!(name, "property" | "cached_property")
}

/// `@pytest.fixture`, `@pytest.yield_fixture`, `@pytest_asyncio.fixture`,
/// called or not (`@pytest.fixture(scope="session")`).
fn is_pytest_fixture(decorator: &Expr) -> bool {
    let decorator = match decorator {
        Expr::Call(call) => call.func.as_ref(),
        other => other,
    };
    let Expr::Attribute(attribute) = decorator else {
        return false;
    };
    let Expr::Name(module) = attribute.value.as_ref() else {
        return false;
    };
    matches!(
        (module.id.as_str(), attribute.attr.as_str()),
        ("pytest", "fixture" | "yield_fixture") | ("pytest_asyncio", "fixture")
    )
}

/// `@staticmethod`: a method without a receiver.
fn is_staticmethod(decorator: &Expr) -> bool {
    matches!(decorator, Expr::Name(name) if name.id.as_str() == "staticmethod")
}

/// The first positional parameter of a method: its receiver, `self` or `cls`.
fn receiver_parameter(parameters: &Parameters) -> Option<&str> {
    parameters
        .posonlyargs
        .iter()
        .chain(&parameters.args)
        .next()
        .map(|parameter| parameter.parameter.name.as_str())
}

/// Ranges of a chain `a.b.c` from the root name outwards: `a`, `a.b`, `a.b.c`.
pub fn chain_ranges(expr: &Expr) -> Vec<TextRange> {
    let mut ranges = Vec::new();
    let mut current = expr;
    loop {
        ranges.push(current.range());
        match current {
            Expr::Attribute(attribute) => current = &attribute.value,
            _ => break,
        }
    }
    ranges.reverse();
    ranges
}

/// `aioredis` or `aioredis.a.b`: a string that names aioredis code, as a
/// `mock.patch` target or an `import_module` argument does.
fn is_dotted_aioredis_name(text: &str) -> bool {
    is_aioredis(text)
        && text.split('.').all(|part| {
            part.chars()
                .next()
                .is_some_and(|c| c.is_alphabetic() || c == '_')
                && part.chars().all(|c| c.is_alphanumeric() || c == '_')
        })
}
