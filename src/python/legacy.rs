//! Where aioredis 1.x objects flow within one module: which names, `self.<attr>`s,
//! function results and classes hold a 1.x client, pool or transaction.
//!
//! The bind phase records *flows* (`target ← source`) as it walks: assignments
//! (`conn = self._pool`, `tr = conn.multi_exec()`, `r = await get_redis()`),
//! `with await pool as conn`, `return` statements, annotations (`redis:
//! aioredis.Redis`), and class bases (`class Q(aioredis.Redis)`). Once the
//! module is bound, [`LegacyModel::resolve`] decides whether the module's
//! aioredis use is 1.x and runs the flows to a fixed point, so a client
//! assigned in one method is known in every other, and a helper defined below
//! its caller still counts. Like the client model it is flow-insensitive: the
//! first kind a target gets, it holds everywhere in its scope.
//!
//! Recorded only in modules whose text names `aioredis` (the checker's gate),
//! so other modules pay nothing.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use ruff_python_ast::{Expr, Parameters};
use ruff_text_size::{Ranged, TextSize};

use super::semantic::{ScopeId, SemanticModel, attribute_chain};
use crate::api::{ApiMap, is_aioredis};
use crate::constructors::{ConstructorTable, Kind, Library};

mod reach;

/// What an aioredis 1.x object is, as far as its API goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LegacyKind {
    /// The 1.x `Redis` client, a `ContextRedis` connection or a `RedisConnection`.
    Client,
    /// A 1.x `ConnectionsPool` (`create_pool`).
    Pool,
    /// A 1.x `MultiExec` or `Pipeline` (`multi_exec()`, `pipeline()` on a 1.x client).
    Transaction,
    /// The list of 1.x `Channel`s `subscribe()`/`psubscribe()` return.
    Channels,
    /// A 1.x mapping of channel names to `Channel`s (`conn.pubsub_channels`,
    /// `client.channels`): its values are `Channel`s, iterating gives the names.
    ChannelMap,
    /// A 1.x `Channel` (an element of that list, or `aioredis.Channel(...)`).
    Channel,
    /// A 1.x `RedisSentinel` (`create_sentinel`): `master_for`/`slave_for` give clients.
    Sentinel,
    /// What a command queued on a 1.x transaction or pipeline returns: a future
    /// (redis.asyncio's queued command returns the pipeline).
    Future,
    /// The reply of a 1.x command whose shape differs in redis.asyncio (`role()`,
    /// `pubsub_numsub()`: the `[reply_shapes]` table).
    Reply,
    /// Not redis at all: built by a call of another package (`pymemcache.Client(...)`).
    Foreign,
    /// A list, set or dict whose elements (a dict's values) are 1.x objects:
    /// `conns.append(await aioredis.create_redis(...))`, `[pool_a, pool_b]`.
    Collection(Item),
    /// A dict whose keys are 1.x objects (`self.in_use[conn] = loop`).
    Keys(Item),
}

/// What a [`LegacyKind::Collection`] or [`LegacyKind::Keys`] holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Item {
    Client,
    Pool,
    /// Collections of clients (`self.conn_map[loop]` lists).
    Clients,
    /// Collections of pools.
    Pools,
}

impl LegacyKind {
    /// A collection of objects of this kind.
    fn collection(self) -> Option<LegacyKind> {
        Some(LegacyKind::Collection(self.item()?))
    }

    fn item(self) -> Option<Item> {
        match self {
            LegacyKind::Client => Some(Item::Client),
            LegacyKind::Pool => Some(Item::Pool),
            LegacyKind::Collection(Item::Client) => Some(Item::Clients),
            LegacyKind::Collection(Item::Pool) => Some(Item::Pools),
            _ => None,
        }
    }

    /// What `x[k]`, `x.pop()` or unpacking give (a dict's values).
    fn element(self) -> Option<LegacyKind> {
        match self {
            LegacyKind::Channels | LegacyKind::ChannelMap => Some(LegacyKind::Channel),
            // A part of a reply (`for info in await r.client_list()`, `a, b = reply`):
            // which part is recorded with the command ([`LegacyModel::reply_of`]).
            LegacyKind::Reply => Some(LegacyKind::Reply),
            LegacyKind::Collection(item) => Some(item.kind()),
            _ => None,
        }
    }

    /// What `for x in <self>` gives (a dict's keys).
    fn iterated(self) -> Option<LegacyKind> {
        match self {
            LegacyKind::Keys(item) => Some(item.kind()),
            // The channel names (bytes), not the `Channel`s.
            LegacyKind::ChannelMap => None,
            other => other.element(),
        }
    }
}

impl Item {
    fn kind(self) -> LegacyKind {
        match self {
            Item::Client => LegacyKind::Client,
            Item::Pool => LegacyKind::Pool,
            Item::Clients => LegacyKind::Collection(Item::Client),
            Item::Pools => LegacyKind::Collection(Item::Pool),
        }
    }
}

/// What the 1.x factory that built an object said about decoding (`encoding=`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decoding {
    /// No `encoding=` (or `encoding=None`): replies are bytes.
    Bytes,
    /// `encoding="utf-8"`: a string literal.
    Literal(String),
    /// `encoding=<expression>`: decodes, with an encoding only known at run time.
    Expression,
}

/// Facts of a call that a flow keeps: its `encoding=` keyword, when it has one.
#[derive(Debug, Clone, Default)]
struct CallFacts {
    encoding: Option<Decoding>,
    /// The call is awaited (or run to completion) where it is assigned.
    awaited: bool,
    /// How many arguments the call passes, positional and keyword (`None`: a
    /// starred one or `**kwargs`).
    arguments: Option<usize>,
}

/// A method called on a receiver ([`LegacyModel::record_queued`]).
#[derive(Debug)]
enum Queued {
    /// A command whose reply has a 1.x shape (`[reply_shapes]`), as
    /// [`reply_name`] names it (`xpending(2)`).
    Command(String),
    /// Any other command: it holds its position.
    Other,
    /// `execute()`: the queue starts again.
    Execute,
}

/// How a name is bound, for [`LegacyModel::reply_of`].
#[derive(Debug, Clone, PartialEq, Eq)]
enum Bound {
    /// `x = [await] <receiver>.<method>(...)`: the method, and the receiver as
    /// written (empty when it is no chain of names).
    Call(String, Vec<String>),
    /// `x = f(...)`, `f` a name.
    FunctionCall(String),
    /// `x = y`, `x = a or b`: whatever the source holds.
    Copy,
    /// An element: `for x in ...`, `a, b = ...`.
    Part,
    /// Anything else (`x = 5`, `x = [..]`).
    Other,
}

/// A place that may hold a 1.x object.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum LegacyTarget {
    /// A name bound in a scope.
    Name(ScopeId, String),
    /// `self.<attr>` in the methods of a class (a property's name too).
    Attribute(ScopeId, String),
    /// What calling the function `name`, bound in the scope (a class for a
    /// method), returns.
    Returns(ScopeId, String),
    /// A class whose instances are 1.x clients (a subclass of 1.x `Redis`).
    Class(ScopeId),
}

/// Where a flow's value comes from; chains are written names (`self._pool`).
#[derive(Debug, Clone)]
enum Source {
    /// `x = chain`
    Value(Vec<String>),
    /// `x = chain(...)` (or awaited)
    Call(Vec<String>, CallFacts),
    /// `with await chain as x`
    WithAwait(Vec<String>),
    /// `async with chain(...) as x`
    AsyncWithCall(Vec<String>),
    /// An annotation or base class: the dotted names written in it.
    Types(Vec<String>),
    /// An element of what the inner source gives (`x[0]`, `a, = x`).
    Element(Box<Source>),
    /// What iterating the inner source gives (`for x in <source>`).
    Iterated(Box<Source>),
    /// A collection holding what the inner source gives (`[x]`, `c.append(x)`).
    Collect(Box<Source>),
    /// A dict whose keys are what the inner source gives (`{x: v}`, `c[x] = v`).
    KeyOf(Box<Source>),
    /// The element at a position of what the inner source gives (`a, b = f()`).
    Nth(usize, Box<Source>),
    /// `self.<name>` (or what `self.<name>()` returns, `true`) of an instance of the class.
    Member(ScopeId, String, bool),
}

#[derive(Debug)]
struct Flow {
    target: LegacyTarget,
    /// Where the source is evaluated.
    scope: ScopeId,
    source: Source,
}

/// Where an argument lands in the callee's parameters.
#[derive(Debug)]
enum Slot {
    Position(usize),
    Keyword(String),
}

/// A call of a function (`f(...)`) or method (`self.m(...)`) of the module,
/// with the arguments that may carry a 1.x object.
#[derive(Debug)]
struct PendingCall {
    callee: Vec<String>,
    scope: ScopeId,
    arguments: Vec<(Slot, Source)>,
}

/// A function or method of the module: its scope and parameter names.
#[derive(Debug)]
struct FunctionDef {
    scope: ScopeId,
    positional: Vec<String>,
    keyword_only: Vec<String>,
    /// A method (its first parameter is the receiver, not an argument).
    is_method: bool,
    /// Its decorators written as plain names, looked up in `binding`.
    decorators: Vec<String>,
    binding: ScopeId,
}

