//! The real pre-commit (PyPI `pre-commit`) running this repository's
//! `.pre-commit-hooks.yaml`: pre-commit builds the hook with
//! `cargo install --path .` from a git copy of this checkout, then judges real
//! commits. One test function with several steps, so that the (slow) build
//! happens once per test run.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use crate::common::{Repo, Run, isolate, tool_available};

fn pre_commit_version() -> Option<String> {
    let output = Command::new("pre-commit").arg("--version").output().ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).trim().to_string())
}

/// A git repository holding this checkout as it is now (tracked and untracked,
/// not ignored files), committed: what pre-commit clones for `repo:`.
fn hook_repository() -> (Repo, String) {
    let source = Path::new(env!("CARGO_MANIFEST_DIR"));
    let listed = isolate(&mut Command::new("git"))
        .args([
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
        ])
        .current_dir(source)
        .output()
        .expect("git ls-files");
    assert!(listed.status.success());
    let repo = Repo::new();
    for name in listed.stdout.split(|b| *b == 0).filter(|n| !n.is_empty()) {
        let relative = String::from_utf8_lossy(name).into_owned();
        let from = source.join(&relative);
        if !from.is_file() {
            continue; // deleted in the work tree
        }
        let to = repo.path().join(&relative);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(&from, &to).unwrap();
    }
    repo.commit_all("redis-unify as it is checked out");
    let rev = repo.git(&["rev-parse", "HEAD"]).trim().to_string();
    (repo, rev)
}

struct PreCommit {
    home: tempfile::TempDir,
    target: PathBuf,
}

impl PreCommit {
    fn command(&self, repo: &Repo, program: &str) -> Command {
        let mut command = Command::new(program);
        isolate(&mut command)
            .current_dir(repo.path())
            .env("PRE_COMMIT_HOME", self.home.path())
            .env("PRE_COMMIT_COLOR", "never")
            // `cargo install` builds in a folder kept between test runs (only
            // this crate is rebuilt), with a quicker profile than the release
            // one: what is tested here is the integration, not the optimiser.
            .env("CARGO_TARGET_DIR", &self.target)
            .env("CARGO_PROFILE_RELEASE_LTO", "false")
            .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "16")
            .env("CARGO_PROFILE_RELEASE_OPT_LEVEL", "0")
            .env("CARGO_PROFILE_RELEASE_DEBUG", "false");
        command
    }

    fn run(&self, repo: &Repo, program: &str, args: &[&str]) -> Run {
        let output = self
            .command(repo, program)
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("{program} {args:?}: {e}"));
        Run::from(output)
    }

    fn commit(&self, repo: &Repo, message: &str) -> Run {
        self.run(repo, "git", &["commit", "-m", message])
    }
}

fn config(hook_repo: &Path, rev: &str, hook_ids: &[&str]) -> String {
    let hooks: String = hook_ids
        .iter()
        .map(|id| format!("      - id: {id}\n"))
        .collect();
    format!(
        "repos:\n  - repo: {}\n    rev: {rev}\n    hooks:\n{hooks}",
        hook_repo.display()
    )
}

fn output(run: &Run) -> String {
    format!("{}{}", run.stdout, run.stderr)
}

