//! The README's walk-through, run as written: on a copy of the example
//! service, in a repository of its own, under Python 3.11 with redis-py only
//! (no aioredis: it cannot be imported there), `redis-unify plan`, then every
//! command the plan prints, in order, each `--verify` running the example's
//! own checks (`check_requirements.py` for phase 0, its tests after that).
//! Every verify must pass, and the README's sequence must be the plan's.
//!
//! It needs a Python 3.11+ venv with redis-py, pytest, pytest-asyncio and
//! FastAPI: `target/live-venv` (scripts/live-redis-setup.sh, which .ci/run
//! calls, installs tests/live/requirements.txt there), or the interpreter
//! named by `REDIS_UNIFY_WALKTHROUGH_PYTHON`. Without one the test says
//! `skipped`, unless `REDIS_UNIFY_REQUIRE_REDIS`, `REDIS_UNIFY_REQUIRE_LIVE`
//! or `CI` is set: then it fails.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{Project, commit_count, run_sh, sh_commands, shell_words};

/// What the plan's placeholders become, as in the README.
const INSTALL_COMMAND: &str = "python check_requirements.py";
const TEST_COMMAND: &str = "python -m pytest -q";

fn repository() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The venv's `bin` folder, when its python can run the walk-through.
fn venv_bin() -> Result<PathBuf, String> {
    let python = std::env::var_os("REDIS_UNIFY_WALKTHROUGH_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| repository().join("target/live-venv/bin/python"));
    if !python.is_file() {
        return Err(format!("no {}", python.display()));
    }
    let probe = "import sys, importlib.util as u\n\
                 assert sys.version_info >= (3, 11), sys.version\n\
                 missing = [m for m in ('redis', 'pytest', 'pytest_asyncio', 'fastapi', 'packaging') if u.find_spec(m) is None]\n\
                 assert not missing, f'missing: {missing}'\n\
                 assert u.find_spec('aioredis') is None, 'aioredis is installed'\n";
    let output = Command::new(&python)
        .args(["-c", probe])
        .output()
        .map_err(|e| format!("{}: {e}", python.display()))?;
    if !output.status.success() {
        return Err(format!(
            "{} cannot run it: {}",
            python.display(),
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    Ok(python.parent().unwrap().to_path_buf())
}

fn required() -> bool {
    [
        "REDIS_UNIFY_REQUIRE_REDIS",
        "REDIS_UNIFY_REQUIRE_LIVE",
        "CI",
    ]
    .iter()
    .any(|name| std::env::var_os(name).is_some_and(|v| !v.is_empty()))
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            if entry.file_name() != "__pycache__" && entry.file_name() != ".pytest_cache" {
                copy_dir(&entry.path(), &target);
            }
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// The README section's command lines.
fn readme_walkthrough() -> Vec<String> {
    let readme = std::fs::read_to_string(repository().join("README.md")).unwrap();
    let start = readme
        .find("## Migrating the example service, phase by phase")
        .expect("README has the walk-through section");
    let section = &readme[start..];
    let end = section[3..].find("\n## ").map_or(section.len(), |i| i + 3);
    sh_commands(&section[..end])
}

#[test]
fn the_readme_walkthrough_migrates_the_example_service_phase_by_phase() {
    let bin = match venv_bin() {
        Ok(bin) => bin,
        Err(why) => {
            assert!(
                !required(),
                "the walk-through must run here (REDIS_UNIFY_REQUIRE_REDIS, REDIS_UNIFY_REQUIRE_LIVE or CI is set), but {why}"
            );
            eprintln!("skipped: {why} (run scripts/live-redis-setup.sh)");
            return;
        }
    };
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let env = [
        ("PATH", path.as_str()),
        ("PYTHONDONTWRITEBYTECODE", "1"),
        ("CI", ""),
    ];

    let project = Project::new();
    copy_dir(&repository().join("examples/service"), project.path());
    project.git(&["init", "-q"]);
    project.git(&["add", "-A"]);
    project.git(&["commit", "-qm", "before the migration"]);

    let plan = project.run_in(".", &["plan"], &env);
    assert_eq!(plan.code, 0, "{}", plan.stderr);
    let printed: Vec<String> = sh_commands(&plan.stdout)
        .into_iter()
        .map(|command| {
            command
                .replace("<your install command>", INSTALL_COMMAND)
                .replace("<your test command>", TEST_COMMAND)
        })
        .collect();
    assert_eq!(
        printed.first().map(String::as_str),
        Some("redis-unify plan --write")
    );
    assert!(
        printed.iter().any(|c| c.contains("--phase 0")),
        "{printed:?}"
    );
    // The README shows this very sequence.
    let mut expected = vec!["redis-unify plan".to_string()];
    expected.extend(printed.iter().cloned());
    assert_eq!(
        readme_walkthrough(),
        expected,
        "README's walk-through is not what `plan` prints"
    );

    let commits_before = commit_count(&project);
    for command in &printed {
        let Some(redis_unify) = command.strip_prefix("redis-unify ") else {
            // The git step the plan prints (commit the saved plan), run as printed.
            run_sh(&project, command);
            continue;
        };
        let words = shell_words(redis_unify);
        let args: Vec<&str> = words.iter().map(String::as_str).collect();
        let run = project.run_in(".", &args, &env);
        let output = format!("$ {command}\n{}{}", run.stdout, run.stderr);
        // 1: findings remain (hand changes, client safety); never 2.
        assert!(run.code == 0 || run.code == 1, "{output}");
        if let Some(position) = args.iter().position(|a| *a == "--verify") {
            let verify = args[position + 1];
            assert!(
                run.stderr.lines().any(|line| line.starts_with("Verified: ")
                    && line.contains(&format!("`{verify}` passed"))),
                "the verify command failed or did not run:\n{output}"
            );
            if args.contains(&"--verify-imports") {
                assert!(
                    run.stderr.contains("Verified: the import of "),
                    "the import check did not pass:\n{output}"
                );
            }
            if args.contains(&"--commit") {
                assert!(
                    run.stderr.contains("Committed "),
                    "the phase was not committed:\n{output}"
                );
            }
            assert!(!run.stderr.contains("Verify failed"), "{output}");
        }
    }

    // Every aioredis import a fix can remove is gone: the rest need a hand change.
    let check = project.run_in(
        ".",
        &[
            "check",
            "--select",
            "RU100",
            "--unsafe-fixes",
            "--output-format",
            "json",
            ".",
        ],
        &env,
    );
    let findings: serde_json::Value = serde_json::from_str(&check.stdout).unwrap();
    for finding in findings.as_array().unwrap() {
        // A display-only fix: the swap of an aioredis 1.x module waits for its hand changes.
        assert!(
            finding["fix"].is_null() || finding["fix"]["applicability"] == "display-only",
            "an aioredis import with a fix is left: {finding}"
        );
    }
    let cache = std::fs::read_to_string(project.path().join("app/cache.py")).unwrap();
    assert!(
        cache.contains("import os, redis.asyncio as aioredis\n"),
        "{cache}"
    );
    let requirements = std::fs::read_to_string(project.path().join("requirements.txt")).unwrap();
    assert!(!requirements.contains("aioredis["), "{requirements}");
    assert!(
        requirements.contains("redis[hiredis]>=5.0.1"),
        "{requirements}"
    );
    // The saved plan, then one commit per phase; nothing left uncommitted.
    let phases = printed.iter().filter(|c| c.contains(" --phase ")).count();
    assert_eq!(commit_count(&project), commits_before + 1 + phases);
    assert_eq!(project.git(&["status", "--porcelain"]), "");
    let subjects = project.git(&["log", "--format=%s"]);
    assert!(
        subjects.contains("redis-unify: phase 1 (low-risk): aioredis → redis.asyncio in "),
        "{subjects}"
    );
    // Each phase is a run of its own in the history.
    let history = project.run_in(".", &["history"], &env);
    for phase in [
        "phase 0 (dependencies)",
        "phase 1 (low-risk)",
        "phase 3 (manual)",
    ] {
        assert!(history.stdout.contains(phase), "{}", history.stdout);
    }
}
