//! Which calls construct a Redis client or pool, and which names hold one.
//!
//! A name holds a client when a scope assigns it a construction (`client =
//! redis.asyncio.Redis(...)`, `client = await aioredis.create_redis_pool(...)`)
//! or binds it with `with Redis(...) as client`; an attribute holds one when a
//! method assigns `self.<attr> = <construction>` (or the class body assigns
//! `<attr> = <construction>`), for every method of that class. Like the import
//! bindings, this is flow-insensitive: a name that holds a client anywhere in
//! its scope holds it everywhere in the scope.
//!
//! The bind phase records the assignments as they are walked; their callees
//! are resolved once the whole module is bound ([`ClientModel::resolve`]), so a
//! client assigned at the bottom of a module is known in the functions above.

use std::borrow::Cow;
use std::collections::HashMap;

use ruff_python_ast::{Expr, ExprCall};
use ruff_text_size::{Ranged, TextRange};

use super::semantic::{ScopeId, SemanticModel, attribute_chain};
use crate::constructors::{Constructor, ConstructorTable};

/// How a name came to hold a client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// `name = <construction>`: the scope owns the client.
    Assignment,
    /// `with <construction> as name`: closed when the block ends.
    ContextManager,
}

/// The client one name or attribute holds.
#[derive(Debug, Clone, Copy)]
pub struct HeldClient {
    pub constructor: &'static Constructor,
    /// The construction call's callee (`redis.asyncio.Redis` in `redis.asyncio.Redis(...)`).
    pub callee: TextRange,
    pub origin: Origin,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientTarget {
    Name {
        scope: ScopeId,
        name: String,
    },
    /// `self.<attr>` in the methods of `class`.
    Attribute {
        class: ScopeId,
        attr: String,
    },
}

/// An assignment of a call that may be a construction, resolved after binding.
#[derive(Debug)]
struct PendingAssignment {
    target: ClientTarget,
    /// Where the callee is looked up.
    scope: ScopeId,
    /// The callee as written: `redis.asyncio.Redis`.
    callee_path: String,
    callee: TextRange,
    origin: Origin,
}

#[derive(Debug, Default)]
pub struct ClientModel {
    /// Per scope, the names it binds to clients.
    names: HashMap<ScopeId, Vec<(String, HeldClient)>>,
    /// Every name some scope binds to a client, and every attribute name a
    /// class holds one in: most loads are of other names, and these few-entry
    /// lists answer them without a scope walk.
    client_names: Vec<String>,
    client_attributes: Vec<String>,
    /// Names imported under another name from a constructor's:
    /// `from redis.asyncio import Redis as AsyncRedis` gives `AsyncRedis`.
    constructor_aliases: Vec<String>,
    /// Per class scope, the attributes its methods see as clients.
    attributes: HashMap<ScopeId, Vec<(String, HeldClient)>>,
    /// Per method scope: its receiver parameter (`self`) and its class scope.
    receivers: HashMap<ScopeId, (String, ScopeId)>,
    pending: Vec<PendingAssignment>,
}

impl ClientModel {
    /// No name or attribute holds a client: the client rules that follow names have nothing to do.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty() && self.attributes.is_empty()
    }

    /// Records that the function `scope` is a method of `class` whose first parameter is `receiver`.
    pub fn record_method(&mut self, scope: ScopeId, receiver: &str, class: ScopeId) {
        self.receivers.insert(scope, (receiver.to_string(), class));
    }

    /// The receiver parameter and class of a method scope.
    pub fn method_receiver(&self, scope: ScopeId) -> Option<(&str, ScopeId)> {
        self.receivers
            .get(&scope)
            .map(|(name, class)| (name.as_str(), *class))
    }