#[derive(Debug, Default)]
pub struct LegacyModel {
    flows: Vec<Flow>,
    kinds: HashMap<LegacyTarget, LegacyKind>,
    /// Every name and attribute name some target holds: most loads are of others.
    names: HashSet<String>,
    /// Per method scope: its receiver parameter and class scope.
    receivers: HashMap<ScopeId, (String, ScopeId)>,
    /// An import of a `[legacy]` name (`from aioredis import create_pool`).
    imports_legacy: bool,
    /// Attribute chains (scope, parts) that may name 1.x API, resolved once bound.
    legacy_chains: Vec<(ScopeId, Vec<String>)>,
    is_1x: bool,
    /// The receiver names (`self`) of the methods of 1.x `Redis` subclasses.
    client_receivers: HashSet<String>,
    /// The names of the methods the module's own classes define: a call of one
    /// on an unknown receiver may be of the project's class, not of aioredis.
    own_methods: HashSet<String>,
    /// The module's classes by (the scope binding the name, name).
    classes: HashMap<(ScopeId, String), ScopeId>,
    /// Per class, its bases written as plain names (enclosing scope, name).
    local_bases: HashMap<ScopeId, Vec<(ScopeId, String)>>,
    /// Per class, its ancestors defined in this module (bases, their bases, ...).
    ancestors: HashMap<ScopeId, Vec<ScopeId>>,
    /// The module's functions by (binding scope, name); a class scope for methods.
    functions: HashMap<(ScopeId, String), FunctionDef>,
    calls: Vec<PendingCall>,
    /// Names imported from the project's own modules: (scope, local name) →
    /// the absolute name (`app.connections.create_pool`).
    project_names: HashMap<(ScopeId, String), String>,
    /// Where a target's 1.x object comes from, when another module made it.
    origins: HashMap<LegacyTarget, Origin>,
    /// The classes of other modules this module's classes name as bases.
    next_external_class: ScopeId,
    /// The targets holding a 1.x `RedisConnection` (`create_connection`, `with await
    /// pool as conn`, `pool.acquire()`), not a `Redis` client.
    connections: HashSet<LegacyTarget>,
    /// Per `Future` target: the transaction or pipeline it was queued on, as written.
    queued_on: HashMap<LegacyTarget, String>,
    /// Per `Future` target that a 1.x client's, connection's or pool's `execute()`
    /// returned (sent when called; `[futures] sent_by`): the call, as written
    /// (`conn.execute`).
    sent_on: HashMap<LegacyTarget, String>,
    /// Per `Reply` target: the command whose reply it holds.
    replies: HashMap<LegacyTarget, String>,
    /// The methods called on receivers, in source order (what a 1.x pipeline's
    /// `execute()` returns at each position): (scope, receiver, [`Queued`]).
    queue_log: Vec<(ScopeId, Vec<String>, Queued)>,
    /// `t1, ok, t2 = await tr.execute()`: per name, the receiver and the command
    /// queued on it at that name's position since its last `execute()`.
    queued_replies: HashMap<LegacyTarget, (Vec<String>, String)>,
    /// Per name, where it is bound and by what, in source order: a reply is
    /// judged where the name's latest binding before the use gave it
    /// ([`Self::reply_of`]), so `res = await r.time()` then `res = await r.incr(k)`
    /// is not `time()`'s reply after the second.
    bindings: HashMap<LegacyTarget, Vec<(TextSize, Bound)>>,
    /// Per client, pool or sentinel built by a 1.x factory: what it decodes.
    decoding: HashMap<LegacyTarget, Decoding>,
    /// What the module's own aioredis use says about its version (see [`Series`]).
    series: Series,
    /// Stores into collections (`conns.append(conn)`): (scope, container, source).
    stores: Vec<(ScopeId, Vec<String>, Source)>,
    /// `name = await <chain>` (no call): (binding scope, name) → the chain.
    awaited: HashMap<(ScopeId, String), Vec<String>>,
    /// A sync `with <name> [as target]`: (scope, name, target).
    with_names: Vec<(ScopeId, String, Option<LegacyTarget>)>,
    /// The `awaited` names a sync `with` uses: `with await pool` split in two.
    split_withs: HashSet<(ScopeId, String)>,
    /// Evidence of aioredis 2.x, gathered while binding (see [`Series::Modern`]).
    modern: ModernEvidence,
    /// Project modules bound whole (`import app.db`, `import app.db as db`,
    /// `from app import db`): (scope, the local dotted name, the module).
    project_modules: Vec<(ScopeId, String, String)>,
    /// Some target is named by a dotted chain (`db.pool`, `app.db.create_pool`).
    dotted: bool,
    /// Star imports of project modules (`from .bases import *`), absolute.
    project_stars: Vec<String>,
    /// The names a star import of a project module binds.
    star_names: HashSet<String>,
    /// Per class (of this module, or external), its member flows (`reach.rs`).
    member_flows: HashMap<ScopeId, Vec<crate::python::index::MemberFlow>>,
    /// The module's pytest fixtures: name → the fixture function's scope.
    fixtures: HashMap<String, ScopeId>,
    /// Names bound to a 1.x factory by assignment (`make = aioredis.create_pool`,
    /// `factory = request.param` under `@pytest.fixture(params=[...])`): (binding
    /// scope, name) → the factories' qualified names.
    factory_aliases: HashMap<(ScopeId, String), Vec<String>>,
    /// Fixtures whose value is a function they define: name → (its scope, its name).
    fixture_factories: HashMap<String, (ScopeId, String)>,
    /// A test's parameter holds a 1.x fixture of a `conftest.py`.
    project_fixtures_used: bool,
    /// The parameters that do: (parameter name, the conftest.py's path
    /// relative to the project root).
    fixture_uses: Vec<(String, String)>,
}

/// Which aioredis a module's own use of it is written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Series {
    /// It does not import aioredis.
    #[default]
    None,
    /// It uses a name only aioredis 1.x has (or a 1.x object of another module).
    Legacy,
    /// It uses a name only aioredis 2.x has (`[modern]`: `aioredis.from_url`,
    /// `aioredis.exceptions`, `aioredis.Redis(host=...)`).
    Modern,
    /// It imports aioredis, and nothing it uses tells which: 1.x code when the
    /// project is (its manifests require aioredis < 2, or its other modules
    /// use 1.x-only API), since one aioredis is installed per environment.
    Silent,
}

/// What the bind phase saw of aioredis 2.x.
#[derive(Debug, Default)]
struct ModernEvidence {
    imports_aioredis: bool,
    /// An import of a `[modern]` name.
    imported: bool,
    /// Attribute chains that may name a `[modern]` name.
    chains: Vec<(ScopeId, Vec<String>)>,
    /// Calls (callee chain) with a keyword 1.x's constructor does not take.
    calls: Vec<(ScopeId, Vec<String>, Vec<String>)>,
}

/// Where a 1.x object comes from in another module of the project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// The file, as reports show it, relative to the project root, absolute.
    pub display: String,
    pub relative: String,
    pub abs_path: String,
    pub line: u32,
    pub column: u32,
    /// The absolute name imported (`app.connections.create_pool`).
    pub name: String,
}

impl LegacyModel {
    /// Whether the module's aioredis use is 1.x: it uses a name only aioredis
    /// 1.x has (a `[legacy]` entry: `create_redis_pool`, `ConnectionsPool`,
    /// `aioredis.errors`, ...), by import or by reference.
    pub fn is_1x(&self) -> bool {
        self.is_1x
    }

    /// No target holds a 1.x object.
    pub fn is_empty(&self) -> bool {
        self.kinds.is_empty()
    }

    pub fn record_method(&mut self, scope: ScopeId, receiver: &str, class: ScopeId) {
        self.receivers.insert(scope, (receiver.to_string(), class));
    }

    /// Bind phase: a class body defines a method `name`.
    pub fn record_own_method(&mut self, name: &str) {
        if !self.own_methods.contains(name) {
            self.own_methods.insert(name.to_string());
        }
    }

    /// Whether a class of this module defines a method `name`.
    pub fn defines_method(&self, name: &str) -> bool {
        self.own_methods.contains(name)
    }

    /// Whether the method whose scope is `scope` belongs to a subclass of the
    /// 1.x `Redis` (its instances are 1.x clients).
    pub fn in_client_subclass(&self, scope: ScopeId) -> bool {
        self.receivers
            .get(&scope)
            .is_some_and(|(_, class)| self.is_client_class(*class))
    }

    /// The receiver parameter and class of a method scope.
    pub fn method_receiver(&self, scope: ScopeId) -> Option<(&str, ScopeId)> {
        self.receivers
            .get(&scope)
            .map(|(name, class)| (name.as_str(), *class))
    }

    /// Bind phase: `bound` in `scope` is the project's own `qualified` (absolute).
    pub fn record_project_import(&mut self, scope: ScopeId, bound: &str, qualified: String) {
        self.project_names
            .insert((scope, bound.to_string()), qualified);
    }

    /// The absolute project name `name`, bound in `scope`, was imported as.
    pub fn project_name(&self, scope: ScopeId, name: &str) -> Option<&str> {
        self.project_names
            .get(&(scope, name.to_string()))
            .map(String::as_str)
    }

    /// Whether the module imports anything from the project's own modules.
    pub fn has_project_imports(&self) -> bool {
        !self.project_names.is_empty()
    }

    /// The project names the module imports: (scope, local name, absolute name).
    pub fn project_imports(&self) -> impl Iterator<Item = (ScopeId, &str, &str)> {
        self.project_names
            .iter()
            .map(|((scope, name), qualified)| (*scope, name.as_str(), qualified.as_str()))
    }

    /// Where the 1.x object `expr` holds comes from, when another module made it.
    pub fn origin_of(&self, expr: &Expr, scope: ScopeId, model: &SemanticModel) -> Option<&Origin> {
        if self.origins.is_empty() {
            return None;
        }
        let parts = chain_parts(expr)?;
        let target = self.target_of_parts(&parts, scope, model)?;
        self.origins.get(&target)
    }

    /// The target a written chain (`conn`, `self._pool`) reads.
    fn target_of_parts(
        &self,
        parts: &[String],
        scope: ScopeId,
        model: &SemanticModel,
    ) -> Option<LegacyTarget> {
        if let Some(target) = self.dotted_target(parts, scope, model, false) {
            return Some(target);
        }
        match parts {
            [name] => {
                let bound = self.bound_scope(model, name, scope)?;
                Some(LegacyTarget::Name(bound, name.clone()))
            }
            [receiver, attr] => {
                let class = self.receiver_class(receiver, scope, model)?;
                self.lineage(class).find_map(|c| {
                    let target = LegacyTarget::Attribute(c, attr.clone());
                    self.kinds.contains_key(&target).then_some(target)
                })
            }
            _ => None,
        }
    }

    /// Where the object a flow's source gives comes from (one of the targets it reads).
    fn origin_of_source(
        &self,
        source: &Source,
        scope: ScopeId,
        model: &SemanticModel,
    ) -> Option<Origin> {
        let parts = match source {
            Source::Value(parts) | Source::WithAwait(parts) => parts.as_slice(),
            Source::Call(parts, _) | Source::AsyncWithCall(parts)
                if let Some(target) = self.dotted_target(parts, scope, model, true) =>
            {
                return self.origins.get(&target).cloned();
            }
            Source::Call(parts, _) | Source::AsyncWithCall(parts) => match parts.as_slice() {
                [name] => {
                    let bound = model.binding_scope(name, scope)?;
                    return self
                        .origins
                        .get(&LegacyTarget::Returns(bound, name.clone()))
                        .cloned();
                }
                [receiver @ .., method] => {
                    if let [r] = receiver
                        && let Some(class) = self.receiver_class(r, scope, model)
                        && let Some(origin) = self.lineage(class).find_map(|c| {
                            self.origins.get(&LegacyTarget::Returns(c, method.clone()))
                        })
                    {
                        return Some(origin.clone());
                    }
                    receiver
                }
                [] => return None,
            },
            Source::Element(inner)
            | Source::Iterated(inner)
            | Source::Collect(inner)
            | Source::KeyOf(inner)
            | Source::Nth(_, inner) => return self.origin_of_source(inner, scope, model),
            Source::Member(class, name, returns) => {
                return self.lineage(*class).find_map(|c| {
                    let target = if *returns {
                        LegacyTarget::Returns(c, name.clone())
                    } else {
                        LegacyTarget::Attribute(c, name.clone())
                    };
                    self.origins.get(&target).cloned()
                });
            }
            Source::Types(_) => return None,
        };
        let target = self.target_of_parts(parts, scope, model)?;
        self.origins.get(&target).cloned()
    }

