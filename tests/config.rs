//! End to end: `target-redis-version` in the configuration reaches the rules.

use std::path::Path;
use std::process::Command;

const NO_TIMEOUT: &str = "import redis.asyncio\n\nclient = redis.asyncio.Redis(host=\"h\")\n";

fn check(dir: &Path) -> (i32, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_redis-unify"))
        .args([
            "check",
            ".",
            "--output-format",
            "concise",
            "--select",
            "RU201",
        ])
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("the binary runs");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn project(config: Option<&str>) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("app.py"), NO_TIMEOUT).unwrap();
    if let Some(config) = config {
        std::fs::write(dir.path().join("redis-unify.toml"), config).unwrap();
    }
    dir
}

#[test]
fn missing_timeout_is_reported_without_a_target_version() {
    let dir = project(None);
    let (code, stdout, _) = check(dir.path());
    assert_eq!(code, 1, "{stdout}");
    assert!(stdout.contains("app.py:3:10: RU201"), "{stdout}");
}

#[test]
fn redis_8_has_a_default_timeout() {
    let dir = project(Some("target-redis-version = \"8.0\"\n"));
    let (code, stdout, stderr) = check(dir.path());
    assert_eq!(code, 0, "{stdout}{stderr}");
}

#[test]
fn redis_7_does_not() {
    let dir = project(Some("target-redis-version = \"7.4.1\"\n"));
    let (code, stdout, _) = check(dir.path());
    assert_eq!(code, 1, "{stdout}");
}

#[test]
fn a_bad_version_is_a_configuration_error() {
    let dir = project(Some("target-redis-version = \"latest\"\n"));
    let (code, _, stderr) = check(dir.path());
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("redis-unify.toml"), "{stderr}");
    assert!(stderr.contains("target-redis-version"), "{stderr}");
    assert!(stderr.contains("`latest`"), "{stderr}");
}

#[test]
fn unknown_keys_are_still_refused() {
    let dir = project(Some("target-redis-versions = \"8.0\"\n"));
    let (code, _, stderr) = check(dir.path());
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("target-redis-versions"), "{stderr}");
}
