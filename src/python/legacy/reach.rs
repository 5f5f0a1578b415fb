//! How far the 1.x model reaches beyond a module's own names (issue 14):
//!
//! - project modules bound whole (`import app.db`, `import app.db as db`,
//!   `from app import db`): what the module offers is known under the dotted
//!   name the code writes (`app.db.pool`, `db.create_pool`, `db.Base`);
//! - star imports of project modules (`from .bases import *`);
//! - member flows: a class's methods pass what `self`'s members give to other
//!   members (`channel = await self.register_topics()`, then
//!   `self.wait_for_message(channel)`). Methods dispatch on the instance's
//!   class, so in a subclass (of this module or another one) the flows run
//!   again with the subclass's overrides: what its `register_topics` returns
//!   reaches its `wait_for_message`'s parameter.

use super::{
    CallFacts, Flow, LegacyKind, LegacyModel, LegacyTarget, Origin, ScopeId, SemanticModel, Source,
};
use crate::python::index::{Export, Exported, Member, MemberFlow, ModuleContext, Summary};
use crate::python::semantic::MODULE_SCOPE;

impl LegacyModel {
    /// Bind phase: the project module `module` is bound whole, written `local`
    /// (`app.db` for `import app.db`, `db` for `import app.db as db`).
    pub fn record_project_module(&mut self, scope: ScopeId, local: &str, module: &str) {
        self.project_modules
            .push((scope, local.to_string(), module.to_string()));
    }

    /// Bind phase: `from <project module> import *`.
    pub fn record_project_star(&mut self, module: &str) {
        if !self.project_stars.iter().any(|m| m == module) {
            self.project_stars.push(module.to_string());
        }
    }

    /// The project modules bound whole and star-imported (absolute names).
    pub fn whole_project_modules(&self) -> impl Iterator<Item = &str> {
        self.project_modules
            .iter()
            .map(|(_, _, module)| module.as_str())
            .chain(self.project_stars.iter().map(String::as_str))
    }

    /// Gives the names imported from the project what their modules'
    /// summaries say they are (a 1.x object, a factory's result, a class as an
    /// external class id with its client kind, attributes, methods and member
    /// flows), the modules bound whole their exports under dotted names, and
    /// the star imports their exports.
    pub(super) fn import_project(&mut self, project: &ModuleContext<'_>, model: &SemanticModel) {
        let mut modules = std::mem::take(&mut self.project_modules);
        let mut imported: Vec<((ScopeId, String), String)> = self
            .project_names
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        imported.sort();
        for ((scope, name), qualified) in &imported {
            match project.export(qualified) {
                Some((export, summary)) => {
                    self.materialize(*scope, name, qualified, export, summary);
                }
                // `from app import db`, `db` being a module of the project.
                None if project.index.summary(qualified).is_some() => {
                    modules.push((*scope, name.clone(), qualified.clone()));
                }
                None => {}
            }
        }
        for (scope, local, module) in &modules {
            let Some(summary) = project.index.summary(module) else {
                continue;
            };
            let mut names: Vec<&String> = summary.exports.keys().collect();
            names.sort();
            for name in names {
                let qualified = format!("{module}.{name}");
                if let Some((export, defined)) = project.export(&qualified) {
                    self.materialize(
                        *scope,
                        &format!("{local}.{name}"),
                        &qualified,
                        export,
                        defined,
                    );
                }
            }
        }
        self.project_modules = modules;
        for module in self.project_stars.clone() {
            let Some(summary) = project.index.summary(&module) else {
                continue;
            };
            let mut names: Vec<&String> = summary.exports.keys().collect();
            names.sort();
            for name in names {
                // A name the module binds itself is its own.
                if model.binding_scope(name, MODULE_SCOPE).is_some() {
                    continue;
                }
                let qualified = format!("{module}.{name}");
                if let Some((export, defined)) = project.export(&qualified) {
                    self.star_names.insert(name.clone());
                    self.materialize(MODULE_SCOPE, name, &qualified, export, defined);
                }
            }
        }
    }