    /// Pass 1: what the module offers other modules — its module-level 1.x
    /// objects, the functions returning one, and its classes (binding scope is
    /// the module).
    pub fn module_offers(
        &self,
    ) -> (
        Vec<(String, crate::python::index::Exported)>,
        HashSet<String>,
    ) {
        use crate::python::index::{ClassExport, Exported};
        let module = crate::python::semantic::MODULE_SCOPE;
        let mut offers = Vec::new();
        for (target, kind) in &self.kinds {
            if *kind == LegacyKind::Foreign {
                continue;
            }
            match target {
                LegacyTarget::Name(scope, name) if *scope == module && !name.contains('.') => {
                    offers.push((name.clone(), Exported::Object(*kind)));
                }
                LegacyTarget::Returns(scope, name)
                    if *scope == module && !name.contains('.') && !name.contains('#') =>
                {
                    offers.push((name.clone(), Exported::Returns(*kind)));
                }
                _ => {}
            }
        }
        let mut classes = HashSet::default();
        for ((binding, name), class) in &self.classes {
            if *binding != module || *class > ScopeId::MAX / 2 {
                continue;
            }
            let mut export = ClassExport {
                client: self.is_client_class(*class),
                flows: self.lineage_member_flows(*class),
                ..ClassExport::default()
            };
            for c in self.lineage(*class) {
                for (target, kind) in &self.kinds {
                    if *kind == LegacyKind::Foreign {
                        continue;
                    }
                    match target {
                        LegacyTarget::Attribute(owner, attr)
                            if *owner == c && !export.attributes.iter().any(|(a, _)| a == attr) =>
                        {
                            export.attributes.push((attr.clone(), *kind));
                        }
                        LegacyTarget::Returns(owner, method)
                            if *owner == c && !export.returns.iter().any(|(m, _)| m == method) =>
                        {
                            export.returns.push((method.clone(), *kind));
                        }
                        _ => {}
                    }
                }
            }
            export.attributes.sort_by(|a, b| a.0.cmp(&b.0));
            export.returns.sort_by(|a, b| a.0.cmp(&b.0));
            classes.insert(name.clone());
            if export.holds_legacy() || !export.flows.is_empty() {
                offers.push((name.clone(), Exported::Class(export)));
            }
        }
        offers.sort_by(|a, b| a.0.cmp(&b.0));
        (offers, classes)
    }

    /// Bind phase: an import of `qualified` (absolute).
    pub fn record_import(&mut self, api: &ApiMap, qualified: &str) {
        self.record_modern_import(api, qualified);
        if !self.imports_legacy && is_aioredis(qualified) && api.legacy(qualified).is_some() {
            self.imports_legacy = true;
        }
    }

    /// What the module's own aioredis use says about its version (before the
    /// project's context applies).
    pub fn series(&self) -> Series {
        self.series
    }

    /// The module is 1.x code only because its project is ([`Series::Silent`]).
    pub fn is_1x_by_project(&self) -> bool {
        self.is_1x && self.series == Series::Silent
    }

    /// Bind phase: an import of `qualified` (absolute), for [`Series`].
    fn record_modern_import(&mut self, api: &ApiMap, qualified: &str) {
        if is_aioredis(qualified) {
            self.modern.imports_aioredis = true;
            self.modern.imported |= api.is_modern(qualified);
        }
    }

    /// Bind phase: an attribute chain that may name a 2.x-only name.
    pub fn record_modern_chain(&mut self, api: &ApiMap, scope: ScopeId, expr: &Expr) {
        if self.modern.imported {
            return;
        }
        let Some((_, attrs)) = attribute_chain(expr) else {
            return;
        };
        if attrs
            .iter()
            .any(|attr| api.may_be_modern_part(attr.attr.as_str()))
            && let Some(parts) = chain_parts(expr)
        {
            self.modern.chains.push((scope, parts));
        }
    }

    /// Bind phase: a call that may be 2.x's `aioredis.Redis(host=...)`.
    pub fn record_modern_call(
        &mut self,
        api: &ApiMap,
        scope: ScopeId,
        call: &ruff_python_ast::ExprCall,
    ) {
        if self.modern.imported || call.arguments.keywords.is_empty() {
            return;
        }
        let Some(parts) = chain_parts(&call.func) else {
            return;
        };
        if !parts
            .last()
            .is_some_and(|last| api.may_be_modern_part(last))
        {
            return;
        }
        let keywords: Vec<String> = call
            .arguments
            .keywords
            .iter()
            .filter_map(|k| k.arg.as_ref().map(|a| a.to_string()))
            .collect();
        if !keywords.is_empty() {
            self.modern.calls.push((scope, parts, keywords));
        }
    }

    /// Decides [`Series`] from the module's own use, then lets the project
    /// decide a silent module: 1.x when the project's aioredis is.
    fn settle_series(
        &mut self,
        model: &SemanticModel,
        api: &ApiMap,
        project: Option<&crate::python::index::ModuleContext<'_>>,
    ) {
        let evidence = std::mem::take(&mut self.modern);
        let modern = evidence.imported
            || evidence.chains.iter().any(|(scope, parts)| {
                resolve_parts(model, *scope, parts)
                    .iter()
                    .any(|name| is_aioredis(name) && api.is_modern(name))
            })
            || evidence.calls.iter().any(|(scope, parts, keywords)| {
                resolve_parts(model, *scope, parts).iter().any(|name| {
                    keywords
                        .iter()
                        .any(|keyword| api.is_modern_constructor_keyword(name, keyword))
                })
            });
        self.series = if self.is_1x {
            Series::Legacy
        } else if modern {
            Series::Modern
        } else if evidence.imports_aioredis {
            Series::Silent
        } else {
            Series::None
        };
        if self.series == Series::Silent && project.is_some_and(|p| p.project_is_1x()) {
            self.is_1x = true;
        }
    }

    /// Bind phase: an attribute chain that may name 1.x API.
    pub fn record_chain(&mut self, api: &ApiMap, scope: ScopeId, expr: &Expr) {
        if self.imports_legacy {
            return;
        }
        let Some((_, attrs)) = attribute_chain(expr) else {
            return;
        };
        if !attrs
            .iter()
            .any(|attr| api.may_be_legacy_part(attr.attr.as_str()))
        {
            return;
        }
        if let Some(parts) = chain_parts(expr) {
            self.legacy_chains.push((scope, parts));
        }
    }

    /// Bind phase: `target = value`.
    pub fn record_value(&mut self, target: LegacyTarget, scope: ScopeId, value: &Expr) {
        if matches!(target, LegacyTarget::Name(..)) {
            let awaited = match value {
                Expr::Await(awaited) => awaited.value.as_ref(),
                other => other,
            };
            let bound = match awaited {
                Expr::Call(call) => match call.func.as_ref() {
                    Expr::Attribute(method) => {
                        // The receiver matters only for a command whose reply a
                        // name may hold ([`LegacyModel::reply_of`]).
                        let has_shape = crate::api::api_map()
                            .reply_shape(method.attr.as_str())
                            .is_some();
                        let receiver = has_shape
                            .then(|| chain_parts(&method.value))
                            .flatten()
                            .unwrap_or_default();
                        Bound::Call(method.attr.to_string(), receiver)
                    }
                    Expr::Name(function) => Bound::FunctionCall(function.id.to_string()),
                    _ => Bound::Copy,
                },
                Expr::Name(_)
                | Expr::Attribute(_)
                | Expr::Subscript(_)
                | Expr::If(_)
                | Expr::BoolOp(_) => Bound::Copy,
                _ => Bound::Other,
            };
            self.bind(&target, value.start(), bound);
        }
        self.record_sources(target, scope, value, |source| source);
    }

    fn bind(&mut self, target: &LegacyTarget, at: TextSize, bound: Bound) {
        if matches!(target, LegacyTarget::Name(..)) {
            self.bindings
                .entry(target.clone())
                .or_default()
                .push((at, bound));
        }
    }

    /// A flow into `target` from each source `value` names, as `wrap` makes it.
    fn record_sources(
        &mut self,
        target: LegacyTarget,
        scope: ScopeId,
        value: &Expr,
        wrap: fn(Source) -> Source,
    ) {
        for_each_source(value, &mut |source| {
            self.flows.push(Flow {
                target: target.clone(),
                scope,
                source: wrap(source),
            })
        });
    }

    fn push_flow(&mut self, target: LegacyTarget, scope: ScopeId, source: Source) {
        self.flows.push(Flow {
            target,
            scope,
            source,
        });
    }

    /// Bind phase: `for target in iterable`.
    pub fn record_iteration(&mut self, target: LegacyTarget, scope: ScopeId, iterable: &Expr) {
        self.bind(&target, iterable.start(), Bound::Part);
        self.record_sources(target, scope, iterable, |source| {
            Source::Iterated(Box::new(source))
        });
    }

    /// Bind phase: `container.append(value)` (`add`, `appendleft`, the value of
    /// `insert`), or `container[key] = value` (`key` given). The container is a
    /// name or `self.<attr>` read here: which scope binds the name is known once
    /// the module is bound ([`Self::resolve_stores`]).
    pub fn record_stored(
        &mut self,
        container: &Expr,
        scope: ScopeId,
        key: Option<&Expr>,
        value: &Expr,
    ) {
        let Some(parts) = chain_parts(container).filter(|parts| parts.len() <= 2) else {
            return;
        };
        let mut sources = Vec::new();
        for_each_source(value, &mut |source| {
            sources.push(Source::Collect(Box::new(source)))
        });
        if let Some(key) = key {
            for_each_source(key, &mut |source| {
                sources.push(Source::KeyOf(Box::new(source)))
            });
        }
        for source in sources {
            self.stores.push((scope, parts.clone(), source));
        }
    }

    /// The recorded stores into collections, as flows into the containers.
    fn resolve_stores(&mut self, model: &SemanticModel) {
        for (scope, parts, source) in std::mem::take(&mut self.stores) {
            let target = match parts.as_slice() {
                [name] => model
                    .binding_scope(name, scope)
                    .map(|bound| LegacyTarget::Name(bound, name.clone())),
                [receiver, attr] => self
                    .receiver_class(receiver, scope, model)
                    .map(|class| LegacyTarget::Attribute(class, attr.clone())),
                _ => None,
            };
            if let Some(target) = target {
                self.push_flow(target, scope, source);
            }
        }
    }

    /// Bind phase: `(a, b) = value`, the target at `index`: the value's
    /// element there (`a, b = x, y`; `a, b = f()` where `f` returns a tuple).
    pub fn record_unpacked_at(
        &mut self,
        target: LegacyTarget,
        scope: ScopeId,
        value: &Expr,
        index: usize,
    ) {
        if let Expr::Tuple(ruff_python_ast::ExprTuple { elts, .. })
        | Expr::List(ruff_python_ast::ExprList { elts, .. }) = value
        {
            if !elts.iter().any(Expr::is_starred_expr)
                && let Some(element) = elts.get(index)
            {
                self.record_value(target, scope, element);
            }
            return;
        }
        if let Some(queued) = self.queued_at(scope, value, index) {
            self.queued_replies.insert(target.clone(), queued);
        }
        for_each_source(value, &mut |source| {
            if matches!(source, Source::Call(_, _)) {
                self.flows.push(Flow {
                    target: target.clone(),
                    scope,
                    source: Source::Nth(index, Box::new(source)),
                })
            }
        });
    }

