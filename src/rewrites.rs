//! The aioredis 1.x → redis.asyncio rewrites, loaded from `rules/aioredis-rewrites.toml`:
//! which factory becomes which constructor (`create_sentinel` → `Sentinel`), which keyword and
//! method become which. The
//! rules (RU101, RU103) build their fixes from these tables.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::Deserialize;

const REWRITES_TOML: &str = include_str!("../rules/aioredis-rewrites.toml");

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Factory {
    /// The constructor for a URL (or a variable holding one).
    pub url: String,
    /// The constructor for a `(host, port)` pair or a bare unix socket path.
    pub host_port: String,
    /// Keywords added to the call.
    pub extra: Vec<String>,
}

/// `create_sentinel` → redis-py's `Sentinel` (`[sentinel]`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SentinelRewrite {
    /// The 1.x factories of a sentinel.
    pub factories: Vec<String>,
    /// The redis.asyncio class that replaces them.
    pub constructor: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExceptionRewrite {
    /// The redis-py exception's name.
    pub name: String,
    /// The same errors, the same hierarchy: the rewrite is offered.
    pub exact: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rewrites {
    pub factories: HashMap<String, Factory>,
    pub sentinel: SentinelRewrite,
    sentinel_keywords: HashMap<String, String>,
    factory_keywords: HashMap<String, String>,
    renames: HashMap<String, String>,
    keywords: HashMap<String, String>,
    keyword_values: HashMap<String, HashMap<String, String>>,
    transactions: HashMap<String, String>,
    exceptions: HashMap<String, ExceptionRewrite>,
}

pub fn rewrites() -> &'static Rewrites {
    static REWRITES: OnceLock<Rewrites> = OnceLock::new();
    REWRITES.get_or_init(|| {
        // Compiled in and checked by a unit test, so this cannot fail at run time.
        toml::from_str(REWRITES_TOML).expect("rules/aioredis-rewrites.toml is valid (unit-tested)")
    })
}

impl Rewrites {
    pub fn factory(&self, name: &str) -> Option<&Factory> {
        self.factories.get(name)
    }

    /// What a 1.x `create_sentinel` keyword becomes: `Some("")` drops it,
    /// `Some("sentinel_kwargs.<key>")` moves it into `sentinel_kwargs`, `None` leaves
    /// the call alone.
    pub fn sentinel_keyword(&self, keyword: &str) -> Option<&str> {
        self.sentinel_keywords.get(keyword).map(String::as_str)
    }

    /// What a 1.x factory keyword becomes: `Some("")` drops it, `None` leaves the call alone.
    pub fn factory_keyword(&self, keyword: &str) -> Option<&str> {
        self.factory_keywords.get(keyword).map(String::as_str)
    }

    /// The redis.asyncio method a 1.x client method is renamed to.
    pub fn rename(&self, method: &str) -> Option<&str> {
        self.renames.get(method).map(String::as_str)
    }

    /// The redis.asyncio keyword for `method(keyword=...)`, same value.
    pub fn keyword(&self, method: &str, keyword: &str) -> Option<&str> {
        self.keywords
            .get(&format!("{method}.{keyword}"))
            .map(String::as_str)
    }

    /// What replaces `method(keyword=<value>)` for a value whose last name is `value`.
    pub fn keyword_value(&self, method: &str, keyword: &str, value: &str) -> Option<&str> {
        self.keyword_values
            .get(&format!("{method}.{keyword}"))?
            .get(value)
            .map(String::as_str)
    }

    /// The call that replaces a 1.x transaction factory (`multi_exec`).
    pub fn transaction(&self, method: &str) -> Option<&str> {
        self.transactions.get(method).map(String::as_str)
    }

    /// The redis-py exception for a 1.x exception name.
    pub fn exception(&self, name: &str) -> Option<&ExceptionRewrite> {
        self.exceptions.get(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_file_parses_and_names_what_redis_py_has() {
        let rewrites = rewrites();
        let api = crate::api::api_map();
        assert_eq!(rewrites.rename("iscan"), Some("scan_iter"));
        assert_eq!(rewrites.keyword("set", "expire"), Some("ex"));
        assert_eq!(
            rewrites.keyword_value("set", "exist", "SET_IF_NOT_EXIST"),
            Some("nx=True")
        );
        assert_eq!(rewrites.factory_keyword("minsize"), Some(""));
        assert_eq!(rewrites.factory_keyword("parser"), None);
        assert_eq!(rewrites.sentinel.constructor, "Sentinel");
        assert_eq!(
            rewrites.sentinel_keyword("timeout"),
            Some("sentinel_kwargs.socket_timeout")
        );
        assert_eq!(rewrites.sentinel_keyword("parser"), None);
        assert_eq!(
            api.exports("redis.asyncio", &rewrites.sentinel.constructor),
            Some(true)
        );
        // Every exact exception target is exported by redis.asyncio (checked against
        // redis-py itself by tests/redis_safety.rs through the fixtures).
        for (old, new) in &rewrites.exceptions {
            assert!(
                api.exports("redis.asyncio", &new.name) == Some(true) || !new.exact,
                "{old} → {}",
                new.name
            );
        }
    }
}
