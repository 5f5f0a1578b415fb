//! Linting one file's text: prefilter, parse, run the rules, apply `# noqa`.

use memchr::memmem;
use ruff_python_ast::PySourceType;
use ruff_source_file::LineIndex;

use crate::checker::{Checker, Usage};
use crate::diagnostic::Diagnostic;
use crate::manifest::{self, Manifest, ManifestKind};
use crate::noqa;
use crate::rules::{self, Rule, RuleSet, syntax_error};
use crate::version::RedisVersion;

/// What the rules may assume about the project a file belongs to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LintOptions {
    /// The redis-py release the code runs on, when known (`target-redis-version`).
    pub target_redis_version: Option<RedisVersion>,
}

/// Whether the text can matter at all to `rules`: each rule names the bytes it
/// needs (`aioredis`, or `redis` for the rules about redis-py clients and names;
/// `needs` in rules/catalog.toml). Most files of a large code base are skipped
/// here without being decoded or parsed.
pub fn may_contain_findings(text: &[u8], rules: RuleSet) -> bool {
    rules
        .needle()
        .is_some_and(|needle| memmem::find(text, needle.bytes()).is_some())
}

/// Lints Python source text with default options; diagnostics come sorted by position.
pub fn lint_source(text: &str, source_type: PySourceType, rules: RuleSet) -> Vec<Diagnostic> {
    lint(text, source_type, rules, &LintOptions::default()).diagnostics
}

/// Lints Python source text; diagnostics come sorted by position.
pub fn lint_source_with(
    text: &str,
    source_type: PySourceType,
    rules: RuleSet,
    options: &LintOptions,
) -> Vec<Diagnostic> {
    lint(text, source_type, rules, options).diagnostics
}

/// What linting one text found.
#[derive(Debug)]
pub struct Linted {
    pub diagnostics: Vec<Diagnostic>,
    /// How the module uses aioredis (filled by [`lint_with_usage`] only).
    pub usage: Usage,
    /// The text parsed without errors (true as well for text the prefilter skipped).
    pub syntax_ok: bool,
}

pub fn lint(
    text: &str,
    source_type: PySourceType,
    rules: RuleSet,
    options: &LintOptions,
) -> Linted {
    lint_inner(text, source_type, rules, options, false)
}

/// [`lint`], and how the module uses aioredis (what `plan` needs).
pub fn lint_with_usage(
    text: &str,
    source_type: PySourceType,
    rules: RuleSet,
    options: &LintOptions,
) -> Linted {
    lint_inner(text, source_type, rules, options, true)
}

fn lint_inner(
    text: &str,
    source_type: PySourceType,
    rules: RuleSet,
    options: &LintOptions,
    with_usage: bool,
) -> Linted {
    // `plan` reads how a module uses aioredis even when no rule is selected.
    let wanted = may_contain_findings(text.as_bytes(), rules)
        || (with_usage && memmem::find(text.as_bytes(), b"aioredis").is_some());
    if !wanted {
        return Linted {
            diagnostics: Vec::new(),
            usage: Usage::default(),
            syntax_ok: true,
        };
    }
    let parsed = ruff_python_parser::parse_unchecked_source(text, source_type);
    let syntax_ok = parsed.errors().is_empty();
    let mut diagnostics = Vec::new();
    if rules.contains(Rule::SyntaxError) {
        diagnostics.extend(parsed.errors().iter().map(syntax_error::diagnostic));
    }
    let usage = if with_usage {
        let (found, usage) = Checker::run_with_usage(text, &parsed.syntax().body, rules, options);
        diagnostics.extend(found);
        usage
    } else {
        diagnostics.extend(Checker::run(text, &parsed.syntax().body, rules, options));
        Usage::default()
    };
    if !diagnostics.is_empty() {
        let line_index = LineIndex::from_source_text(text);
        noqa::filter(&mut diagnostics, text, parsed.tokens(), &line_index);
    }
    diagnostics.sort_by_key(|d| (d.range.start(), d.range.end(), d.rule));
    diagnostics.dedup();
    Linted {
        diagnostics,
        usage,
        syntax_ok,
    }
}

