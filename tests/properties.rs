//! Property tests (proptest) for the fix engine, and a bounded, seeded
//! fuzz-style run over mutated fixture bytes that `cargo test` always does
//! (the libFuzzer targets in `fuzz/` need nightly; see docs/reliability.md).

use std::path::Path;

use proptest::prelude::*;
use redis_unify::diagnostic::Diagnostic;
use redis_unify::diagnostic::{Applicability, Edit, Fix};
use redis_unify::fix::FixMode;
use redis_unify::fix::apply::{apply_fixes, fix_source};
use redis_unify::fix::journal::{Journal, JournalFile, Manifest, RunStatus, content_hash};
use redis_unify::fix::write::write_atomically;
use redis_unify::lint::{LintOptions, lint};
use redis_unify::rules::{Rule, RuleSet};
use redis_unify::source::encoding::decode_python;
use ruff_python_ast::PySourceType;
use ruff_text_size::{TextRange, TextSize};

/// Non-overlapping edits on ASCII text, applied by hand, for comparison.
fn reference(text: &str, edits: &[(usize, usize, String)]) -> String {
    let mut out = String::new();
    let mut last = 0;
    for (start, end, content) in edits {
        out.push_str(&text[last..*start]);
        out.push_str(content);
        last = *end;
    }
    out.push_str(&text[last..]);
    out
}

fn edits_strategy() -> impl Strategy<Value = (String, Vec<(usize, usize, String)>)> {
    (
        "[ -~\n\r\t]{0,200}",
        prop::collection::vec((0usize..200, 0usize..20, "[a-z.\r\n]{0,8}"), 0..12),
    )
        .prop_map(|(text, raw)| {
            // Sorted, disjoint ranges inside the text.
            let mut starts: Vec<(usize, usize, String)> = raw
                .into_iter()
                .map(|(s, len, c)| {
                    let s = s.min(text.len());
                    (s, (s + len).min(text.len()), c)
                })
                .collect();
            starts.sort_by_key(|(s, e, _)| (*s, *e));
            let mut disjoint = Vec::new();
            let mut last = 0;
            for (s, e, c) in starts {
                if disjoint.is_empty() || s > last {
                    last = e.max(s);
                    disjoint.push((s, e, c));
                }
            }
            (text, disjoint)
        })
}

fn diagnostic(start: usize, end: usize, content: &str) -> Diagnostic {
    let range = TextRange::new(TextSize::new(start as u32), TextSize::new(end as u32));
    Diagnostic::new(Rule::AioredisImport, range, "x").with_fix(Fix::new(
        vec![Edit::replacement(range, content)],
        Applicability::Safe,
        "t",
    ))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn non_overlapping_edits_apply_exactly((text, edits) in edits_strategy()) {
        let diagnostics: Vec<Diagnostic> =
            edits.iter().map(|(s, e, c)| diagnostic(*s, *e, c)).collect();
        let applied = apply_fixes(&text, &diagnostics, FixMode::Safe);
        // Edits that change nothing still count as applied; compare text only.
        let expected = reference(&text, &edits);
        match applied {
            Some((out, rules)) => {
                prop_assert_eq!(out, expected);
                prop_assert_eq!(rules.len(), edits.len());
            }
            None => prop_assert!(edits.is_empty()),
        }
    }

    #[test]
    fn overlapping_edits_apply_at_most_once_each(
        text in "[a-z ]{10,80}",
        ranges in prop::collection::vec((0usize..80, 0usize..30), 1..8),
    ) {
        let diagnostics: Vec<Diagnostic> = ranges
            .iter()
            .map(|(s, len)| {
                let s = (*s).min(text.len());
                diagnostic(s, (s + len).min(text.len()), "X")
            })
            .collect();
        if let Some((out, rules)) = apply_fixes(&text, &diagnostics, FixMode::Safe) {
            prop_assert!(!rules.is_empty() && rules.len() <= diagnostics.len());
            prop_assert!(out.len() <= text.len() + rules.len());
        }
    }

    /// Whatever surrounds the import (BOM, CRLF, CR, mixed endings, tabs), the
    /// fix changes only the import and keeps every other byte.
    #[test]
    fn bom_and_line_endings_are_preserved(
        bom in any::<bool>(),
        before in prop::collection::vec(prop::sample::select(vec!["x = 1", "if x:\n\ty = 2", "# c", ""]), 0..4),
        after in prop::collection::vec(prop::sample::select(vec!["x = 1", "z = (1,\n 2)", "# c", ""]), 0..4),
        endings in prop::collection::vec(prop::sample::select(vec!["\n", "\r\n"]), 10),
    ) {
        let mut text = String::new();
        let mut expected = String::new();
        if bom {
            text.push('\u{feff}');
            expected.push('\u{feff}');
        }
        let mut ending = endings.iter().cycle();
        for line in &before {
            let e = ending.next().unwrap();
            text.push_str(&format!("{line}{e}"));
            expected.push_str(&format!("{line}{e}"));
        }
        let e = ending.next().unwrap();
        text.push_str(&format!("import aioredis{e}"));
        expected.push_str(&format!("import redis.asyncio as aioredis{e}"));
        for line in &after {
            let e = ending.next().unwrap();
            text.push_str(&format!("{line}{e}"));
            expected.push_str(&format!("{line}{e}"));
        }
        let outcome = fix_source(&text, PySourceType::Python, RuleSet::all(), &LintOptions::default(), FixMode::Safe);
        prop_assert_eq!(outcome.text, expected);
    }

    /// begin → write → restore gives back the original bytes, whatever they are.
    #[test]
    fn journal_round_trip(
        originals in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..300), 1..5),
        fixed in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..300), 5),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let journal = Journal::for_project(None, root);
        let mut files = Vec::new();
        for (i, bytes) in originals.iter().enumerate() {
            let name = format!("f{i}.py");
            std::fs::write(root.join(&name), bytes).unwrap();
            files.push(JournalFile {
                path: name,
                path_bytes: None,
                before: content_hash(bytes),
                after: content_hash(&fixed[i]),
                rules: vec![],
                backup: String::new(),
                ..JournalFile::default()
            });
        }
        let manifest = Manifest {
            id: format!("run-{}", originals.len()),
            created: "2026-01-01T00:00:00Z".into(),
            root: Some(root.to_path_buf()),
            phase: None,
            unsafe_fixes: false,
            verify: None,
            status: RunStatus::Writing,
            verify_result: None,
            import_check: None,
            backups_pruned: false,
            files,
            commit: None,
            commit_refused: None,
        };
        let _lock = journal.lock().unwrap();
        let manifest = journal.begin(manifest, &originals).unwrap();
        for (i, _) in originals.iter().enumerate() {
            write_atomically(&root.join(format!("f{i}.py")), &fixed[i]).unwrap();
        }
        let runs = journal.runs().unwrap();
        prop_assert_eq!(runs.len(), 1);
        let problems = redis_unify::commands::rollback::restore_run(&journal, &runs[0], false);
        prop_assert!(problems.is_empty(), "{:?}", problems);
        for (i, bytes) in originals.iter().enumerate() {
            prop_assert_eq!(&std::fs::read(root.join(format!("f{i}.py"))).unwrap(), bytes);
        }
        drop(manifest);
    }
}