    /// Records (bind phase) that `import ... as bound` binds `qualified`, when
    /// that renames a constructor.
    pub fn record_import(&mut self, table: &ConstructorTable, bound: &str, qualified: &str) {
        let last = qualified.rsplit('.').next().unwrap_or(qualified);
        if last != bound && table.may_construct(last) && !self.is_constructor_alias(bound) {
            self.constructor_aliases.push(bound.to_string());
        }
    }

    fn is_constructor_alias(&self, name: &str) -> bool {
        self.constructor_aliases.iter().any(|alias| alias == name)
    }

    /// Whether a callee may be a constructor, without resolving it: an attribute
    /// whose last part is a constructor's (`redis.asyncio.Redis`,
    /// `aioredis.from_url`), or a name that is one or an import renamed one
    /// (`AsyncRedis`). A call of anything else is not resolved at all.
    pub fn may_construct(&self, table: &ConstructorTable, func: &Expr) -> bool {
        match func {
            Expr::Name(name) => {
                table.may_construct(name.id.as_str()) || self.is_constructor_alias(name.id.as_str())
            }
            Expr::Attribute(attribute) => table.may_construct(attribute.attr.as_str()),
            _ => false,
        }
    }

    /// Records `<target> = <value>` (bind phase) when the value may be a
    /// construction; `target` is built only then.
    pub fn record_assignment(
        &mut self,
        table: &ConstructorTable,
        target: impl Fn() -> ClientTarget,
        scope: ScopeId,
        value: &Expr,
        origin: Origin,
    ) {
        let mut found = Vec::new();
        for_each_construction_candidate(value, &mut |call| {
            if self.may_construct(table, &call.func)
                && let Some(callee_path) = callee_path(&call.func)
            {
                found.push((callee_path, call.func.range()));
            }
        });
        for (callee_path, callee) in found {
            self.pending.push(PendingAssignment {
                target: target(),
                scope,
                callee_path,
                callee,
                origin,
            });
        }
    }

    /// Resolves the recorded assignments once every import is bound.
    pub fn resolve(&mut self, model: &SemanticModel, table: &'static ConstructorTable) {
        for pending in std::mem::take(&mut self.pending) {
            let (root, rest) = match pending.callee_path.split_once('.') {
                Some((root, rest)) => (root, Some(rest)),
                None => (pending.callee_path.as_str(), None),
            };
            let constructor = model
                .resolve_name(root, pending.scope)
                .into_iter()
                .find_map(|base| {
                    let qualified = match rest {
                        Some(rest) => format!("{base}.{rest}"),
                        None => base,
                    };
                    table.lookup(&qualified)
                });
            let Some(constructor) = constructor else {
                continue;
            };
            let held = HeldClient {
                constructor,
                callee: pending.callee,
                origin: pending.origin,
            };
            match pending.target {
                ClientTarget::Name { scope, name } => {
                    if !self.client_names.contains(&name) {
                        self.client_names.push(name.clone());
                    }
                    self.names.entry(scope).or_default().push((name, held));
                }
                ClientTarget::Attribute { class, attr } => {
                    if !self.client_attributes.contains(&attr) {
                        self.client_attributes.push(attr.clone());
                    }
                    let attributes = self.attributes.entry(class).or_default();
                    // The first assignment decides, as in `__init__` before any other method.
                    if !attributes.iter().any(|(known, _)| *known == attr) {
                        attributes.push((attr, held));
                    }
                }
            }
        }
    }

    /// Whether any scope binds `name` to a client.
    pub fn may_hold_client(&self, name: &str) -> bool {
        self.client_names.iter().any(|known| known == name)
    }

    /// The client `name`, bound in `scope`, holds (its first construction there).
    pub fn held_by_name(&self, scope: ScopeId, name: &str) -> Option<&HeldClient> {
        self.names
            .get(&scope)?
            .iter()
            .find(|(known, _)| known == name)
            .map(|(_, held)| held)
    }

    /// Every name bound to a client in `scope`, with each construction.
    pub fn held_in_scope(&self, scope: ScopeId) -> &[(String, HeldClient)] {
        self.names
            .get(&scope)
            .map(Vec::as_slice)
            .unwrap_or_default()
    }

