//! Issue 13: where the project is (separate git folders, GIT_DIR/GIT_WORK_TREE,
//! linked worktrees), a journal bound to its own repository, the run lock,
//! interrupted and failed verify commands recorded honestly, which run a plain
//! `rollback` undoes, and pruning the journal. Real repositories, the real
//! binary.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{Project, Run};

const SAFE: &str =
    "import aioredis\n\nclient = aioredis.from_url(\"redis://localhost\", socket_timeout=5)\n";
const SAFE_FIXED: &str = "import redis.asyncio as aioredis\n\nclient = aioredis.from_url(\"redis://localhost\", socket_timeout=5)\n";

fn git_in(dir: &Path, args: &[&str]) -> String {
    let output = Command::new("git")
        .args(["-c", "user.name=Test", "-c", "user.email=test@example.com"])
        .args([
            "-c",
            "init.defaultBranch=main",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .current_dir(dir)
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "git {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn text(path: impl AsRef<Path>) -> String {
    std::fs::read_to_string(path).unwrap()
}

fn history_json(project: &Project, folder: &str, env: &[(&str, &str)]) -> serde_json::Value {
    let history = project.run_in(folder, &["history", "--json"], env);
    assert_eq!(history.code, 0, "{}", history.stderr);
    serde_json::from_str(&history.stdout).unwrap()
}

/// The manifests of a journal folder, by run id.
fn manifests(runs: &Path) -> Vec<(String, serde_json::Value)> {
    let mut found: Vec<(String, serde_json::Value)> = std::fs::read_dir(runs)
        .unwrap()
        .flatten()
        .filter(|e| e.path().join("manifest.json").is_file())
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                serde_json::from_str(&text(e.path().join("manifest.json"))).unwrap(),
            )
        })
        .collect();
    found.sort_by(|a, b| a.0.cmp(&b.0));
    found
}

// ---- item 2: the work tree is git's ----

/// `git init --separate-git-dir store/repo.git work`, with `app.py` committed
/// in `work/`, and a file of the same name *outside* the repository, beside
/// the git folder.
fn separate_git_dir_project() -> Project {
    let project = Project::new();
    std::fs::create_dir_all(project.path().join("store")).unwrap();
    git_in(
        project.path(),
        &["init", "-q", "--separate-git-dir", "store/repo.git", "work"],
    );
    project.write("work/app.py", SAFE);
    git_in(&project.path().join("work"), &["add", "app.py"]);
    git_in(&project.path().join("work"), &["commit", "-qm", "initial"]);
    project.write("store/app.py", SAFE);
    project
}

#[test]
fn separate_git_dir_fixes_the_work_tree_never_a_same_named_file_outside() {
    let project = separate_git_dir_project();
    assert!(project.path().join("work/.git").is_file());

    let check = project.run_in("work", &["check", "--output-format", "concise", "."], &[]);
    assert_eq!(
        check.findings(),
        vec!["app.py:1:1: RU100"],
        "{}",
        check.stderr
    );

    // Named, and as a folder; the verify command runs in the work tree.
    let fix = project.run_in(
        "work",
        &["fix", "--verify", "pwd > verified-in", "app.py"],
        &[],
    );
    assert_eq!(fix.code, 0, "{}{}", fix.stdout, fix.stderr);
    assert_eq!(text(project.path().join("work/app.py")), SAFE_FIXED);
    assert_eq!(
        text(project.path().join("store/app.py")),
        SAFE,
        "outside: untouched"
    );
    let work = project.path().join("work").canonicalize().unwrap();
    assert_eq!(
        PathBuf::from(text(project.path().join("work/verified-in")).trim())
            .canonicalize()
            .unwrap(),
        work
    );

    // The journal is in the git folder; it records the work tree.
    let runs = project.path().join("store/repo.git/redis-unify/runs");
    let found = manifests(&runs);
    assert_eq!(found.len(), 1);
    assert_eq!(
        PathBuf::from(found[0].1["root"].as_str().unwrap())
            .canonicalize()
            .unwrap(),
        work
    );
    assert_eq!(found[0].1["files"][0]["path"], "app.py");

    let rollback = project.run_in("work", &["rollback"], &[]);
    assert_eq!(rollback.code, 0, "{}", rollback.stderr);
    assert!(
        !rollback.stderr.contains("note: run"),
        "{}",
        rollback.stderr
    );
    assert_eq!(text(project.path().join("work/app.py")), SAFE);
    assert_eq!(text(project.path().join("store/app.py")), SAFE);

    // Staged mode too.
    project.write("work/app.py", SAFE);
    project.write("work/new.py", "import aioredis\n");
    git_in(&project.path().join("work"), &["add", "new.py"]);
    let staged = project.run_staged_in("work", &["check", "--output-format", "concise"], &[]);
    assert_eq!(
        staged.findings(),
        vec!["new.py:1:1: RU100"],
        "{}",
        staged.stderr
    );
}

