//! The aioredis → redis.asyncio knowledge, loaded from `rules/aioredis-api.toml`.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::OnceLock;

use serde::Deserialize;

const API_TOML: &str = include_str!("../rules/aioredis-api.toml");

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModuleEntry {
    /// The redis-py module that replaces this aioredis module.
    pub target: Option<String>,
    /// What to tell the user when there is no plain counterpart.
    pub note: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LegacyEntry {
    /// What to use in redis.asyncio instead.
    pub instead: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientKeyword {
    /// What to do instead.
    pub instead: String,
    /// With the method `*`: methods whose redis.asyncio spelling takes the keyword too.
    #[serde(default)]
    pub except: Vec<String>,
    /// Judged on any receiver in a module whose aioredis use is 1.x.
    #[serde(default)]
    pub anywhere: bool,
    /// With the method `*`: the methods where it is judged on any receiver.
    #[serde(default)]
    pub anywhere_methods: Vec<String>,
}

/// A 1.x command whose positional form redis.asyncio refuses (`zadd(key, score, member)`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientPositional {
    pub min_positional: usize,
    /// On an unknown receiver, the argument at this index must also be a number literal.
    pub anywhere_numeric_at: Option<usize>,
    #[serde(default = "yes")]
    pub anywhere: bool,
    pub instead: String,
}

fn yes() -> bool {
    true
}

/// Annotations and base classes that name an aioredis 1.x object.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientTypes {
    pub client: Vec<String>,
    pub pool: Vec<String>,
    pub channel: Vec<String>,
    pub client_in_1x_modules: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LegacyClient {
    constructors: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Exports {
    names: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ApiFile {
    modules: BTreeMap<String, ModuleEntry>,
    legacy: HashMap<String, LegacyEntry>,
    exports: HashMap<String, Exports>,
    missing: HashMap<String, LegacyEntry>,
    client: LegacyClient,
    client_methods: HashMap<String, LegacyEntry>,
    client_keywords: HashMap<String, ClientKeyword>,
    client_positional: HashMap<String, ClientPositional>,
    pool_methods: HashMap<String, LegacyEntry>,
    channel_methods: HashMap<String, LegacyEntry>,
    client_types: ClientTypes,
}

#[derive(Debug)]
pub struct ApiMap {
    modules: BTreeMap<String, ModuleEntry>,
    legacy: HashMap<String, LegacyEntry>,
    exports: HashMap<String, HashSet<String>>,
    missing: HashMap<String, LegacyEntry>,
    legacy_client_constructors: Vec<String>,
    client_methods: HashMap<String, LegacyEntry>,
    /// keyword → method (`*` for any) → entry: looked up without building a key.
    client_keywords: HashMap<String, HashMap<String, ClientKeyword>>,
    client_positional: HashMap<String, ClientPositional>,
    pool_methods: HashMap<String, LegacyEntry>,
    channel_methods: HashMap<String, LegacyEntry>,
    client_types: ClientTypes,
    /// The last part of every `[legacy]` key: an attribute chain none of whose
    /// parts is one cannot name 1.x API.
    legacy_last_parts: HashSet<String>,
    /// Finds any of `legacy_last_parts` in a text.
    legacy_words: aho_corasick::AhoCorasick,
}

pub fn api_map() -> &'static ApiMap {
    static MAP: OnceLock<ApiMap> = OnceLock::new();
    MAP.get_or_init(|| {
        // The file is compiled in and checked by a unit test, so this cannot fail at run time.
        let file: ApiFile =
            toml::from_str(API_TOML).expect("rules/aioredis-api.toml is valid (unit-tested)");
        let legacy_last_parts: HashSet<String> = file
            .legacy
            .keys()
            .filter_map(|key| key.rsplit('.').next())
            .map(str::to_string)
            .collect();
        let legacy_words = whole_word_searcher(legacy_last_parts.iter().map(String::as_str));
        ApiMap {
            legacy_words,
            legacy_last_parts,
            modules: file.modules,
            legacy: file.legacy,
            missing: file.missing,
            legacy_client_constructors: file.client.constructors,
            client_methods: file.client_methods,
            client_keywords: {
                let mut by_keyword: HashMap<String, HashMap<String, ClientKeyword>> =
                    HashMap::new();
                for (key, entry) in file.client_keywords {
                    let (method, keyword) = key
                        .split_once('.')
                        .expect("client_keywords keys are `<method>.<keyword>` (unit-tested)");
                    by_keyword
                        .entry(keyword.to_string())
                        .or_default()
                        .insert(method.to_string(), entry);
                }
                by_keyword
            },
            client_positional: file.client_positional,
            pool_methods: file.pool_methods,
            channel_methods: file.channel_methods,
            client_types: file.client_types,
            exports: file
                .exports
                .into_iter()
                .map(|(module, exports)| (module, exports.names.into_iter().collect()))
                .collect(),
        }
    })
}

/// `redis.asyncio` itself or a name under it.
pub fn is_redis_asyncio(qualified: &str) -> bool {
    qualified == "redis.asyncio" || qualified.starts_with("redis.asyncio.")
}

/// The aioredis name a `redis.asyncio` name replaced (`redis.asyncio.X` → `aioredis.X`).
pub fn aioredis_name_of(qualified: &str) -> Option<String> {
    qualified
        .strip_prefix("redis.asyncio")
        .filter(|rest| rest.is_empty() || rest.starts_with('.'))
        .map(|rest| format!("aioredis{rest}"))
}

/// Whether a qualified name may belong to redis-py or aioredis: a reference
/// through any other import (`os.path`) cannot matter to a rule. A prefix test,
/// wider than the packages (`redis_lock` passes), so that it never misses.
pub fn may_be_redis_name(qualified: &str) -> bool {
    qualified.starts_with("redis") || qualified.starts_with("aioredis")
}

/// `aioredis` itself or one of its submodules/names.
/// Whether `text` spells one of `words` as a whole word: an identifier (or
/// the text of a string), not part of a longer one (`util` in `utils`).
/// `words` is built by [`whole_word_searcher`]: leftmost-longest matches,
/// which never hide a whole word (a match overlapping one would have to
/// cross the non-word character around it, and the words have none).
pub fn spells_a_whole_word(words: &aho_corasick::AhoCorasick, text: &str) -> bool {
    let bytes = text.as_bytes();
    words.find_iter(text).any(|found| {
        let before = found.start().checked_sub(1).map(|at| bytes[at]);
        let after = bytes.get(found.end()).copied();
        !before.is_some_and(is_word_byte) && !after.is_some_and(is_word_byte)
    })
}

/// A byte of an identifier (any non-ASCII byte counts: part of a letter).
fn is_word_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_' || byte >= 0x80
}

/// The searcher [`spells_a_whole_word`] needs for `words` (identifiers).
pub fn whole_word_searcher<'a>(
    words: impl IntoIterator<Item = &'a str>,
) -> aho_corasick::AhoCorasick {
    let words: Vec<&str> = words.into_iter().collect();
    assert!(
        words
            .iter()
            .all(|word| !word.is_empty() && word.bytes().all(is_word_byte)),
        "whole words only: {words:?}"
    );
    aho_corasick::AhoCorasick::builder()
        .match_kind(aho_corasick::MatchKind::LeftmostLongest)
        .build(words)
        .expect("a few short words")
}

