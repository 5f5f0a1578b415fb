//! Linting one file's text: prefilter, parse, run the rules, apply `# noqa`.

use memchr::memmem;
use ruff_python_ast::PySourceType;
use ruff_source_file::LineIndex;

use crate::checker::{Checker, Usage};
use crate::diagnostic::Diagnostic;
use crate::manifest::{self, Manifest, ManifestKind};
use crate::noqa;
use crate::prefilter;
use crate::rules::{self, Rule, RuleSet, syntax_error};
use crate::version::RedisVersion;

/// What the rules may assume about the project a file belongs to.
#[derive(Debug, Clone, Copy, Default)]
pub struct LintOptions<'a> {
    /// The redis-py release the code runs on, when known (`target-redis-version`).
    pub target_redis_version: Option<RedisVersion>,
    /// The file is a dependency manifest too (`setup.py`): RU002 leaves the
    /// manifest rules' codes in its `# noqa` comments alone.
    pub also_manifest: bool,
    /// The project index, as this module sees it (check, fix and plan build it;
    /// a single document has none).
    pub project: Option<crate::python::index::ModuleContext<'a>>,
}

impl<'a> LintOptions<'a> {
    pub fn with_project(self, project: Option<crate::python::index::ModuleContext<'a>>) -> Self {
        LintOptions { project, ..self }
    }
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
    let wanted = prefilter::may_contain_findings(text.as_bytes(), rules)
        || options.project.is_some_and(|p| p.relevant())
        || (with_usage && memmem::find(text.as_bytes(), b"aioredis").is_some());
    if !wanted {
        return Linted {
            diagnostics: Vec::new(),
            usage: Usage::default(),
            syntax_ok: true,
        };
    }
    parse_and_check(text, source_type, rules, options, with_usage)
}

/// Pass 1 of the project index: the summary of one module's text (see
/// `python::index`); `None` for text too deeply nested to walk.
pub fn summarize(
    text: &str,
    source_type: PySourceType,
    project: crate::python::index::ModuleContext<'_>,
    file: crate::source::FilePath<'_>,
) -> Option<crate::python::index::Summary> {
    let parsed = ruff_python_parser::parse_unchecked_source(text, source_type);
    if depth_problem(&parsed).is_some() {
        drop_without_recursion(parsed.into_syntax());
        return None;
    }
    Some(Checker::summarize(
        text,
        &parsed.syntax().body,
        project,
        file,
    ))
}

/// Parses the text and runs the rules, whatever the prefilter would say.
fn parse_and_check(
    text: &str,
    source_type: PySourceType,
    rules: RuleSet,
    options: &LintOptions,
    with_usage: bool,
) -> Linted {
    let parsed = ruff_python_parser::parse_unchecked_source(text, source_type);
    check_parsed(text, parsed, rules, options, with_usage)
}

/// Lints Python text and summarizes it for the project index from one parse
/// (`check`'s single pass over the files pass 1 reads). The summary is `None`
/// for text too deeply nested to walk. It is the provisional one
/// ([`crate::python::index::provisional_summary`], from the import statements
/// alone) when the files are only part of the project (`partial`: every file
/// that could import from this one is summarized too), or when the module can
/// offer nothing a module that does not spell `aioredis` may import: it builds
/// no 1.x object ([`crate::python::index::may_build_legacy_objects`]) and binds
/// aioredis only to names that spell `aioredis`. `commands::index` replaces it by the summary where it matters.
pub fn lint_and_summarize(
    text: &str,
    source_type: PySourceType,
    rules: RuleSet,
    options: &LintOptions,
    project: crate::python::index::ModuleContext<'_>,
    file: crate::source::FilePath<'_>,
    partial: bool,
) -> (Vec<Diagnostic>, Option<crate::python::index::Summary>) {
    let parsed = ruff_python_parser::parse_unchecked_source(text, source_type);
    let too_deep = depth_problem(&parsed);
    let summary = too_deep.is_none().then(|| {
        let body = &parsed.syntax().body;
        // In a partial run, a module that spells `aioredis` is summarized at
        // once: what it needs from the modules not read (its bases, what it
        // star-imports) is only known from its summary.
        let may_offer = if partial {
            memchr::memmem::find(text.as_bytes(), b"aioredis").is_some()
        } else {
            crate::python::index::may_build_legacy_objects(text)
        };
        if !may_offer {
            let (provisional, binds_other_names) =
                crate::python::index::provisional_summary(body, project, file);
            if partial || !binds_other_names {
                return provisional;
            }
        }
        Checker::summarize(text, body, project, file)
    });
    if !prefilter::may_contain_findings(text.as_bytes(), rules) {
        if too_deep.is_some() {
            drop_without_recursion(parsed.into_syntax());
        }
        return (Vec::new(), summary);
    }
    let linted = check_parsed_with(text, parsed, too_deep, rules, options, false);
    (linted.diagnostics, summary)
}

