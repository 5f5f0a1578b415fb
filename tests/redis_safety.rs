//! Safe fixes (and, in a second pass, unsafe ones: the aioredis 1.x rewrites)
//! checked against the real redis-py: for every file a fix
//! changes (the fixtures, the example service, tests/live, and the downloaded corpus of
//! real aioredis users), every `redis…` import must resolve and every attribute
//! reached through a redis-bound name must exist — in each redis version under
//! test (`.ci/run` installs the oldest with `redis.asyncio`, 4.2.0, and a current one).

use std::path::{Path, PathBuf};
use std::process::Command;

mod common;

use redis_unify::diagnostic::Applicability;
use redis_unify::fix::FixMode;
use redis_unify::fix::apply::fix_source;
use redis_unify::lint::{LintOptions, is_python_path, source_type_of};
use redis_unify::rules::RuleSet;

/// Python interpreters that have `redis` installed.
fn pythons() -> Vec<String> {
    let candidates: Vec<String> = match std::env::var("REDIS_UNIFY_REDIS_PYTHONS") {
        Ok(list) => list.split_whitespace().map(str::to_string).collect(),
        Err(_) => vec!["python3".to_string()],
    };
    candidates
        .into_iter()
        .filter(|python| {
            Command::new(python)
                .args(["-c", "import redis.asyncio"])
                .status()
                .is_ok_and(|s| s.success())
        })
        .collect()
}

fn python_files(folder: &Path, into: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            python_files(&path, into);
        } else if is_python_path(&path.to_string_lossy()) {
            into.push(path);
        }
    }
}