    /// Bind phase: a call on a receiver (`tr.time()`, `tr.execute()`), in source order.
    pub fn record_queued(
        &mut self,
        api: &ApiMap,
        scope: ScopeId,
        call: &ruff_python_ast::ExprCall,
    ) {
        let Expr::Attribute(method) = call.func.as_ref() else {
            return;
        };
        let Some(receiver) = chain_parts(&method.value) else {
            return;
        };
        let name = method.attr.as_str();
        let queued = if name == "execute" {
            Queued::Execute
        } else if api.reply_shape(name).is_none() {
            // It takes its place in the queue; only a reply with a shape is read.
            Queued::Other
        } else {
            Queued::Command(reply_name(name, argument_count(call)))
        };
        self.queue_log.push((scope, receiver, queued));
    }

    /// `value` is `[await] <receiver>.execute()`: the receiver and the command
    /// queued on it at `index` since its last `execute()` (the call itself is
    /// recorded after its assignment's targets).
    fn queued_at(
        &self,
        scope: ScopeId,
        value: &Expr,
        index: usize,
    ) -> Option<(Vec<String>, String)> {
        let value = match value {
            Expr::Await(awaited) => awaited.value.as_ref(),
            other => other,
        };
        let Expr::Call(call) = value else {
            return None;
        };
        let parts = chain_parts(&call.func)?;
        let (method, receiver) = parts.split_last()?;
        if method != "execute" || receiver.is_empty() {
            return None;
        }
        // Back from here (this `execute()` is logged after its targets) to the
        // receiver's previous `execute()`: what it queued since, latest first.
        let mut queued: Vec<Option<&String>> = Vec::new();
        for (at, on, command) in self.queue_log.iter().rev() {
            if *at != scope || on.as_slice() != receiver {
                continue;
            }
            match command {
                Queued::Command(command) => queued.push(Some(command)),
                Queued::Other => queued.push(None),
                Queued::Execute => break,
            }
        }
        let position = queued.len().checked_sub(index + 1)?;
        let command = queued[position]?;
        Some((receiver.to_vec(), command.clone()))
    }

    /// Bind phase: `return a, b` in the function whose result is `target`:
    /// what each position holds (read by `x, y = f()`).
    pub fn record_returned_tuple(&mut self, target: &LegacyTarget, scope: ScopeId, value: &Expr) {
        let (LegacyTarget::Returns(owner, name), Expr::Tuple(tuple)) = (target, value) else {
            return;
        };
        if tuple.elts.iter().any(Expr::is_starred_expr) {
            return;
        }
        for (index, element) in tuple.elts.iter().enumerate() {
            let position = LegacyTarget::Returns(*owner, positional_name(name, index));
            self.record_value(position, scope, element);
        }
    }

    /// The target holding what position `index` of a call's tuple result holds.
    fn positional_return(
        &self,
        parts: &[String],
        index: usize,
        scope: ScopeId,
        model: &SemanticModel,
    ) -> Option<LegacyTarget> {
        match parts {
            [name] => {
                let bound = model.binding_scope(name, scope)?;
                Some(LegacyTarget::Returns(bound, positional_name(name, index)))
            }
            [receiver, method] => {
                let class = self.receiver_class(receiver, scope, model)?;
                let name = positional_name(method, index);
                let found = self.lineage(class).find(|c| {
                    self.kinds
                        .contains_key(&LegacyTarget::Returns(*c, name.clone()))
                        || self.functions.contains_key(&(*c, method.clone()))
                });
                Some(LegacyTarget::Returns(found.unwrap_or(class), name))
            }
            _ => None,
        }
    }

    /// Aliasing: a collection a store fills (`conns.append(conn)`) is the same
    /// object as the place it was read from (`conns = self.conns`, `conns =
    /// self.conn_map[loop]`, `conns, loop = self._ensure_loop()` returning
    /// `self.conn_map[loop], loop`): those places hold the collection too.
    /// Returns whether a place got a kind.
    fn alias_back(&mut self, flows: &[Flow], model: &SemanticModel) -> bool {
        let mut found = Vec::new();
        for flow in flows {
            let Some(kind @ LegacyKind::Collection(_)) = self.kinds.get(&flow.target).copied()
            else {
                continue;
            };
            let mut source = &flow.source;
            let mut kind = Some(kind);
            while let Some(current) = kind {
                match source {
                    Source::Element(inner) => {
                        kind = current.collection();
                        source = inner;
                    }
                    Source::Value(parts) => {
                        let place = match parts.as_slice() {
                            [name] => model
                                .binding_scope(name, flow.scope)
                                .map(|bound| LegacyTarget::Name(bound, name.clone())),
                            [receiver, attr] => self
                                .receiver_class(receiver, flow.scope, model)
                                .map(|class| LegacyTarget::Attribute(class, attr.clone())),
                            _ => None,
                        };
                        found.extend(place.map(|place| (place, current)));
                        break;
                    }
                    Source::Nth(index, inner) => {
                        if let Source::Call(parts, _) = inner.as_ref() {
                            found.extend(
                                self.positional_return(parts, *index, flow.scope, model)
                                    .map(|place| (place, current)),
                            );
                        }
                        break;
                    }
                    _ => break,
                }
            }
        }
        let mut changed = false;
        for (place, kind) in found {
            if self.kinds.contains_key(&place) {
                continue;
            }
            if let LegacyTarget::Name(_, name)
            | LegacyTarget::Attribute(_, name)
            | LegacyTarget::Returns(_, name) = &place
            {
                self.names.insert(name.clone());
            }
            self.kinds.insert(place, kind);
            changed = true;
        }
        changed
    }

    /// Bind phase: `(a, b) = value`: each target is an element of the value.
    pub fn record_unpacked(&mut self, target: LegacyTarget, scope: ScopeId, value: &Expr) {
        self.bind(&target, value.start(), Bound::Part);
        self.record_sources(target, scope, value, |source| {
            Source::Element(Box::new(source))
        });
    }

    /// Bind phase: `with await <awaited> as target` (`async_with` false) or
    /// `async with <value> as target`.
    pub fn record_with(
        &mut self,
        target: LegacyTarget,
        scope: ScopeId,
        value: &Expr,
        async_with: bool,
    ) {
        let source = match (value, async_with) {
            (Expr::Await(awaited), false) => chain_parts(&awaited.value).map(Source::WithAwait),
            (Expr::Call(call), true) => chain_parts(&call.func).map(Source::AsyncWithCall),
            _ => None,
        };
        if let Some(source) = source {
            self.push_flow(target, scope, source);
        }
    }

    /// Bind phase: `target = await <chain>` (not a call): one half of `with
    /// await pool as conn` split over two statements (aiocache 0.11).
    pub fn record_awaited(&mut self, target: &LegacyTarget, value: &Expr) {
        if let (LegacyTarget::Name(scope, name), Expr::Await(awaited)) = (target, value)
            && matches!(awaited.value.as_ref(), Expr::Name(_) | Expr::Attribute(_))
            && let Some(parts) = chain_parts(&awaited.value)
        {
            self.awaited.insert((*scope, name.clone()), parts);
        }
    }

    /// Bind phase: a sync `with <name> [as target]`: the other half.
    pub fn record_with_name(
        &mut self,
        scope: ScopeId,
        context: &Expr,
        target: Option<LegacyTarget>,
    ) {
        if let Expr::Name(name) = context {
            self.with_names.push((scope, name.id.to_string(), target));
        }
    }

    /// The `with` halves whose name holds `await <chain>`: their targets get
    /// what `with await <chain> as target` gives.
    fn resolve_split_withs(&mut self, model: &SemanticModel) {
        for (scope, name, target) in std::mem::take(&mut self.with_names) {
            let Some(bound) = model.binding_scope(&name, scope) else {
                continue;
            };
            let key = (bound, name);
            let Some(parts) = self.awaited.get(&key) else {
                continue;
            };
            if let Some(target) = target {
                self.flows.push(Flow {
                    target,
                    scope: bound,
                    source: Source::WithAwait(parts.clone()),
                });
            }
            self.split_withs.insert(key);
        }
    }

    /// Check phase: when `name` holds `await <chain>` and a sync `with` uses
    /// it (`with await pool as conn` split in two): the chain, and the 1.x
    /// kind it holds.
    pub fn split_with_await(
        &self,
        name: &str,
        scope: ScopeId,
        model: &SemanticModel,
    ) -> Option<(&[String], Option<LegacyKind>)> {
        if self.split_withs.is_empty() {
            return None;
        }
        let bound = model.binding_scope(name, scope)?;
        let key = (bound, name.to_string());
        if !self.split_withs.contains(&key) {
            return None;
        }
        let parts = self.awaited.get(&key)?;
        Some((parts.as_slice(), self.kind_of_parts(parts, bound, model)))
    }

    /// Bind phase: `target: annotation` (a parameter, an attribute, a return).
    pub fn record_annotation(&mut self, target: LegacyTarget, scope: ScopeId, annotation: &Expr) {
        let mut names = Vec::new();
        annotation_names(annotation, &mut names, 0);
        // A 1.x name written in a string annotation makes the module 1.x too
        // (the bind phase does not walk strings; code annotations are chains it sees).
        if !self.imports_legacy {
            let api = crate::api::api_map();
            for name in &names {
                let parts: Vec<String> = name.split('.').map(str::to_string).collect();
                if parts[1..].iter().any(|part| api.may_be_legacy_part(part)) {
                    self.legacy_chains.push((scope, parts));
                }
            }
        }
        if !names.is_empty() {
            self.flows.push(Flow {
                target,
                scope,
                source: Source::Types(names),
            });
        }
    }

    /// Bind phase: the annotated parameters of a function whose scope is `scope`.
    pub fn record_parameters(&mut self, scope: ScopeId, parameters: &Parameters) {
        for parameter in parameters.iter() {
            if let Some(annotation) = parameter.annotation() {
                self.record_annotation(
                    LegacyTarget::Name(scope, parameter.name().to_string()),
                    scope,
                    annotation,
                );
            }
        }
    }

    /// Bind phase: the bases of the class whose scope is `class`.
    /// Bind phase: `def <name>` bound in `binding` (a class scope for a method)
    /// whose own scope is `scope`.
    pub fn record_function(
        &mut self,
        binding: ScopeId,
        name: &str,
        scope: ScopeId,
        parameters: &Parameters,
        is_method: bool,
        decorators: &[ruff_python_ast::Decorator],
    ) {
        let decorators = decorators
            .iter()
            .filter_map(|d| match &d.expression {
                Expr::Name(name) => Some(name.id.to_string()),
                _ => None,
            })
            .collect();
        let positional = parameters
            .posonlyargs
            .iter()
            .chain(&parameters.args)
            .map(|p| p.parameter.name.to_string())
            .collect();
        let keyword_only = parameters
            .kwonlyargs
            .iter()
            .map(|p| p.parameter.name.to_string())
            .collect();
        self.functions.insert(
            (binding, name.to_string()),
            FunctionDef {
                scope,
                positional,
                keyword_only,
                is_method,
                decorators,
                binding,
            },
        );
    }

