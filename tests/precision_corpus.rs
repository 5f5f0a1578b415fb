//! Precision (issue 14): on published code that uses only current redis-py
//! (`redis`, `redis.asyncio`; no aioredis), the migration rules RU100–RU102 —
//! RU101's "looks like an aioredis 1.x call" included — report nothing. The
//! corpus is fetched by scripts/fetch-precision-corpus.sh (pinned, sha256-checked
//! sdists, cached under target/); when it cannot be downloaded the test says
//! `skipped`, unless `REDIS_UNIFY_REQUIRE_SHARED` or `CI` is set.

mod common;

use std::process::Command;

#[test]
fn migration_rules_stay_silent_on_redis_py_users() {
    let Some(corpus) = common::pypi_corpus("precision") else {
        eprintln!("skipped: the precision corpus could not be downloaded");
        return;
    };
    let manifest = std::fs::read_to_string(corpus.join("CORPUS_MANIFEST.tsv")).unwrap();
    assert_eq!(manifest.lines().count(), 6, "{manifest}");
    let output = Command::new(env!("CARGO_BIN_EXE_redis-unify"))
        .args([
            "check",
            "--select",
            "RU100,RU101,RU102",
            "--output-format",
            "concise",
            ".",
        ])
        .current_dir(&corpus)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    // The corpus is read (the client rules do find things in it): not a vacuous pass.
    let output = Command::new(env!("CARGO_BIN_EXE_redis-unify"))
        .args([
            "check",
            "--select",
            "RU201",
            "--output-format",
            "concise",
            ".",
        ])
        .current_dir(&corpus)
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&output.stdout).contains("RU201"));
}
