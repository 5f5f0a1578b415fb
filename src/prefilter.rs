//! The prefilter: whether a Python file can have findings for the selected
//! rules, judged on its raw bytes before it is decoded or parsed. Each rule
//! names what it needs (`needs` in rules/catalog.toml); most files of a large
//! code base are skipped here.

use memchr::memmem;

use crate::catalog::Needle;
use crate::rules::RuleSet;

/// Whether `text` meets the needle of some rule of `rules`.
pub fn may_contain_findings(text: &[u8], rules: RuleSet) -> bool {
    // Every needle but `noqa` contains the shared text (unit-tested in
    // catalog.rs): one scan for it settles most files.
    if memmem::find(text, Needle::SHARED.as_bytes()).is_none() {
        // Without allocating: most files of a code base end here.
        return rules.iter().any(|rule| {
            let needle = &rule.info().needs;
            matches!(needle, Needle::Noqa(_)) && is_met(needle, text)
        });
    }
    rules.needles().iter().any(|needle| is_met(needle, text))
}

/// [`may_contain_findings`], or the text holds `also` (which must contain the
/// shared needle text: one scan for it still settles most files).
pub fn may_contain_findings_or(text: &[u8], rules: RuleSet, also: &[u8]) -> bool {
    debug_assert!(memmem::find(also, Needle::SHARED.as_bytes()).is_some());
    if memmem::find(text, Needle::SHARED.as_bytes()).is_none() {
        return false;
    }
    rules.needles().iter().any(|needle| is_met(needle, text)) || memmem::find(text, also).is_some()
}

fn is_met(needle: &Needle, text: &[u8]) -> bool {
    match needle {
        Needle::Bytes(all) => all
            .iter()
            .all(|bytes| memmem::find(text, bytes.as_bytes()).is_some()),
        Needle::Import(fragment) => may_import_module_containing(text, fragment.as_bytes()),
        // Manifests have their own prefilter (`manifest::may_contain_findings`).
        Needle::Manifest(_) => false,
        Needle::Noqa(prefix) => memmem::find_iter(text, prefix.as_bytes())
            .any(|at| text.get(at + prefix.len()).is_some_and(u8::is_ascii_digit)),
    }
}

/// Whether `text` may import a module whose dotted name contains `fragment`:
/// true when some logical line holds `fragment` and `import` or `from`.
///
/// A superset of the real imports: Python's grammar puts the module name of
/// `import m` and `from m import n` on the logical line of the `import`
/// keyword (a bracket may only open after `import`), and `;` keeps joined
/// statements on one line. The parser also recovers `from m n`, with its
/// `import` missing, as an import of `n`, so `from` counts too. A logical
/// line here is a physical line joined to its neighbours wherever a line ends
/// with a backslash. Comments, strings and words such as `importlib` only let
/// more files through.
pub fn may_import_module_containing(text: &[u8], fragment: &[u8]) -> bool {
    let mut examined_until = 0;
    for at in memmem::find_iter(text, fragment) {
        if at < examined_until {
            continue; // on a logical line already examined
        }
        let (start, end) = logical_line_around(text, at, at + fragment.len());
        let line = &text[start..end];
        if memmem::find(line, b"import").is_some() || memmem::find(line, b"from").is_some() {
            return true;
        }
        examined_until = end;
    }
    false
}

/// The byte range of the logical line holding `text[start..end]`, without its
/// line break: physical lines end at `\n`, `\r\n` or `\r`, and a backslash
/// right before the break joins a line to the next.
fn logical_line_around(text: &[u8], start: usize, end: usize) -> (usize, usize) {
    let mut line_start = start;
    loop {
        line_start = memchr::memrchr2(b'\n', b'\r', &text[..line_start]).map_or(0, |i| i + 1);
        // The break that ends the previous physical line, and what precedes it.
        let break_start = match text[..line_start] {
            [.., b'\r', b'\n'] => line_start - 2,
            [.., _] => line_start - 1,
            [] => break,
        };
        if break_start == 0 || text[break_start - 1] != b'\\' {
            break;
        }
        line_start = break_start;
    }
    let mut line_end = end;
    loop {
        line_end =
            memchr::memchr2(b'\n', b'\r', &text[line_end..]).map_or(text.len(), |i| line_end + i);
        if line_end == text.len() || line_end == 0 || text[line_end - 1] != b'\\' {
            break;
        }
        line_end += match text[line_end..] {
            [b'\r', b'\n', ..] => 2,
            _ => 1,
        };
    }
    (line_start, line_end)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn imports_redis(text: &str) -> bool {
        may_import_module_containing(text.as_bytes(), b"redis")
    }

    #[test]
    fn import_statements_are_found() {
        assert!(imports_redis("import redis\n"));
        assert!(imports_redis("import os, redis\n"));
        assert!(imports_redis(
            "import os\nimport redis.asyncio as aioredis\n"
        ));
        assert!(imports_redis("from redis.asyncio import Redis"));
        assert!(imports_redis(
            "from redis.asyncio import (\n    Redis,\n    from_url,\n)\n"
        ));
        assert!(imports_redis("x = 1; import aioredis; y = 2\n"));
        assert!(imports_redis(
            "    from django_redis import get_redis_connection\n"
        ));
    }

    #[test]
    fn a_from_import_without_its_import_keyword_counts() {
        // The parser binds `Redis` here, reporting a syntax error.
        assert!(imports_redis("from redis Redis\n"));
        assert!(imports_redis("from \\\n  redis (Redis,\n  StrictRedis)\n"));
    }

    #[test]
    fn backslash_continuations_join_lines_both_ways() {
        assert!(imports_redis("from \\\n    redis import Redis\n"));
        assert!(imports_redis("import os, \\\n  \\\n  redis\n"));
        assert!(imports_redis("from redis \\\n  import Redis\n"));
        assert!(imports_redis(
            "from redis.asyncio \\\n  \\\n  import Redis\n"
        ));
        // A backslash that is not the last byte of its line joins nothing.
        assert!(!imports_redis("import os \\ \nredis = None\n"));
        assert!(!imports_redis("import os\\x\nredis = None\n"));
    }

    #[test]
    fn every_kind_of_line_break_ends_a_line() {
        assert!(imports_redis("from \\\r\n    redis import Redis\r\n"));
        assert!(imports_redis("from \\\r    redis import Redis\r"));
        assert!(imports_redis("from redis \\\r\n import Redis\r\n"));
        assert!(!imports_redis("import os\r\nredis = None\r\n"));
        assert!(!imports_redis("import os\rredis = None\r"));
        assert!(!imports_redis("redis = None\r\nimport os\r\n"));
        assert!(!imports_redis("redis = None\rimport os\r"));
    }

    #[test]
    fn mentions_outside_import_lines_are_not_imports() {
        assert!(!imports_redis("# cache it in redis\nimport os\n"));
        assert!(!imports_redis(
            "URL = 'redis://localhost'\nfrom os import path\n"
        ));
        assert!(!imports_redis("def f(redis):\n    return redis.get('k')\n"));
        assert!(!imports_redis("from cache import (\n    redis,\n)\n"));
        assert!(!imports_redis("redis"));
        assert!(!imports_redis(""));
        assert!(!imports_redis("\\\nredis\\\n"));
    }

    #[test]
    fn near_misses_on_one_line_may_pass() {
        // Conservative: a mention next to anything spelled `import` counts.
        assert!(imports_redis("mod = importlib.import_module('redis')\n"));
        assert!(imports_redis("# redis: important\n"));
        assert!(imports_redis("value = cache.get(key)  # from redis\n"));
    }
}