    /// The client an expression denotes: a name holding one, or `self.<attr>`.
    pub fn held_by(
        &self,
        expr: &Expr,
        scope: ScopeId,
        model: &SemanticModel,
    ) -> Option<&HeldClient> {
        match expr {
            Expr::Name(name) => {
                if !self.may_hold_client(name.id.as_str()) {
                    return None;
                }
                let bound_in = model.binding_scope(name.id.as_str(), scope)?;
                self.held_by_name(bound_in, name.id.as_str())
            }
            Expr::Attribute(attribute) => {
                let Expr::Name(receiver) = attribute.value.as_ref() else {
                    return None;
                };
                if !self
                    .client_attributes
                    .iter()
                    .any(|attr| attr == attribute.attr.as_str())
                {
                    return None;
                }
                let bound_in = model.binding_scope(receiver.id.as_str(), scope)?;
                let (parameter, class) = self.method_receiver(bound_in)?;
                if parameter != receiver.id.as_str() {
                    return None;
                }
                self.attributes
                    .get(&class)?
                    .iter()
                    .find(|(attr, _)| attr == attribute.attr.as_str())
                    .map(|(_, held)| held)
            }
            _ => None,
        }
    }
}

/// What a function does with a name that holds a client it constructed.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct NameUses {
    /// The client leaves the function's hands: the name is used other than as
    /// `name.attr` (returned, yielded, stored, passed on, `async with name`), or
    /// a nested function or lambda uses it (and may outlive the call).
    pub escapes: bool,
    /// `name.close()`, `name.aclose()`, `name.connection_pool.disconnect()`, ...
    pub closed: bool,
    /// A method of the client is called (`name.get(...)`, `name.pubsub()`), so it
    /// opens connections; a client whose attributes are only read never does.
    pub commanded: bool,
}

impl NameUses {
    /// Opened connections and neither closed them nor let the client go.
    pub fn leaks(self) -> bool {
        self.commanded && !self.escapes && !self.closed
    }
}

/// The uses of client-holding names, collected by the check phase walk.
#[derive(Debug, Default)]
pub struct ClientUses {
    uses: HashMap<(ScopeId, String), NameUses>,
}

impl ClientUses {
    pub fn mark_escape(&mut self, scope: ScopeId, name: &str) {
        self.entry(scope, name).escapes = true;
    }

    pub fn mark_closed(&mut self, scope: ScopeId, name: &str) {
        self.entry(scope, name).closed = true;
    }

    pub fn mark_commanded(&mut self, scope: ScopeId, name: &str) {
        self.entry(scope, name).commanded = true;
    }

    pub fn get(&self, scope: ScopeId, name: &str) -> NameUses {
        self.uses
            .get(&(scope, name.to_string()))
            .copied()
            .unwrap_or_default()
    }

    fn entry(&mut self, scope: ScopeId, name: &str) -> &mut NameUses {
        self.uses.entry((scope, name.to_string())).or_default()
    }
}

/// Calls `f` with each call an assigned value may construct through: the
/// value itself, under `await`, each branch of `a if c else b` and `a or b`,
/// and the coroutine that sync code runs to completion
/// (`loop.run_until_complete(create_redis(...))`, `asyncio.run(...)`), whose
/// result is the value.
fn for_each_construction_candidate<'a>(value: &'a Expr, f: &mut impl FnMut(&'a ExprCall)) {
    match value {
        Expr::Call(call) if runs_a_coroutine(call) => {
            if let Some(coroutine) = call.arguments.args.first() {
                for_each_construction_candidate(coroutine, f);
            }
        }
        Expr::Call(call) => f(call),
        Expr::Await(await_expr) => for_each_construction_candidate(&await_expr.value, f),
        Expr::If(if_expr) => {
            for_each_construction_candidate(&if_expr.body, f);
            for_each_construction_candidate(&if_expr.orelse, f);
        }
        Expr::BoolOp(bool_op) => {
            for value in &bool_op.values {
                for_each_construction_candidate(value, f);
            }
        }
        _ => {}
    }
}

