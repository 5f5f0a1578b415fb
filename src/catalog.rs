//! The rule catalog, loaded from `rules/catalog.toml` and `rules/docs/*.md`.

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

const CATALOG_TOML: &str = include_str!("../rules/catalog.toml");

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FixAvailability {
    None,
    Sometimes,
    Always,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RuleInfo {
    pub code: String,
    pub name: String,
    pub summary: String,
    /// Selected when the user does not narrow the selection.
    pub default: bool,
    pub fix: FixAvailability,
    /// The bytes a file must contain for the rule to find anything.
    pub needs: Needle,
}

/// What a file must contain before it is worth parsing for a rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Needle {
    /// `aioredis` (the narrower needle).
    Aioredis,
    /// `redis`: also found in every file that contains `aioredis`.
    Redis,
}

impl Needle {
    pub fn bytes(self) -> &'static [u8] {
        match self {
            Needle::Aioredis => b"aioredis",
            Needle::Redis => b"redis",
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogFile {
    rule: Vec<RuleInfo>,
}

pub fn catalog() -> &'static [RuleInfo] {
    static CATALOG: OnceLock<Vec<RuleInfo>> = OnceLock::new();
    CATALOG.get_or_init(|| {
        toml::from_str::<CatalogFile>(CATALOG_TOML)
            .expect("rules/catalog.toml is valid (unit-tested)")
            .rule
    })
}

pub fn lookup(code: &str) -> Option<&'static RuleInfo> {
    catalog().iter().find(|info| info.code == code)
}