/// What the manifest rules may ask about the project around a manifest.
pub struct ManifestContext<'a> {
    /// Whether the project's Python code imports `redis.asyncio` or `aioredis`
    /// (RU302); asked only when a requirement needs the answer.
    pub uses_asyncio: &'a dyn Fn() -> bool,
}

/// Lints a dependency manifest with the RU3xx rules; diagnostics come sorted.
pub fn lint_manifest(
    text: &str,
    kind: ManifestKind,
    rules: RuleSet,
    context: &ManifestContext,
) -> Vec<Diagnostic> {
    if !rules.contains_any(Rule::MANIFEST_RULES) || !manifest::may_contain_findings(text.as_bytes())
    {
        return Vec::new();
    }
    let manifest = Manifest::parse(text, kind);
    let mut diagnostics = Vec::new();
    if rules.contains(Rule::AioredisDependency) {
        rules::aioredis_dependency::check(text, &manifest, &mut diagnostics);
    }
    if rules.contains(Rule::VulnerableRedisVersion) {
        rules::vulnerable_redis_version::check(&manifest, &mut diagnostics);
    }
    if rules.contains(Rule::RedisWithoutAsyncio) {
        rules::redis_without_asyncio::check(&manifest, context.uses_asyncio, &mut diagnostics);
    }
    if rules.contains(Rule::ObsoleteTypesRedis) {
        rules::obsolete_types_redis::check(&manifest, &mut diagnostics);
    }
    noqa::filter_text_lines(&mut diagnostics, text);
    diagnostics.sort_by_key(|d| (d.range.start(), d.range.end(), d.rule));
    diagnostics.dedup();
    diagnostics
}

pub fn source_type_of(path: &str) -> PySourceType {
    if path.ends_with(".pyi") {
        PySourceType::Stub
    } else {
        PySourceType::Python
    }
}

/// `*.py` and `*.pyi`: the Python files redis-unify reads.
pub fn is_python_path(path: &str) -> bool {
    path.ends_with(".py") || path.ends_with(".pyi")
}

/// [`is_python_path`] for a file system path, without decoding it.
pub fn is_python_file(path: &std::path::Path) -> bool {
    path.extension()
        .is_some_and(|extension| extension == "py" || extension == "pyi")
}

/// The files `check` reads: Python files and dependency manifests.
pub fn is_input_path(path: &str) -> bool {
    is_python_path(path) || ManifestKind::of(std::path::Path::new(path)).is_some()
}

/// [`is_input_path`] for a file system path, without decoding it.
pub fn is_input_file(path: &std::path::Path) -> bool {
    is_python_file(path) || ManifestKind::of(path).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(text: &str) -> Vec<(&'static str, String)> {
        lint_source(text, PySourceType::Python, RuleSet::all())
            .into_iter()
            .map(|d| (d.rule.code(), text[d.range].to_string()))
            .collect()
    }

    #[test]
    fn text_without_redis_is_not_parsed() {
        assert!(codes("def broken(:\n").is_empty());
    }

    #[test]
    fn noqa_suppresses_on_its_line() {
        assert!(codes("import aioredis  # noqa: RU100\n").is_empty());
        assert!(codes("import aioredis  # noqa\n").is_empty());
        assert_eq!(codes("import aioredis  # noqa: RU101\n").len(), 1);
        assert!(codes("# redis-unify: noqa\nimport aioredis\n").is_empty());
        assert_eq!(
            codes("x = 1  # redis-unify: noqa\nimport aioredis\n").len(),
            1
        );
    }

    #[test]
    fn syntax_errors_still_report_the_recovered_tree() {
        let found = codes("import aioredis\ndef broken(:\n    pass\n");
        assert!(found.iter().any(|(code, _)| *code == "RU001"));
        assert!(found.iter().any(|(code, _)| *code == "RU100"));
    }
}