/// `<loop>.run_until_complete(coro)` or `asyncio.run(coro)`.
fn runs_a_coroutine(call: &ExprCall) -> bool {
    let Expr::Attribute(method) = call.func.as_ref() else {
        return false;
    };
    match method.attr.as_str() {
        "run_until_complete" => true,
        "run" => {
            matches!(method.value.as_ref(), Expr::Name(module) if module.id.as_str() == "asyncio")
        }
        _ => false,
    }
}

/// `a.b.c` for a callee written as a dotted name.
fn callee_path(func: &Expr) -> Option<String> {
    let (root, attrs) = attribute_chain(func)?;
    let mut path = root.id.to_string();
    for attr in attrs.iter().rev() {
        path.push('.');
        path.push_str(attr.attr.as_str());
    }
    Some(path)
}

/// One call that constructs a client or pool, as the client rules see it.
#[derive(Debug)]
pub struct Construction<'a> {
    pub call: &'a ExprCall,
    pub constructor: &'static Constructor,
}

impl<'a> Construction<'a> {
    /// The construction `call` is, if any.
    pub fn resolve(
        call: &'a ExprCall,
        table: &'static ConstructorTable,
        clients: &ClientModel,
        model: &SemanticModel,
        scope: ScopeId,
    ) -> Option<Self> {
        if !clients.may_construct(table, &call.func) {
            return None;
        }
        let constructor = model
            .resolve_expr(&call.func, scope)
            .iter()
            .find_map(|qualified| table.lookup(qualified))?;
        Some(Construction { call, constructor })
    }

    /// The redis URL the construction is given, when it is written in the source:
    /// the argument, and its string (a literal, or a name assigned one literal).
    pub fn url_argument<'m>(
        &self,
        model: &'m SemanticModel,
        scope: ScopeId,
    ) -> Option<(&'a Expr, StringValue<'m>)>
    where
        'a: 'm,
    {
        let argument = self.argument(self.constructor.url_parameter()?)?;
        Some((argument, string_value(argument, model, scope)?))
    }

    /// The argument passed for `parameter`, by keyword or by position.
    pub fn argument(&self, parameter: &str) -> Option<&'a Expr> {
        if let Some(keyword) = self.call.arguments.find_keyword(parameter) {
            return Some(&keyword.value);
        }
        let position = self
            .constructor
            .parameters
            .iter()
            .position(|p| p == parameter)?;
        let positional = &self.call.arguments.args;
        // A `*args` before or at the position hides which argument lands there.
        if positional
            .iter()
            .take(position + 1)
            .any(|arg| arg.is_starred_expr())
        {
            return None;
        }
        positional.get(position)
    }

    /// `**kwargs` or `*args`: some arguments cannot be seen.
    pub fn has_unpacked_arguments(&self) -> bool {
        self.call.arguments.keywords.iter().any(|k| k.arg.is_none())
            || self.call.arguments.args.iter().any(Expr::is_starred_expr)
    }

    /// The positional arguments (what a keyword-only constructor refuses).
    pub fn positional_arguments(&self) -> &'a [Expr] {
        &self.call.arguments.args
    }

    /// The callee's range: where a finding about the whole call is placed.
    pub fn callee_range(&self) -> TextRange {
        self.call.func.range()
    }
}

/// A string written in the source, directly or through a name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StringValue<'a> {
    pub text: Cow<'a, str>,
    /// The name the string was assigned to, when the argument is that name.
    pub through_name: Option<&'a str>,
}