/// Brackets nested deeper than Python allows, or a tree too deep to walk:
/// where, and the syntax error reported for it.
fn depth_problem(
    parsed: &ruff_python_parser::Parsed<ruff_python_ast::ModModule>,
) -> Option<(ruff_text_size::TextRange, Diagnostic)> {
    let depth = TokenDepth::of(parsed);
    depth
        .deep_bracket
        .map(|range| (range, too_many_brackets(range)))
        .or_else(|| {
            tree_too_deep(parsed, depth.tree_bound)
                .map(|range| (range, tree_too_deep_diagnostic(range)))
        })
}

fn check_parsed(
    text: &str,
    parsed: ruff_python_parser::Parsed<ruff_python_ast::ModModule>,
    rules: RuleSet,
    options: &LintOptions,
    with_usage: bool,
) -> Linted {
    // The parser grows its own stack; the rules' walk over the tree does not.
    // Brackets nested deeper than Python allows are a syntax error, reported
    // without walking the tree.
    let too_deep = depth_problem(&parsed);
    check_parsed_with(text, parsed, too_deep, rules, options, with_usage)
}

/// [`check_parsed`] with the tree's [`depth_problem`] already known.
fn check_parsed_with(
    text: &str,
    parsed: ruff_python_parser::Parsed<ruff_python_ast::ModModule>,
    too_deep: Option<(ruff_text_size::TextRange, Diagnostic)>,
    rules: RuleSet,
    options: &LintOptions,
    with_usage: bool,
) -> Linted {
    let syntax_ok = parsed.errors().is_empty() && too_deep.is_none();
    let mut diagnostics = Vec::new();
    if rules.contains(Rule::SyntaxError) {
        diagnostics.extend(parsed.errors().iter().map(syntax_error::diagnostic));
        if let Some((_, diagnostic)) = &too_deep {
            diagnostics.push(diagnostic.clone());
        }
    }
    let usage = if too_deep.is_some() {
        Usage::default()
    } else if with_usage {
        let (found, usage) = Checker::run_with_usage(text, &parsed.syntax().body, rules, options);
        diagnostics.extend(found);
        usage
    } else {
        diagnostics.extend(Checker::run(text, &parsed.syntax().body, rules, options));
        Usage::default()
    };
    // RU002 judges the `# noqa` comments of files that parse: the findings
    // of the others may be incomplete.
    let unused = (rules.contains(Rule::UnusedNoqa) && syntax_ok).then_some(noqa::Unused {
        rules,
        keep_manifest_codes: options.also_manifest,
    });
    if !diagnostics.is_empty() || unused.is_some() {
        let line_index = LineIndex::from_source_text(text);
        noqa::filter(&mut diagnostics, text, parsed.tokens(), &line_index, unused);
    }
    diagnostics.sort_by_key(|d| (d.range.start(), d.range.end(), d.rule));
    diagnostics.dedup();
    if too_deep.is_some() {
        // Dropping the tree recursively would go as deep as it is nested and
        // overflow the stack; the language server cannot leak it either.
        drop_without_recursion(parsed.into_syntax());
    }
    Linted {
        diagnostics,
        usage,
        syntax_ok,
    }
}