#[test]
fn separate_git_dir_plan_and_hook_use_the_work_tree() {
    let project = separate_git_dir_project();
    let work = project.path().join("work");
    let plan = project.run_in("work", &["plan", "--output-format", "json"], &[]);
    assert_eq!(plan.code, 0, "{}", plan.stderr);
    let plan: serde_json::Value = serde_json::from_str(&plan.stdout).unwrap();
    assert_eq!(plan["files"][0]["path"], "app.py", "{plan}");

    let install = project.run_in("work", &["hook", "install"], &[]);
    assert_eq!(install.code, 0, "{}", install.stderr);
    assert!(
        project
            .path()
            .join("store/repo.git/hooks/pre-commit")
            .is_file()
    );
    // The hook (run by git, with the binary on PATH) stops a commit of aioredis.
    project.write("work/new.py", "import aioredis\n");
    git_in(&work, &["add", "new.py"]);
    let binary_dir = Path::new(env!("CARGO_BIN_EXE_redis-unify"))
        .parent()
        .unwrap();
    let path = format!(
        "{}:{}",
        binary_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let commit = Command::new("git")
        .args([
            "-c",
            "user.name=T",
            "-c",
            "user.email=t@e",
            "commit",
            "-qm",
            "x",
        ])
        .current_dir(&work)
        .env("PATH", path)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&commit.stderr);
    let stdout = String::from_utf8_lossy(&commit.stdout);
    assert!(!commit.status.success(), "{stdout}{stderr}");
    // (git passes a hook's output on to stderr)
    assert!(
        format!("{stdout}{stderr}").contains("--> new.py:1:1"),
        "{stdout}{stderr}"
    );
}

#[test]
fn git_dir_and_work_tree_set_from_outside_the_work_tree() {
    let project = separate_git_dir_project();
    project.write("work/new.py", "import aioredis\n");
    git_in(&project.path().join("work"), &["add", "new.py"]);
    let git_dir = project.path().join("store/repo.git");
    let work = project.path().join("work");
    let env = [
        ("GIT_DIR", git_dir.to_str().unwrap()),
        ("GIT_WORK_TREE", work.to_str().unwrap()),
    ];
    // From the folder above both (not inside any repository).
    let staged = project.run_staged_in(".", &["check", "--output-format", "concise"], &env);
    assert_eq!(staged.code, 1, "{}{}", staged.stdout, staged.stderr);
    assert_eq!(
        staged.findings(),
        vec!["work/new.py:1:1: RU100"],
        "{}",
        staged.stderr
    );

    // A staged fix writes the work tree's file, and the journal follows.
    let fix = project.run_in(".", &["fix"], &env);
    assert_eq!(fix.code, 0, "{}{}", fix.stdout, fix.stderr);
    assert_eq!(
        text(work.join("new.py")),
        "import redis.asyncio as aioredis\n"
    );
    let history = history_json(&project, ".", &env);
    assert_eq!(history.as_array().unwrap().len(), 1, "{history}");
    let rollback = project.run_in(".", &["rollback"], &env);
    assert_eq!(rollback.code, 0, "{}", rollback.stderr);
    assert_eq!(text(work.join("new.py")), "import aioredis\n");

    // GIT_DIR alone: the current folder is the top of the work tree, as in git.
    let staged = project.run_staged_in(
        "work",
        &["check", "--output-format", "concise"],
        &[("GIT_DIR", git_dir.to_str().unwrap())],
    );
    assert_eq!(
        staged.findings(),
        vec!["new.py:1:1: RU100"],
        "{}",
        staged.stderr
    );
}

