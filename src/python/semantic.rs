//! The semantic model: scopes, the names each scope binds, and how a name or an
//! attribute chain resolves to a qualified name such as `aioredis.client.Redis`.
//!
//! Bindings are collected flow-insensitively: a name bound by an import anywhere
//! in a scope resolves to that import everywhere in the scope (and in nested
//! function scopes, which Python evaluates late). This is what makes
//! `try: import aioredis / except ImportError: aioredis = None` resolve to
//! `aioredis`, and it costs one pass over the tree instead of a control-flow graph.

use rustc_hash::{FxHashMap as HashMap, FxHashSet};

use ruff_python_ast::{Expr, ExprAttribute, ExprName};

use crate::api::may_be_redis_name;

pub type ScopeId = usize;
pub const MODULE_SCOPE: ScopeId = 0;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScopeKind {
    Module,
    Class,
    Function { is_async: bool },
    Lambda,
    Comprehension,
}

/// What one name is bound to inside one scope.
#[derive(Debug, Default, Clone)]
pub struct Binding {
    /// Qualified names this name is imported as (`import aioredis as r` gives `aioredis`).
    pub imports: Vec<String>,
    /// The name is also bound by something that is not an import (assignment, def, parameter).
    pub other: bool,
    /// How many non-import bindings it has: a name stored once holds one value.
    pub stores: u32,
}

#[derive(Debug)]
pub struct Scope {
    pub kind: ScopeKind,
    pub parent: Option<ScopeId>,
    bindings: HashMap<String, Binding>,
    /// Names declared `global` in this scope: they resolve in the module scope.
    globals: Vec<String>,
    /// Names declared `nonlocal` in this scope: they resolve in an enclosing function.
    nonlocals: Vec<String>,
    /// Modules imported with `from M import *` in this scope.
    star_imports: Vec<String>,
    /// Names assigned a plain string literal (`URL = "redis://..."`), with its value.
    string_literals: HashMap<String, String>,
}

impl Scope {
    fn new(kind: ScopeKind, parent: Option<ScopeId>) -> Self {
        Self {
            kind,
            parent,
            bindings: HashMap::default(),
            globals: Vec::new(),
            nonlocals: Vec::new(),
            star_imports: Vec::new(),
            string_literals: HashMap::default(),
        }
    }
}

/// All scopes of one module. Scope ids are handed out in traversal order, so a
/// second walk over the same tree can replay them with a counter.
#[derive(Debug)]
pub struct SemanticModel {
    scopes: Vec<Scope>,
    /// Every name an import of redis-py or aioredis binds, in any scope, and
    /// whether there is a `*` import of one: most names in a module are
    /// neither, and need no resolving (`os.path.join` in a module that imports
    /// aioredis too).
    redis_imported_names: FxHashSet<String>,
    has_redis_star_import: bool,
}

impl Default for SemanticModel {
    fn default() -> Self {
        Self {
            scopes: vec![Scope::new(ScopeKind::Module, None)],
            redis_imported_names: FxHashSet::default(),
            has_redis_star_import: false,
        }
    }
}

impl SemanticModel {
    pub fn push_scope(&mut self, kind: ScopeKind, parent: ScopeId) -> ScopeId {
        self.scopes.push(Scope::new(kind, Some(parent)));
        self.scopes.len() - 1
    }

    pub fn scope(&self, id: ScopeId) -> &Scope {
        &self.scopes[id]
    }

    pub fn scope_count(&self) -> usize {
        self.scopes.len()
    }

    /// Whether `name` can resolve to a name of redis-py or aioredis anywhere (a
    /// cheap test before the scope walk of [`Self::resolve_name`]).
    pub fn may_be_redis_import(&self, name: &str) -> bool {
        self.has_redis_star_import || self.redis_imported_names.contains(name)
    }

    pub fn bind_import(&mut self, scope: ScopeId, name: &str, qualified: String) {
        if may_be_redis_name(&qualified) && !self.redis_imported_names.contains(name) {
            self.redis_imported_names.insert(name.to_string());
        }
        let binding = self.scopes[scope]
            .bindings
            .entry(name.to_string())
            .or_default();
        if !binding.imports.contains(&qualified) {
            binding.imports.push(qualified);
        }
    }

