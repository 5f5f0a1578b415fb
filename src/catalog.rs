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
