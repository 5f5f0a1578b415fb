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
    /// What a file must contain for the rule to find anything.
    pub needs: Needle,
}

/// What a file must contain before it is worth parsing for a rule (`needs` in
/// rules/catalog.toml). Each is a superset test: it may let through a file
/// without findings, never hold back one with findings (RU001 aside, which
/// reports the syntax errors of the files that are parsed).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase", deny_unknown_fields)]
pub enum Needle {
    /// Each of these byte strings, anywhere in the file.
    Bytes(Vec<String>),
    /// An import of a module whose dotted name contains this text
    /// ([`crate::prefilter::may_import_module_containing`]).
    Import(String),
    /// A dependency manifest naming this text in any letter case: the rule
    /// reads manifests, never Python code (`crate::manifest::may_contain_findings`).
    Manifest(String),
    /// A code a `# noqa` comment may list: this text followed by an ASCII
    /// digit, anywhere (RU002, which judges `# noqa` comments). The one
    /// needle without [`Needle::SHARED`].
    Noqa(String),
}

impl Needle {
    /// The text every needle but [`Needle::Noqa`] contains (unit-tested): a
    /// file without it can only meet a `Noqa` needle, so one scan for it
    /// settles most files.
    pub const SHARED: &'static str = "redis";
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_needle_contains_the_shared_text() {
        for info in catalog() {
            let texts: Vec<&String> = match &info.needs {
                Needle::Bytes(all) => all.iter().collect(),
                Needle::Import(text) | Needle::Manifest(text) => vec![text],
                Needle::Noqa(_) => continue, // checked apart by the prefilter
            };
            assert!(
                texts.iter().any(|text| text.contains(Needle::SHARED)),
                "{}: {:?} does not contain {:?}",
                info.code,
                info.needs,
                Needle::SHARED
            );
        }
    }
}