    /// The module scope's names bound only by imports, with what they import.
    pub fn module_imports(&self) -> impl Iterator<Item = (&str, &[String])> {
        self.scopes[MODULE_SCOPE]
            .bindings
            .iter()
            .filter(|(_, binding)| !binding.imports.is_empty() && !binding.other)
            .map(|(name, binding)| (name.as_str(), binding.imports.as_slice()))
    }

    pub fn bind_other(&mut self, scope: ScopeId, name: &str) {
        let binding = self.scopes[scope]
            .bindings
            .entry(name.to_string())
            .or_default();
        binding.other = true;
        binding.stores += 1;
    }

    /// Records that `name = "<value>"` in `scope` (the store itself is bound apart).
    pub fn record_string_literal(&mut self, scope: ScopeId, name: &str, value: &str) {
        self.scopes[scope]
            .string_literals
            .insert(name.to_string(), value.to_string());
    }

    /// The scope an assignment to `name` in `scope` binds: the module for a name
    /// declared `global` there, else `scope` itself.
    pub fn assignment_scope(&self, scope: ScopeId, name: &str) -> ScopeId {
        if self.scopes[scope].globals.iter().any(|g| g == name) {
            MODULE_SCOPE
        } else if self.scopes[scope].nonlocals.iter().any(|n| n == name) {
            // The nearest enclosing function that binds it (class scopes are skipped).
            let mut current = self.scopes[scope].parent;
            while let Some(id) = current {
                let s = &self.scopes[id];
                if id != MODULE_SCOPE && s.kind != ScopeKind::Class && s.bindings.contains_key(name)
                {
                    return self.assignment_scope(id, name);
                }
                current = s.parent;
            }
            scope
        } else {
            scope
        }
    }

    pub fn declare_global(&mut self, scope: ScopeId, name: &str) {
        self.scopes[scope].globals.push(name.to_string());
    }

    pub fn declare_nonlocal(&mut self, scope: ScopeId, name: &str) {
        self.scopes[scope].nonlocals.push(name.to_string());
    }

    pub fn add_star_import(&mut self, scope: ScopeId, module: String) {
        self.has_redis_star_import |= may_be_redis_name(&module);
        self.scopes[scope].star_imports.push(module);
    }

    /// The binding a load of `name` in `scope` sees, following Python's rules:
    /// innermost scope first, class scopes invisible to the scopes nested in them,
    /// `global` declarations jumping to the module.
    pub fn lookup(&self, name: &str, scope: ScopeId) -> Option<&Binding> {
        let found = self.binding_scope(name, scope)?;
        self.scopes[found].bindings.get(name)
    }

    /// Like [`Self::lookup`], also naming the scope that holds the binding: two
    /// references use the same binding when they resolve to the same scope.
    pub fn lookup_in(&self, name: &str, scope: ScopeId) -> Option<(ScopeId, &Binding)> {
        let found = self.binding_scope(name, scope)?;
        self.scopes[found]
            .bindings
            .get(name)
            .map(|binding| (found, binding))
    }

    /// The scope whose binding a load of `name` in `scope` sees (see [`Self::lookup`]).
    pub fn binding_scope(&self, name: &str, scope: ScopeId) -> Option<ScopeId> {
        let mut current = scope;
        let mut innermost = true;
        loop {
            let s = &self.scopes[current];
            if s.globals.iter().any(|g| g == name) {
                return self.scopes[MODULE_SCOPE]
                    .bindings
                    .contains_key(name)
                    .then_some(MODULE_SCOPE);
            }
            if (innermost || s.kind != ScopeKind::Class) && s.bindings.contains_key(name) {
                return Some(current);
            }
            innermost = false;
            current = s.parent?;
        }
    }

    /// The string a name holds when its only binding is `name = "literal"`.
    pub fn string_literal(&self, name: &str, scope: ScopeId) -> Option<&str> {
        let found = self.binding_scope(name, scope)?;
        let binding = self.scopes[found].bindings.get(name)?;
        if binding.stores != 1 || !binding.imports.is_empty() {
            return None;
        }
        self.scopes[found]
            .string_literals
            .get(name)
            .map(String::as_str)
    }

    /// Whether `name` is unbound in every scope visible from `scope` (so a load of
    /// it reaches the builtins or a star import).
    pub fn is_unbound(&self, name: &str, scope: ScopeId) -> bool {
        self.lookup(name, scope).is_none()
    }

