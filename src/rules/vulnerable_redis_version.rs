#![doc = include_str!("../../rules/docs/RU301.md")]

use super::Rule;
use crate::diagnostic::Diagnostic;
use crate::manifest::Manifest;
use crate::manifest::versions::version;
use crate::rules::aioredis_dependency::{REPLACEMENT, rewrite_fix};

pub const DOC: &str = include_str!("../../rules/docs/RU301.md");

/// The affected ranges, from the advisories (reference §5.1): introduced, fixed.
const CVE_2023_28858: &[(&str, &str)] =
    &[("4.2.0", "4.3.6"), ("4.4.0", "4.4.3"), ("4.5.0", "4.5.3")];
const CVE_2023_28859: &[(&str, &str)] = &[("4.2.0", "4.4.4"), ("4.5.0", "4.5.4")];

pub fn check(text: &str, manifest: &Manifest, diagnostics: &mut Vec<Diagnostic>) {
    for dependency in manifest.requirements_on("redis") {
        let hit = |ranges: &[(&str, &str)]| {
            ranges.iter().any(|(low, high)| {
                dependency
                    .admitted
                    .admits_any_in(&version(low), Some(&version(high)))
            })
        };
        let cves: Vec<&str> = [
            ("CVE-2023-28858", hit(CVE_2023_28858)),
            ("CVE-2023-28859", hit(CVE_2023_28859)),
        ]
        .into_iter()
        .filter_map(|(name, hit)| hit.then_some(name))
        .collect();
        if cves.is_empty() {
            continue;
        }
        let written = if dependency.specifier.is_empty() {
            "redis (any version)".to_string()
        } else {
            format!("redis{}", dependency.specifier)
        };
        let diagnostic = Diagnostic::new(
            Rule::VulnerableRedisVersion,
            dependency.range,
            format!(
                "`{written}` admits redis-py versions with {} (a cancelled async command can hand its reply to another request)",
                cves.join(" and ")
            ),
        );
        // The version RU300's fix requires too, so that fixing both manifest
        // findings leaves requirements that agree (never `redis==4.3.4` next to
        // the `redis>=5.0.1` the migrated code needs). Extras and markers are
        // kept, and `hiredis` from an aioredis requirement of the same group.
        let mut extras = dependency.extras.clone();
        let aioredis_hiredis = manifest.requirements_on("aioredis").any(|aioredis| {
            aioredis.group == dependency.group && aioredis.extras.iter().any(|e| e == "hiredis")
        });
        if aioredis_hiredis && !extras.iter().any(|e| e == "hiredis") {
            extras.push("hiredis".to_string());
        }
        let new_head = if extras.is_empty() {
            REPLACEMENT.to_string()
        } else {
            format!("redis[{}]>=5.0.1", extras.join(","))
        };
        let title =
            format!("Require `{new_head}` (a major upgrade from 4.x: review the changelog)");
        diagnostics.push(match rewrite_fix(text, dependency, new_head, title) {
            Some(fix) => diagnostic.with_fix(fix),
            None => diagnostic
                .with_help("require `redis>=5.0.1` (or at least `>=4.5.4`, or `>=4.4.4,<4.5`)"),
        });
    }
}