    /// Bind phase: a call `f(...)` or `self.m(...)` whose arguments may carry a
    /// 1.x object into the callee's parameters.
    pub fn record_call(&mut self, scope: ScopeId, call: &ruff_python_ast::ExprCall) {
        let callee_is_simple = match call.func.as_ref() {
            Expr::Name(_) => true,
            Expr::Attribute(attribute) => matches!(attribute.value.as_ref(), Expr::Name(_)),
            _ => false,
        };
        // Arguments that are names or attributes (`f(conn)`, `f(self._pool)`,
        // `f(channels[0])`): a call's result passed on (`f(g())`) is not followed.
        let carries = |argument: &Expr| {
            let mut current = argument;
            loop {
                match current {
                    Expr::Await(awaited) => current = &awaited.value,
                    Expr::Subscript(subscript) => current = &subscript.value,
                    Expr::Name(_) | Expr::Attribute(_) => return true,
                    _ => return false,
                }
            }
        };
        if !callee_is_simple
            || !(call.arguments.args.iter().any(carries)
                || call.arguments.keywords.iter().any(|k| carries(&k.value)))
        {
            return;
        }
        let Some(callee) = chain_parts(&call.func) else {
            return;
        };
        let mut arguments = Vec::new();
        for (index, argument) in call.arguments.args.iter().enumerate() {
            if argument.is_starred_expr() {
                break;
            }
            if carries(argument) {
                for_each_source(argument, &mut |source| {
                    arguments.push((Slot::Position(index), source))
                });
            }
        }
        for keyword in &call.arguments.keywords {
            if let Some(name) = &keyword.arg
                && carries(&keyword.value)
            {
                for_each_source(&keyword.value, &mut |source| {
                    arguments.push((Slot::Keyword(name.to_string()), source))
                });
            }
        }
        if !arguments.is_empty() {
            self.calls.push(PendingCall {
                callee,
                scope,
                arguments,
            });
        }
    }

    /// Turns the recorded calls into flows into the callees' parameters.
    fn resolve_calls(&mut self, model: &SemanticModel) {
        let mut flows = Vec::new();
        // A decorator of the module (by its scope) and the functions it decorates.
        let mut decorated: HashMap<ScopeId, Vec<&FunctionDef>> = HashMap::default();
        for function in self.functions.values() {
            for decorator in &function.decorators {
                if let Some(bound) = model.binding_scope(decorator, function.binding)
                    && let Some(deco) = self.functions.get(&(bound, decorator.clone()))
                    && !deco.is_method
                {
                    decorated.entry(deco.scope).or_default().push(function);
                }
            }
        }
        let calls = std::mem::take(&mut self.calls);
        for call in &calls {
            // `func(..., _conn=conn)` inside a decorator of the module, `func` being its
            // first parameter: the arguments reach each function it decorates.
            let [name] = call.callee.as_slice() else {
                continue;
            };
            let Some(bound) = model.binding_scope(name, call.scope) else {
                continue;
            };
            let Some(targets) = decorated.get(&bound) else {
                continue;
            };
            let is_first_parameter = self
                .functions
                .values()
                .any(|f| f.scope == bound && f.positional.first() == Some(name));
            if !is_first_parameter {
                continue;
            }
            for function in targets {
                flows.extend(argument_flows(function, 0, call));
            }
        }
        for call in calls {
            let function = match call.callee.as_slice() {
                [name] => model
                    .binding_scope(name, call.scope)
                    .and_then(|bound| self.functions.get(&(bound, name.clone())))
                    .filter(|f| !f.is_method),
                [receiver, method] => self
                    .receiver_class(receiver, call.scope, model)
                    .and_then(|class| {
                        self.lineage(class)
                            .find_map(|c| self.functions.get(&(c, method.clone())))
                    })
                    .filter(|f| f.is_method),
                _ => None,
            };
            let Some(function) = function else {
                continue;
            };
            flows.extend(argument_flows(
                function,
                usize::from(function.is_method),
                &call,
            ));
        }
        self.flows.extend(flows);
    }

    /// Bind phase: `class <name>` in `binding` (the scope its name is bound in).
    pub fn record_class(&mut self, binding: ScopeId, name: &str, class: ScopeId) {
        self.classes.insert((binding, name.to_string()), class);
    }

    pub fn record_bases(&mut self, class: ScopeId, enclosing: ScopeId, bases: &[Expr]) {
        for base in bases {
            // `Base`, and `db.Base` (a class of a project module bound whole).
            if let Some(parts) = chain_parts(base) {
                self.local_bases
                    .entry(class)
                    .or_default()
                    .push((enclosing, parts.join(".")));
            }
        }
        let names: Vec<String> = bases
            .iter()
            .filter_map(chain_parts)
            .map(|parts| parts.join("."))
            .collect();
        if !names.is_empty() {
            self.flows.push(Flow {
                target: LegacyTarget::Class(class),
                scope: enclosing,
                source: Source::Types(names),
            });
        }
    }

    /// Decides whether the module is 1.x and runs the flows to a fixed point.
    pub fn resolve(
        &mut self,
        model: &SemanticModel,
        table: &ConstructorTable,
        api: &ApiMap,
        project: Option<&crate::python::index::ModuleContext<'_>>,
    ) {
        // In source order, for `reply_of`'s search (function bodies are bound
        // after the module's statements).
        for bindings in self.bindings.values_mut() {
            bindings.sort_by_key(|(at, _)| *at);
        }
        if let Some(project) = project {
            self.import_project(project, model);
        }
        self.is_1x = self.is_1x
            || self.imports_legacy
            || self.legacy_chains.iter().any(|(scope, parts)| {
                resolve_parts(model, *scope, parts)
                    .iter()
                    .any(|name| is_aioredis(name) && api.legacy(name).is_some())
            });
        self.legacy_chains = Vec::new();
        self.settle_series(model, api, project);
        self.resolve_ancestors(model);
        self.collect_member_flows(model);
        self.resolve_calls(model);
        self.resolve_stores(model);
        self.resolve_split_withs(model);
        self.instantiate_member_flows();
        self.fixture_flows(project);
        let flows = std::mem::take(&mut self.flows);
        // What an imported callable gives does not change from round to round.
        let imported: Vec<Option<LegacyKind>> = flows
            .iter()
            .map(|flow| match &flow.source {
                Source::Call(parts, _) => {
                    self.imported_call_kind(parts, flow.scope, model, table, api)
                }
                _ => None,
            })
            .collect();
        // Each round settles at least one target, or stops.
        loop {
            let mut changed = false;
            for (flow, imported) in flows.iter().zip(&imported) {
                if self.kinds.contains_key(&flow.target) {
                    continue;
                }
                let kind = match (&flow.source, imported) {
                    // `t1, ok, t2 = await tr.execute()`: the reply of the command queued
                    // at that position on a 1.x transaction or pipeline.
                    (Source::Nth(_, _), _) if self.queued_replies.contains_key(&flow.target) => {
                        let (receiver, command) = &self.queued_replies[&flow.target];
                        let base = command.split('(').next().unwrap_or_default();
                        (self.kind_of_parts(receiver, flow.scope, model)
                            == Some(LegacyKind::Transaction)
                            && api.reply_shape(base).is_some())
                        .then_some(LegacyKind::Reply)
                    }
                    (Source::Call(_, _), Some(kind)) => Some(*kind),
                    (Source::Call(parts, facts), None) => self
                        .local_call_kind(parts, flow.scope, model, api)
                        .or_else(|| self.sent_future_kind(parts, facts, flow.scope, model, api)),
                    (source, _) => self.eval(source, flow.scope, model, table, api),
                };
                // A base class of another package says nothing about `self`.
                let kind = kind.filter(|kind| {
                    !(*kind == LegacyKind::Foreign && matches!(flow.target, LegacyTarget::Class(_)))
                });
                if let Some(kind) = kind {
                    if !self.origins.is_empty()
                        && let Some(origin) = self.origin_of_source(&flow.source, flow.scope, model)
                    {
                        self.origins.insert(flow.target.clone(), origin);
                    }
                    self.record_details(&flow.target, kind, &flow.source, flow.scope, model, table);
                    let name = match &flow.target {
                        LegacyTarget::Name(_, name)
                        | LegacyTarget::Attribute(_, name)
                        | LegacyTarget::Returns(_, name) => Some(name.clone()),
                        LegacyTarget::Class(_) => None,
                    };
                    if let Some(name) = name {
                        self.names.insert(name);
                    }
                    self.kinds.insert(flow.target.clone(), kind);
                    changed = true;
                }
            }
            if !changed && !self.alias_back(&flows, model) {
                break;
            }
        }
        for (parameter, class) in self.receivers.values() {
            if self.is_client_class(*class) {
                self.client_receivers.insert(parameter.clone());
            }
        }
    }

