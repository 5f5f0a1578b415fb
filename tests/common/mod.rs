//! Helpers shared by the integration tests: temporary projects, the real
//! binary, and the real git command line.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command as Process;
use std::process::{Command, Output};

pub struct Project {
    pub dir: tempfile::TempDir,
}

impl Project {
    pub fn new() -> Self {
        Self {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    /// A git repository with `files` in its first commit.
    pub fn repo(files: &[(&str, &str)]) -> Self {
        let project = Self::new();
        project.git(&["init", "-q"]);
        for (path, text) in files {
            project.write(path, text);
        }
        project.git(&["add", "-A"]);
        project.git(&["commit", "-qm", "initial", "--allow-empty"]);
        project
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn write(&self, relative: &str, text: &str) -> PathBuf {
        let path = self.path().join(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        path
    }

    /// Runs `redis-unify ARGS` in the project folder (or a folder below it).
    pub fn run(&self, args: &[&str]) -> Run {
        self.run_in(".", args, &[])
    }

    pub fn run_in(&self, folder: &str, args: &[&str], env: &[(&str, &str)]) -> Run {
        let mut command = Command::new(env!("CARGO_BIN_EXE_redis-unify"));
        command
            .args(args)
            .current_dir(self.path().join(folder))
            .env_remove("PRE_COMMIT")
            .env_remove("REDIS_UNIFY_OUTPUT_FORMAT")
            .env("NO_COLOR", "1")
            // `fix --commit` commits through git: an identity on any machine.
            .env("GIT_AUTHOR_NAME", "Test")
            .env("GIT_AUTHOR_EMAIL", "test@example.com")
            .env("GIT_COMMITTER_NAME", "Test")
            .env("GIT_COMMITTER_EMAIL", "test@example.com");
        for (key, value) in env {
            command.env(key, value);
        }
        Run::from(command.output().unwrap())
    }

    /// Runs `redis-unify ARGS` in staged mode twice: as usual (the git command
    /// line lists the staged entries) and with no `git` on `PATH` (libgit2
    /// lists them). Both must give the same exit code and output.
    pub fn run_staged(&self, args: &[&str]) -> Run {
        self.run_staged_in(".", args, &[])
    }

    pub fn run_staged_in(&self, folder: &str, args: &[&str], env: &[(&str, &str)]) -> Run {
        let with_git = self.run_in(folder, args, env);
        let empty = tempfile::tempdir().unwrap();
        let mut without_git_env = env.to_vec();
        without_git_env.push(("PATH", empty.path().to_str().unwrap()));
        let without_git = self.run_in(folder, args, &without_git_env);
        assert_eq!(
            (with_git.code, &with_git.stdout, &with_git.stderr),
            (without_git.code, &without_git.stdout, &without_git.stderr),
            "staged entries listed by git and by libgit2 disagree"
        );
        with_git
    }

    /// Runs git with a fixed identity, failing the test if git fails.
    pub fn git(&self, args: &[&str]) -> String {
        let output = Command::new("git")
            .args(["-c", "user.name=Test", "-c", "user.email=test@example.com"])
            .args([
                "-c",
                "init.defaultBranch=main",
                "-c",
                "commit.gpgsign=false",
            ])
            .args(args)
            .current_dir(self.path())
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "git {args:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    /// Replaces the temporary folder's path with `[TMP]`, for snapshots.
    pub fn redact(&self, text: &str) -> String {
        let real = self.path().canonicalize().unwrap();
        text.replace(&real.display().to_string(), "[TMP]")
            .replace(&self.path().display().to_string(), "[TMP]")
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

impl Run {
    /// `path:row:col: CODE` of each finding in concise output.
    pub fn findings(&self) -> Vec<String> {
        self.stdout
            .lines()
            .filter(|line| line.contains(": RU"))
            .map(|line| {
                let mut parts = line.splitn(2, ": ");
                let location = parts.next().unwrap();
                let code = parts.next().unwrap().split(' ').next().unwrap();
                format!("{location}: {code}")
            })
            .collect()
    }
}

/// The workplace's shared folder (`../shared`, or `REDIS_UNIFY_SHARED`).
/// Without it the tests that need it say `skipped`, unless
/// `REDIS_UNIFY_REQUIRE_SHARED` is set (as `.ci/run` does): then they fail.
pub fn shared_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("REDIS_UNIFY_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared"));
    let script = dir.join("corpus/fetch-dev-corpus.sh");
    if script.is_file() {
        return Some(dir);
    }
    assert!(
        std::env::var_os("REDIS_UNIFY_REQUIRE_SHARED").is_none(),
        "REDIS_UNIFY_REQUIRE_SHARED is set but {} is missing (set REDIS_UNIFY_SHARED to the shared folder)",
        script.display()
    );
    None
}

/// The corpus of real aioredis users, downloaded once under target/ by the
/// pinned, hash-checked script (never committed). `None` without the script.
pub fn dev_corpus() -> Option<PathBuf> {
    let shared = shared_dir()?;
    let target = Path::new(env!("CARGO_MANIFEST_DIR")).join("target");
    let corpus = target.join("dev-corpus");
    if !corpus.join("CORPUS_MANIFEST.tsv").is_file() {
        let status = Process::new("bash")
            .arg(shared.join("corpus/fetch-dev-corpus.sh"))
            .arg(&corpus)
            .arg(target.join("dev-corpus-cache"))
            .status()
            .unwrap();
        assert!(status.success(), "fetch-dev-corpus.sh failed");
    }
    Some(corpus)
}

/// Splits a printed command line as sh does for the ones redis-unify prints
/// (double quotes only).
pub fn shell_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let (mut quoted, mut any) = (false, false);
    for c in line.chars() {
        match c {
            '"' => (quoted, any) = (!quoted, true),
            ' ' if !quoted => {
                if any {
                    words.push(std::mem::take(&mut word));
                    any = false;
                }
            }
            c => {
                word.push(c);
                any = true;
            }
        }
    }
    if any {
        words.push(word);
    }
    words
}

/// The commands of a Markdown text's ```sh blocks that the plan prints: the
/// `redis-unify …` lines and its `git add …` step.
pub fn sh_commands(markdown: &str) -> Vec<String> {
    let mut commands = Vec::new();
    let mut in_block = false;
    for line in markdown.lines() {
        if line.starts_with("```") {
            in_block = line == "```sh";
            continue;
        }
        if in_block && (line.starts_with("redis-unify ") || line.starts_with("git add ")) {
            commands.push(line.to_string());
        }
    }
    commands
}

/// Runs a printed git command with sh in the project, as the user would.
pub fn run_sh(project: &Project, command: &str) {
    let output = Command::new("sh")
        .args(["-c", command])
        .current_dir(project.path())
        .env("GIT_AUTHOR_NAME", "Test")
        .env("GIT_AUTHOR_EMAIL", "test@example.com")
        .env("GIT_COMMITTER_NAME", "Test")
        .env("GIT_COMMITTER_EMAIL", "test@example.com")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "$ {command}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// How many commits `HEAD` has.
pub fn commit_count(project: &Project) -> usize {
    project
        .git(&["rev-list", "--count", "HEAD"])
        .trim()
        .parse()
        .unwrap()
}

/// An interpreter with redis-py: the first of `REDIS_UNIFY_REDIS_PYTHONS` (as
/// .ci/run sets it, else `python3`) that imports `redis.asyncio`; `None` (the
/// test says skipped) unless `REDIS_UNIFY_REQUIRE_REDIS` is set.
pub fn redis_python() -> Option<String> {
    let candidates: Vec<String> = match std::env::var("REDIS_UNIFY_REDIS_PYTHONS") {
        Ok(list) => list.split_whitespace().map(str::to_string).collect(),
        Err(_) => vec!["python3".to_string()],
    };
    let found = candidates.into_iter().find(|python| {
        Command::new(python)
            .args(["-c", "import redis.asyncio"])
            .status()
            .is_ok_and(|s| s.success())
    });
    if found.is_none() {
        assert!(
            std::env::var_os("REDIS_UNIFY_REQUIRE_REDIS").is_none(),
            "REDIS_UNIFY_REQUIRE_REDIS is set but no interpreter has redis installed"
        );
        eprintln!("skipped: no python3 with `redis` installed (set REDIS_UNIFY_REDIS_PYTHONS)");
    }
    found
}

/// A corpus of pinned PyPI packages (scripts/corpora/NAME.pins), fetched once by
/// scripts/fetch-NAME-corpus.sh into target/NAME-corpus (archives cached in
/// target/NAME-corpus-cache). `None` when the download fails, which is a
/// failure instead when `REDIS_UNIFY_REQUIRE_SHARED` or `CI` is set.
pub fn pypi_corpus(name: &str) -> Option<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let target = root.join("target");
    let corpus = target.join(format!("{name}-corpus"));
    if corpus.join("CORPUS_MANIFEST.tsv").is_file() {
        return Some(corpus);
    }
    let script = format!("scripts/fetch-{name}-corpus.sh");
    let status = Command::new("bash")
        .arg(root.join(&script))
        .arg(&corpus)
        .arg(target.join(format!("{name}-corpus-cache")))
        .status();
    if status.is_ok_and(|s| s.success()) {
        return Some(corpus);
    }
    let required = std::env::var_os("REDIS_UNIFY_REQUIRE_SHARED").is_some()
        || std::env::var_os("CI").is_some_and(|v| !v.is_empty());
    assert!(
        !required,
        "{script} failed (no network?) and REDIS_UNIFY_REQUIRE_SHARED or CI is set"
    );
    None
}

/// (path relative to `folder`, line) of every RU101/RU103/RU105 finding of `check .`
/// run in `folder`: the lines a hand-reviewed list of 1.x sites is checked against
/// (RU105 is 1.x's `eval(script, keys=[...], args=[...])` on any receiver, so RU101
/// leaves those calls to it).
pub fn legacy_lines(folder: &Path) -> std::collections::BTreeSet<(String, u64)> {
    let output = Command::new(env!("CARGO_BIN_EXE_redis-unify"))
        .args([
            "check",
            "--select",
            "RU101,RU103,RU105",
            "--output-format",
            "json",
            ".",
        ])
        .current_dir(folder)
        .env_remove("PRE_COMMIT")
        .output()
        .unwrap();
    assert!(
        output.status.code().is_some_and(|code| code <= 1),
        "{}: {}",
        folder.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    let diagnostics: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let root = folder.canonicalize().unwrap();
    diagnostics
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            let path = Path::new(d["filename"].as_str().unwrap());
            let relative = path.strip_prefix(&root).unwrap_or(path);
            (
                relative.to_string_lossy().replace('\\', "/"),
                d["location"]["row"].as_u64().unwrap(),
            )
        })
        .collect()
}