pub fn is_aioredis(qualified: &str) -> bool {
    qualified == "aioredis" || qualified.starts_with("aioredis.")
}

impl ApiMap {
    pub fn module(&self, module: &str) -> Option<&ModuleEntry> {
        self.modules.get(module)
    }

    /// The 1.x-only entry for `qualified`: the longest key that equals it or is a
    /// dotted prefix of it (`aioredis.errors` covers `aioredis.errors.Foo`).
    pub fn legacy(&self, qualified: &str) -> Option<(&str, &LegacyEntry)> {
        let mut candidate = qualified;
        loop {
            if let Some((key, entry)) = self.legacy.get_key_value(candidate) {
                return Some((key.as_str(), entry));
            }
            candidate = &candidate[..candidate.rfind('.')?];
        }
    }

    /// Whether redis-py's `module` exports `name`; `None` when the module's
    /// exports are not recorded.
    pub fn exports(&self, module: &str, name: &str) -> Option<bool> {
        self.exports.get(module).map(|names| names.contains(name))
    }

    /// A name aioredis code reaches that `redis.asyncio` lacks (`redis.asyncio.exceptions`).
    pub fn missing(&self, qualified: &str) -> Option<&LegacyEntry> {
        self.missing.get(qualified)
    }

    /// Whether the constructor (its first qualified name) builds an aioredis 1.x
    /// `Redis` client, the object `client_method`/`client_keyword` are about.
    pub fn builds_legacy_client(&self, constructor: &str) -> bool {
        self.legacy_client_constructors
            .iter()
            .any(|name| name == constructor)
    }

    /// An attribute of the aioredis 1.x client that redis.asyncio's client lacks.
    pub fn client_method(&self, name: &str) -> Option<&LegacyEntry> {
        self.client_methods.get(name)
    }