#[test]
fn pre_commit_runs_the_hooks_of_this_repository() {
    let version = pre_commit_version();
    if !tool_available(version.is_some(), "pre-commit", "pip install pre-commit") {
        return;
    }
    eprintln!("using {}", version.unwrap());
    let manifest = Command::new("pre-commit")
        .args(["validate-manifest", ".pre-commit-hooks.yaml"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(
        manifest.status.success(),
        "{}",
        String::from_utf8_lossy(&manifest.stdout)
    );
    let (hook_repo, rev) = hook_repository();
    let pre_commit = PreCommit {
        home: tempfile::tempdir().unwrap(),
        target: Path::new(env!("CARGO_TARGET_TMPDIR")).join("pre-commit-cargo-target"),
    };

    let project = Repo::new();
    project.write(
        ".pre-commit-config.yaml",
        &config(hook_repo.path(), &rev, &["redis-unify"]),
    );
    project.write(
        "pyproject.toml",
        "[tool.redis-unify]\nextend-exclude = [\"vendored\"]\n",
    );
    project.write("app.py", "import os\n");
    project.commit_all("base");

    // Step 1: install; pre-commit builds the hook (cargo install --path .).
    let started = Instant::now();
    let install = pre_commit.run(&project, "pre-commit", &["install", "--install-hooks"]);
    assert_eq!(
        install.code,
        0,
        "pre-commit install failed:\n{}",
        output(&install)
    );
    eprintln!("pre-commit built the hook in {:.0?}", started.elapsed());

    // Step 2: a clean commit passes.
    project.write("app.py", "import os\nimport redis.asyncio as aioredis\n");
    project.git(&["add", "app.py"]);
    let clean = pre_commit.commit(&project, "clean");
    assert_eq!(
        clean.code,
        0,
        "a clean commit must pass:\n{}",
        output(&clean)
    );
    assert!(output(&clean).contains("redis-unify"), "{}", output(&clean));

    // Step 3: a staged `import aioredis` fails the commit, with RU100 shown;
    // an unstaged change in the same file survives pre-commit's stash.
    project.write(
        "app.py",
        "import os\nimport redis.asyncio as aioredis\nimport aioredis\n",
    );
    project.git(&["add", "app.py"]);
    let with_unstaged =
        "import os\nimport redis.asyncio as aioredis\nimport aioredis\n\nUNSTAGED = 1\n";
    project.write("app.py", with_unstaged);
    let head = project.git(&["rev-parse", "HEAD"]);
    let blocked = pre_commit.commit(&project, "adds aioredis");
    let text = output(&blocked);
    assert_ne!(blocked.code, 0, "the commit must fail:\n{text}");
    assert!(text.contains("RU100"), "{text}");
    assert!(text.contains("app.py:3:1"), "{text}");
    assert!(text.contains("Failed"), "{text}");
    assert_eq!(
        project.git(&["rev-parse", "HEAD"]),
        head,
        "nothing was committed"
    );
    assert_eq!(
        std::fs::read_to_string(project.path().join("app.py")).unwrap(),
        with_unstaged,
        "the unstaged change survives"
    );
    assert_eq!(
        project.git(&["diff", "--cached", "--name-only"]),
        "app.py\n",
        "the staged change is still staged"
    );

    // Step 4: the staged fix passes, and the unstaged line is still unstaged.
    let migrated = "import os\nimport redis.asyncio as aioredis\nfrom redis.asyncio import Redis\n";
    project.write("app.py", migrated);
    project.git(&["add", "app.py"]);
    project.write("app.py", &format!("{migrated}\nUNSTAGED = 1\n"));
    let fixed = pre_commit.commit(&project, "fixed");
    assert_eq!(fixed.code, 0, "{}", output(&fixed));
    assert_eq!(project.git(&["status", "--porcelain"]), " M app.py\n");

    // Step 5: --force-exclude: a staged file under an excluded folder passes.
    project.write("vendored/old.py", "import aioredis\n");
    project.git(&["add", "vendored/old.py"]);
    let excluded = pre_commit.commit(&project, "vendored");
    assert_eq!(
        excluded.code,
        0,
        "excluded files are skipped:\n{}",
        output(&excluded)
    );

    // Step 6: `pre-commit run --all-files` (no stash): the work tree files.
    project.write("late.py", "from aioredis import Redis\n");
    project.git(&["add", "late.py"]);
    let all = pre_commit.run(&project, "pre-commit", &["run", "--all-files"]);
    assert_ne!(all.code, 0);
    assert!(output(&all).contains("late.py:1:1"), "{}", output(&all));

    // Step 7: the fix hook rewrites the file, so pre-commit fails the commit.
    project.write(
        ".pre-commit-config.yaml",
        &config(hook_repo.path(), &rev, &["redis-unify-fix"]),
    );
    project.git(&["add", ".pre-commit-config.yaml"]);
    let fix = pre_commit.commit(&project, "fix hook");
    let text = output(&fix);
    assert_ne!(
        fix.code, 0,
        "the fix hook changes files, so pre-commit fails it:\n{text}"
    );
    assert!(text.contains("files were modified by this hook"), "{text}");
    assert_eq!(
        std::fs::read_to_string(project.path().join("late.py")).unwrap(),
        "from redis.asyncio import Redis\n",
        "the fix rewrote the work tree file"
    );
}