    /// What a target that just got `kind` from `source` also holds: a 1.x
    /// connection (not a client), the transaction a future was queued on, the
    /// command a reply comes from, what the factory decodes.
    fn record_details(
        &mut self,
        target: &LegacyTarget,
        kind: LegacyKind,
        source: &Source,
        scope: ScopeId,
        model: &SemanticModel,
        table: &ConstructorTable,
    ) {
        let read = |this: &Self, parts: &[String]| this.target_of_parts(parts, scope, model);
        let (connection, decoding) = match source {
            Source::Value(parts) => match read(self, parts) {
                Some(from) => {
                    if let Some(on) = self.queued_on.get(&from).cloned() {
                        self.queued_on.insert(target.clone(), on);
                    }
                    if let Some(command) = self.replies.get(&from).cloned() {
                        self.replies.insert(target.clone(), command);
                    }
                    (
                        self.connections.contains(&from),
                        self.decoding.get(&from).cloned(),
                    )
                }
                None => (false, None),
            },
            Source::WithAwait(parts) => match read(self, parts) {
                // `with await pool as conn`: a connection of a `create_pool` pool; of
                // a `Redis` client, a `ContextRedis` client.
                Some(from) => (
                    self.kinds.get(&from) == Some(&LegacyKind::Pool),
                    self.decoding.get(&from).cloned(),
                ),
                None => (false, None),
            },
            Source::AsyncWithCall(parts) => {
                let from = parts.split_last().and_then(|(_, r)| read(self, r));
                (
                    true,
                    from.and_then(|from| self.decoding.get(&from).cloned()),
                )
            }
            Source::Call(parts, facts) => match parts.split_last() {
                Some((method, receiver))
                    if !receiver.is_empty() && self.is_local(receiver, scope, model) =>
                {
                    let from = read(self, receiver);
                    match (kind, method.as_str()) {
                        (LegacyKind::Future, _) => {
                            let on_transaction = from
                                .as_ref()
                                .and_then(|from| self.kinds.get(from))
                                .is_some_and(|kind| *kind == LegacyKind::Transaction);
                            if on_transaction {
                                self.queued_on.insert(target.clone(), receiver.join("."));
                            } else {
                                self.sent_on.insert(
                                    target.clone(),
                                    format!("{}.{method}", receiver.join(".")),
                                );
                            }
                            (false, None)
                        }
                        (LegacyKind::Reply, method) => {
                            // `xpending(stream, group, start, stop, count)`: the count
                            // of arguments, for shapes that depend on it.
                            let command = reply_name(method, facts.arguments);
                            self.replies.insert(target.clone(), command);
                            (false, None)
                        }
                        (LegacyKind::Client, "acquire") => {
                            (true, from.and_then(|f| self.decoding.get(&f).cloned()))
                        }
                        (LegacyKind::Client, "master_for" | "slave_for")
                        | (LegacyKind::Transaction, _) => {
                            (false, from.and_then(|f| self.decoding.get(&f).cloned()))
                        }
                        _ => (false, None),
                    }
                }
                Some((name, [])) if self.returns_of(name, scope, model).is_some() => {
                    // A function of the module (a fixture, a factory): what it returns.
                    let returned = self.returns_of(name, scope, model);
                    let returned = returned.as_ref();
                    (
                        returned.is_some_and(|r| self.connections.contains(r)),
                        returned.and_then(|r| self.decoding.get(r).cloned()),
                    )
                }
                _ => {
                    // An imported 1.x factory: `create_connection` builds a connection;
                    // its `encoding=` says what it decodes.
                    let resolved = self.resolve_callee(model, scope, parts);
                    let factory = resolved
                        .iter()
                        .find_map(|q| table.lookup(q))
                        .filter(|c| c.library == Library::Aioredis1);
                    match factory {
                        Some(constructor) => (
                            constructor.name.ends_with("create_connection"),
                            Some(facts.encoding.clone().unwrap_or(Decoding::Bytes)),
                        ),
                        None => (false, None),
                    }
                }
            },
            Source::Element(inner) | Source::Iterated(inner) | Source::Nth(_, inner)
                if kind == LegacyKind::Reply =>
            {
                // A part of a reply: `<command>[]` for an element (iterated, `x[i]`,
                // unpacked), `<command>[<n>]` for the one at a position of an unpacking.
                if let Some((_, command)) = self.queued_replies.get(target) {
                    // The reply of a queued command, as `execute()` gives it.
                    let command = command.clone();
                    self.replies.insert(target.clone(), command);
                    return;
                }
                let whole = match inner.as_ref() {
                    Source::Value(parts) => {
                        read(self, parts).and_then(|from| self.replies.get(&from).cloned())
                    }
                    Source::Call(parts, facts) => parts
                        .last()
                        .map(|method| reply_name(method, facts.arguments)),
                    _ => None,
                };
                if let Some(whole) = whole.filter(|command| !command.contains('[')) {
                    let part = match source {
                        Source::Nth(index, _) => format!("{whole}[{index}]"),
                        _ => format!("{whole}[]"),
                    };
                    self.replies.insert(target.clone(), part);
                }
                (false, None)
            }
            Source::Element(_)
            | Source::Types(_)
            | Source::Iterated(_)
            | Source::Collect(_)
            | Source::KeyOf(_)
            | Source::Nth(_, _)
            | Source::Member(..) => (false, None),
        };
        if connection && kind == LegacyKind::Client {
            self.connections.insert(target.clone());
        }
        if let Some(decoding) = decoding {
            self.decoding.insert(target.clone(), decoding);
        }
    }

    /// Bind phase: `name` (bound in `scope`) holds one of the 1.x factories
    /// `qualified` (resolved by the caller against the constructor table).
    pub fn record_factory_alias(&mut self, scope: ScopeId, name: &str, qualified: Vec<String>) {
        self.factory_aliases
            .entry((scope, name.to_string()))
            .or_default()
            .extend(qualified);
    }

    /// [`resolve_parts`], with the names bound to a 1.x factory by assignment.
    fn resolve_callee(
        &self,
        model: &SemanticModel,
        scope: ScopeId,
        parts: &[String],
    ) -> Vec<String> {
        if let Some((root, rest)) = parts.split_first()
            && let Some(bound) = model.binding_scope(root, scope)
            && let Some(factories) = self.factory_aliases.get(&(bound, root.clone()))
        {
            return factories
                .iter()
                .map(|factory| {
                    let mut name = factory.clone();
                    for part in rest {
                        name.push('.');
                        name.push_str(part);
                    }
                    name
                })
                .collect();
        }
        resolve_parts(model, scope, parts)
    }

    /// What calling `name` (a function of the module, bound where `scope`
    /// sees it) returns, when the model knows it holds a 1.x object.
    fn returns_of(
        &self,
        name: &str,
        scope: ScopeId,
        model: &SemanticModel,
    ) -> Option<LegacyTarget> {
        let bound = model.binding_scope(name, scope)?;
        let target = LegacyTarget::Returns(bound, name.to_string());
        self.kinds.contains_key(&target).then_some(target)
    }

    /// Whether a written receiver chain is a local object (not an imported module).
    fn is_local(&self, receiver: &[String], scope: ScopeId, model: &SemanticModel) -> bool {
        resolve_parts(model, scope, receiver).is_empty()
    }

    /// `conn.pubsub_channels` on a 1.x connection: what the attribute gives in 1.x
    /// (`[connection_attributes]`, `gives`).
    fn connection_attribute_kind(
        &self,
        parts: &[String],
        scope: ScopeId,
        model: &SemanticModel,
        api: &ApiMap,
    ) -> Option<LegacyKind> {
        let (attr, receiver) = parts.split_last()?;
        let entry = api.connection_attribute(attr)?;
        let target = self.target_of_parts(receiver, scope, model)?;
        if !self.connections.contains(&target) {
            return None;
        }
        match entry.gives.as_deref() {
            Some("channels") => Some(LegacyKind::ChannelMap),
            _ => None,
        }
    }

    /// `client.channels` on a 1.x client, `pool._pool` on a 1.x pool: what the
    /// attribute gives in 1.x (`[client_methods]`, `[pool_methods]`, `gives`).
    fn client_attribute_kind(
        &self,
        parts: &[String],
        scope: ScopeId,
        model: &SemanticModel,
        api: &ApiMap,
    ) -> Option<LegacyKind> {
        let (attr, receiver) = parts.split_last()?;
        if receiver.is_empty() {
            return None;
        }
        let entry = match self.kind_of_parts(receiver, scope, model)? {
            LegacyKind::Client => api.client_method(attr)?,
            LegacyKind::Pool => api.pool_method(attr)?,
            _ => return None,
        };
        match entry.gives.as_deref()? {
            "channels" => Some(LegacyKind::ChannelMap),
            "connections" => Some(LegacyKind::Collection(Item::Client)),
            _ => None,
        }
    }

    /// Check phase: whether `expr` holds a 1.x `RedisConnection` (not a `Redis` client).
    pub fn is_connection(&self, expr: &Expr, scope: ScopeId, model: &SemanticModel) -> bool {
        if self.connections.is_empty() {
            return false;
        }
        chain_parts(expr)
            .and_then(|parts| self.target_of_parts(&parts, scope, model))
            .is_some_and(|target| self.connections.contains(&target))
    }

    /// Check phase: the transaction or pipeline (as written) the future `expr` holds was queued on.
    pub fn queued_on(&self, expr: &Expr, scope: ScopeId, model: &SemanticModel) -> Option<&str> {
        let target = self.target_of_parts(&chain_parts(expr)?, scope, model)?;
        self.queued_on.get(&target).map(String::as_str)
    }

    /// Check phase: the 1.x `execute()` call (as written) whose future `expr` holds.
    pub fn sent_by(&self, expr: &Expr, scope: ScopeId, model: &SemanticModel) -> Option<&str> {
        let target = self.target_of_parts(&chain_parts(expr)?, scope, model)?;
        self.sent_on.get(&target).map(String::as_str)
    }

    /// `fut = conn.execute(...)`, not awaited, on a 1.x client, connection or pool:
    /// the command was sent, and a future of its reply returned (`[futures] sent_by`).
    fn sent_future_kind(
        &self,
        parts: &[String],
        facts: &CallFacts,
        scope: ScopeId,
        model: &SemanticModel,
        api: &ApiMap,
    ) -> Option<LegacyKind> {
        let (method, receiver) = parts.split_last()?;
        if facts.awaited || receiver.is_empty() || !api.futures().sent_by.contains(method) {
            return None;
        }
        matches!(
            self.kind_of_parts(receiver, scope, model)?,
            LegacyKind::Client | LegacyKind::Pool
        )
        .then_some(LegacyKind::Future)
    }

    /// Check phase: the 1.x command whose reply `expr` holds, with the count of
    /// its arguments (`xpending(2)`) and the part of the reply
    /// (`client_list[]`: an element, `hscan(1)[1]`: unpacked at position 1).
    pub fn reply_of(
        &self,
        expr: &Expr,
        scope: ScopeId,
        model: &SemanticModel,
        api: &ApiMap,
    ) -> Option<&str> {
        let target = self.target_of_parts(&chain_parts(expr)?, scope, model)?;
        let reply = self.replies.get(&target)?;
        // The name's latest binding before this use: the reply, or something else.
        let latest = self.bindings.get(&target).and_then(|bindings| {
            let before = bindings.partition_point(|(at, _)| *at < expr.start());
            before.checked_sub(1).map(|last| &bindings[last])
        });
        let whole = !reply.contains('[') && !self.queued_replies.contains_key(&target);
        let holds = match latest.map(|(_, bound)| bound) {
            None | Some(Bound::Copy) => true,
            // `t = loop.time()` after `t = await redis.time()`: another `time`.
            Some(Bound::Call(method, receiver)) => {
                whole
                    && reply.split(['(', '[']).next() == Some(method.as_str())
                    && match self.kind_of_parts(receiver, scope, model) {
                        Some(kind) => matches!(
                            kind,
                            LegacyKind::Client | LegacyKind::Pool | LegacyKind::Transaction
                        ),
                        // A receiver nothing types holds a reply only for the
                        // commands no other library has (`anywhere`).
                        None => api.reply_shape(method).is_some_and(|shape| shape.anywhere),
                    }
            }
            // `t = float(t)`: a conversion, unless the function is one the model
            // follows (the module's own, or one imported from the project).
            Some(Bound::FunctionCall(function)) => {
                self.functions.keys().any(|(_, name)| name == function)
                    || self.project_names.keys().any(|(_, name)| name == function)
            }
            Some(Bound::Part) => !whole,
            Some(Bound::Other) => false,
        };
        holds.then_some(reply.as_str())
    }

    /// Check phase: what the 1.x factory behind `expr` decodes (`None`: not known).
    pub fn decoding_of(
        &self,
        expr: &Expr,
        scope: ScopeId,
        model: &SemanticModel,
    ) -> Option<&Decoding> {
        let target = self.target_of_parts(&chain_parts(expr)?, scope, model)?;
        self.decoding.get(&target)
    }