    /// A keyword argument of a 1.x client command that redis.asyncio's
    /// `method` does not take.
    pub fn client_keyword(&self, method: &str, keyword: &str) -> Option<&ClientKeyword> {
        let methods = self.client_keywords.get(keyword)?;
        if let Some(entry) = methods.get(method) {
            return Some(entry);
        }
        methods
            .get("*")
            .filter(|entry| !entry.except.iter().any(|name| name == method))
    }

    /// A keyword judged on any receiver in a 1.x module (`set(expire=)`, `get(encoding=)`).
    pub fn anywhere_keyword(&self, method: &str, keyword: &str) -> Option<&ClientKeyword> {
        let methods = self.client_keywords.get(keyword)?;
        if let Some(entry) = methods.get(method) {
            return entry.anywhere.then_some(entry);
        }
        methods
            .get("*")
            .filter(|entry| entry.anywhere_methods.iter().any(|name| name == method))
    }

    /// A 1.x positional form of `method` (`zadd(key, score, member)`).
    pub fn client_positional(&self, method: &str) -> Option<&ClientPositional> {
        self.client_positional.get(method)
    }

    /// An attribute of the aioredis 1.x `ConnectionsPool` that redis.asyncio's pool lacks.
    pub fn pool_method(&self, name: &str) -> Option<&LegacyEntry> {
        self.pool_methods.get(name)
    }

    /// An attribute of an aioredis 1.x `Channel` (all of them: the class is gone).
    pub fn channel_method(&self, name: &str) -> Option<&LegacyEntry> {
        self.channel_methods.get(name)
    }

    pub fn client_types(&self) -> &ClientTypes {
        &self.client_types
    }

    /// Whether a module's text may use aioredis 1.x-only API at all: it contains
    /// the last part of some `[legacy]` name (`create_pool`, `errors`, ...),
    /// which any import or reference of one spells out.
    pub fn may_mention_legacy(&self, text: &str) -> bool {
        self.legacy_words.is_match(text)
    }

    /// [`Self::may_mention_legacy`], counting only the words that stand as a
    /// whole word (an identifier, not part of one: `util` in `utils` does not
    /// count), as every import or reference of a `[legacy]` name spells it.
    pub fn may_mention_legacy_word(&self, text: &str) -> bool {
        spells_a_whole_word(&self.legacy_words, text)
    }

    /// Whether an attribute name may be part of a 1.x name (`errors`, `create_pool`).
    pub fn may_be_legacy_part(&self, part: &str) -> bool {
        self.legacy_last_parts.contains(part)
    }

