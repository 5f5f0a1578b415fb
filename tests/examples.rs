//! The example service shipped in examples/ (what README's main command runs):
//! its findings are snapshotted, so a change in what a newcomer sees is reviewed.

mod common;

use std::process::Command;

#[test]
fn example_service_findings() {
    let output = Command::new(env!("CARGO_BIN_EXE_redis-unify"))
        .args(["check", "--output-format", "concise", "examples/service"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .env_remove("PRE_COMMIT")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    insta::assert_snapshot!(String::from_utf8_lossy(&output.stdout));
}

#[test]
fn census_script_self_test() {
    // The independent counter used by tests/dev_corpus.rs has tests of its own.
    let status = Command::new("python3")
        .arg("scripts/test_ast_census.py")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .status()
        .unwrap();
    assert!(status.success());
}