    /// Each class's ancestors among the module's own classes.
    fn resolve_ancestors(&mut self, model: &SemanticModel) {
        let direct: HashMap<ScopeId, Vec<ScopeId>> = self
            .local_bases
            .iter()
            .map(|(class, bases)| {
                let found = bases
                    .iter()
                    .filter_map(|(enclosing, name)| {
                        let root = name.split('.').next().unwrap_or(name);
                        let bound = self.bound_scope(model, root, *enclosing)?;
                        self.classes.get(&(bound, name.clone())).copied()
                    })
                    .collect();
                (*class, found)
            })
            .collect();
        for class in direct.keys() {
            let mut seen: Vec<ScopeId> = Vec::new();
            let mut stack = direct[class].clone();
            while let Some(next) = stack.pop() {
                if next == *class || seen.contains(&next) {
                    continue;
                }
                seen.push(next);
                if let Some(more) = direct.get(&next) {
                    stack.extend(more.iter().copied());
                }
            }
            if !seen.is_empty() {
                self.ancestors.insert(*class, seen);
            }
        }
    }

    /// The class and its ancestors in this module.
    fn lineage(&self, class: ScopeId) -> impl Iterator<Item = ScopeId> + '_ {
        std::iter::once(class).chain(self.ancestors.get(&class).into_iter().flatten().copied())
    }

    /// A class whose instances are 1.x clients (it or an ancestor subclasses 1.x `Redis`).
    fn is_client_class(&self, class: ScopeId) -> bool {
        self.lineage(class)
            .any(|c| self.kinds.get(&LegacyTarget::Class(c)) == Some(&LegacyKind::Client))
    }

    /// `self.<attr>` (or what `self.<attr>()` returns, `returns`) in the methods of `class`.
    fn member_kind(&self, class: ScopeId, attr: &str, returns: bool) -> Option<LegacyKind> {
        self.lineage(class).find_map(|c| {
            let target = if returns {
                LegacyTarget::Returns(c, attr.to_string())
            } else {
                LegacyTarget::Attribute(c, attr.to_string())
            };
            self.kinds.get(&target).copied()
        })
    }

    fn eval(
        &self,
        source: &Source,
        scope: ScopeId,
        model: &SemanticModel,
        table: &ConstructorTable,
        api: &ApiMap,
    ) -> Option<LegacyKind> {
        match source {
            Source::Value(parts) => self
                .kind_of_parts(parts, scope, model)
                .or_else(|| self.connection_attribute_kind(parts, scope, model, api))
                .or_else(|| self.client_attribute_kind(parts, scope, model, api)),
            Source::Call(parts, _) => self.kind_of_call(parts, scope, model, table, api),
            Source::WithAwait(parts) => match self.kind_of_parts(parts, scope, model) {
                Some(LegacyKind::Client | LegacyKind::Pool) => Some(LegacyKind::Client),
                Some(_) => None,
                // `with await x as conn` is the 1.x `ContextRedis` idiom.
                None => self.is_1x.then_some(LegacyKind::Client),
            },
            Source::AsyncWithCall(parts) => {
                let (method, receiver) = parts.split_last()?;
                (matches!(method.as_str(), "get" | "acquire")
                    && !receiver.is_empty()
                    && self.kind_of_parts(receiver, scope, model) == Some(LegacyKind::Pool))
                .then_some(LegacyKind::Client)
            }
            Source::Element(inner) => self.eval(inner, scope, model, table, api)?.element(),
            Source::Nth(index, inner) => match inner.as_ref() {
                // `a, b = f()` where `f` returns a tuple (`return conns, loop`).
                Source::Call(parts, _) => match self.positional_return(parts, *index, scope, model)
                {
                    Some(returned) => self.kinds.get(&returned).copied(),
                    // `cursor, values = await redis.hscan(key)`: a part of the reply.
                    None => (self.local_call_kind(parts, scope, model, api)
                        == Some(LegacyKind::Reply))
                    .then_some(LegacyKind::Reply),
                },
                _ => None,
            },
            Source::Iterated(inner) => self.eval(inner, scope, model, table, api)?.iterated(),
            Source::Collect(inner) => self.eval(inner, scope, model, table, api)?.collection(),
            Source::KeyOf(inner) => {
                let item = self.eval(inner, scope, model, table, api)?.item()?;
                matches!(item, Item::Client | Item::Pool).then_some(LegacyKind::Keys(item))
            }
            Source::Member(class, name, returns) => self.member_kind(*class, name, *returns),
            Source::Types(names) => {
                let mut foreign = false;
                let found = names.iter().find_map(|name| {
                    let parts: Vec<String> = name.split('.').map(str::to_string).collect();
                    let resolved = resolve_parts(model, scope, &parts);
                    // A type of another package (`pymemcache.Client`): not redis.
                    foreign |= resolved.iter().any(|q| {
                        !crate::api::may_be_redis_name(q)
                            && !q.starts_with("typing.")
                            && !q.starts_with("typing_extensions.")
                    });
                    resolved.iter().find_map(|q| self.type_kind(q, api))
                });
                found.or(foreign.then_some(LegacyKind::Foreign))
            }
        }
    }

    /// The kind an annotation or base names.
    fn type_kind(&self, qualified: &str, api: &ApiMap) -> Option<LegacyKind> {
        let types = api.client_types();
        let is = |list: &[String]| list.iter().any(|name| name == qualified);
        if is(&types.client) || (self.is_1x && is(&types.client_in_1x_modules)) {
            Some(LegacyKind::Client)
        } else if is(&types.pool) {
            Some(LegacyKind::Pool)
        } else if is(&types.channel) {
            Some(LegacyKind::Channel)
        } else if is(&types.sentinel) {
            Some(LegacyKind::Sentinel)
        } else {
            None
        }
    }

    fn kind_of_call(
        &self,
        parts: &[String],
        scope: ScopeId,
        model: &SemanticModel,
        table: &ConstructorTable,
        api: &ApiMap,
    ) -> Option<LegacyKind> {
        self.imported_call_kind(parts, scope, model, table, api)
            .or_else(|| self.local_call_kind(parts, scope, model, api))
    }

    /// What a call of an imported callable gives: a 1.x factory's object, or
    /// [`LegacyKind::Foreign`]; `None` when the callee is not imported.
    fn imported_call_kind(
        &self,
        parts: &[String],
        scope: ScopeId,
        model: &SemanticModel,
        table: &ConstructorTable,
        api: &ApiMap,
    ) -> Option<LegacyKind> {
        // A call of an imported callable: a 1.x factory, or anything else
        // (another package, redis-py, aioredis 2.x, a 1.x `Receiver()`), whose
        // result is not judged as a 1.x client. In a 1.x module `aioredis.Redis(pool)`
        // is the 1.x client.
        if let Some(kind) = self.dotted_call_kind(parts, scope, model) {
            return Some(kind);
        }
        if let [name] = parts
            && let Some(bound) = self.bound_scope(model, name, scope)
            && (self.project_names.contains_key(&(bound, name.clone()))
                || self.star_names.contains(name))
        {
            // The project's own callable: what its module's summary says.
            if let Some(kind) = self.kinds.get(&LegacyTarget::Returns(bound, name.clone())) {
                return Some(*kind);
            }
            if self
                .classes
                .get(&(bound, name.clone()))
                .is_some_and(|class| self.is_client_class(*class))
            {
                return Some(LegacyKind::Client);
            }
        }
        let resolved = self.resolve_callee(model, scope, parts);
        for qualified in &resolved {
            if let Some(constructor) = table.lookup(qualified) {
                match (constructor.library, constructor.kind) {
                    (Library::Aioredis1, Kind::Client) => return Some(LegacyKind::Client),
                    (Library::Aioredis1, Kind::Pool) => return Some(LegacyKind::Pool),
                    (Library::Aioredis1, Kind::Sentinel) => return Some(LegacyKind::Sentinel),
                    _ => {}
                }
            }
            // A 1.x class called (`aioredis.ConnectionsPool(...)`, `aioredis.Channel(...)`,
            // and `aioredis.Redis(pool)` in a 1.x module).
            if let Some(kind) = self.type_kind(qualified, api) {
                return Some(kind);
            }
        }
        (!resolved.is_empty()).then_some(LegacyKind::Foreign)
    }

    /// What a call of a local object's method or function gives.
    fn local_call_kind(
        &self,
        parts: &[String],
        scope: ScopeId,
        model: &SemanticModel,
        api: &ApiMap,
    ) -> Option<LegacyKind> {
        let (method, receiver) = parts.split_last()?;
        if !receiver.is_empty() {
            match (self.kind_of_parts(receiver, scope, model), method.as_str()) {
                (Some(LegacyKind::Client), "multi_exec" | "pipeline") => {
                    return Some(LegacyKind::Transaction);
                }
                (Some(LegacyKind::Pool), "acquire") => return Some(LegacyKind::Client),
                (Some(LegacyKind::Client), "subscribe" | "psubscribe") => {
                    return Some(LegacyKind::Channels);
                }
                // A command queued on a 1.x transaction or pipeline: a future.
                (Some(LegacyKind::Transaction), method) if method != "execute" => {
                    return Some(LegacyKind::Future);
                }
                (Some(LegacyKind::Sentinel), "master_for" | "slave_for") => {
                    return Some(LegacyKind::Client);
                }
                (Some(LegacyKind::Client), method) if api.reply_shape(method).is_some() => {
                    return Some(LegacyKind::Reply);
                }
                (None, "multi_exec") if self.is_1x => return Some(LegacyKind::Transaction),
                // A command name only Redis clients have, on an unknown receiver of a 1.x
                // module (a pytest fixture), unless the module's own classes define it.
                (None, method)
                    if self.is_1x
                        && !self.own_methods.contains(method)
                        && api.reply_shape(method).is_some_and(|shape| shape.anywhere) =>
                {
                    return Some(LegacyKind::Reply);
                }
                // A collection's own methods (`conns.pop()`, `conn_map.values()`).
                (Some(kind @ (LegacyKind::Collection(_) | LegacyKind::Keys(_))), method) => {
                    return match (kind, method) {
                        (LegacyKind::Collection(_), "values" | "copy")
                        | (LegacyKind::Keys(_), "keys" | "copy") => Some(kind),
                        (LegacyKind::Collection(_), "pop" | "popleft" | "get" | "setdefault") => {
                            kind.element()
                        }
                        _ => None,
                    };
                }
                _ => {}
            }
        }
        // A function (or `self.method`) of this module that returns one.
        match parts {
            [name] => {
                let bound = model.binding_scope(name, scope)?;
                self.kinds
                    .get(&LegacyTarget::Returns(bound, name.clone()))
                    .copied()
            }
            [receiver, method] => {
                let class = self.receiver_class(receiver, scope, model)?;
                self.member_kind(class, method, true)
            }
            _ => None,
        }
    }

    /// The class of `receiver` when it is the receiver (`self`) of a method.
    fn receiver_class(
        &self,
        receiver: &str,
        scope: ScopeId,
        model: &SemanticModel,
    ) -> Option<ScopeId> {
        let bound = model.binding_scope(receiver, scope)?;
        let (parameter, class) = self.receivers.get(&bound)?;
        (parameter == receiver).then_some(*class)
    }

    /// The kind a written chain (`conn`, `self._pool`) holds.
    fn kind_of_parts(
        &self,
        parts: &[String],
        scope: ScopeId,
        model: &SemanticModel,
    ) -> Option<LegacyKind> {
        if let Some(target) = self.dotted_target(parts, scope, model, false) {
            return self.kinds.get(&target).copied();
        }
        match parts {
            [name] => {
                let bound = self.bound_scope(model, name, scope)?;
                if self.names.contains(name)
                    && let Some(kind) = self.kinds.get(&LegacyTarget::Name(bound, name.clone()))
                {
                    return Some(*kind);
                }
                // `self` in a method of a 1.x `Redis` subclass.
                let (parameter, class) = self.receivers.get(&bound)?;
                (parameter == name && self.is_client_class(*class)).then_some(LegacyKind::Client)
            }
            [receiver, attr] => {
                if !self.names.contains(attr) {
                    return None;
                }
                let class = self.receiver_class(receiver, scope, model)?;
                self.member_kind(class, attr, false)
            }
            _ => None,
        }
    }

    /// Check phase: the 1.x kind an expression (`conn`, `self._pool`) holds.
    pub fn kind_of(
        &self,
        expr: &Expr,
        scope: ScopeId,
        model: &SemanticModel,
    ) -> Option<LegacyKind> {
        if self.kinds.is_empty() {
            return None;
        }
        match expr {
            Expr::Name(name) => {
                let id = name.id.as_str();
                if !self.names.contains(id) && !self.client_receivers.contains(id) {
                    return None;
                }
                self.kind_of_parts(&[id.to_string()], scope, model)
            }
            Expr::Attribute(attribute) => {
                if !self.names.contains(attribute.attr.as_str()) {
                    return None;
                }
                let Expr::Name(receiver) = attribute.value.as_ref() else {
                    // `app.db.pool`: a project module's object, bound whole.
                    let parts = chain_parts(expr)?;
                    return self.kind_of_parts(&parts, scope, model);
                };
                self.kind_of_parts(
                    &[receiver.id.to_string(), attribute.attr.to_string()],
                    scope,
                    model,
                )
            }
            _ => None,
        }
    }
}

