//! Staged mode in the git states a hook meets: a merge with conflicts, a
//! detached HEAD, a locked index, a submodule, a linked worktree, a sparse
//! checkout. Each must be checked calmly: no panic, exit 0/1/2, clear words.

mod common;

use common::Project;

const DIRTY: &str = "import aioredis\n";

#[test]
fn merge_in_progress_names_conflicted_files_and_checks_the_rest() {
    let project = Project::repo(&[("a.py", "x = 1\n")]);
    project.git(&["checkout", "-qb", "other"]);
    project.write("a.py", "x = 2\nimport aioredis\n");
    project.git(&["commit", "-qam", "other"]);
    project.git(&["checkout", "-q", "main"]);
    project.write("a.py", "x = 3\n");
    project.git(&["commit", "-qam", "main"]);
    // The merge stops on a conflict in a.py; b.py is staged cleanly.
    let merge = std::process::Command::new("git")
        .args([
            "-c",
            "user.name=T",
            "-c",
            "user.email=t@e",
            "merge",
            "-q",
            "other",
        ])
        .current_dir(project.path())
        .output()
        .unwrap();
    assert!(!merge.status.success(), "the merge must conflict");
    project.write("b.py", DIRTY);
    project.git(&["add", "b.py"]);

    let run = project.run_staged(&["check", "--output-format", "concise"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert_eq!(run.findings(), vec!["b.py:1:1: RU100"]);
    assert!(run.stderr.contains("a.py: conflicted"), "{}", run.stderr);
}

#[test]
fn detached_head() {
    let project = Project::repo(&[("a.py", "x = 1\n")]);
    project.git(&["checkout", "-q", "--detach"]);
    project.write("b.py", DIRTY);
    project.git(&["add", "b.py"]);
    let run = project.run_staged(&["check", "--output-format", "concise"]);
    assert_eq!(run.findings(), vec!["b.py:1:1: RU100"], "{}", run.stderr);
}

#[test]
fn a_locked_index_is_still_read_and_never_written() {
    let project = Project::repo(&[("a.py", "x = 1\n")]);
    project.write(
        "a.py",
        "import aioredis\n\nclient = aioredis.Redis(socket_timeout=5)\n",
    );
    project.git(&["add", "a.py"]);
    let lock = project.path().join(".git/index.lock");
    std::fs::write(&lock, "").unwrap();
    let run = project.run_staged(&["check", "--output-format", "concise"]);
    assert_eq!(run.findings(), vec!["a.py:1:1: RU100"], "{}", run.stderr);
    // fix writes the work tree only: the lock (another git at work) is left alone.
    let fix = project.run(&["fix"]);
    assert_eq!(fix.code, 0, "{}{}", fix.stdout, fix.stderr);
    assert!(lock.exists());
    std::fs::remove_file(&lock).unwrap();
    assert!(
        project.git(&["show", ":a.py"]).contains("import aioredis"),
        "the index is untouched"
    );
}

#[test]
fn submodules_are_skipped() {
    let inner = Project::repo(&[("inner.py", DIRTY)]);
    let project = Project::repo(&[("a.py", "x = 1\n")]);
    project.git(&[
        "-c",
        "protocol.file.allow=always",
        "submodule",
        "add",
        "-q",
        inner.path().to_str().unwrap(),
        "vendor/inner",
    ]);
    let run = project.run_staged(&["check"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
}

#[test]
fn a_linked_worktree_checks_its_own_index() {
    let project = Project::repo(&[("a.py", "x = 1\n")]);
    let linked = tempfile::tempdir().unwrap();
    let linked_path = linked.path().join("wt");
    project.git(&["worktree", "add", "-q", linked_path.to_str().unwrap()]);
    std::fs::write(linked_path.join("b.py"), DIRTY).unwrap();
    let add = std::process::Command::new("git")
        .args(["add", "b.py"])
        .current_dir(&linked_path)
        .status()
        .unwrap();
    assert!(add.success());
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_redis-unify"))
        .args(["check", "--output-format", "concise"])
        .current_dir(&linked_path)
        .env("NO_COLOR", "1")
        .env_remove("PRE_COMMIT")
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&run.stdout).contains("b.py:1:1: RU100"));
    // The main work tree has nothing staged.
    assert_eq!(project.run_staged(&["check"]).code, 0);
}

#[test]
fn sparse_checkout() {
    let project = Project::repo(&[("in/a.py", "x = 1\n"), ("out/b.py", "y = 2\n")]);
    project.git(&["sparse-checkout", "set", "in"]);
    assert!(!project.path().join("out/b.py").exists());
    project.write("in/a.py", DIRTY);
    project.git(&["add", "in/a.py"]);
    let run = project.run_staged(&["check", "--output-format", "concise"]);
    assert_eq!(run.findings(), vec!["in/a.py:1:1: RU100"], "{}", run.stderr);
    let walk = project.run(&["check", "."]);
    assert_eq!(walk.code, 1, "{}", walk.stderr);
}

#[test]
fn a_bare_repository_is_a_usage_error_that_says_what_to_do() {
    let project = Project::new();
    project.git(&["init", "-q", "--bare"]);
    let run = project.run_staged(&["check"]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("bare git repository"), "{}", run.stderr);
    assert!(
        run.stderr.contains("redis-unify check PATH"),
        "{}",
        run.stderr
    );
}