// ---- the stable fuzz-style run ----

/// xorshift64*: a fixed seed makes every run the same.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn fixtures() -> Vec<Vec<u8>> {
    let mut found = Vec::new();
    let mut stack = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")];
    stack.push(Path::new(env!("CARGO_MANIFEST_DIR")).join("examples"));
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "py") {
                found.push(std::fs::read(&path).unwrap());
            }
        }
    }
    found.sort();
    found
}

const TOKENS: &[&[u8]] = &[
    b"(",
    b")",
    b"[",
    b"]",
    b"{",
    b"}",
    b"\"",
    b"'",
    b"\"\"\"",
    b"\\",
    b"\n",
    b"\r\n",
    b"\r",
    b"\t",
    b"\0",
    b"\xEF\xBB\xBF",
    b"\xff",
    b"\xe9",
    b"aioredis",
    b"import aioredis\n",
    b"redis.asyncio",
    b"from aioredis import ",
    b"# noqa",
    b"# -*- coding: latin-1 -*-\n",
    b"f\"{",
    b"lambda:",
    b":",
    b"async ",
    b"await ",
    b"@",
    b"    ",
    b"#",
    b"\xe2\x80\x8b",
    b"\xf0\x9f\x98\x80",
];

fn mutate(rng: &mut Rng, input: &mut Vec<u8>) {
    for _ in 0..=rng.below(4) {
        let at = rng.below(input.len() + 1);
        match rng.below(5) {
            0 if !input.is_empty() => {
                let end = (at + rng.below(16)).min(input.len());
                input.drain(at.min(end)..end);
            }
            1 => {
                let token = TOKENS[rng.below(TOKENS.len())];
                input.splice(at..at, token.iter().copied());
            }
            2 if !input.is_empty() => {
                let i = rng.below(input.len());
                input[i] = rng.next() as u8;
            }
            3 if !input.is_empty() => {
                // Duplicate a slice (deepens nesting, repeats statements).
                let start = rng.below(input.len());
                let end = (start + rng.below(64)).min(input.len());
                let slice = input[start..end].to_vec();
                input.splice(at..at, slice);
            }
            _ => input.truncate(at),
        }
    }
}

/// Parse + lint + fix never panic on mutated fixture bytes; for fixtures that
/// still parse, the fixed text parses and a second fix pass changes nothing.
#[test]
fn seeded_fuzz_over_mutated_fixtures() {
    let corpus = fixtures();
    assert!(corpus.len() >= 20, "fixtures not found");
    let mut rng = Rng(0x5eed_2026_0008_0001);
    let budget = std::time::Duration::from_secs(6);
    let started = std::time::Instant::now();
    let (mut executions, mut decoded, mut valid) = (0u64, 0u64, 0u64);
    while started.elapsed() < budget && executions < 20_000 {
        let mut input = corpus[rng.below(corpus.len())].clone();
        mutate(&mut rng, &mut input);
        executions += 1;
        let Ok(source) = decode_python(input) else {
            continue;
        };
        decoded += 1;
        let text = source.text;
        let options = LintOptions::default();
        let linted = lint(&text, PySourceType::Python, RuleSet::all(), &options);
        let outcome = fix_source(
            &text,
            PySourceType::Python,
            RuleSet::all(),
            &options,
            FixMode::SafeAndUnsafe,
        );
        if !linted.syntax_ok {
            assert_eq!(outcome.text, text, "a file with syntax errors was changed");
            continue;
        }
        valid += 1;
        assert!(
            outcome.failure.is_none(),
            "{:?} on {text:?}",
            outcome.failure
        );
        let again = lint(
            &outcome.text,
            PySourceType::Python,
            RuleSet::all(),
            &options,
        );
        assert!(
            again.syntax_ok,
            "fixed text does not parse: {:?}",
            outcome.text
        );
        let second = fix_source(
            &outcome.text,
            PySourceType::Python,
            RuleSet::all(),
            &options,
            FixMode::SafeAndUnsafe,
        );
        assert_eq!(second.text, outcome.text, "a second pass changed the text");
    }
    eprintln!(
        "seeded fuzz: {executions} executions, {decoded} decoded, {valid} parsed; no findings"
    );
    assert!(executions > 200);
}
