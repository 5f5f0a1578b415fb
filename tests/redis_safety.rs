//! Safe fixes checked against the real redis-py: for every file a safe fix
//! changes (the fixtures, the example service, and the downloaded corpus of
//! real aioredis users), every `redis…` import must resolve and every attribute
//! reached through a redis-bound name must exist — in each redis version under
//! test (`.ci/run` installs the oldest with `redis.asyncio`, 4.2.0, and a current one).

use std::path::{Path, PathBuf};
use std::process::Command;

mod common;

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
    if let Some(corpus) = common::dev_corpus() {
        python_files(&corpus, &mut inputs);
    }
    inputs.sort();

    let out = tempfile::tempdir().unwrap();
    let mut fixed_files = Vec::new();
    // The same files before the fix: a name they already miss in a redis
    // version (`redis.asyncio.RedisCluster` before 4.3.0) was not brought by the fix.
    let mut originals = Vec::new();
    let mut fully_migrated = 0;
    let mut left_for_later = 0;
    for (index, path) in inputs.iter().enumerate() {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        let outcome = fix_source(
            &text,
            source_type_of(&path.to_string_lossy()),
            RuleSet::all(),
            &LintOptions::default(),
            FixMode::Safe,
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
        if !remaining {
            fully_migrated += 1;
        }
        let name = format!("{index:04}_{}", path.file_name().unwrap().to_string_lossy());
        let target = out.path().join(&name);
        std::fs::write(&target, &outcome.text).unwrap();
        let original = out.path().join(format!("original_{name}"));
        std::fs::write(&original, &text).unwrap();
        fixed_files.push(target);
        originals.push(original);
    }
    assert!(!fixed_files.is_empty());
    eprintln!(
        "{} files changed by safe fixes ({fully_migrated} fully migrated); {left_for_later} files keep unsafe or manual findings",
        fixed_files.len()
    );
    for python in &pythons {
        let output = Command::new(python)
            .arg(root.join("scripts/check_redis_names.py"))
            .args(&fixed_files)
            .args(&originals)
            .output()
            .unwrap();
        let report: serde_json::Value =
            serde_json::from_slice(&output.stdout).unwrap_or_else(|_| {
                panic!("{}", String::from_utf8_lossy(&output.stderr));
            });
        let files = report["files"].as_object().unwrap();
        let problems_of = |path: &Path| -> Vec<String> {
            files[&path.display().to_string()]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p.as_str().unwrap().to_string())
                .collect()
        };
        // `line N: name: …`: the fix may move lines, so compare without them.
        let without_line = |problem: &str| -> String {
            match problem.strip_prefix("line ") {
                Some(rest) => rest
                    .split_once(": ")
                    .map_or(rest, |(_, tail)| tail)
                    .to_string(),
                None => problem.to_string(),
            }
        };
        let problems: Vec<String> = fixed_files
            .iter()
            .zip(&originals)
            .flat_map(|(fixed, original)| {
                let before: Vec<String> = problems_of(original)
                    .iter()
                    .map(|p| without_line(p))
                    .collect();
                problems_of(fixed)
                    .into_iter()
                    .filter(move |p| !before.contains(&without_line(p)))
                    .map(move |p| format!("{}: {p}", fixed.display()))
            })
            .collect();
        assert!(
            problems.is_empty(),
            "with redis {}: {problems:#?}",
            report["redis"]
        );
        eprintln!("redis {}: every name resolves", report["redis"]);
    }
}
