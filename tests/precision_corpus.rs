//! Precision (issue 14): on published code that uses only current redis-py
//! (`redis`, `redis.asyncio`; no aioredis), the migration rules RU100–RU102 —
//! RU101's "looks like an aioredis 1.x call" included — report nothing. The
//! corpus is fetched by scripts/fetch-precision-corpus.sh (pinned, sha256-checked
//! sdists, cached under target/); when it cannot be downloaded the test says
//! `skipped`, unless `REDIS_UNIFY_REQUIRE_SHARED` or `CI` is set.

use std::path::{Path, PathBuf};
use std::process::Command;

fn precision_corpus() -> Option<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let target = root.join("target");
    let corpus = target.join("precision-corpus");
    if corpus.join("CORPUS_MANIFEST.tsv").is_file() {
        return Some(corpus);
    }
    let status = Command::new("bash")
        .arg(root.join("scripts/fetch-precision-corpus.sh"))
        .arg(&corpus)
        .arg(target.join("precision-corpus-cache"))
        .status();
    if status.is_ok_and(|s| s.success()) {
        return Some(corpus);
    }
    let required = std::env::var_os("REDIS_UNIFY_REQUIRE_SHARED").is_some()
        || std::env::var_os("CI").is_some_and(|v| !v.is_empty());
    assert!(
        !required,
        "scripts/fetch-precision-corpus.sh failed (no network?) and REDIS_UNIFY_REQUIRE_SHARED or CI is set"
    );
    None
}

#[test]
fn migration_rules_stay_silent_on_redis_py_users() {
    let Some(corpus) = precision_corpus() else {
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
