//! The language server under an independent client: tests/lsp/test_server.py
//! runs pytest-lsp (PyPI: pygls' client driving the real binary over stdio)
//! against `redis-unify server`. The interpreter is the first that can import
//! `pytest_lsp` of: `REDIS_UNIFY_LSP_PYTHON`, `target/lsp-venv`,
//! `target/ci-venv` (what `.ci/run` installs from .ci/requirements.txt), and
//! `python3` on PATH. Without one the test says `SKIPPED` — unless in CI
//! (`CI=true`) or with `REDIS_UNIFY_REQUIRE_TOOLS=1`, where it fails.
//!
//! Set up locally: `python3 -m venv target/lsp-venv && target/lsp-venv/bin/pip
//! install pytest-lsp==1.0.1`.

use std::path::{Path, PathBuf};
use std::process::Command;

fn interpreter() -> Option<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut candidates: Vec<PathBuf> = Vec::new();
    if let Some(python) = std::env::var_os("REDIS_UNIFY_LSP_PYTHON") {
        candidates.push(python.into());
    }
    candidates.push(root.join("target/lsp-venv/bin/python"));
    candidates.push(root.join("target/ci-venv/bin/python"));
    candidates.push("python3".into());
    candidates.into_iter().find(|python| {
        Command::new(python)
            .args(["-c", "import pytest_lsp"])
            .output()
            .is_ok_and(|o| o.status.success())
    })
}

fn required() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
        || std::env::var_os("REDIS_UNIFY_REQUIRE_TOOLS").is_some_and(|v| v == "1")
}

#[test]
fn pytest_lsp_suite_passes() {
    let Some(python) = interpreter() else {
        assert!(
            !required(),
            "pytest-lsp is required in CI but no interpreter has it; .ci/run installs it \
             (scripts/integration-requirements.txt)"
        );
        eprintln!(
            "SKIPPED: pytest-lsp is not installed (python3 -m venv target/lsp-venv && \
             target/lsp-venv/bin/pip install pytest-lsp==1.0.1); this test did not run"
        );
        return;
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let output = Command::new(&python)
        .args([
            "-m",
            "pytest",
            "-c",
            "tests/lsp/pytest.ini",
            "--rootdir",
            "tests/lsp",
            "-q",
            "tests/lsp",
        ])
        .current_dir(root)
        .env("REDIS_UNIFY_BIN", env!("CARGO_BIN_EXE_redis-unify"))
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "pytest-lsp ({}) failed:\n{stdout}\n{stderr}",
        python.display()
    );
    // Every test ran: none skipped or deselected.
    assert!(stdout.contains("7 passed"), "{stdout}");
}
