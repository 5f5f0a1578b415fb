//! The step protocol: `fix --verify-imports` (an import test of every changed
//! module, built in), `fix --commit` (a verified step becomes one commit) and
//! what `history` and `rollback` say about both. Real repositories, the real
//! binary, the real git and a real Python with redis-py.

mod common;

use std::process::Command;

use common::{Project, commit_count, redis_python};

const CACHE: &str =
    "import aioredis\n\n\ndef connect(url):\n    return aioredis.from_url(url, socket_timeout=5)\n";
const VIEWS: &str = "from app.cache import connect\n\nclient = connect(\"redis://localhost\")\n";

fn service() -> Project {
    Project::repo(&[
        ("src/app/__init__.py", ""),
        ("src/app/cache.py", CACHE),
        ("src/app/views.py", VIEWS),
        (
            "tools/report.py",
            "import aioredis\n\nprint('report', aioredis.Redis)\n",
        ),
    ])
}

fn head(project: &Project) -> String {
    project.git(&["rev-parse", "HEAD"]).trim().to_string()
}

#[test]
fn verify_imports_passes_and_commit_makes_one_commit_of_the_run() {
    let Some(python) = redis_python() else {
        return;
    };
    let project = service();
    // Something unrelated in the work tree, not staged: never part of the commit.
    project.write("notes.txt", "draft\n");
    let run = project.run(&[
        "fix",
        ".",
        "--verify-imports",
        "--python",
        &python,
        "--commit",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("Verifying imports: 2 modules"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("Committed 2 files as "),
        "{}",
        run.stderr
    );
    assert_eq!(commit_count(&project), 2);
    let message = project.git(&["log", "-1", "--format=%B"]);
    assert!(
        message.starts_with("redis-unify: aioredis → redis.asyncio in 2 files\n"),
        "{message}"
    );
    assert!(
        message.contains("- src/app/cache.py\n- tools/report.py\n"),
        "{message}"
    );
    assert!(message.contains("- RU100: 2\n"), "{message}");
    assert!(
        message.contains("the import of 2 changed modules passed"),
        "{message}"
    );
    let files = project.git(&["show", "--name-only", "--format=", "HEAD"]);
    assert_eq!(files, "src/app/cache.py\ntools/report.py\n");
    assert_eq!(project.git(&["status", "--porcelain"]), "?? notes.txt\n");
    // history names the commit; rollback refuses a committed run and says what to do.
    let history = project.run(&["history", "--json"]);
    let rows: serde_json::Value = serde_json::from_str(&history.stdout).unwrap();
    assert_eq!(rows[0]["commit"], head(&project));
    let text = project.run(&["history"]);
    assert!(
        text.stdout.contains("applied, imports passed (2 modules, "),
        "{}",
        text.stdout
    );
    assert_eq!(rows[0]["import_check"]["passed"], true);
    assert_eq!(rows[0]["import_check"]["modules"], 2);
    assert!(
        text.stdout
            .contains(&format!("commit {}", &head(&project)[..12])),
        "{}",
        text.stdout
    );
    let rollback = project.run(&["rollback"]);
    assert_eq!(rollback.code, 2, "{}", rollback.stderr);
    assert!(
        rollback.stderr.contains("is committed"),
        "{}",
        rollback.stderr
    );
    assert!(
        rollback.stderr.contains("git revert"),
        "{}",
        rollback.stderr
    );
    assert!(
        std::fs::read_to_string(project.path().join("src/app/cache.py"))
            .unwrap()
            .contains("redis.asyncio")
    );
}

#[test]
fn a_module_that_fails_to_import_rolls_the_run_back_byte_for_byte() {
    let Some(python) = redis_python() else {
        return;
    };
    let project = service();
    let broken = "import aioredis\r\n\r\nraise RuntimeError('configuration missing')\r\n";
    project.write("src/app/settings.py", broken);
    project.git(&["add", "-A"]);
    project.git(&["commit", "-qm", "settings"]);
    let run = project.run(&[
        "fix",
        ".",
        "--verify-imports",
        "--python",
        &python,
        "--commit",
    ]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("`import app.settings` (src/app/settings.py) failed"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("RuntimeError: configuration missing"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("rolled back"), "{}", run.stderr);
    assert_eq!(
        std::fs::read(project.path().join("src/app/settings.py")).unwrap(),
        broken.as_bytes()
    );
    assert_eq!(
        std::fs::read_to_string(project.path().join("src/app/cache.py")).unwrap(),
        CACHE
    );
    assert_eq!(
        commit_count(&project),
        2,
        "never a commit after a failed verification"
    );
    let history = project.run(&["history"]);
    assert!(
        history.stdout.contains(
            "imports failed (1 of 3 modules: app.settings (src/app/settings.py)), rolled back"
        ),
        "{}",
        history.stdout
    );
    assert_eq!(project.git(&["status", "--porcelain"]), "");
}

#[test]
fn commit_is_refused_before_writing_when_other_changes_are_staged() {
    let project = service();
    project.write("README.md", "staged, not the run's\n");
    project.git(&["add", "README.md"]);
    let run = project.run(&["fix", ".", "--commit"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("the index already holds staged changes (README.md)"),
        "{}",
        run.stderr
    );
    assert_eq!(
        std::fs::read_to_string(project.path().join("src/app/cache.py")).unwrap(),
        CACHE,
        "nothing written"
    );
    assert_eq!(commit_count(&project), 1);
}

#[test]
fn commit_is_refused_outside_git() {
    let project = Project::new();
    project.write("app.py", CACHE);
    let run = project.run(&["fix", ".", "--commit"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("--commit needs a git repository"),
        "{}",
        run.stderr
    );
    assert_eq!(
        std::fs::read_to_string(project.path().join("app.py")).unwrap(),
        CACHE
    );
}

#[test]
fn a_hook_that_rejects_the_commit_keeps_the_run_and_says_so() {
    let project = service();
    let hook = project.write(
        ".git/hooks/pre-commit",
        "#!/bin/sh\necho 'policy: no commits today' >&2\nexit 1\n",
    );
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).unwrap();
    let run = project.run(&["fix", ".", "--commit"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("policy: no commits today"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("the run was not committed"),
        "{}",
        run.stderr
    );
    assert_eq!(commit_count(&project), 1);
    assert!(
        std::fs::read_to_string(project.path().join("src/app/cache.py"))
            .unwrap()
            .contains("redis.asyncio")
    );
    assert_eq!(
        project.git(&["diff", "--cached", "--name-only"]),
        "",
        "the index is as it was"
    );
    // The run is kept, and can be rolled back (it is not committed).
    let rollback = project.run(&["rollback"]);
    assert_eq!(rollback.code, 0, "{}", rollback.stderr);
    assert_eq!(
        std::fs::read_to_string(project.path().join("src/app/cache.py")).unwrap(),
        CACHE
    );
}

#[test]
fn commit_is_refused_before_writing_when_a_file_to_fix_has_changes_of_its_own() {
    let project = service();
    let edited = format!("{CACHE}# work in progress, not the run's\n");
    project.write("src/app/cache.py", &edited);
    let run = project.run(&["fix", ".", "--commit"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("already has changes that are not committed, or is not tracked by git (src/app/cache.py)"),
        "{}",
        run.stderr
    );
    assert_eq!(
        std::fs::read_to_string(project.path().join("src/app/cache.py")).unwrap(),
        edited,
        "nothing written"
    );
    assert_eq!(commit_count(&project), 1);
}

fn read(project: &Project, path: &str) -> String {
    std::fs::read_to_string(project.path().join(path)).unwrap()
}

/// Waits until `path` exists in the project (a failure after 120 s, far
/// beyond any run here: a bound so that a broken test never hangs).
fn wait_for(project: &Project, path: &str) {
    let started = std::time::Instant::now();
    while !project.path().join(path).exists() {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(120),
            "{path} never appeared"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

#[test]
fn a_file_changed_after_the_run_wrote_it_is_never_committed() {
    let project = service();
    // The verify command edits a fixed file: the commit would not be the verified step.
    let run = project.run(&[
        "fix",
        ".",
        "--verify",
        "echo 'half_finished = 1' >> src/app/cache.py",
        "--commit",
    ]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("src/app/cache.py changed after the run wrote it"),
        "{}",
        run.stderr
    );
    assert_eq!(commit_count(&project), 1);
    assert_eq!(project.git(&["diff", "--cached", "--name-only"]), "");
    let history = project.run(&["history", "--json"]);
    let rows: serde_json::Value = serde_json::from_str(&history.stdout).unwrap();
    assert!(
        rows[0]["commit_refused"]
            .as_str()
            .unwrap()
            .contains("changed after the run wrote it")
    );
    let text = project.run(&["history"]);
    assert!(text.stdout.contains("not committed: "), "{}", text.stdout);
}

#[test]
fn a_formatter_hook_is_committed_with_the_step_and_leaves_the_index_clean() {
    let project = service();
    let hook = project.write(
        ".git/hooks/pre-commit",
        "#!/bin/sh\nif ! grep -q '^# formatted' src/app/cache.py; then echo '# formatted' >> src/app/cache.py; git add src/app/cache.py; fi\n",
    );
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).unwrap();
    let run = project.run(&["fix", ".", "--commit"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("a commit hook changed the run's files"),
        "{}",
        run.stderr
    );
    let committed = project.git(&["show", "HEAD:src/app/cache.py"]);
    assert!(committed.ends_with("# formatted\n"), "{committed}");
    assert_eq!(project.git(&["status", "--porcelain"]), "");
}

#[test]
fn an_amended_step_commit_is_still_committed_for_rollback() {
    let project = service();
    let run = project.run(&["fix", ".", "--commit"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    project.git(&["commit", "-q", "--amend", "-m", "reworded"]);
    let rollback = project.run(&["rollback"]);
    assert_eq!(rollback.code, 2, "{}", rollback.stderr);
    assert!(
        rollback
            .stderr
            .contains("is committed: HEAD holds its fixes of src/app/cache.py, tools/report.py"),
        "{}",
        rollback.stderr
    );
    // Committed by hand (no --commit) counts the same.
    let project = service();
    assert_eq!(project.run(&["fix", "."]).code, 0);
    project.git(&["commit", "-qam", "by hand"]);
    assert_eq!(project.run(&["rollback"]).code, 2);
    let forced = project.run(&["rollback", "--force"]);
    assert_eq!(forced.code, 0, "{}", forced.stderr);
    assert_eq!(read(&project, "src/app/cache.py"), CACHE);
}

#[test]
fn commit_refusals_that_need_no_write_come_before_writing() {
    // A merge in progress.
    let project = service();
    project.git(&["checkout", "-qb", "other"]);
    project.write("z.py", "z = 1\n");
    project.git(&["add", "z.py"]);
    project.git(&["commit", "-qm", "z"]);
    project.git(&["checkout", "-q", "-"]);
    project.git(&["merge", "-q", "--no-commit", "-s", "ours", "other"]);
    let run = project.run(&["fix", ".", "--commit"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("during a merge"), "{}", run.stderr);
    assert_eq!(read(&project, "src/app/cache.py"), CACHE);
    // A git-ignored file named explicitly.
    let project = service();
    project.write(".gitignore", "local.py\n");
    project.git(&["add", ".gitignore"]);
    project.git(&["commit", "-qm", "ignore"]);
    project.write("local.py", CACHE);
    let run = project.run(&["fix", "--commit", "local.py"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("not tracked by git (local.py)"),
        "{}",
        run.stderr
    );
    assert_eq!(read(&project, "local.py"), CACHE);
}

#[test]
fn paths_are_taken_literally_and_symlinks_commit_their_real_file() {
    let project = service();
    project.write("*.py", CACHE);
    std::os::unix::fs::symlink("src/app/cache.py", project.path().join("link.py")).unwrap();
    project.git(&["add", "-A"]);
    project.git(&["commit", "-qm", "more"]);
    let run = project.run(&[
        "fix",
        "--verify",
        "echo 'y = 1' > new.py",
        "--commit",
        "*.py",
        "link.py",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let files = project.git(&["show", "--name-only", "--format=", "HEAD"]);
    assert_eq!(files, "*.py\nsrc/app/cache.py\n");
    assert_eq!(project.git(&["status", "--porcelain"]), "?? new.py\n");
}

#[test]
fn relative_python_and_git_dir_are_read_from_where_the_command_runs() {
    let Some(python) = redis_python() else {
        return;
    };
    let project = service();
    // The venv's folder linked into the project, named relative to a subfolder.
    let venv = std::path::Path::new(&python)
        .parent()
        .unwrap()
        .parent()
        .unwrap();
    std::os::unix::fs::symlink(venv, project.path().join("venv")).unwrap();
    let run = project.run_in(
        "src/app",
        &[
            "fix",
            ".",
            "--verify-imports",
            "--python",
            "../../venv/bin/python",
        ],
        &[],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("Verified: the import of "),
        "{}",
        run.stderr
    );
    // A relative GIT_DIR/GIT_WORK_TREE from a subfolder: git runs in the root.
    let project = service();
    let run = project.run_in(
        "src",
        &["fix", "--commit", "app/cache.py"],
        &[("GIT_DIR", "../.git"), ("GIT_WORK_TREE", "..")],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(commit_count(&project), 2);
    // An interpreter that does not start is refused before anything is written.
    let project = service();
    let run = project.run(&["fix", ".", "--verify-imports", "--python", "./nope"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(read(&project, "src/app/cache.py"), CACHE);
}

#[test]
fn a_signal_stops_the_import_check_and_the_run_is_rolled_back() {
    let Some(python) = redis_python() else {
        return;
    };
    let project = service();
    for module in ["a", "b", "c"] {
        project.write(
            &format!("tools/{module}.py"),
            &format!(
                "import aioredis\nimport time\nopen('{module}.started', 'w').close()\ntime.sleep(60)\n"
            ),
        );
    }
    project.git(&["add", "-A"]);
    project.git(&["commit", "-qm", "slow modules"]);
    let child = Command::new(env!("CARGO_BIN_EXE_redis-unify"))
        .args(["fix", "tools", "--verify-imports", "--python", &python])
        .current_dir(project.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    wait_for(&project, "a.started");
    // SAFETY: signalling the child this test started.
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(130), "{stderr}");
    assert!(stderr.contains("Import check interrupted"), "{stderr}");
    assert!(
        !project.path().join("b.started").exists(),
        "the rest is not imported"
    );
    assert!(read(&project, "tools/a.py").starts_with("import aioredis\n"));
    let history = project.run(&["history"]);
    assert!(
        history.stdout.contains("import check interrupted"),
        "{}",
        history.stdout
    );
}

#[test]
fn a_run_killed_while_verifying_reads_as_unverified() {
    let project = service();
    let mut child = Command::new(env!("CARGO_BIN_EXE_redis-unify"))
        .args(["fix", ".", "--verify", "touch verifying; sleep 60"])
        .current_dir(project.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    wait_for(&project, "verifying");
    child.kill().unwrap();
    child.wait().unwrap();
    let history = project.run(&["history"]);
    assert!(
        history.stdout.contains("interrupted while verifying"),
        "{}",
        history.stdout
    );
    let rollback = project.run(&["rollback"]);
    assert_eq!(rollback.code, 0, "{}", rollback.stderr);
    assert_eq!(read(&project, "src/app/cache.py"), CACHE);
}

#[test]
fn redis_unify_s_own_hook_lets_the_step_commit_through() {
    let project = service();
    // Fixed, and still with a finding (RU201: no socket_timeout).
    project.write(
        "src/app/pool.py",
        "import aioredis\n\nclient = aioredis.from_url(\"redis://x\")\n",
    );
    project.git(&["add", "-A"]);
    project.git(&["commit", "-qm", "pool"]);
    assert_eq!(project.run(&["hook", "install"]).code, 0);
    let run = project.run(&["fix", ".", "--commit"]);
    assert_eq!(run.code, 1, "findings remain: {}", run.stderr);
    assert!(run.stderr.contains("Committed 3 files"), "{}", run.stderr);
    // The hook ran and let it through (its note is shown by git only on failure).
    assert_eq!(commit_count(&project), 3);
    // An ordinary commit is still checked by the hook.
    project.write("src/app/new.py", "import aioredis\n");
    project.git(&["add", "src/app/new.py"]);
    let output = Command::new("git")
        .args(["commit", "-qm", "new"])
        .current_dir(project.path())
        .env("GIT_AUTHOR_NAME", "Test")
        .env("GIT_AUTHOR_EMAIL", "test@example.com")
        .env("GIT_COMMITTER_NAME", "Test")
        .env("GIT_COMMITTER_EMAIL", "test@example.com")
        .output()
        .unwrap();
    assert!(!output.status.success(), "the hook stops it");
}

#[test]
fn a_step_committed_through_git_s_filters_or_partly_amended_is_still_committed() {
    // core.autocrlf: the work tree has CRLF, HEAD's blob LF.
    let project = Project::repo(&[]);
    project.git(&["config", "core.autocrlf", "true"]);
    project.write("a.py", "import aioredis\r\nx = aioredis.Redis\r\n");
    project.git(&["add", "a.py"]);
    project.git(&["commit", "-qm", "crlf"]);
    let run = project.run(&["fix", "--commit", "a.py"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        !run.stderr.contains("a commit hook changed"),
        "{}",
        run.stderr
    );
    let rollback = project.run(&["rollback"]);
    assert_eq!(rollback.code, 2, "{}", rollback.stderr);
    // The step's commit amended to keep a.py only: a.py's fix is still committed.
    let project = Project::repo(&[
        ("a.py", "import aioredis\nx = aioredis.Redis\n"),
        ("b.py", "import aioredis\ny = aioredis.Redis\n"),
    ]);
    assert_eq!(project.run(&["fix", "--commit", "a.py", "b.py"]).code, 0);
    project.git(&["checkout", "HEAD~1", "--", "b.py"]);
    project.git(&["commit", "-q", "--amend", "-m", "a only"]);
    project.git(&["checkout", "HEAD@{1}", "--", "b.py"]);
    project.git(&["reset", "-q", "b.py"]);
    let rollback = project.run(&["rollback"]);
    assert_eq!(rollback.code, 2, "{}", rollback.stderr);
    assert!(
        rollback.stderr.contains("HEAD holds its fixes of a.py;"),
        "{}",
        rollback.stderr
    );
}