/// Drops a syntax tree of any depth without recursing into it: every
/// statement and expression is detached from its parent (a `pass` or `None`
/// left in its place) and dropped from a work list, so each drop is shallow.
fn drop_without_recursion(module: ruff_python_ast::ModModule) {
    use ruff_python_ast::visitor::transformer::{Transformer, walk_expr, walk_stmt};
    use ruff_python_ast::{Expr, ExprNoneLiteral, Stmt, StmtPass};
    use std::cell::RefCell;

    #[derive(Default)]
    struct Detach {
        statements: RefCell<Vec<Stmt>>,
        expressions: RefCell<Vec<Expr>>,
    }
    impl Transformer for Detach {
        fn visit_stmt(&self, stmt: &mut Stmt) {
            let placeholder = Stmt::Pass(StmtPass {
                node_index: Default::default(),
                range: Default::default(),
            });
            self.statements
                .borrow_mut()
                .push(std::mem::replace(stmt, placeholder));
        }
        fn visit_expr(&self, expr: &mut Expr) {
            let placeholder = Expr::NoneLiteral(ExprNoneLiteral::default());
            self.expressions
                .borrow_mut()
                .push(std::mem::replace(expr, placeholder));
        }
    }

    let detach = Detach::default();
    let mut module = module;
    for stmt in &mut module.body {
        detach.visit_stmt(stmt);
    }
    drop(module);
    loop {
        let next_stmt = detach.statements.borrow_mut().pop();
        if let Some(mut stmt) = next_stmt {
            walk_stmt(&detach, &mut stmt); // detaches its children, one level
            continue;
        }
        let next_expr = detach.expressions.borrow_mut().pop();
        let Some(mut expr) = next_expr else {
            break;
        };
        walk_expr(&detach, &mut expr);
    }
}

fn too_many_brackets(range: ruff_text_size::TextRange) -> Diagnostic {
    syntax_error::too_deeply_nested(range, MAX_NESTING)
}

fn tree_too_deep_diagnostic(range: ruff_text_size::TextRange) -> Diagnostic {
    Diagnostic::new(
        Rule::SyntaxError,
        range,
        format!(
            "code nested more than {MAX_TREE_DEPTH} levels deep (a chain of operators, attributes or calls): \
             too deep to check; split the expression"
        ),
    )
}

/// How deep the syntax tree may be for the rules to walk it (recursively).
/// CPython's compiler gives up far earlier ("maximum recursion depth exceeded
/// during compilation").
pub const MAX_TREE_DEPTH: usize = 5000;

/// The first node deeper than [`MAX_TREE_DEPTH`], if any. The walk stops
/// descending at the limit, so it never recurses deeper itself. A tree whose
/// `bound` ([`TokenDepth`]) is below the limit is not walked.
fn tree_too_deep(
    parsed: &ruff_python_parser::Parsed<ruff_python_ast::ModModule>,
    bound: usize,
) -> Option<ruff_text_size::TextRange> {
    use ruff_python_ast::AnyNodeRef;
    use ruff_python_ast::visitor::source_order::{SourceOrderVisitor, TraversalSignal};
    use ruff_text_size::Ranged;

    struct Probe {
        depth: usize,
        found: Option<ruff_text_size::TextRange>,
    }
    impl<'a> SourceOrderVisitor<'a> for Probe {
        fn enter_node(&mut self, node: AnyNodeRef<'a>) -> TraversalSignal {
            self.depth += 1;
            if self.found.is_some() {
                return TraversalSignal::Skip;
            }
            if self.depth > MAX_TREE_DEPTH {
                self.found = Some(node.range());
                return TraversalSignal::Skip;
            }
            TraversalSignal::Traverse
        }
        fn leave_node(&mut self, _node: AnyNodeRef<'a>) {
            self.depth -= 1;
        }
    }

    if bound < MAX_TREE_DEPTH {
        return None;
    }
    let module = parsed.syntax();
    let mut probe = Probe {
        depth: 0,
        found: None,
    };
    // Each level of the walk takes a few frames: give it room wherever it runs.
    stacker::maybe_grow(1 << 20, 256 << 20, || {
        ruff_python_ast::visitor::source_order::walk_body(&mut probe, &module.body);
    });
    probe.found
}

/// How deep brackets may nest: CPython's tokenizer refuses more ("too many
/// nested parentheses", `MAXLEVEL` in Parser/tokenizer.h).
pub const MAX_NESTING: usize = 200;

/// What one pass over a module's tokens tells of its depth.
struct TokenDepth {
    /// The first bracket that opens deeper than [`MAX_NESTING`], if any.
    deep_bracket: Option<ruff_text_size::TextRange>,
    /// An upper bound of the tree's depth. Nodes below a node take at least
    /// one token every two levels, so a tree is at most about twice as deep
    /// as it has tokens. Of a tree without syntax errors more is known: a path
    /// from the root goes down through statement bodies, each an indented
    /// block or one line after the header's colon, at most three nodes a
    /// level (`try`, its handler, a statement of it), and ends in the nodes of
    /// one logical line. So most files, however long, are not walked to be
    /// measured.
    tree_bound: usize,
}