#[test]
fn git_dir_pointing_to_another_repository_checks_that_index() {
    let here = Project::repo(&[("a.py", "x = 1\n")]);
    here.write("here.py", "import aioredis\n");
    here.git(&["add", "here.py"]);
    let other = Project::repo(&[("b.py", "x = 1\n")]);
    other.write("there.py", "x = 2\n");
    other.git(&["add", "there.py"]);
    let other_git = other.path().join(".git");

    let own = here.run_staged(&["check", "--output-format", "concise"]);
    assert_eq!(own.findings(), vec!["here.py:1:1: RU100"], "{}", own.stderr);
    // GIT_DIR names the other repository: its index (there.py, clean) is
    // checked, not this folder's.
    let run = here.run_staged_in(
        ".",
        &["check", "--output-format", "concise"],
        &[("GIT_DIR", other_git.to_str().unwrap())],
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.findings().is_empty(), "{}", run.stdout);

    // A GIT_DIR that is no repository is an error in every command, as in git.
    for args in [
        &["check"][..],
        &["check", "."],
        &["fix", "."],
        &["plan", "."],
        &["history"],
        &["rollback"],
    ] {
        let bad = here.run_in(".", args, &[("GIT_DIR", "/nonexistent/git/dir")]);
        assert_eq!(bad.code, 2, "{args:?}: {}", bad.stderr);
        assert!(
            bad.stderr.contains("GIT_DIR is set to"),
            "{args:?}: {}",
            bad.stderr
        );
    }
    assert_eq!(
        std::fs::read_to_string(here.path().join("here.py")).unwrap(),
        "import aioredis\n"
    );
}

#[test]
fn linked_worktrees_keep_their_own_journal() {
    let project = Project::repo(&[("app.py", SAFE)]);
    let linked = tempfile::tempdir().unwrap();
    let linked_path = linked.path().join("wt");
    project.git(&["worktree", "add", "-q", linked_path.to_str().unwrap()]);

    let run_linked = |args: &[&str]| -> Run {
        Run::from(
            Command::new(env!("CARGO_BIN_EXE_redis-unify"))
                .args(args)
                .current_dir(&linked_path)
                .env("NO_COLOR", "1")
                .output()
                .unwrap(),
        )
    };
    let fix = run_linked(&["fix", "app.py"]);
    assert_eq!(fix.code, 0, "{}{}", fix.stdout, fix.stderr);
    assert_eq!(text(linked_path.join("app.py")), SAFE_FIXED);
    assert_eq!(text(project.path().join("app.py")), SAFE);

    // Its runs are its own: the main work tree has none to undo.
    let main_history = history_json(&project, ".", &[]);
    assert_eq!(main_history.as_array().unwrap().len(), 0, "{main_history}");
    assert_eq!(project.run(&["rollback"]).code, 2);
    assert_eq!(text(linked_path.join("app.py")), SAFE_FIXED);
    assert!(
        project
            .path()
            .join(".git/worktrees/wt/redis-unify/runs")
            .is_dir()
    );

    let rollback = run_linked(&["rollback"]);
    assert_eq!(rollback.code, 0, "{}", rollback.stderr);
    assert_eq!(text(linked_path.join("app.py")), SAFE);
}

// ---- item 4: the journal belongs to its repository ----