#[test]
fn safely_fixed_files_only_use_names_redis_py_has() {
    let pythons = pythons();
    if pythons.is_empty() {
        assert!(
            std::env::var_os("REDIS_UNIFY_REQUIRE_REDIS").is_none(),
            "REDIS_UNIFY_REQUIRE_REDIS is set but no interpreter has redis installed"
        );
        eprintln!("skipped: no python3 with `redis` installed (set REDIS_UNIFY_REDIS_PYTHONS)");
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut inputs = Vec::new();
    python_files(&root.join("tests/fixtures"), &mut inputs);
    python_files(&root.join("examples"), &mut inputs);
    // The aioredis 1.x code the live tests migrate (aioredis 1.3.1's examples, ...).
    python_files(&root.join("tests/live"), &mut inputs);
    if let Some(corpus) = common::dev_corpus() {
        python_files(&corpus, &mut inputs);
    }
    inputs.sort();

    let out = tempfile::tempdir().unwrap();
    let mut fixed_files = Vec::new();
    let mut fully_migrated = 0;
    let mut left_for_later = 0;
    // Safe fixes, then unsafe ones too (the aioredis 1.x rewrites are unsafe fixes).
    let runs = inputs
        .iter()
        .map(|path| (path, FixMode::Safe))
        .chain(inputs.iter().map(|path| (path, FixMode::SafeAndUnsafe)));
    for (index, (path, mode)) in runs.enumerate() {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        let outcome = fix_source(
            &text,
            source_type_of(&path.to_string_lossy()),
            RuleSet::all(),
            &LintOptions::default(),
            mode,
        );
        let remaining = outcome
            .diagnostics
            .iter()
            .any(|d| d.rule.code().starts_with("RU1"));
        if remaining {
            left_for_later += 1;
        }
        if outcome.text == text {
            continue;
        }
        if !remaining && mode == FixMode::Safe {
            fully_migrated += 1;
        }
        // The original is checked too: only problems the fix brings in count
        // (a fixture may use names a newer redis-py added, on purpose).
        let name = path.file_name().unwrap().to_string_lossy();
        let before = out.path().join(format!("{index:04}_before_{name}"));
        let after = out.path().join(format!("{index:04}_after_{name}"));
        std::fs::write(&before, &text).unwrap();
        std::fs::write(&after, &outcome.text).unwrap();
        // An unsafe fix may break only what its finding announced (the import swap's
        // "not safe: `aioredis.__version__` ..."): those names are allowed.
        let announced = if mode == FixMode::Safe {
            String::new()
        } else {
            redis_unify::lint::lint(
                &text,
                source_type_of(&path.to_string_lossy()),
                RuleSet::all(),
                &LintOptions::default(),
            )
            .diagnostics
            .iter()
            .filter(|d| {
                d.fix
                    .as_ref()
                    .is_some_and(|f| f.applicability == Applicability::Unsafe)
            })
            .map(|d| d.message.clone())
            .collect::<Vec<_>>()
            .join("\n")
        };
        fixed_files.push((before, after, announced));
    }
    assert!(!fixed_files.is_empty());
    eprintln!(
        "{} files changed (safe fixes, then safe and unsafe ones; {fully_migrated} fully migrated by safe fixes); {left_for_later} runs keep unsafe or manual findings",
        fixed_files.len()
    );
    let all_files: Vec<&PathBuf> = fixed_files.iter().flat_map(|(b, a, _)| [b, a]).collect();
    for python in &pythons {
        let output = Command::new(python)
            .arg(root.join("scripts/check_redis_names.py"))
            .args(&all_files)
            .output()
            .unwrap();
        let report: serde_json::Value =
            serde_json::from_slice(&output.stdout).unwrap_or_else(|_| {
                panic!("{}", String::from_utf8_lossy(&output.stderr));
            });
        // A problem without its line number, so that a fix that moved lines
        // still matches the same problem in the original.
        let problems_of = |path: &PathBuf| -> Vec<String> {
            let mut problems: Vec<String> = report["files"][path.to_str().unwrap()]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| {
                    let text = p.as_str().unwrap();
                    match text.strip_prefix("line ") {
                        Some(rest) => rest.split_once(": ").map_or(text, |(_, r)| r).to_string(),
                        None => text.to_string(),
                    }
                })
                .collect();
            problems.sort();
            problems
        };
        let mut problems = Vec::new();
        for (before, after, announced) in &fixed_files {
            let mut old = problems_of(before);
            for problem in problems_of(after) {
                let name = problem.split(':').next().unwrap_or_default();
                match old.iter().position(|p| *p == problem) {
                    Some(found) => {
                        old.remove(found);
                    }
                    None if announced.contains(&format!("`{name}`")) => {}
                    None => problems.push(format!("{}: {problem}", after.display())),
                }
            }
        }
        assert!(
            problems.is_empty(),
            "with redis {}: {problems:#?}",
            report["redis"]
        );
        eprintln!("redis {}: every name resolves", report["redis"]);
    }
}

/// Every constructor, method and keyword a rewrite of `rules/aioredis-rewrites.toml`
/// writes exists in each redis-py under test (scripts/check_rewrites.py).
#[test]
fn rewrites_only_write_what_redis_py_has() {
    let pythons = pythons();
    if pythons.is_empty() {
        assert!(
            std::env::var_os("REDIS_UNIFY_REQUIRE_REDIS").is_none(),
            "REDIS_UNIFY_REQUIRE_REDIS is set but no interpreter has redis installed"
        );
        eprintln!("skipped: no python3 with `redis` installed (set REDIS_UNIFY_REDIS_PYTHONS)");
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for python in &pythons {
        let output = Command::new(python)
            .arg(root.join("scripts/check_rewrites.py"))
            .arg(root.join("rules/aioredis-rewrites.toml"))
            .output()
            .unwrap();
        let report: serde_json::Value =
            serde_json::from_slice(&output.stdout).unwrap_or_else(|_| {
                panic!("{}", String::from_utf8_lossy(&output.stderr));
            });
        assert_eq!(
            report["problems"],
            serde_json::json!([]),
            "with redis {}",
            report["redis"]
        );
        eprintln!("redis {}: every rewrite target exists", report["redis"]);
    }
}
