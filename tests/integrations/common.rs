//! Helpers: temporary git repositories and running the binary in them with a
//! clean environment (no CI variables of the machine running the tests).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use tempfile::TempDir;

pub const BIN: &str = env!("CARGO_BIN_EXE_redis-unify");

/// Variables that change what the binary or git does, removed from every child.
const ISOLATED: &[&str] = &[
    "GITHUB_ACTIONS",
    "GITHUB_WORKSPACE",
    "GITHUB_STEP_SUMMARY",
    "GITHUB_SERVER_URL",
    "GITHUB_REPOSITORY",
    "GITHUB_SHA",
    "CI_PROJECT_DIR",
    "PRE_COMMIT",
    "REDIS_UNIFY_OUTPUT_FORMAT",
    "NO_COLOR",
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_CEILING_DIRECTORIES",
];

pub fn isolate(command: &mut Command) -> &mut Command {
    for name in ISOLATED {
        command.env_remove(name);
    }
    command
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "Test")
        .env("GIT_AUTHOR_EMAIL", "test@example.com")
        .env("GIT_COMMITTER_NAME", "Test")
        .env("GIT_COMMITTER_EMAIL", "test@example.com")
}

/// A temporary git repository with a `main` branch.
pub struct Repo {
    pub dir: TempDir,
}

impl Repo {
    pub fn new() -> Repo {
        let dir = tempfile::Builder::new()
            .prefix("redis-unify-test")
            .tempdir()
            .expect("temporary folder");
        let repo = Repo { dir };
        repo.git(&["init", "-q", "-b", "main"]);
        repo.git(&["config", "commit.gpgsign", "false"]);
        repo.git(&["config", "core.autocrlf", "false"]);
        repo
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Runs git in the repository and returns its standard output; panics on failure.
    pub fn git(&self, args: &[&str]) -> String {
        let output = isolate(Command::new("git").args(args).current_dir(self.path()))
            .output()
            .expect("git runs");
        assert!(
            output.status.success(),
            "git {args:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    pub fn write(&self, relative: &str, text: &str) -> PathBuf {
        let path = self.path().join(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        path
    }

    pub fn commit_all(&self, message: &str) {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "--allow-empty", "-m", message]);
    }

    /// Runs `redis-unify ARGS` in the repository (or a folder of it).
    pub fn run(&self, args: &[&str]) -> Run {
        self.run_in(".", args, &[])
    }

    pub fn run_in(&self, folder: &str, args: &[&str], env: &[(&str, &str)]) -> Run {
        let mut command = Command::new(BIN);
        isolate(&mut command)
            .args(args)
            .current_dir(self.path().join(folder));
        for (name, value) in env {
            command.env(name, value);
        }
        Run::from(command.output().expect("redis-unify runs"))
    }
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl From<Output> for Run {
    fn from(output: Output) -> Self {
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }
}

/// Whether a missing external tool must fail the test instead of skipping it:
/// in CI (`CI=true`), where .ci/run installs the tools, a skip would hide a
/// missing install step.
pub fn tools_required() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
        || std::env::var_os("REDIS_UNIFY_REQUIRE_TOOLS").is_some_and(|v| v == "1")
}

/// Skips (returns false) or fails, per [`tools_required`], when `ready` is false.
pub fn tool_available(ready: bool, what: &str, install: &str) -> bool {
    if ready {
        return true;
    }
    if tools_required() {
        panic!("{what} is required in CI but missing; install it with: {install}");
    }
    eprintln!("SKIPPED: {what} is not installed ({install}); this test did not run");
    false
}

/// Whether `python3 -c CODE` succeeds (a module can be imported, say).
pub fn python_can(code: &str) -> bool {
    Command::new("python3")
        .args(["-c", code])
        .output()
        .is_ok_and(|o| o.status.success())
}
