#![doc = include_str!("../../rules/docs/RU302.md")]

use super::Rule;
use crate::diagnostic::Diagnostic;
use crate::manifest::Manifest;
use crate::manifest::versions::version;

pub const DOC: &str = include_str!("../../rules/docs/RU302.md");

/// The first redis-py release with `redis.asyncio`.
pub const ASYNCIO_SINCE: &str = "4.2.0";

/// `uses_asyncio` tells whether the project imports `redis.asyncio` or
/// `aioredis`; it is asked only when a requirement is capped below 4.2.0.
pub fn check(
    manifest: &Manifest,
    uses_asyncio: &dyn Fn() -> bool,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let floor = version(ASYNCIO_SINCE);
    for dependency in manifest.requirements_on("redis") {
        if !dependency.admitted.capped_below(&floor) || !uses_asyncio() {
            continue;
        }
        diagnostics.push(
            Diagnostic::new(
                Rule::RedisWithoutAsyncio,
                dependency.range,
                format!(
                    "`redis{}` admits only versions without `redis.asyncio` (added in redis-py 4.2.0), but this project imports `redis.asyncio` or `aioredis`: `import redis.asyncio` fails with `ModuleNotFoundError`",
                    dependency.specifier
                ),
            )
            .with_help("require `redis>=5.0.1`"),
        );
    }
}