/// How many arguments a call passes, positional and keyword; `None` with a
/// starred one or `**kwargs` (not known).
pub fn argument_count(call: &ruff_python_ast::ExprCall) -> Option<usize> {
    let arguments = &call.arguments;
    (!arguments.args.iter().any(Expr::is_starred_expr)
        && arguments.keywords.iter().all(|k| k.arg.is_some()))
    .then_some(arguments.args.len() + arguments.keywords.len())
}

/// A 1.x command's reply as [`LegacyModel::reply_of`] names it: `time`,
/// `xpending(2)` (called with 2 arguments), `xpending(*)` (a count not known),
/// for the shapes that depend on the count ([`ApiMap::reply_part`]).
pub fn reply_name(method: &str, arguments: Option<usize>) -> String {
    match arguments {
        Some(0) => method.to_string(),
        Some(count) => format!("{method}({count})"),
        None => format!("{method}(*)"),
    }
}

/// The flows a call's arguments make into `function`'s parameters; `skip`
/// leading parameters take no argument (a method's receiver).
fn argument_flows(function: &FunctionDef, skip: usize, call: &PendingCall) -> Vec<Flow> {
    let mut flows = Vec::new();
    for (slot, source) in &call.arguments {
        let parameter = match slot {
            Slot::Position(index) => function.positional.get(index + skip),
            Slot::Keyword(name) => function
                .positional
                .iter()
                .skip(skip)
                .chain(&function.keyword_only)
                .find(|p| *p == name),
        };
        if let Some(parameter) = parameter {
            flows.push(Flow {
                target: LegacyTarget::Name(function.scope, parameter.clone()),
                scope: call.scope,
                source: source.clone(),
            });
        }
    }
    flows
}

/// The qualified names a written chain resolves to through the imports.
fn resolve_parts(model: &SemanticModel, scope: ScopeId, parts: &[String]) -> Vec<String> {
    let Some((root, rest)) = parts.split_first() else {
        return Vec::new();
    };
    let mut names = model.resolve_name(root, scope);
    for name in &mut names {
        for part in rest {
            name.push('.');
            name.push_str(part);
        }
    }
    names
}

/// The name under which position `index` of `name`'s tuple result is kept
/// (never a Python name, so never another function's).
fn positional_name(name: &str, index: usize) -> String {
    format!("{name}#{index}")
}

/// `["a", "b", "c"]` for `a.b.c`.
fn chain_parts(expr: &Expr) -> Option<Vec<String>> {
    let (root, attrs) = attribute_chain(expr)?;
    let mut parts = vec![root.id.to_string()];
    parts.extend(attrs.iter().rev().map(|attr| attr.attr.to_string()));
    Some(parts)
}

/// The sources an assigned value may come from: the value under `await`, each
/// branch of `a if c else b` and `a or b`, and the coroutine sync code runs to
/// completion (`loop.run_until_complete(create_redis(...))`).
fn for_each_source(value: &Expr, f: &mut dyn FnMut(Source)) {
    for_each_source_in(value, false, f);
}

/// [`for_each_source`], `awaited` when `value` is under an `await`.
fn for_each_source_in(value: &Expr, awaited: bool, f: &mut dyn FnMut(Source)) {
    match value {
        Expr::Await(inner) => for_each_source_in(&inner.value, true, f),
        Expr::If(if_expr) => {
            for_each_source_in(&if_expr.body, awaited, f);
            for_each_source_in(&if_expr.orelse, awaited, f);
        }
        Expr::BoolOp(bool_op) => {
            for value in &bool_op.values {
                for_each_source_in(value, awaited, f);
            }
        }
        Expr::Call(call) => {
            // The coroutine's result: `loop.run_until_complete(c)`, `asyncio.run(c)`,
            // `asyncio.wait_for(c, timeout)`, `asyncio.shield(c)`.
            if let Expr::Attribute(method) = call.func.as_ref()
                && (method.attr.as_str() == "run_until_complete"
                    || (matches!(method.attr.as_str(), "run" | "wait_for" | "shield")
                        && matches!(method.value.as_ref(), Expr::Name(m) if m.id.as_str() == "asyncio")))
            {
                if let Some(coroutine) = call.arguments.args.first() {
                    for_each_source_in(coroutine, true, f);
                }
                return;
            }
            // `typing.cast(T, x)` is `x` at run time.
            if let Some(value) = cast_value(call) {
                for_each_source_in(value, awaited, f);
                return;
            }
            if let Some(parts) = chain_parts(&call.func) {
                let encoding =
                    call.arguments
                        .find_keyword("encoding")
                        .map(|keyword| match &keyword.value {
                            Expr::NoneLiteral(_) => Decoding::Bytes,
                            Expr::StringLiteral(text) => {
                                Decoding::Literal(text.value.to_str().to_string())
                            }
                            _ => Decoding::Expression,
                        });
                let arguments = argument_count(call);
                f(Source::Call(
                    parts,
                    CallFacts {
                        encoding,
                        awaited,
                        arguments,
                    },
                ));
            }
        }
        Expr::Name(_) | Expr::Attribute(_) => {
            if let Some(parts) = chain_parts(value) {
                f(Source::Value(parts));
            }
        }
        Expr::Subscript(subscript) => {
            for_each_source(&subscript.value, &mut |source| {
                f(Source::Element(Box::new(source)))
            });
        }
        // Collections of 1.x objects (a tuple is not one: its positions differ).
        Expr::List(ruff_python_ast::ExprList { elts, .. })
        | Expr::Set(ruff_python_ast::ExprSet { elts, .. }) => {
            for element in elts {
                for_each_source(element, &mut |source| f(Source::Collect(Box::new(source))));
            }
        }
        Expr::Dict(dict) => {
            for item in &dict.items {
                for_each_source(&item.value, &mut |source| {
                    f(Source::Collect(Box::new(source)))
                });
                if let Some(key) = &item.key {
                    for_each_source(key, &mut |source| f(Source::KeyOf(Box::new(source))));
                }
            }
        }
        _ => {}
    }
}

/// `x` in `cast(T, x)` / `typing.cast("T", x)` (`t.cast` too): what the call
/// returns at run time, whatever `T` says.
pub fn cast_value(call: &ruff_python_ast::ExprCall) -> Option<&Expr> {
    let is_cast = match call.func.as_ref() {
        Expr::Name(name) => name.id.as_str() == "cast",
        Expr::Attribute(attribute) => {
            attribute.attr.as_str() == "cast"
                && matches!(attribute.value.as_ref(), Expr::Name(m)
                    if matches!(m.id.as_str(), "typing" | "t" | "typing_extensions"))
        }
        _ => false,
    };
    match (
        is_cast,
        call.arguments.args.as_ref(),
        call.arguments.keywords.is_empty(),
    ) {
        (true, [_, value], true) if !value.is_starred_expr() => Some(value),
        _ => None,
    }
}

/// The dotted names an annotation writes: through `Optional[...]`, `Union[...]`,
/// `X | None` and string annotations (`"aioredis.Redis"`).
fn annotation_names(annotation: &Expr, names: &mut Vec<String>, depth: usize) {
    if depth > 8 {
        return;
    }
    match annotation {
        Expr::Name(_) | Expr::Attribute(_) => {
            if let Some(parts) = chain_parts(annotation) {
                names.push(parts.join("."));
            }
        }
        Expr::Subscript(subscript) => {
            // `Optional[X]`, `Union[X, None]`; not `List[X]`, whose value is no client.
            let wrapper = chain_parts(&subscript.value)
                .and_then(|parts| parts.last().cloned())
                .unwrap_or_default();
            if matches!(wrapper.as_str(), "Optional" | "Union" | "Annotated") {
                match subscript.slice.as_ref() {
                    Expr::Tuple(tuple) => {
                        let elements = if wrapper == "Annotated" {
                            &tuple.elts[..tuple.elts.len().min(1)]
                        } else {
                            &tuple.elts[..]
                        };
                        for element in elements {
                            annotation_names(element, names, depth + 1);
                        }
                    }
                    other => annotation_names(other, names, depth + 1),
                }
            }
        }
        Expr::BinOp(bin_op) => {
            annotation_names(&bin_op.left, names, depth + 1);
            annotation_names(&bin_op.right, names, depth + 1);
        }
        Expr::StringLiteral(literal) => {
            let text = literal.value.to_str().trim();
            if let Ok(parsed) = ruff_python_parser::parse_expression(text) {
                annotation_names(&parsed.syntax().body, names, depth + 1);
            }
        }
        _ => {}
    }
}
