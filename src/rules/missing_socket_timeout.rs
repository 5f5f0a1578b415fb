#![doc = include_str!("../../rules/docs/RU201.md")]

use ruff_python_ast::Expr;
use ruff_text_size::Ranged;

use super::Rule;
use crate::checker::Checker;
use crate::constructors::Keywords;
use crate::diagnostic::Diagnostic;
use crate::python::clients::Construction;
use crate::redis_url::RedisUrl;
use crate::version::RedisVersion;

pub const DOC: &str = include_str!("../../rules/docs/RU201.md");

pub fn check(checker: &mut Checker, construction: &Construction) {
    let constructor = construction.constructor;
    if !checker.enabled(Rule::MissingSocketTimeout) || constructor.keywords != Keywords::RedisPy {
        return;
    }
    // A keyword-only constructor called with positional arguments fails before
    // any timeout matters (RU205), and in aioredis 1.x code `Redis(pool)` takes
    // its settings from the pool.
    if constructor.keyword_only && !construction.positional_arguments().is_empty() {
        return;
    }
    match construction.argument("socket_timeout") {
        Some(Expr::NoneLiteral(none)) => {
            let range = construction
                .call
                .arguments
                .find_keyword("socket_timeout")
                .map_or(none.range(), Ranged::range);
            checker.report(Diagnostic::new(
                Rule::MissingSocketTimeout,
                range,
                "`socket_timeout=None` lets every command wait forever on a server that stopped \
                 answering; pass a timeout in seconds, such as `socket_timeout=5`",
            ));
            return;
        }
        Some(_) => return,
        None => {}
    }
    if construction.has_unpacked_arguments()
        || construction.argument("connection_pool").is_some()
        || checker
            .options()
            .target_redis_version
            .is_some_and(|version| version >= RedisVersion::SOCKET_TIMEOUT_DEFAULT)
        || url_sets_socket_timeout(checker, construction)
    {
        return;
    }
    let written = checker.text(construction.callee_range());
    checker.report(Diagnostic::new(
        Rule::MissingSocketTimeout,
        construction.callee_range(),
        format!(
            "`{written}(...)` sets no `socket_timeout`, so before redis-py 8.0 a command waits forever \
             on a server that stopped answering; pass `socket_timeout=` in seconds"
        ),
    ));
}

/// A URL written in the source whose query sets `socket_timeout=`.
fn url_sets_socket_timeout(checker: &Checker, construction: &Construction) -> bool {
    construction
        .url_argument(checker.model(), checker.scope())
        .is_some_and(|(_, value)| {
            RedisUrl::parse(&value.text).is_some_and(|url| url.option("socket_timeout").is_some())
        })
}
