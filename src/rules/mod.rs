//! The rules: one module per rule, and the registry that names them.

pub mod aioredis_dependency;
pub mod aioredis_dynamic_import;
pub mod aioredis_import;
pub mod aioredis_legacy_api;
pub mod aioredis_legacy_client;
pub mod aioredis_reply_shapes;
pub mod client_per_call;
pub mod deprecated_close;
pub mod hardcoded_redis_password;
pub mod legacy_rewrites;
pub mod legacy_script_call;
pub mod missing_after_swap;
pub mod missing_socket_timeout;
pub mod obsolete_types_redis;
pub mod positional_async_client_args;
pub mod redis_without_asyncio;
pub mod strict_redis_alias;
pub mod sync_client_in_async;
pub mod syntax_error;
pub mod tls_verification_disabled;
pub mod unused_noqa;
pub mod vulnerable_redis_version;

use crate::catalog::{self, Needle, RuleInfo};

/// Every rule, in code order. The code, name and summary of each live in
/// `rules/catalog.toml`; the documentation in `rules/docs/<CODE>.md`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Rule {
    SyntaxError,
    UnusedNoqa,
    AioredisImport,
    AioredisLegacyApi,
    AioredisDynamicImport,
    DeprecatedClose,
    MissingAfterSwap,
    LegacyScriptCall,
    SyncClientInAsync,
    MissingSocketTimeout,
    HardcodedRedisPassword,
    TlsVerificationDisabled,
    ClientPerCall,
    PositionalAsyncClientArgs,
    StrictRedisAlias,
    AioredisDependency,
    VulnerableRedisVersion,
    RedisWithoutAsyncio,
    ObsoleteTypesRedis,
}

impl Rule {
    pub const ALL: &'static [Rule] = &[
        Rule::SyntaxError,
        Rule::UnusedNoqa,
        Rule::AioredisImport,
        Rule::AioredisLegacyApi,
        Rule::AioredisDynamicImport,
        Rule::DeprecatedClose,
        Rule::MissingAfterSwap,
        Rule::LegacyScriptCall,
        Rule::SyncClientInAsync,
        Rule::MissingSocketTimeout,
        Rule::HardcodedRedisPassword,
        Rule::TlsVerificationDisabled,
        Rule::ClientPerCall,
        Rule::PositionalAsyncClientArgs,
        Rule::StrictRedisAlias,
        Rule::AioredisDependency,
        Rule::VulnerableRedisVersion,
        Rule::RedisWithoutAsyncio,
        Rule::ObsoleteTypesRedis,
    ];

    /// The rules that read dependency manifests, not Python code.
    pub const MANIFEST_RULES: &'static [Rule] = &[
        Rule::AioredisDependency,
        Rule::VulnerableRedisVersion,
        Rule::RedisWithoutAsyncio,
        Rule::ObsoleteTypesRedis,
    ];

    /// The rules that judge Redis client constructions and the names holding
    /// clients: without one of them the checker tracks no clients at all.
    pub const CLIENT_RULES: &'static [Rule] = &[
        // On names holding an aioredis 1.x client: its 1.x-only methods and keywords.
        Rule::AioredisLegacyApi,
        Rule::DeprecatedClose,
        Rule::SyncClientInAsync,
        Rule::MissingSocketTimeout,
        Rule::HardcodedRedisPassword,
        Rule::TlsVerificationDisabled,
        Rule::ClientPerCall,
        Rule::PositionalAsyncClientArgs,
        Rule::StrictRedisAlias,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Rule::SyntaxError => "RU001",
            Rule::UnusedNoqa => "RU002",
            Rule::AioredisImport => "RU100",
            Rule::AioredisLegacyApi => "RU101",
            Rule::AioredisDynamicImport => "RU102",
            Rule::DeprecatedClose => "RU103",
            Rule::MissingAfterSwap => "RU104",
            Rule::LegacyScriptCall => "RU105",
            Rule::SyncClientInAsync => "RU200",
            Rule::MissingSocketTimeout => "RU201",
            Rule::HardcodedRedisPassword => "RU202",
            Rule::TlsVerificationDisabled => "RU203",
            Rule::ClientPerCall => "RU204",
            Rule::PositionalAsyncClientArgs => "RU205",
            Rule::StrictRedisAlias => "RU207",
            Rule::AioredisDependency => "RU300",
            Rule::VulnerableRedisVersion => "RU301",
            Rule::RedisWithoutAsyncio => "RU302",
            Rule::ObsoleteTypesRedis => "RU303",
        }
    }

    /// The rule's documentation: What it does / Why is this bad? / Example / Fix safety.
    pub fn doc(self) -> &'static str {
        match self {
            Rule::SyntaxError => syntax_error::DOC,
            Rule::UnusedNoqa => unused_noqa::DOC,
            Rule::AioredisImport => aioredis_import::DOC,
            Rule::AioredisLegacyApi => aioredis_legacy_api::DOC,
            Rule::AioredisDynamicImport => aioredis_dynamic_import::DOC,
            Rule::DeprecatedClose => deprecated_close::DOC,
            Rule::MissingAfterSwap => missing_after_swap::DOC,
            Rule::LegacyScriptCall => legacy_script_call::DOC,
            Rule::SyncClientInAsync => sync_client_in_async::DOC,
            Rule::MissingSocketTimeout => missing_socket_timeout::DOC,
            Rule::HardcodedRedisPassword => hardcoded_redis_password::DOC,
            Rule::TlsVerificationDisabled => tls_verification_disabled::DOC,
            Rule::ClientPerCall => client_per_call::DOC,
            Rule::PositionalAsyncClientArgs => positional_async_client_args::DOC,
            Rule::StrictRedisAlias => strict_redis_alias::DOC,
            Rule::AioredisDependency => aioredis_dependency::DOC,
            Rule::VulnerableRedisVersion => vulnerable_redis_version::DOC,
            Rule::RedisWithoutAsyncio => redis_without_asyncio::DOC,
            Rule::ObsoleteTypesRedis => obsolete_types_redis::DOC,
        }
    }

    pub fn info(self) -> &'static RuleInfo {
        // The catalog lists the rules in the order of `Rule::ALL` (unit-tested).
        &catalog::catalog()[self as usize]
    }

    pub fn from_code(code: &str) -> Option<Rule> {
        Rule::ALL.iter().copied().find(|rule| rule.code() == code)
    }

    pub fn url(self) -> String {
        format!(
            "{}/blob/main/rules/docs/{}.md",
            env!("CARGO_PKG_REPOSITORY"),
            self.code()
        )
    }

    fn bit(self) -> u64 {
        1 << (self as u8)
    }
}