/// The string an expression holds: a literal, or a name assigned one literal only.
pub fn string_value<'a>(
    expr: &'a Expr,
    model: &'a SemanticModel,
    scope: ScopeId,
) -> Option<StringValue<'a>> {
    match expr {
        Expr::StringLiteral(literal) => Some(StringValue {
            text: Cow::Borrowed(literal.value.to_str()),
            through_name: None,
        }),
        Expr::Name(name) => model
            .string_literal(name.id.as_str(), scope)
            .map(|text| StringValue {
                text: Cow::Borrowed(text),
                through_name: Some(name.id.as_str()),
            }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::constructors::constructor_table;
    use crate::python::semantic::MODULE_SCOPE;

    fn parse_expr(source: &str) -> Expr {
        *ruff_python_parser::parse_expression(source)
            .unwrap()
            .into_syntax()
            .body
    }

    fn module_name(name: &str) -> impl Fn() -> ClientTarget + '_ {
        move || ClientTarget::Name {
            scope: MODULE_SCOPE,
            name: name.to_string(),
        }
    }

    fn candidates(value: &Expr) -> Vec<&ExprCall> {
        let mut calls = Vec::new();
        for_each_construction_candidate(value, &mut |call| calls.push(call));
        calls
    }

    #[test]
    fn assignments_resolve_after_binding() {
        let table = constructor_table();
        let mut model = SemanticModel::default();
        let mut clients = ClientModel::default();
        let value = parse_expr("await aioredis.create_redis_pool(url)");
        clients.record_assignment(
            table,
            module_name("pool"),
            MODULE_SCOPE,
            &value,
            Origin::Assignment,
        );
        // The import is bound after the assignment was seen: resolution still finds it.
        model.bind_import(MODULE_SCOPE, "aioredis", "aioredis".into());
        model.bind_other(MODULE_SCOPE, "pool");
        clients.resolve(&model, table);
        let held = clients.held_by_name(MODULE_SCOPE, "pool").unwrap();
        assert_eq!(held.constructor.name, "aioredis.create_redis_pool");
        assert!(clients.may_hold_client("pool"));
        assert!(!clients.may_hold_client("other"));
    }

    #[test]
    fn calls_that_are_not_constructors_are_not_recorded() {
        let mut clients = ClientModel::default();
        let value = parse_expr("redis.get_client()");
        clients.record_assignment(
            constructor_table(),
            module_name("c"),
            MODULE_SCOPE,
            &value,
            Origin::Assignment,
        );
        assert!(clients.pending.is_empty());
    }

    #[test]
    fn a_renamed_constructor_is_recorded_once_imported() {
        let table = constructor_table();
        let mut model = SemanticModel::default();
        let mut clients = ClientModel::default();
        let value = parse_expr("AsyncRedis(host='h')");
        let record = |clients: &mut ClientModel| {
            clients.record_assignment(
                table,
                module_name("c"),
                MODULE_SCOPE,
                &value,
                Origin::Assignment,
            )
        };
        record(&mut clients);
        assert!(clients.pending.is_empty());
        model.bind_import(
            MODULE_SCOPE,
            "AsyncRedis",
            "redis.asyncio.client.Redis".into(),
        );
        clients.record_import(table, "AsyncRedis", "redis.asyncio.client.Redis");
        record(&mut clients);
        clients.resolve(&model, table);
        assert!(clients.held_by_name(MODULE_SCOPE, "c").is_some());
    }

    #[test]
    fn both_branches_of_a_conditional_are_candidates() {
        let value = parse_expr("Redis(a) if cond else existing or from_url(b)");
        assert_eq!(candidates(&value).len(), 2);
    }

    #[test]
    fn a_coroutine_run_to_completion_is_a_candidate() {
        let value = parse_expr("self.loop.run_until_complete(aioredis.create_redis(address))");
        let found = candidates(&value);
        assert_eq!(found.len(), 1);
        assert!(
            matches!(found[0].func.as_ref(), Expr::Attribute(a) if a.attr.as_str() == "create_redis")
        );
    }
}