impl TokenDepth {
    fn of(parsed: &ruff_python_parser::Parsed<ruff_python_ast::ModModule>) -> TokenDepth {
        use ruff_python_ast::token::TokenKind;
        use ruff_text_size::Ranged;
        let tokens = parsed.tokens();
        let mut brackets = 0usize;
        let (mut indent, mut deepest_indent, mut line, mut longest_line) = (0usize, 0, 0usize, 0);
        for token in tokens.iter() {
            line += 1;
            match token.kind() {
                TokenKind::Lpar | TokenKind::Lsqb | TokenKind::Lbrace => {
                    brackets += 1;
                    if brackets > MAX_NESTING {
                        return TokenDepth {
                            deep_bracket: Some(token.range()),
                            tree_bound: usize::MAX,
                        };
                    }
                }
                TokenKind::Rpar | TokenKind::Rsqb | TokenKind::Rbrace => {
                    brackets = brackets.saturating_sub(1);
                }
                TokenKind::Indent => {
                    indent += 1;
                    deepest_indent = deepest_indent.max(indent);
                }
                TokenKind::Dedent => indent = indent.saturating_sub(1),
                TokenKind::Newline => {
                    longest_line = longest_line.max(line);
                    line = 0;
                }
                _ => {}
            }
        }
        longest_line = longest_line.max(line);
        let tree_bound = if parsed.errors().is_empty() {
            3 * (deepest_indent + 2) + 2 * longest_line + 16
        } else {
            // The parser's recovery may nest bodies that are not indented.
            tokens.len().saturating_mul(2) + 16
        };
        TokenDepth {
            deep_bracket: None,
            tree_bound,
        }
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
        rules::vulnerable_redis_version::check(text, &manifest, &mut diagnostics);
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
        // RU100 is not suppressed, and with every rule selected RU002 says why.
        assert_eq!(
            codes("import aioredis  # noqa: RU101\n")
                .iter()
                .map(|(code, _)| *code)
                .collect::<Vec<_>>(),
            vec!["RU100", "RU002"]
        );
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

    /// The deepest node of the tree, walked as `tree_too_deep` walks it.
    fn measured_depth(text: &str) -> usize {
        use ruff_python_ast::AnyNodeRef;
        use ruff_python_ast::visitor::source_order::{SourceOrderVisitor, TraversalSignal};
        struct Measure(usize, usize);
        impl<'a> SourceOrderVisitor<'a> for Measure {
            fn enter_node(&mut self, _node: AnyNodeRef<'a>) -> TraversalSignal {
                self.0 += 1;
                self.1 = self.1.max(self.0);
                TraversalSignal::Traverse
            }
            fn leave_node(&mut self, _node: AnyNodeRef<'a>) {
                self.0 -= 1;
            }
        }
        let parsed = ruff_python_parser::parse_unchecked_source(text, PySourceType::Python);
        assert!(parsed.errors().is_empty(), "{text}");
        let mut measure = Measure(0, 0);
        ruff_python_ast::visitor::source_order::walk_body(&mut measure, &parsed.syntax().body);
        measure.1
    }

    #[test]
    fn the_depth_bound_is_never_below_the_depth() {
        // Blocks nested through every compound statement, and on the deepest
        // line each construct that nests nodes, many times over.
        // Each level: the lines that open it (`{i}` is the indentation).
        let levels = [
            "{i}if a:",
            "{i}if a:\n{i}    pass\n{i}elif b:",
            "{i}if a:\n{i}    pass\n{i}else:",
            "{i}for x in y:",
            "{i}while a:",
            "{i}with a as b, c:",
            "{i}try:\n{i}    pass\n{i}except E as e:",
            "{i}try:\n{i}    pass\n{i}finally:",
            "{i}match m:\n{i}    case [1, *r] if r:",
            "{i}async def f(a: int = 1, *b, c=2, **d) -> T:",
            "{i}class C(B, metaclass=M):",
            "{i}async with a:",
            "{i}async for x in y:",
            "{i}@d(e)\n{i}def g():",
        ];
        let deepest = [
            "x = f(k=f(k=f(k=f(k=lambda a=lambda b=lambda c=1: 2: 3: 4))))",
            "y = [[{**{**{k: (v, *w)}}} for a in [b for b in [c async for c in d]]]]",
            "z = f\"{f'{a[b:c:d][e]!r:>{w}}'}\" \"s\" \"t\"",
            "w = not -~+await a.b.c(d)[e].f or g and h if i else (j := k) @ l ** m",
            "v: dict[str, list[tuple[int, ...]]] = yield from (yield (yield))",
            "del a.b[c], d; global q; assert a, b; raise E from F",
            "if a: return lambda: (lambda: (lambda: [x async for x in y if z]))",
        ];
        let mut text = String::new();
        let mut indent = String::new();
        for round in 0..4 {
            for level in levels {
                text.push_str(&level.replace("{i}", &indent));
                text.push('\n');
                indent.push_str(if level.contains("case") {
                    "        "
                } else {
                    "    "
                });
                for line in deepest.iter().take(round * 2 + 1) {
                    text.push_str(&format!("{indent}{line}\n"));
                }
            }
        }
        text.push_str(&format!("{indent}pass\n"));
        let chain = format!("{indent}x = {}\n", ["a"; 400].join(" + "));
        for sample in [text.clone(), format!("{text}{chain}")] {
            let parsed = ruff_python_parser::parse_unchecked_source(&sample, PySourceType::Python);
            let bound = TokenDepth::of(&parsed).tree_bound;
            let depth = measured_depth(&sample);
            assert!(depth <= bound, "depth {depth} > bound {bound}");
            assert!(depth > 90, "the sample nests deep: {depth}");
            assert!(
                bound < parsed.tokens().len() * 2,
                "the bound is tighter than the old one"
            );
        }
    }

    /// A tree too deep to walk is dropped without recursing (the language
    /// server lints such a buffer on every change: leaking it is not an
    /// option), on a thread with the main thread's usual 8 MiB stack.
    #[test]
    fn too_deep_trees_are_dropped_without_overflowing_the_stack() {
        let text = format!(
            "import aioredis\nx = {}1\ny = {}a\n",
            "1 + ".repeat(300_000),
            "-".repeat(1000)
        );
        let found = std::thread::Builder::new()
            .stack_size(8 << 20)
            .spawn(move || codes(&text))
            .unwrap()
            .join()
            .unwrap();
        assert!(found.iter().any(|(code, _)| *code == "RU001"), "{found:?}");
    }

    // ---- the prefilter is exact: a file it skips has no findings ----

    /// The Python files of the test fixtures and the example service, decoded.
    fn python_fixtures() -> Vec<(String, String)> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut stack = vec![root.join("tests/fixtures"), root.join("examples/service")];
        let mut found = Vec::new();
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(dir).unwrap().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    stack.push(path);
                } else if is_python_file(&path) {
                    let bytes = std::fs::read(&path).unwrap();
                    let text = crate::source::encoding::decode_python(bytes).unwrap().text;
                    found.push((path.display().to_string(), text));
                }
            }
        }
        found.sort();
        found
    }

    /// ALL, and each rule alone.
    fn selections() -> Vec<RuleSet> {
        let mut selections = vec![RuleSet::all()];
        selections.extend(
            Rule::ALL
                .iter()
                .map(|rule| std::iter::once(*rule).collect::<RuleSet>()),
        );
        selections
    }

    /// The diagnostics, as comparable text. RU001 is left out: it reports the
    /// syntax errors of the files that are parsed, so without the prefilter it
    /// would speak about every broken file.
    fn findings(diagnostics: &[Diagnostic]) -> Vec<String> {
        diagnostics
            .iter()
            .filter(|d| d.rule != Rule::SyntaxError)
            .map(|d| format!("{} {:?} {}", d.rule.code(), d.range, d.message))
            .collect()
    }

    fn assert_exact(name: &str, text: &str, rules: RuleSet) {
        let options = LintOptions::default();
        let with = lint(text, PySourceType::Python, rules, &options);
        let without = parse_and_check(text, PySourceType::Python, rules, &options, false);
        assert_eq!(
            findings(&with.diagnostics),
            findings(&without.diagnostics),
            "{name}, rules {:?}: the prefilter changed the findings",
            rules.iter().map(Rule::code).collect::<Vec<_>>()
        );
    }

    #[test]
    fn the_prefilter_keeps_every_finding_of_the_fixtures() {
        let fixtures = python_fixtures();
        assert!(fixtures.len() >= 40, "fixtures not found");
        let mut skipped = 0;
        for (name, text) in &fixtures {
            for rules in selections() {
                skipped += usize::from(!prefilter::may_contain_findings(text.as_bytes(), rules));
                assert_exact(name, text, rules);
            }
        }
        // The fixtures mostly import redis: the single-rule selections skip some.
        assert!(skipped > 0);
    }

    /// The same fixtures with their import statements broken in ways the
    /// parser recovers from, and variants that keep the uses of redis names but
    /// lose the imports: what the prefilter skips must have no findings.
    #[test]
    fn the_prefilter_keeps_every_finding_of_broken_imports() {
        // Each variant replaces text in order: `(from, to)` pairs.
        let variants: &[&[(&str, &str)]] = &[
            &[("import ", "")],
            &[("import", "")],
            &[("import", "imp0rt")],
            &[("import", "\\\nimport")],
            &[("import", "\\ \nimport")],
            &[("import", "(\nimport")],
            &[("import", "# import")],
            &[("from ", "(\nfrom ")],
            &[("from ", "from (\n")],
            &[(" import", "\n import")],
            // Backslash continuations around the module name.
            &[("import ", "import \\\n  ")],
            &[("from ", "from \\\n  "), (" import ", " \\\n  import ")],
            &[("from ", "from \\\r\n  "), (" import ", " \\\r\n  import ")],
            &[("from ", "from \\\r  "), (" import ", " \\\r  import ")],
            &[("\n", "\r")],
            &[("\n", "\r\n")],
        ];
        let mut skipped = 0;
        for (name, text) in &python_fixtures() {
            for replacements in variants {
                let mut variant = text.clone();
                for (from, to) in *replacements {
                    variant = variant.replace(from, to);
                }
                for rules in selections() {
                    skipped +=
                        usize::from(!prefilter::may_contain_findings(variant.as_bytes(), rules));
                    assert_exact(&format!("{name} {replacements:?}"), &variant, rules);
                }
            }
        }
        assert!(skipped > 1000, "{skipped}");
    }

    /// Seeded random edits of the fixtures (a fixed seed: every run is the
    /// same): whenever the prefilter skips a text for a selection, linting it
    /// anyway finds nothing for that selection.
    #[test]
    fn the_prefilter_keeps_every_finding_of_mutated_fixtures() {
        const PIECES: &[&str] = &[
            "import ", "from ", "import", "from", " ", "\\", "\n", "\r\n", "\r", "\\\n", "(", ")",
            ",", ".", ";", "#", "\"", "'", "redis", "aioredis", "eval",
        ];
        let fixtures = python_fixtures();
        let mut seed: u64 = 0x5eed_2026_0009_0001;
        let mut next = move |below: usize| {
            // xorshift64*
            seed ^= seed >> 12;
            seed ^= seed << 25;
            seed ^= seed >> 27;
            (seed.wrapping_mul(0x2545_F491_4F6C_DD1D) % below.max(1) as u64) as usize
        };
        let options = LintOptions::default();
        let mut skipped = 0;
        for _ in 0..1500 {
            let (name, text) = &fixtures[next(fixtures.len())];
            let mut text = text.clone();
            for _ in 0..=next(4) {
                let mut at = next(text.len() + 1);
                while !text.is_char_boundary(at) {
                    at -= 1;
                }
                if next(3) == 0 {
                    let mut end = (at + next(12)).min(text.len());
                    while !text.is_char_boundary(end) {
                        end -= 1;
                    }
                    text.replace_range(at..end, "");
                } else {
                    text.insert_str(at, PIECES[next(PIECES.len())]);
                }
            }
            for rules in selections() {
                if prefilter::may_contain_findings(text.as_bytes(), rules) {
                    continue; // linted the same way with or without the prefilter
                }
                skipped += 1;
                let without = parse_and_check(&text, PySourceType::Python, rules, &options, false);
                assert_eq!(
                    findings(&without.diagnostics),
                    Vec::<String>::new(),
                    "{name} mutated to {text:?}, rules {:?}: skipped, yet has findings",
                    rules.iter().map(Rule::code).collect::<Vec<_>>()
                );
            }
        }
        assert!(skipped > 1000, "{skipped}");
    }
}