    /// `local` (bound in `scope`) is the project's `qualified`, which its
    /// module's summary says is `export`.
    fn materialize(
        &mut self,
        scope: ScopeId,
        local: &str,
        qualified: &str,
        export: &Export,
        summary: &Summary,
    ) {
        let origin = Origin {
            display: summary.display.clone(),
            relative: summary.relative.clone(),
            abs_path: summary.abs_path.clone(),
            line: export.line,
            column: export.column,
            name: qualified.to_string(),
        };
        if local.contains('.') {
            self.dotted = true;
        }
        let set = |this: &mut Self, target: LegacyTarget, kind: LegacyKind| {
            if let LegacyTarget::Name(_, n)
            | LegacyTarget::Attribute(_, n)
            | LegacyTarget::Returns(_, n) = &target
            {
                this.names.insert(n.clone());
                // `kind_of` looks at the last part of a chain first.
                if let Some((_, last)) = n.rsplit_once('.') {
                    this.names.insert(last.to_string());
                }
            }
            this.origins.insert(target.clone(), origin.clone());
            this.kinds.insert(target, kind);
        };
        match &export.what {
            Exported::Object(kind) => {
                set(self, LegacyTarget::Name(scope, local.to_string()), *kind);
                self.is_1x = true;
            }
            Exported::Returns(kind) => {
                set(self, LegacyTarget::Returns(scope, local.to_string()), *kind);
                self.is_1x = true;
            }
            Exported::Class(class) => {
                // An id no scope of this module has: the class lives elsewhere.
                self.next_external_class += 1;
                let id = ScopeId::MAX - self.next_external_class;
                self.classes.insert((scope, local.to_string()), id);
                if class.client {
                    set(self, LegacyTarget::Class(id), LegacyKind::Client);
                    self.is_1x = true;
                }
                for (attr, kind) in &class.attributes {
                    set(self, LegacyTarget::Attribute(id, attr.clone()), *kind);
                }
                for (method, kind) in &class.returns {
                    set(self, LegacyTarget::Returns(id, method.clone()), *kind);
                }
                if !class.attributes.is_empty() || !class.returns.is_empty() {
                    self.is_1x = true;
                }
                if !class.flows.is_empty() {
                    self.member_flows.insert(id, class.flows.clone());
                }
            }
            Exported::Aioredis(_) | Exported::Alias(_) => {}
        }
    }

    /// The scope `name` is bound in, seen from `scope`; a name only a star
    /// import of a project module binds is the module's.
    pub(super) fn bound_scope(
        &self,
        model: &SemanticModel,
        name: &str,
        scope: ScopeId,
    ) -> Option<ScopeId> {
        model
            .binding_scope(name, scope)
            .or_else(|| self.star_names.contains(name).then_some(MODULE_SCOPE))
    }

    /// The target a dotted chain names (`db.pool`, `app.db.pool`), when a
    /// project module bound whole offers it.
    pub(super) fn dotted_target(
        &self,
        parts: &[String],
        scope: ScopeId,
        model: &SemanticModel,
        returns: bool,
    ) -> Option<LegacyTarget> {
        if !self.dotted || parts.len() < 2 {
            return None;
        }
        let joined = parts.join(".");
        if !self.names.contains(&joined) {
            return None;
        }
        let bound = model.binding_scope(&parts[0], scope)?;
        let target = if returns {
            LegacyTarget::Returns(bound, joined)
        } else {
            LegacyTarget::Name(bound, joined)
        };
        self.kinds.contains_key(&target).then_some(target)
    }

    /// What calling a dotted chain gives: a project module's factory, or one
    /// of its 1.x client classes.
    pub(super) fn dotted_call_kind(
        &self,
        parts: &[String],
        scope: ScopeId,
        model: &SemanticModel,
    ) -> Option<LegacyKind> {
        if !self.dotted || parts.len() < 2 {
            return None;
        }
        if let Some(target) = self.dotted_target(parts, scope, model, true) {
            return self.kinds.get(&target).copied();
        }
        let bound = model.binding_scope(&parts[0], scope)?;
        self.classes
            .get(&(bound, parts.join(".")))
            .filter(|class| self.is_client_class(**class))
            .map(|_| LegacyKind::Client)
    }

    /// The project modules this module's 1.x objects need the summaries of:
    /// the modules of its classes' project bases, and its star imports.
    pub fn wanted_modules(&self, model: &SemanticModel) -> Vec<String> {
        // Only a module with 1.x objects has member flows to fill.
        if !self.is_1x && self.kinds.values().all(|kind| *kind == LegacyKind::Foreign) {
            return Vec::new();
        }
        let mut wanted: Vec<String> = self.project_stars.clone();
        for bases in self.local_bases.values() {
            for (enclosing, name) in bases {
                let (root, rest) = name.split_once('.').unwrap_or((name, ""));
                let Some(bound) = model.binding_scope(root, *enclosing) else {
                    continue;
                };
                if rest.is_empty() {
                    if let Some(qualified) = self.project_names.get(&(bound, root.to_string()))
                        && let Some((module, _)) = qualified.rsplit_once('.')
                    {
                        wanted.push(module.to_string());
                    }
                } else if let Some((_, _, module)) = self
                    .project_modules
                    .iter()
                    .filter(|(scope, local, _)| {
                        *scope == bound
                            && name.strip_prefix(local.as_str()).is_some_and(|r| {
                                r.strip_prefix('.').is_some_and(|r| !r.contains('.'))
                            })
                    })
                    .max_by_key(|(_, local, _)| local.len())
                {
                    wanted.push(module.clone());
                }
            }
        }
        wanted.sort();
        wanted.dedup();
        wanted
    }

