//! `Pipfile` (TOML): `[packages]` and `[dev-packages]`, each `name = "spec"`
//! or `name = { version = "spec", extras = […], markers = "…" }`, with PEP 440
//! specifiers or `*`.

use toml_edit::{Document, Item};

use super::Manifest;
use super::pyproject::{Dialect, key_table};

pub fn parse(text: &str) -> Manifest {
    let document = match Document::parse(text) {
        Ok(document) => document,
        Err(error) => {
            return Manifest {
                error: Some(format!("not valid TOML: {}", error.message())),
                ..Manifest::default()
            };
        }
    };
    let mut manifest = Manifest::default();
    for section in ["packages", "dev-packages"] {
        if let Some(table) = document.get(section).and_then(Item::as_table) {
            key_table(text, table, section, Dialect::Pipfile, &mut manifest);
        }
    }
    manifest
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packages_and_dev_packages() {
        let text = "[[source]]\nname = \"pypi\"\n\n[packages]\naioredis = \"*\"\nredis = {version = \"==4.3.4\", extras = [\"hiredis\"]}\n\n[dev-packages]\ntypes-redis = \">=4\"\n\n[requires]\npython_version = \"3.11\"\n";
        let manifest = parse(text);
        let found: Vec<(&str, &str, &str)> = manifest
            .dependencies
            .iter()
            .map(|d| (d.group.as_str(), d.name.as_ref(), d.specifier.as_str()))
            .collect();
        assert_eq!(
            found,
            [
                ("packages", "aioredis", ""),
                ("packages", "redis", "==4.3.4"),
                ("dev-packages", "types-redis", ">=4"),
            ]
        );
    }
}
