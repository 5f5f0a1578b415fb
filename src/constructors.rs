//! Which calls construct a Redis client or pool, loaded from `rules/clients.toml`.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use serde::Deserialize;

const CLIENTS_TOML: &str = include_str!("../rules/clients.toml");

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum Library {
    #[serde(rename = "redis-py")]
    RedisPy,
    #[serde(rename = "aioredis-2")]
    Aioredis2,
    #[serde(rename = "aioredis-1")]
    Aioredis1,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    Sync,
    Async,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Client,
    Cluster,
    Sentinel,
    Pool,
}

/// Which connection keywords a constructor takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum Keywords {
    /// redis-py's: `socket_timeout`, `password`, `ssl_cert_reqs`, ... (aioredis 2.x too).
    #[serde(rename = "redis-py")]
    RedisPy,
    /// The aioredis 1.x factories': `password`, `db`, `ssl`, `timeout`.
    #[serde(rename = "aioredis-1")]
    Aioredis1,
    /// None: the connection settings come from a pool passed in.
    #[serde(rename = "none")]
    None,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConstructorEntry {
    names: Vec<String>,
    library: Library,
    mode: Mode,
    kind: Kind,
    keyword_only: bool,
    parameters: Vec<String>,
    keywords: Keywords,
    #[serde(default)]
    from_url: bool,
    #[serde(default)]
    from_pool: bool,
    alias_of: Option<String>,
    async_counterpart: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Methods {
    closing: Vec<String>,
    sync_non_blocking: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ClientsFile {
    constructor: Vec<ConstructorEntry>,
    methods: Methods,
}

/// One callable that constructs a client, cluster client, sentinel or pool.
#[derive(Debug)]
pub struct Constructor {
    /// The first name of its entry: the defining module's spelling.
    pub name: String,
    pub library: Library,
    pub mode: Mode,
    pub kind: Kind,
    pub keyword_only: bool,
    /// Leading parameters that may be passed by position, in order.
    pub parameters: Vec<String>,
    pub keywords: Keywords,
    /// Set on plain aliases such as `StrictRedis`: the name to write instead.
    pub alias_of: Option<String>,
    /// For sync constructors: the `redis.asyncio` constructor to use in `async def`.
    pub async_counterpart: Option<String>,
}

impl Constructor {
    pub fn is_async(&self) -> bool {
        self.mode == Mode::Async
    }

    /// Clients and cluster clients, the objects commands are sent through.
    pub fn builds_client(&self) -> bool {
        matches!(self.kind, Kind::Client | Kind::Cluster)
    }

    /// The parameter that takes a redis URL, if any.
    pub fn url_parameter(&self) -> Option<&str> {
        self.parameters
            .iter()
            .map(String::as_str)
            .find(|p| *p == "url" || *p == "address")
    }
}

#[derive(Debug)]
pub struct ConstructorTable {
    constructors: Vec<Constructor>,
    by_name: HashMap<String, usize>,
    /// The last dotted part of every name: a call whose callee ends otherwise is no
    /// construction, which spares resolving most calls.
    last_parts: HashSet<String>,
    closing_methods: HashSet<String>,
    sync_non_blocking_methods: HashSet<String>,
}

pub fn constructor_table() -> &'static ConstructorTable {
    static TABLE: OnceLock<ConstructorTable> = OnceLock::new();
    TABLE.get_or_init(|| {
        // Compiled in and checked by a unit test, so this cannot fail at run time.
        let file: ClientsFile =
            toml::from_str(CLIENTS_TOML).expect("rules/clients.toml is valid (unit-tested)");
        ConstructorTable::from_file(file)
    })
}

impl ConstructorTable {
    fn from_file(file: ClientsFile) -> Self {
        let mut table = ConstructorTable {
            constructors: Vec::new(),
            by_name: HashMap::new(),
            last_parts: HashSet::new(),
            closing_methods: file.methods.closing.into_iter().collect(),
            sync_non_blocking_methods: file.methods.sync_non_blocking.into_iter().collect(),
        };
        for entry in file.constructor {
            let class = |names: Vec<String>| Constructor {
                name: names[0].clone(),
                library: entry.library,
                mode: entry.mode,
                kind: entry.kind,
                keyword_only: entry.keyword_only,
                parameters: entry.parameters.clone(),
                keywords: entry.keywords,
                alias_of: entry.alias_of.clone(),
                async_counterpart: entry.async_counterpart.clone(),
            };
            table.add(&entry.names, class(entry.names.clone()));
            if entry.from_url {
                let names: Vec<String> = entry
                    .names
                    .iter()
                    .map(|n| format!("{n}.from_url"))
                    .collect();
                let mut from_url = class(names.clone());
                from_url.keyword_only = false;
                from_url.parameters = vec!["url".to_string()];
                from_url.async_counterpart = entry
                    .async_counterpart
                    .as_ref()
                    .map(|counterpart| format!("{counterpart}.from_url"));
                table.add(&names, from_url);
            }
            if entry.from_pool {
                let names: Vec<String> = entry
                    .names
                    .iter()
                    .map(|n| format!("{n}.from_pool"))
                    .collect();
                let mut from_pool = class(names.clone());
                from_pool.keyword_only = false;
                from_pool.parameters = vec!["connection_pool".to_string()];
                from_pool.keywords = Keywords::None;
                from_pool.async_counterpart = entry
                    .async_counterpart
                    .as_ref()
                    .map(|counterpart| format!("{counterpart}.from_pool"));
                table.add(&names, from_pool);
            }
        }
        table
    }

    fn add(&mut self, names: &[String], constructor: Constructor) {
        let index = self.constructors.len();
        self.constructors.push(constructor);
        for name in names {
            self.by_name.insert(name.clone(), index);
            if let Some(last) = name.rsplit('.').next() {
                self.last_parts.insert(last.to_string());
            }
        }
    }

    /// The constructor a qualified name denotes.
    pub fn lookup(&self, qualified: &str) -> Option<&Constructor> {
        self.by_name.get(qualified).map(|&i| &self.constructors[i])
    }

    /// The names of plain aliases (`StrictRedis`): a file that never writes one
    /// cannot refer to one.
    pub fn alias_names(&self) -> impl Iterator<Item = &str> {
        self.by_name
            .iter()
            .filter(|(_, i)| self.constructors[**i].alias_of.is_some())
            .filter_map(|(name, _)| name.rsplit('.').next())
    }

    /// Whether a callee whose last dotted part is `last` can be a constructor at all.
    pub fn may_construct(&self, last: &str) -> bool {
        self.last_parts.contains(last)
    }

    pub fn is_closing_method(&self, method: &str) -> bool {
        self.closing_methods.contains(method)
    }

    /// Whether a sync client's method does network I/O (so blocks an event loop).
    pub fn sync_method_blocks(&self, method: &str) -> bool {
        !self.sync_non_blocking_methods.contains(method)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &Constructor)> {
        self.by_name
            .iter()
            .map(|(name, &i)| (name.as_str(), &self.constructors[i]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_file_parses_and_expands_class_methods() {
        let table = constructor_table();
        let redis = table.lookup("redis.asyncio.Redis").unwrap();
        assert!(redis.keyword_only && redis.is_async() && redis.builds_client());
        let from_url = table.lookup("redis.asyncio.client.Redis.from_url").unwrap();
        assert!(!from_url.keyword_only);
        assert_eq!(from_url.url_parameter(), Some("url"));
        let from_pool = table.lookup("redis.Redis.from_pool").unwrap();
        assert_eq!(from_pool.keywords, Keywords::None);
        assert_eq!(
            from_pool.async_counterpart.as_deref(),
            Some("redis.asyncio.Redis.from_pool")
        );
        assert_eq!(
            table.lookup("aioredis.create_redis_pool").unwrap().library,
            Library::Aioredis1
        );
        assert!(table.lookup("redis.asyncio.Redis.pipeline").is_none());
    }

    #[test]
    fn entries_are_consistent() {
        for (name, constructor) in constructor_table().iter() {
            // Keyword-only constructors have no positional parameters to list.
            assert_eq!(
                constructor.keyword_only,
                constructor.parameters.is_empty(),
                "{name}"
            );
            // Only sync constructors need an async counterpart, and all of them have one.
            assert_eq!(
                constructor.mode == Mode::Sync,
                constructor.async_counterpart.is_some(),
                "{name}"
            );
            let library_prefix = match constructor.library {
                Library::RedisPy => "redis.",
                Library::Aioredis2 | Library::Aioredis1 => "aioredis.",
            };
            assert!(name.starts_with(library_prefix), "{name}");
            assert_eq!(
                constructor.mode == Mode::Async,
                constructor.library != Library::RedisPy || name.starts_with("redis.asyncio."),
                "{name}"
            );
        }
    }

    #[test]
    fn every_redis_asyncio_client_class_is_known() {
        // redis.asyncio `__all__` (reference §1.1) names these constructors.
        for name in [
            "Redis",
            "StrictRedis",
            "from_url",
            "ConnectionPool",
            "BlockingConnectionPool",
            "RedisCluster",
            "Sentinel",
        ] {
            assert!(
                constructor_table()
                    .lookup(&format!("redis.asyncio.{name}"))
                    .is_some(),
                "{name}"
            );
            assert!(
                constructor_table()
                    .lookup(&format!("redis.{name}"))
                    .is_some(),
                "{name}"
            );
        }
    }
}