    /// Bind phase done: the member flows of each class of the module, from
    /// the recorded calls `self.m(...)` and the flows into `self.<attr>` and
    /// method results whose values come from `self`'s members.
    pub(super) fn collect_member_flows(&mut self, model: &SemanticModel) {
        if self.receivers.is_empty() {
            return;
        }
        // The flows into each method's own names, by (scope, name).
        let mut locals: rustc_hash::FxHashMap<(ScopeId, &str), Vec<&Source>> = Default::default();
        for flow in &self.flows {
            if let LegacyTarget::Name(scope, name) = &flow.target
                && *scope == flow.scope
                && self.receivers.contains_key(scope)
            {
                locals
                    .entry((*scope, name.as_str()))
                    .or_default()
                    .push(&flow.source);
            }
        }
        let mut found: Vec<(ScopeId, MemberFlow)> = Vec::new();
        let mut add = |class: ScopeId, target: Member, sources: Vec<(Member, bool)>| {
            for (source, element) in sources {
                if source != target {
                    found.push((
                        class,
                        MemberFlow {
                            target: target.clone(),
                            source,
                            element,
                        },
                    ));
                }
            }
        };
        for call in &self.calls {
            let Some((receiver, class)) = self.receivers.get(&call.scope) else {
                continue;
            };
            let [r, method] = call.callee.as_slice() else {
                continue;
            };
            if r != receiver {
                continue;
            }
            for (slot, source) in &call.arguments {
                let sources = self.symbolic(source, call.scope, receiver, model, &locals, 0);
                let (position, keyword) = match slot {
                    super::Slot::Position(index) => (Some(*index), None),
                    super::Slot::Keyword(name) => (None, Some(name.clone())),
                };
                add(
                    *class,
                    Member::Argument {
                        method: method.clone(),
                        position,
                        keyword,
                    },
                    sources,
                );
            }
        }
        for flow in &self.flows {
            let Some((receiver, class)) = self.receivers.get(&flow.scope) else {
                continue;
            };
            let target = match &flow.target {
                LegacyTarget::Returns(owner, method) if owner == class => {
                    Member::Returns(method.clone())
                }
                LegacyTarget::Attribute(owner, attr) if owner == class => {
                    Member::Attribute(attr.clone())
                }
                _ => continue,
            };
            let sources = self.symbolic(&flow.source, flow.scope, receiver, model, &locals, 0);
            add(*class, target, sources);
        }
        for (class, flow) in found {
            let flows = self.member_flows.entry(class).or_default();
            if !flows.contains(&flow) {
                flows.push(flow);
            }
        }
    }

    /// The members of `self` a source's value comes from, in a method whose
    /// receiver is `receiver` (through the method's own names).
    fn symbolic(
        &self,
        source: &Source,
        scope: ScopeId,
        receiver: &str,
        model: &SemanticModel,
        locals: &rustc_hash::FxHashMap<(ScopeId, &str), Vec<&Source>>,
        depth: usize,
    ) -> Vec<(Member, bool)> {
        if depth > 4 {
            return Vec::new();
        }
        match source {
            Source::Call(parts, _) => match parts.as_slice() {
                [r, method] if r == receiver => vec![(Member::Returns(method.clone()), false)],
                _ => Vec::new(),
            },
            Source::Value(parts) => match parts.as_slice() {
                [r, attr] if r == receiver => vec![(Member::Attribute(attr.clone()), false)],
                [name] if name != receiver => {
                    if model.binding_scope(name, scope) != Some(scope) {
                        return Vec::new();
                    }
                    locals
                        .get(&(scope, name.as_str()))
                        .into_iter()
                        .flatten()
                        .flat_map(|inner| {
                            self.symbolic(inner, scope, receiver, model, locals, depth + 1)
                        })
                        .collect()
                }
                _ => Vec::new(),
            },
            Source::Element(inner) => self
                .symbolic(inner, scope, receiver, model, locals, depth + 1)
                .into_iter()
                .filter(|(_, element)| !element)
                .map(|(member, _)| (member, true))
                .collect(),
            _ => Vec::new(),
        }
    }

