#![doc = include_str!("../../rules/docs/RU303.md")]

use super::Rule;
use crate::diagnostic::Diagnostic;
use crate::diagnostic::{Applicability, Edit, Fix};
use crate::manifest::versions::version;
use crate::manifest::{Manifest, Site};

pub const DOC: &str = include_str!("../../rules/docs/RU303.md");

/// redis-py ships `py.typed` since 5.0.0.
const TYPED_SINCE: &str = "5.0.0";

pub fn check(manifest: &Manifest, diagnostics: &mut Vec<Diagnostic>) {
    let floor = version(TYPED_SINCE);
    // The manifest needs redis >= 5: a redis requirement that admits nothing
    // older, or an aioredis requirement, whose replacement is `redis>=5.0.1`.
    let reason = if manifest
        .requirements_on("redis")
        .any(|redis| redis.admitted.at_least(&floor))
    {
        "this manifest requires `redis>=5`"
    } else if manifest.requirements_on("aioredis").next().is_some() {
        "aioredis is replaced by `redis>=5.0.1` (RU300)"
    } else {
        return;
    };
    for dependency in manifest.requirements_on("types-redis") {
        let mut diagnostic = Diagnostic::new(
            Rule::ObsoleteTypesRedis,
            dependency.range,
            format!(
                "`types-redis` is obsolete: redis-py ships its own type hints since 5.0.0, and {reason}; the stubs are older than the code and hide its real types"
            ),
        );
        let removal = match &dependency.site {
            Site::Pep508 { removal, .. } | Site::TomlKey { removal, .. } => *removal,
        };
        diagnostic = match removal {
            Some(removal) => diagnostic.with_fix(Fix::new(
                vec![Edit::replacement(removal, "")],
                Applicability::Unsafe,
                "Remove `types-redis`",
            )),
            None => diagnostic.with_help("remove `types-redis`"),
        };
        diagnostics.push(diagnostic);
    }
}