/// A set of rules, as a bit set (there are far fewer than 64 rules).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RuleSet(u64);

impl RuleSet {
    pub fn all() -> Self {
        Rule::ALL.iter().copied().collect()
    }

    pub fn contains(self, rule: Rule) -> bool {
        self.0 & rule.bit() != 0
    }

    pub fn insert(&mut self, rule: Rule) {
        self.0 |= rule.bit();
    }

    pub fn remove(&mut self, rule: Rule) {
        self.0 &= !rule.bit();
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The distinct needles of the set's rules: a file that meets none of them
    /// has nothing for these rules to find.
    pub fn needles(self) -> Vec<&'static Needle> {
        let mut needles: Vec<&'static Needle> = Vec::new();
        for rule in self.iter() {
            let needle = &rule.info().needs;
            if !needles.contains(&needle) {
                needles.push(needle);
            }
        }
        needles
    }

    pub fn contains_any(self, rules: &[Rule]) -> bool {
        rules.iter().any(|rule| self.contains(*rule))
    }

    pub fn iter(self) -> impl Iterator<Item = Rule> {
        Rule::ALL
            .iter()
            .copied()
            .filter(move |rule| self.contains(*rule))
    }
}

impl FromIterator<Rule> for RuleSet {
    fn from_iter<I: IntoIterator<Item = Rule>>(iter: I) -> Self {
        let mut set = RuleSet::default();
        for rule in iter {
            set.insert(rule);
        }
        set
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalog_and_registry_agree() {
        let codes: Vec<&str> = catalog::catalog().iter().map(|i| i.code.as_str()).collect();
        let registry: Vec<&str> = Rule::ALL.iter().map(|r| r.code()).collect();
        assert_eq!(codes, registry);
        for rule in Rule::ALL {
            assert_eq!(rule.info().code, rule.code());
            assert_eq!(Rule::from_code(rule.code()), Some(*rule));
        }
    }

    #[test]
    fn codes_are_in_order_and_unique() {
        let codes: Vec<&str> = Rule::ALL.iter().map(|r| r.code()).collect();
        let mut sorted = codes.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(codes, sorted);
    }

    #[test]
    fn the_manifest_rules_are_those_with_a_manifest_needle() {
        for rule in Rule::ALL {
            let is_manifest_needle = matches!(rule.info().needs, Needle::Manifest(_));
            assert_eq!(
                is_manifest_needle,
                Rule::MANIFEST_RULES.contains(rule),
                "{}",
                rule.code()
            );
        }
        // The manifest prefilter looks for `redis` in any letter case.
        for rule in Rule::MANIFEST_RULES {
            assert_eq!(rule.info().needs, Needle::Manifest("redis".into()));
        }
        assert!(crate::manifest::may_contain_findings(b"Types-REDIS\n"));
    }

    #[test]
    fn needles_are_deduplicated() {
        let all = RuleSet::all().needles();
        assert_eq!(all.len(), 5, "{all:?}");
        assert!(RuleSet::default().needles().is_empty());
    }

    #[test]
    fn every_doc_has_the_four_sections() {
        for rule in Rule::ALL {
            for section in [
                "## What it does",
                "## Why is this bad?",
                "## Example",
                "## Fix safety",
            ] {
                assert!(
                    rule.doc().contains(section),
                    "{} lacks {section}",
                    rule.code()
                );
            }
        }
    }
}