    /// Qualified names a bare name resolves to: its imports, or for a name bound
    /// nowhere, `module.name` for each `from module import *` of the module scope.
    pub fn resolve_name(&self, name: &str, scope: ScopeId) -> Vec<String> {
        match self.lookup(name, scope) {
            Some(binding) => binding.imports.clone(),
            None => self.scopes[MODULE_SCOPE]
                .star_imports
                .iter()
                .map(|module| format!("{module}.{name}"))
                .collect(),
        }
    }

    /// Whether `name`, seen from `scope`, may resolve to a name of redis-py or
    /// aioredis ([`may_be_redis_name`]): [`Self::resolve_name`] without building
    /// the names, for the many references that cannot matter.
    pub fn may_resolve_to_redis(&self, name: &str, scope: ScopeId) -> bool {
        match self.lookup(name, scope) {
            Some(binding) => binding.imports.iter().any(|q| may_be_redis_name(q)),
            None => self.scopes[MODULE_SCOPE]
                .star_imports
                .iter()
                .any(|module| may_be_redis_name(module)),
        }
    }

    /// Resolves a `Name` or a chain of attributes on a `Name` (`a.b.c`) to the
    /// qualified names it may denote. Anything else resolves to nothing.
    pub fn resolve_expr(&self, expr: &Expr, scope: ScopeId) -> Vec<String> {
        let Some((root, attrs)) = attribute_chain(expr) else {
            return Vec::new();
        };
        let mut names = self.resolve_name(root.id.as_str(), scope);
        for name in &mut names {
            for attr in attrs.iter().rev() {
                name.push('.');
                name.push_str(attr.attr.as_str());
            }
        }
        names
    }
}

/// The qualified names of `root`, `root.a`, `root.a.b`, … for a chain whose root
/// resolves to `base`.
pub fn qualified_chain(base: &str, attrs: &[&ExprAttribute]) -> Vec<String> {
    let mut names = vec![base.to_string()];
    for attr in attrs.iter().rev() {
        let longer = format!("{}.{}", names.last().unwrap(), attr.attr.as_str());
        names.push(longer);
    }
    names
}

/// Splits `a.b.c` into the root `Name` and the attribute nodes from the
/// outermost (`.c`) inwards. `None` when the chain does not start at a `Name`.
pub fn attribute_chain(expr: &Expr) -> Option<(&ExprName, Vec<&ExprAttribute>)> {
    let mut attrs = Vec::new();
    let mut current = expr;
    loop {
        match current {
            Expr::Attribute(attribute) => {
                attrs.push(attribute);
                current = &attribute.value;
            }
            Expr::Name(name) => return Some((name, attrs)),
            _ => return None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn class_scope_is_invisible_to_nested_functions() {
        let mut model = SemanticModel::default();
        let class = model.push_scope(ScopeKind::Class, MODULE_SCOPE);
        let method = model.push_scope(ScopeKind::Function { is_async: false }, class);
        model.bind_import(MODULE_SCOPE, "r", "aioredis".into());
        model.bind_import(class, "r", "redis.asyncio".into());
        assert_eq!(model.resolve_name("r", class), vec!["redis.asyncio"]);
        assert_eq!(model.resolve_name("r", method), vec!["aioredis"]);
    }

    #[test]
    fn string_literal_needs_a_single_store() {
        let mut model = SemanticModel::default();
        let function = model.push_scope(ScopeKind::Function { is_async: false }, MODULE_SCOPE);
        model.bind_other(MODULE_SCOPE, "URL");
        model.record_string_literal(MODULE_SCOPE, "URL", "redis://h");
        assert_eq!(model.string_literal("URL", function), Some("redis://h"));
        model.bind_other(MODULE_SCOPE, "URL");
        assert_eq!(model.string_literal("URL", function), None);
    }

    #[test]
    fn global_declaration_jumps_to_module() {
        let mut model = SemanticModel::default();
        let function = model.push_scope(ScopeKind::Function { is_async: true }, MODULE_SCOPE);
        model.bind_import(MODULE_SCOPE, "aioredis", "aioredis".into());
        model.bind_other(function, "aioredis");
        assert!(model.resolve_name("aioredis", function).is_empty());
        model.declare_global(function, "aioredis");
        assert_eq!(model.resolve_name("aioredis", function), vec!["aioredis"]);
    }
}