#[test]
fn rollback_in_a_copied_repository_restores_the_copy_not_the_original() {
    let parent = tempfile::tempdir().unwrap();
    let original = parent.path().join("original");
    std::fs::create_dir(&original).unwrap();
    git_in(&original, &["init", "-q"]);
    std::fs::write(original.join("app.py"), SAFE).unwrap();
    git_in(&original, &["add", "app.py"]);
    git_in(&original, &["commit", "-qm", "initial"]);
    let binary = env!("CARGO_BIN_EXE_redis-unify");
    let run = |dir: &Path, args: &[&str]| -> Run {
        Run::from(
            Command::new(binary)
                .args(args)
                .current_dir(dir)
                .output()
                .unwrap(),
        )
    };
    assert_eq!(run(&original, &["fix", "."]).code, 0);

    let copy = parent.path().join("copy");
    let cp = Command::new("cp")
        .arg("-a")
        .arg(&original)
        .arg(&copy)
        .status()
        .unwrap();
    assert!(cp.success());
    let rollback = run(&copy, &["rollback"]);
    assert_eq!(rollback.code, 0, "{}", rollback.stderr);
    assert!(
        rollback.stderr.contains("was made in") && rollback.stderr.contains("copy"),
        "says where it restores: {}",
        rollback.stderr
    );
    assert_eq!(text(copy.join("app.py")), SAFE, "the copy is restored");
    assert_eq!(
        text(original.join("app.py")),
        SAFE_FIXED,
        "the original is untouched"
    );
    // The original's own journal still undoes the original.
    assert_eq!(run(&original, &["rollback"]).code, 0);
    assert_eq!(text(original.join("app.py")), SAFE);

    // Moved: rollback finds the files where they are now.
    assert_eq!(run(&original, &["fix", "."]).code, 0);
    let moved = parent.path().join("moved");
    std::fs::rename(&original, &moved).unwrap();
    let rollback = run(&moved, &["rollback"]);
    assert_eq!(rollback.code, 0, "{}", rollback.stderr);
    assert_eq!(text(moved.join("app.py")), SAFE);
}

#[test]
fn old_manifests_with_an_absolute_root_still_roll_back_in_the_current_work_tree() {
    let project = Project::repo(&[("app.py", SAFE)]);
    assert_eq!(project.run(&["fix", "."]).code, 0);
    let runs = project.path().join(".git/redis-unify/runs");
    let (id, _) = manifests(&runs).remove(0);
    // The shape an older redis-unify wrote, pointing somewhere else.
    let old = serde_json::json!({
        "id": id,
        "created": "2026-11-26T00:00:00Z",
        "root": "/somewhere/else/entirely",
        "phase": null,
        "unsafe_fixes": false,
        "verify": null,
        "status": "complete",
        "files": [{
            "path": "app.py",
            "before": manifests(&runs)[0].1["files"][0]["before"],
            "after": manifests(&runs)[0].1["files"][0]["after"],
            "rules": ["RU100"],
            "backup": "originals/0"
        }]
    });
    std::fs::write(runs.join(&id).join("manifest.json"), old.to_string()).unwrap();
    let rollback = project.run(&["rollback"]);
    assert_eq!(rollback.code, 0, "{}", rollback.stderr);
    assert!(
        rollback
            .stderr
            .contains("was made in /somewhere/else/entirely"),
        "{}",
        rollback.stderr
    );
    assert_eq!(text(project.path().join("app.py")), SAFE);
}

// ---- item 10: interrupted verify ----

/// Whether `pid` is a live process (a zombie counts as gone).
fn alive(pid: i32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => {
            let state = stat.rsplit(')').next().unwrap_or("").trim_start();
            !state.starts_with('Z') && !state.starts_with('X')
        }
        Err(_) => false,
    }
}