    /// The member flows of every ancestor of each class of the module, run
    /// again on the class (methods dispatch on it): flows of the model.
    pub(super) fn instantiate_member_flows(&mut self) {
        if self.member_flows.is_empty() {
            return;
        }
        let mut flows = Vec::new();
        for (class, ancestors) in &self.ancestors {
            for ancestor in ancestors {
                let Some(member_flows) = self.member_flows.get(ancestor) else {
                    continue;
                };
                for flow in member_flows {
                    let source = match &flow.source {
                        Member::Returns(name) => Source::Member(*class, name.clone(), true),
                        Member::Attribute(name) => Source::Member(*class, name.clone(), false),
                        Member::Argument { .. } => continue,
                    };
                    let source = if flow.element {
                        Source::Element(Box::new(source))
                    } else {
                        source
                    };
                    let target = match &flow.target {
                        Member::Returns(name) => LegacyTarget::Returns(*class, name.clone()),
                        Member::Attribute(name) => LegacyTarget::Attribute(*class, name.clone()),
                        Member::Argument {
                            method,
                            position,
                            keyword,
                        } => {
                            // The method the call dispatches to: the first of the
                            // class's lineage (this module's classes) defining it.
                            let Some(function) = self
                                .lineage(*class)
                                .find_map(|c| self.functions.get(&(c, method.clone())))
                                .filter(|f| f.is_method)
                            else {
                                continue;
                            };
                            let parameter = match (position, keyword) {
                                (Some(index), _) => function.positional.get(index + 1),
                                (None, Some(name)) => function
                                    .positional
                                    .iter()
                                    .skip(1)
                                    .chain(&function.keyword_only)
                                    .find(|p| *p == name),
                                (None, None) => None,
                            };
                            let Some(parameter) = parameter else {
                                continue;
                            };
                            LegacyTarget::Name(function.scope, parameter.clone())
                        }
                    };
                    flows.push(Flow {
                        target,
                        scope: MODULE_SCOPE,
                        source,
                    });
                }
            }
        }
        self.flows.extend(flows);
    }

    /// The member flows of a class and its ancestors (for its export).
    pub(super) fn lineage_member_flows(&self, class: ScopeId) -> Vec<MemberFlow> {
        let mut flows: Vec<MemberFlow> = self
            .lineage(class)
            .filter_map(|c| self.member_flows.get(&c))
            .flatten()
            .cloned()
            .collect();
        flows.sort();
        flows.dedup();
        flows
    }
}

/// pytest fixtures: a test's parameter (or a fixture's) named like a fixture
/// of the module, or of a `conftest.py` in its folder or a folder above,
/// holds the fixture's value: what it returns or yields, or — a fixture that
/// returns a function it defines (`create_redis`) — a function returning what
/// that function returns.
impl LegacyModel {
    /// Bind phase: `@pytest.fixture def <name>` at module level, its scope `scope`.
    pub fn record_fixture(&mut self, name: &str, scope: ScopeId) {
        self.fixtures.insert(name.to_string(), scope);
    }

    /// Whether `scope` is a fixture function's.
    pub fn is_fixture(&self, scope: ScopeId) -> bool {
        !self.fixtures.is_empty() && self.fixtures.values().any(|s| *s == scope)
    }

    /// Whether a parameter holds a 1.x fixture of a `conftest.py`.
    pub fn uses_project_fixtures(&self) -> bool {
        self.project_fixtures_used
    }

    /// The `conftest.py` fixtures parameters hold: (fixture name, the
    /// conftest.py's path relative to the project root).
    pub fn project_fixture_uses(&self) -> &[(String, String)] {
        &self.fixture_uses
    }

    /// The module's fixtures holding a 1.x object (`false`), or a function
    /// returning one (`true`), once resolved, and whether that object is a 1.x
    /// `RedisConnection`.
    pub fn fixture_values(&self) -> Vec<(String, LegacyKind, bool, bool)> {
        let mut values = Vec::new();
        for name in self.fixtures.keys() {
            let fixture = LegacyTarget::Returns(MODULE_SCOPE, name.clone());
            let value = self
                .kinds
                .get(&fixture)
                .map(|kind| (*kind, false, fixture))
                .or_else(|| {
                    let (scope, function) = self.fixture_factories.get(name)?;
                    let target = LegacyTarget::Returns(*scope, function.clone());
                    self.kinds.get(&target).map(|kind| (*kind, true, target))
                });
            if let Some((kind, factory, target)) = value
                && kind != LegacyKind::Foreign
            {
                let connection = self.connections.contains(&target);
                values.push((name.clone(), kind, factory, connection));
            }
        }
        values.sort_by(|a, b| a.0.cmp(&b.0));
        values
    }