    /// The recorded exports of a redis-py module, if it is one we know.
    pub fn module_exports(&self, module: &str) -> Option<&HashSet<String>> {
        self.exports.get(module)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_file_parses() {
        let map = api_map();
        assert_eq!(
            map.module("aioredis.exceptions").unwrap().target.as_deref(),
            Some("redis.exceptions")
        );
    }

    #[test]
    fn legacy_lookup_takes_the_longest_prefix() {
        let map = api_map();
        assert_eq!(
            map.legacy("aioredis.errors.ReplyError").unwrap().0,
            "aioredis.errors.ReplyError"
        );
        assert_eq!(
            map.legacy("aioredis.errors.Other").unwrap().0,
            "aioredis.errors"
        );
        assert!(map.legacy("aioredis.Redis").is_none());
        assert!(map.legacy("aioredis.from_url").is_none());
        assert_eq!(
            map.legacy("aioredis.Redis.SET_IF_EXIST").unwrap().0,
            "aioredis.Redis.SET_IF_EXIST"
        );
    }

    #[test]
    fn every_aioredis_2_name_is_exported_by_redis_asyncio() {
        // aioredis 2.0.1 `__all__` (reference §2.1).
        for name in [
            "AuthenticationError",
            "AuthenticationWrongNumberOfArgsError",
            "BlockingConnectionPool",
            "BusyLoadingError",
            "ChildDeadlockedError",
            "Connection",
            "ConnectionError",
            "ConnectionPool",
            "DataError",
            "from_url",
            "InvalidResponse",
            "PubSubError",
            "ReadOnlyError",
            "Redis",
            "RedisError",
            "ResponseError",
            "SSLConnection",
            "StrictRedis",
            "TimeoutError",
            "UnixDomainSocketConnection",
            "WatchError",
        ] {
            assert_eq!(
                api_map().exports("redis.asyncio", name),
                Some(true),
                "{name}"
            );
        }
    }

    #[test]
    fn missing_module_names_are_absent_from_the_exports() {
        let map = api_map();
        for key in map.missing.keys() {
            let (module, name) = key.rsplit_once('.').unwrap();
            // Class attributes (`redis.asyncio.Redis.X`) sit below a class, not a module.
            if map.module_exports(module).is_some() {
                assert_eq!(map.exports(module, name), Some(false), "{key}");
            }
        }
    }

    #[test]
    fn client_tables_load() {
        let map = api_map();
        assert!(map.builds_legacy_client("aioredis.create_redis_pool"));
        assert!(!map.builds_legacy_client("aioredis.create_pool"));
        assert!(map.client_method("multi_exec").is_some());
        assert!(map.client_method("get").is_none());
        assert!(map.client_keyword("set", "expire").is_some());
        assert!(map.client_keyword("get", "expire").is_none());
        assert!(map.client_keyword("hgetall", "encoding").is_some());
        assert!(map.client_keyword("bitfield_ro", "encoding").is_none());
        // §3.4 lists 52 names; and 1.x `RedisConnection.execute_pubsub`.
        assert_eq!(map.client_methods.len(), 53);
    }

    #[test]
    fn legacy_words_are_found_in_text() {
        let map = api_map();
        assert!(map.may_mention_legacy("from aioredis import create_pool as cp"));
        assert!(map.may_mention_legacy("def f(p: 'aioredis.ConnectionsPool'): ..."));
        assert!(map.may_mention_legacy("except aioredis.errors.X: ..."));
        assert!(!map.may_mention_legacy("import aioredis\nr = aioredis.from_url(u)\n"));
        // Whole words only: as an identifier, an attribute, an import, a string.
        for text in [
            "from aioredis import create_pool as cp",
            "aioredis.errors.ReplyError",
            "x = aioredis.util",
            "def f(p: 'aioredis.ConnectionsPool'): ...",
            "getattr(aioredis, \"create_redis\")",
            "pool",
        ] {
            assert!(map.may_mention_legacy_word(text), "{text}");
        }
        for text in [
            "from django import utils",
            "my_create_pool()",
            "create_pool2 = 1",
            "poolé = 1",
            "import aioredis\nr = aioredis.from_url(u)\n",
        ] {
            assert!(!map.may_mention_legacy_word(text), "{text}");
            if text.contains("aioredis") {
                continue;
            }
            // Looser than the whole-word test, never stricter.
            assert!(map.may_mention_legacy(text), "{text}");
        }
    }

    #[test]
    fn anywhere_tables() {
        let map = api_map();
        assert!(map.anywhere_keyword("set", "expire").is_some());
        assert!(map.anywhere_keyword("get", "encoding").is_some());
        // `encoding=` anywhere only on the commands whose 1.x signature has it.
        assert!(map.anywhere_keyword("read_text", "encoding").is_none());
        assert!(map.client_keyword("read_text", "encoding").is_some());
        // Known receivers only.
        assert!(map.anywhere_keyword("sort", "offset").is_none());
        assert!(map.client_keyword("sort", "offset").is_some());
        assert_eq!(map.client_positional("zadd").unwrap().min_positional, 3);
        assert_eq!(
            map.client_positional("zadd").unwrap().anywhere_numeric_at,
            Some(1)
        );
        assert!(map.pool_method("execute").is_some());
        assert!(map.pool_method("release").is_none());
        assert!(map.channel_method("wait_message").is_some());
    }

    #[test]
    fn every_anywhere_encoding_command_is_a_1x_command() {
        // The `*.encoding` entry's methods are 1.x `Redis` commands, none a client attribute.
        let map = api_map();
        let entry = map.client_keyword("get", "encoding").unwrap();
        assert!(entry.anywhere_methods.len() > 30);
        for method in &entry.anywhere_methods {
            assert!(map.client_method(method).is_none(), "{method}");
            assert!(!entry.except.contains(method), "{method}");
        }
    }

    #[test]
    fn always_1x_types_are_1x_only_names() {
        // A type that makes an object 1.x in any module must be 1.x-only API itself,
        // so a module naming it is a 1.x module too.
        let map = api_map();
        let types = map.client_types();
        for name in types.client.iter().chain(&types.pool).chain(&types.channel) {
            assert!(map.legacy(name).is_some(), "{name}");
        }
        for name in &types.client_in_1x_modules {
            assert!(map.legacy(name).is_none(), "{name}");
        }
    }

    #[test]
    fn legacy_client_constructors_are_aioredis_1_clients() {
        use crate::constructors::{Kind, Library, constructor_table};
        for name in &api_map().legacy_client_constructors {
            let constructor = constructor_table().lookup(name).expect(name);
            assert_eq!(constructor.name, *name);
            assert_eq!(constructor.library, Library::Aioredis1, "{name}");
            assert_eq!(constructor.kind, Kind::Client, "{name}");
        }
    }

    #[test]
    fn legacy_keys_are_aioredis_names() {
        for key in api_map().legacy.keys() {
            assert!(is_aioredis(key), "{key}");
        }
    }
}