/// Starts `fix --verify CMD .` where CMD writes the pids of its shell and of
/// a `sleep` it waits for, waits until both are written, sends `signal` to
/// redis-unify only, and returns (exit code, stderr, shell pid, sleep pid).
fn interrupt_verify(project: &Project, signal: i32) -> (Option<i32>, String, i32, i32) {
    let child = Command::new(env!("CARGO_BIN_EXE_redis-unify"))
        .args([
            "fix",
            "--verify",
            "sleep 300 & echo $! > sleep.pid; echo $$ > shell.pid; wait",
            ".",
        ])
        .current_dir(project.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let pid_of = |name: &str| -> Option<i32> {
        std::fs::read_to_string(project.path().join(name))
            .ok()
            .and_then(|t| t.trim().parse().ok())
    };
    // Not a timing assumption: wait (however long) until the verify command runs.
    let (shell, sleep) = loop {
        if let (Some(shell), Some(sleep)) = (pid_of("shell.pid"), pid_of("sleep.pid")) {
            break (shell, sleep);
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    assert!(alive(shell) && alive(sleep));
    // SAFETY: signalling the child this test started.
    unsafe { libc::kill(child.id() as i32, signal) };
    let output = child.wait_with_output().unwrap();
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
        shell,
        sleep,
    )
}

#[test]
fn sigterm_during_verify_stops_the_command_and_rolls_back() {
    let project = Project::repo(&[("app.py", SAFE)]);
    let (code, stderr, shell, sleep) = interrupt_verify(&project, libc::SIGTERM);
    assert_eq!(code, Some(143), "{stderr}");
    assert!(
        stderr.contains("Verify interrupted: redis-unify received SIGTERM")
            && stderr.contains("rolled back (every file restored"),
        "{stderr}"
    );
    assert_eq!(text(project.path().join("app.py")), SAFE);
    assert!(!alive(shell), "the verify shell is gone");
    assert!(!alive(sleep), "what it started is gone");

    let history = history_json(&project, ".", &[]);
    assert_eq!(history[0]["status"], "verify-interrupted-rolled-back");
    assert_eq!(history[0]["verify_result"]["outcome"], "interrupted");
    assert_eq!(history[0]["verify_result"]["interrupted_by"], "SIGTERM");
    let text_history = project.run(&["history"]);
    assert!(
        text_history.stdout.contains("verify interrupted (SIGTERM"),
        "{}",
        text_history.stdout
    );
}

#[test]
fn sigint_during_verify_stops_the_command_and_rolls_back() {
    let project = Project::repo(&[("app.py", SAFE)]);
    let (code, stderr, shell, sleep) = interrupt_verify(&project, libc::SIGINT);
    assert_eq!(code, Some(130), "{stderr}");
    assert!(stderr.contains("received SIGINT"), "{stderr}");
    assert_eq!(text(project.path().join("app.py")), SAFE);
    assert!(!alive(shell) && !alive(sleep));
    let history = history_json(&project, ".", &[]);
    assert_eq!(history[0]["status"], "verify-interrupted-rolled-back");
    // Nothing left to undo: a plain rollback says so.
    let rollback = project.run(&["rollback"]);
    assert_eq!(rollback.code, 2);
    assert!(
        rollback.stderr.contains("already rolled back"),
        "{}",
        rollback.stderr
    );
}

// ---- item 11: failed verify recorded honestly; which run rollback undoes ----

#[test]
fn a_failed_verify_that_edited_a_file_is_recorded_as_not_rolled_back() {
    let project = Project::repo(&[("app.py", SAFE), ("other.py", SAFE)]);
    let run = project.run(&[
        "fix",
        "--verify",
        "echo '# edited by the verify command' >> app.py; exit 3",
        ".",
    ]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains("exited with 3") && run.stderr.contains("NOT fully rolled back"),
        "{}",
        run.stderr
    );
    // other.py is restored; app.py keeps the fix and the edit (never overwritten).
    assert_eq!(text(project.path().join("other.py")), SAFE);
    assert_eq!(
        text(project.path().join("app.py")),
        format!("{SAFE_FIXED}# edited by the verify command\n")
    );
    let history = history_json(&project, ".", &[]);
    assert_eq!(history[0]["status"], "verify-failed-not-rolled-back");
    assert_eq!(history[0]["verify_result"]["outcome"], "failed");
    assert_eq!(history[0]["verify_result"]["exit_code"], 3);
    assert_eq!(history[0]["not_restored"], serde_json::json!(["app.py"]));
    let text_history = project.run(&["history"]);
    assert!(
        text_history.stdout.contains("verify failed (exit 3")
            && text_history.stdout.contains("NOT rolled back: 1 file left")
            && text_history.stdout.contains("app.py"),
        "{}",
        text_history.stdout
    );
    // The run is still the one a plain rollback targets; --force restores it.
    let rollback = project.run(&["rollback", "--force"]);
    assert_eq!(rollback.code, 0, "{}", rollback.stderr);
    assert_eq!(text(project.path().join("app.py")), SAFE);
}

#[test]
fn after_an_automatic_rollback_a_plain_rollback_leaves_the_previous_run_alone() {
    let project = Project::repo(&[("app.py", SAFE)]);
    assert_eq!(project.run(&["fix", "."]).code, 0);
    project.git(&["commit", "-qam", "migrated app.py"]);
    let first = manifests(&project.path().join(".git/redis-unify/runs"))[0]
        .0
        .clone();

    project.write("more.py", SAFE);
    let failed = project.run(&["fix", "--verify", "false", "more.py"]);
    assert_eq!(failed.code, 1, "{}", failed.stderr);
    assert_eq!(text(project.path().join("more.py")), SAFE);

    let rollback = project.run(&["rollback"]);
    assert_eq!(rollback.code, 2, "{}", rollback.stderr);
    assert!(
        rollback.stderr.contains("already rolled back")
            && rollback
                .stderr
                .contains(&format!("redis-unify rollback {first}")),
        "names the older run: {}",
        rollback.stderr
    );
    assert_eq!(
        text(project.path().join("app.py")),
        SAFE_FIXED,
        "the committed earlier run is not undone"
    );
    // Named explicitly, the older run is committed: refused without --force,
    // restored with it.
    let named = project.run(&["rollback", &first]);
    assert_eq!(named.code, 2, "{}", named.stderr);
    assert!(named.stderr.contains("is committed"), "{}", named.stderr);
    let named = project.run(&["rollback", "--force", &first]);
    assert_eq!(named.code, 0, "{}", named.stderr);
    assert_eq!(text(project.path().join("app.py")), SAFE);
    // And a rolled-back run named again is refused.
    assert_eq!(project.run(&["rollback", &first]).code, 2);
}

#[test]
fn a_damaged_latest_manifest_stops_rollback() {
    let project = Project::repo(&[("app.py", SAFE), ("more.py", "x = 1\n")]);
    assert_eq!(project.run(&["fix", "app.py"]).code, 0);
    project.write("more.py", SAFE);
    assert_eq!(project.run(&["fix", "more.py"]).code, 0);
    let runs = project.path().join(".git/redis-unify/runs");
    let latest = manifests(&runs).pop().unwrap().0;
    let manifest = runs.join(&latest).join("manifest.json");
    std::fs::write(&manifest, "{\"id\": \"truncat").unwrap();

    let rollback = project.run(&["rollback"]);
    assert_eq!(rollback.code, 2, "{}", rollback.stderr);
    assert!(
        rollback.stderr.contains(&latest)
            && rollback.stderr.contains("manifest.json")
            && rollback.stderr.contains("is damaged"),
        "{}",
        rollback.stderr
    );
    // Nothing restored: neither the damaged run's file nor the older run's.
    assert_eq!(text(project.path().join("app.py")), SAFE_FIXED);
    assert_eq!(text(project.path().join("more.py")), SAFE_FIXED);
}

#[test]
fn history_shows_a_passed_verify() {
    let project = Project::repo(&[("app.py", SAFE)]);
    let run = project.run(&["fix", "--verify", "true", "."]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let history = history_json(&project, ".", &[]);
    assert_eq!(history[0]["status"], "complete");
    assert_eq!(history[0]["verify_result"]["outcome"], "passed");
    assert_eq!(history[0]["verify_result"]["exit_code"], 0);
    assert!(history[0]["verify_result"]["duration_ms"].is_u64());
    let text_history = project.run(&["history"]);
    assert!(
        text_history.stdout.contains("applied, verify passed ("),
        "{}",
        text_history.stdout
    );
}

// ---- item 12: leftovers and pruning ----

#[test]
fn a_fix_run_removes_stale_temporaries_and_run_folders_without_a_manifest() {
    let project = Project::repo(&[("pkg/app.py", SAFE)]);
    let stale = project.write("pkg/.redis-unify-Ab12Cd.tmp", "half a file");
    let touch = Command::new("touch")
        .args(["-d", "2020-01-01 00:00:00"])
        .arg(&stale)
        .status()
        .unwrap();
    assert!(touch.success());
    // Newer than the run (as a live writer's would be) or not our exact name: kept.
    let fresh = project.write("pkg/.redis-unify-Zz99Yy.tmp", "another writer");
    let touch = Command::new("touch")
        .args(["-d", "2100-01-01 00:00:00"])
        .arg(&fresh)
        .status()
        .unwrap();
    assert!(touch.success());
    let unrelated = project.write("pkg/.redis-unify-notes.tmp.bak", "mine");
    let orphan = project
        .path()
        .join(".git/redis-unify/runs/20200101000000-000000000-1");
    std::fs::create_dir_all(orphan.join("originals")).unwrap();
    std::fs::write(orphan.join("originals/0"), "x").unwrap();

    let run = project.run(&["fix", "."]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(!stale.exists(), "{}", run.stderr);
    assert!(
        run.stderr.contains(".redis-unify-Ab12Cd.tmp"),
        "{}",
        run.stderr
    );
    assert!(fresh.exists() && unrelated.exists());
    assert!(!orphan.exists());
    assert_eq!(text(project.path().join("pkg/app.py")), SAFE_FIXED);
}

#[test]
fn history_prune_keeps_the_last_runs_and_drops_what_cannot_be_used() {
    let project = Project::repo(&[("keep.py", "x = 1\n")]);
    for i in 0..4 {
        project.write(&format!("f{i}.py"), SAFE);
        let run = project.run(&["fix", &format!("f{i}.py")]);
        assert_eq!(run.code, 0, "{}", run.stderr);
    }
    // The latest run rolled back: its originals are no longer needed.
    assert_eq!(project.run(&["rollback"]).code, 0);
    let runs = project.path().join(".git/redis-unify/runs");
    let ids: Vec<String> = manifests(&runs).into_iter().map(|(id, _)| id).collect();
    let orphan = runs.join("20200101000000-000000000-1");
    std::fs::create_dir_all(&orphan).unwrap();

    let prune = project.run(&["history", "--prune", "--keep", "2"]);
    assert_eq!(prune.code, 0, "{}", prune.stderr);
    assert!(
        prune
            .stdout
            .contains("2 runs older than the last 2 removed")
            && prune.stdout.contains("1 folder without a manifest removed")
            && prune
                .stdout
                .contains("the originals of 1 rolled-back run removed"),
        "{}",
        prune.stdout
    );
    let left: Vec<String> = manifests(&runs).into_iter().map(|(id, _)| id).collect();
    assert_eq!(left, ids[2..].to_vec());
    assert!(!orphan.exists());
    assert!(!runs.join(&ids[3]).join("originals").exists());
    assert!(runs.join(&ids[2]).join("originals").exists());
    let history = history_json(&project, ".", &[]);
    assert_eq!(history[1]["backups_pruned"], true);
    // The kept applied run still rolls back.
    let rollback = project.run(&["rollback", &ids[2]]);
    assert_eq!(rollback.code, 0, "{}", rollback.stderr);
    assert_eq!(text(project.path().join("f2.py")), SAFE);
    // Pruned runs are gone from history; --keep needs --prune.
    assert_eq!(project.run(&["history", "--keep", "3"]).code, 2);
}

#[test]
fn an_ignored_sighup_stays_ignored_during_verify() {
    // As under `nohup`: redis-unify starts with SIGHUP ignored.
    let project = Project::repo(&[("app.py", SAFE)]);
    let child = Command::new("sh")
        .arg("-c")
        .arg("trap '' HUP; exec \"$0\" fix --verify 'echo $$ > shell.pid; while [ ! -f go ]; do sleep 0.05; done' .")
        .arg(env!("CARGO_BIN_EXE_redis-unify"))
        .current_dir(project.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    while !project.path().join("shell.pid").exists() {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    // SAFETY: signalling the child this test started (exec'd redis-unify).
    unsafe { libc::kill(child.id() as i32, libc::SIGHUP) };
    project.write("go", "");
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("Verified"), "{stderr}");
    assert_eq!(text(project.path().join("app.py")), SAFE_FIXED);
}

#[test]
fn rollback_removes_the_temporaries_a_killed_run_left_next_to_its_files() {
    let project = Project::repo(&[("pkg/app.py", SAFE)]);
    assert_eq!(project.run(&["fix", "."]).code, 0);
    // As a run SIGKILLed between creating its temporary file and the rename leaves it.
    let stale = project.write("pkg/.redis-unify-Qw3rTy.tmp", "half a file");
    let runs = project.path().join(".git/redis-unify/runs");
    let (id, _) = manifests(&runs).remove(0);
    let stale_manifest = runs.join(&id).join(".redis-unify-Mn0pQr.tmp");
    std::fs::write(&stale_manifest, "{").unwrap();
    for path in [&stale, &stale_manifest] {
        let touch = Command::new("touch")
            .args(["-d", "2020-01-01 00:00:00"])
            .arg(path)
            .status()
            .unwrap();
        assert!(touch.success());
    }
    let rollback = project.run(&["rollback"]);
    assert_eq!(rollback.code, 0, "{}", rollback.stderr);
    assert!(!stale.exists(), "{}", rollback.stderr);
    assert_eq!(text(project.path().join("pkg/app.py")), SAFE);
    // The next fix run tidies the journal's own leftovers.
    assert!(stale_manifest.exists());
    assert_eq!(project.run(&["fix", "."]).code, 0);
    assert!(!stale_manifest.exists());
}

#[test]
fn a_fix_run_says_when_the_journal_should_be_pruned() {
    let project = Project::repo(&[("app.py", SAFE), ("more.py", "x = 1\n")]);
    assert_eq!(project.run(&["fix", "app.py"]).code, 0);
    let runs = project.path().join(".git/redis-unify/runs");
    let (id, manifest) = manifests(&runs).remove(0);
    for i in 0..19 {
        // Older copies of the run (ids sort by time).
        let copy = runs.join(format!("2020{i:02}-{id}"));
        std::fs::create_dir_all(copy.join("originals")).unwrap();
        let mut manifest = manifest.clone();
        manifest["id"] = serde_json::json!(format!("2020{i:02}-{id}"));
        std::fs::write(copy.join("manifest.json"), manifest.to_string()).unwrap();
    }
    project.write("more.py", SAFE);
    let run = project.run(&["fix", "more.py"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("the fix journal holds 20 runs")
            && run.stderr.contains("redis-unify history --prune"),
        "{}",
        run.stderr
    );
    let prune = project.run(&["history", "--prune"]);
    assert_eq!(prune.code, 0, "{}", prune.stderr);
    assert!(
        prune
            .stdout
            .contains("1 run older than the last 20 removed"),
        "{}",
        prune.stdout
    );
    assert_eq!(manifests(&runs).len(), 20);
}

#[test]
fn a_verify_command_that_ignores_the_signal_is_killed_by_a_second_one() {
    let project = Project::repo(&[("app.py", SAFE)]);
    let child = Command::new(env!("CARGO_BIN_EXE_redis-unify"))
        .args([
            "fix",
            "--verify",
            "trap '' INT TERM HUP; echo $$ > shell.pid; while :; do sleep 0.05; done",
            ".",
        ])
        .current_dir(project.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let shell = loop {
        if let Some(pid) = std::fs::read_to_string(project.path().join("shell.pid"))
            .ok()
            .and_then(|t| t.trim().parse::<i32>().ok())
        {
            break pid;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    // Two different signals (the same one twice may be merged): the first is
    // passed on and ignored, the second kills the command's group.
    // SAFETY: signalling the child this test started.
    unsafe {
        libc::kill(child.id() as i32, libc::SIGTERM);
        libc::kill(child.id() as i32, libc::SIGINT);
    }
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        matches!(output.status.code(), Some(130 | 143)),
        "{:?}: {stderr}",
        output.status
    );
    assert!(!alive(shell), "{stderr}");
    assert_eq!(text(project.path().join("app.py")), SAFE);
    let history = history_json(&project, ".", &[]);
    assert_eq!(history[0]["status"], "verify-interrupted-rolled-back");
    assert_eq!(history[0]["verify_result"]["signal"], libc::SIGKILL);
}