    /// The flows from fixtures into the parameters pytest fills: of the
    /// module's test functions (`test*`), test methods (`test*` of a class
    /// `Test*`) and fixtures.
    pub(super) fn fixture_flows(&mut self, project: Option<&ModuleContext<'_>>) {
        let conftest = project.map(|p| p.conftest_fixtures()).unwrap_or_default();
        if self.fixtures.is_empty() && conftest.is_empty() {
            return;
        }
        for (name, scope) in &self.fixtures {
            let returned = self
                .flows
                .iter()
                .find_map(|flow| match (&flow.target, &flow.source) {
                    (LegacyTarget::Returns(MODULE_SCOPE, n), Source::Value(parts))
                        if n == name
                            && parts.len() == 1
                            && self.functions.contains_key(&(*scope, parts[0].clone())) =>
                    {
                        Some(parts[0].clone())
                    }
                    _ => None,
                });
            if let Some(function) = returned {
                self.fixture_factories
                    .insert(name.clone(), (*scope, function));
            }
        }
        let test_classes: Vec<ScopeId> = self
            .classes
            .iter()
            .filter(|((_, name), id)| name.starts_with("Test") && **id < ScopeId::MAX / 2)
            .map(|(_, id)| *id)
            .collect();
        let mut flows = Vec::new();
        let mut found: Vec<(LegacyTarget, LegacyKind, Origin)> = Vec::new();
        for ((binding, name), function) in &self.functions {
            let injected = if function.is_method {
                name.starts_with("test") && test_classes.contains(binding)
            } else {
                *binding == MODULE_SCOPE
                    && (name.starts_with("test") || self.fixtures.contains_key(name))
            };
            if !injected {
                continue;
            }
            let parameters = function
                .positional
                .iter()
                .skip(usize::from(function.is_method))
                .chain(&function.keyword_only);
            for parameter in parameters {
                if let Some(fixture_scope) = self.fixtures.get(parameter) {
                    if *fixture_scope == function.scope {
                        continue;
                    }
                    flows.push(Flow {
                        target: LegacyTarget::Name(function.scope, parameter.clone()),
                        scope: MODULE_SCOPE,
                        source: Source::Call(vec![parameter.clone()], CallFacts::default()),
                    });
                    if let Some((scope, factory)) = self.fixture_factories.get(parameter) {
                        flows.push(Flow {
                            target: LegacyTarget::Returns(function.scope, parameter.clone()),
                            scope: *scope,
                            source: Source::Call(vec![factory.clone()], CallFacts::default()),
                        });
                    }
                } else if let Some((summary, fixture)) =
                    conftest.iter().find(|(_, f)| f.name == *parameter)
                {
                    let target = if fixture.factory {
                        LegacyTarget::Returns(function.scope, parameter.clone())
                    } else {
                        LegacyTarget::Name(function.scope, parameter.clone())
                    };
                    // Named as its module's (`conftest.redis`, `tests.conftest.redis`).
                    let name = project
                        .and_then(|p| p.index.module_of(&summary.relative))
                        .map_or_else(
                            || fixture.name.clone(),
                            |module| format!("{module}.{}", fixture.name),
                        );
                    let origin = Origin {
                        display: summary.display.clone(),
                        relative: summary.relative.clone(),
                        abs_path: summary.abs_path.clone(),
                        line: fixture.line,
                        column: fixture.column,
                        name,
                    };
                    if fixture.connection {
                        self.connections.insert(target.clone());
                    }
                    found.push((target, fixture.kind, origin));
                    let used = (parameter.clone(), summary.relative.clone());
                    if !self.fixture_uses.contains(&used) {
                        self.fixture_uses.push(used);
                    }
                }
            }
        }
        for (target, kind, origin) in found {
            if let LegacyTarget::Name(_, name) | LegacyTarget::Returns(_, name) = &target {
                self.names.insert(name.clone());
            }
            self.origins.insert(target.clone(), origin);
            self.kinds.insert(target, kind);
            self.project_fixtures_used = true;
            self.is_1x = true;
        }
        self.flows.extend(flows);
    }
}
